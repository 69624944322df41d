//! The department tree and the rules that read it: cycles, subtrees, visibility and admin scope.
//! Plain data and functions, no I/O.

use super::model::{Role, VisibilityMode};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug)]
pub struct DeptNode {
    pub id: i64,
    pub parent: Option<i64>,
    pub name: String,
    pub order: i64,
    pub mode: VisibilityMode,
    pub listed: Vec<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct Tree {
    pub nodes: HashMap<i64, DeptNode>,
    pub children: HashMap<i64, Vec<i64>>,
    pub root: Option<i64>,
}

/// Who is looking: the rights that decide what of the directory they can see and change.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub member_id: i64,
    pub role: Role,
    pub department_ids: Vec<i64>,
    pub managed_department_ids: Vec<i64>,
}

/// The departments a viewer can see.
#[derive(Clone, Debug)]
pub enum VisibleSet {
    All,
    Some(HashSet<i64>),
}

impl VisibleSet {
    pub fn contains(&self, dept: i64) -> bool {
        match self {
            Self::All => true,
            Self::Some(set) => set.contains(&dept),
        }
    }
}

impl Tree {
    pub fn new(nodes: Vec<DeptNode>) -> Self {
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut root = None;
        for n in &nodes {
            match n.parent {
                Some(p) => children.entry(p).or_default().push(n.id),
                None => root = Some(n.id),
            }
        }
        let nodes: HashMap<i64, DeptNode> = nodes.into_iter().map(|n| (n.id, n)).collect();
        for list in children.values_mut() {
            list.sort_by_key(|id| (nodes[id].order, *id));
        }
        Self {
            nodes,
            children,
            root,
        }
    }

    pub fn get(&self, id: i64) -> Option<&DeptNode> {
        self.nodes.get(&id)
    }

    /// The department and its ancestors up to the root, nearest first. Stops on a (corrupt) cycle.
    pub fn ancestors_or_self(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut cur = Some(id);
        while let Some(c) = cur {
            if out.contains(&c) || !self.nodes.contains_key(&c) {
                break;
            }
            out.push(c);
            cur = self.nodes[&c].parent;
        }
        out
    }

    pub fn is_ancestor_or_self(&self, ancestor: i64, dept: i64) -> bool {
        self.ancestors_or_self(dept).contains(&ancestor)
    }

    /// Moving `dept` under `new_parent` would make the tree a cycle.
    pub fn move_creates_cycle(&self, dept: i64, new_parent: i64) -> bool {
        self.is_ancestor_or_self(dept, new_parent)
    }

    /// The department and all departments below it.
    pub fn subtree(&self, id: i64) -> Vec<i64> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            if let Some(kids) = self.children.get(&out[i]) {
                out.extend(kids.iter().copied());
            }
            i += 1;
        }
        out
    }

    /// Whether an administrator with these managed departments may manage `dept`.
    pub fn manages(&self, viewer: &Viewer, dept: i64) -> bool {
        match viewer.role {
            Role::SuperAdmin => true,
            Role::Admin => self
                .ancestors_or_self(dept)
                .iter()
                .any(|a| viewer.managed_department_ids.contains(a)),
            Role::Member => false,
        }
    }

    /// The departments the viewer can see. A restricted department hides its whole subtree from
    /// everyone outside it, except super administrators and administrators who manage it.
    pub fn visible_departments(&self, viewer: &Viewer) -> VisibleSet {
        if viewer.role == Role::SuperAdmin {
            return VisibleSet::All;
        }
        let restricted: Vec<&DeptNode> = self
            .nodes
            .values()
            .filter(|n| n.mode != VisibilityMode::All)
            .collect();
        if restricted.is_empty() {
            return VisibleSet::All;
        }
        // Departments the viewer is "inside": their own and every ancestor of them.
        let inside: HashSet<i64> = viewer
            .department_ids
            .iter()
            .flat_map(|d| self.ancestors_or_self(*d))
            .collect();
        let allowed_in = |r: &DeptNode| -> bool {
            inside.contains(&r.id)
                || (r.mode == VisibilityMode::Listed && r.listed.iter().any(|l| inside.contains(l)))
                || self.manages(viewer, r.id)
        };
        let mut hidden: HashSet<i64> = HashSet::new();
        for r in restricted {
            if !allowed_in(r) {
                hidden.extend(self.subtree(r.id));
            }
        }
        VisibleSet::Some(
            self.nodes
                .keys()
                .copied()
                .filter(|d| !hidden.contains(d))
                .collect(),
        )
    }
}

/// Whether a member is visible: always to themselves, else through any visible department.
pub fn member_visible(
    viewer: &Viewer,
    visible: &VisibleSet,
    member_id: i64,
    member_depts: &[i64],
) -> bool {
    member_id == viewer.member_id
        || matches!(visible, VisibleSet::All)
        || member_depts.iter().any(|d| visible.contains(*d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i64, parent: Option<i64>, mode: VisibilityMode, listed: Vec<i64>) -> DeptNode {
        DeptNode {
            id,
            parent,
            name: format!("d{id}"),
            order: 0,
            mode,
            listed,
        }
    }

    /// 1 company → 2 tech → 3 frontend; 1 → 4 finance (members only) → 5 payroll; 1 → 6 hr;
    /// 1 → 7 legal (listed: hr).
    fn tree() -> Tree {
        use VisibilityMode::*;
        Tree::new(vec![
            node(1, None, All, vec![]),
            node(2, Some(1), All, vec![]),
            node(3, Some(2), All, vec![]),
            node(4, Some(1), Members, vec![]),
            node(5, Some(4), All, vec![]),
            node(6, Some(1), All, vec![]),
            node(7, Some(1), Listed, vec![6]),
        ])
    }

    fn viewer(role: Role, depts: Vec<i64>, managed: Vec<i64>) -> Viewer {
        Viewer {
            member_id: 100,
            role,
            department_ids: depts,
            managed_department_ids: managed,
        }
    }

    #[test]
    fn cycles_are_detected() {
        let t = tree();
        assert!(t.move_creates_cycle(2, 3));
        assert!(t.move_creates_cycle(2, 2));
        assert!(!t.move_creates_cycle(3, 4));
        assert!(!t.move_creates_cycle(4, 2));
    }

    #[test]
    fn subtree_and_ancestors() {
        let t = tree();
        let mut s = t.subtree(4);
        s.sort();
        assert_eq!(s, vec![4, 5]);
        assert_eq!(t.ancestors_or_self(3), vec![3, 2, 1]);
    }

    #[test]
    fn outsider_cannot_see_members_only_department_or_its_children() {
        let t = tree();
        let v = t.visible_departments(&viewer(Role::Member, vec![3], vec![]));
        assert!(v.contains(1) && v.contains(2) && v.contains(3) && v.contains(6));
        assert!(!v.contains(4) && !v.contains(5));
        assert!(!v.contains(7));
    }

    #[test]
    fn insiders_and_listed_departments_see_it() {
        let t = tree();
        let v = t.visible_departments(&viewer(Role::Member, vec![5], vec![]));
        assert!(v.contains(4) && v.contains(5));
        let hr = t.visible_departments(&viewer(Role::Member, vec![6], vec![]));
        assert!(hr.contains(7));
        assert!(!hr.contains(4));
    }

    #[test]
    fn admins_see_what_they_manage_and_super_admin_sees_all() {
        let t = tree();
        let a = t.visible_departments(&viewer(Role::Admin, vec![2], vec![4]));
        assert!(a.contains(4) && a.contains(5) && !a.contains(7));
        assert!(matches!(
            t.visible_departments(&viewer(Role::SuperAdmin, vec![], vec![])),
            VisibleSet::All
        ));
    }

    #[test]
    fn management_follows_the_subtree() {
        let t = tree();
        let admin = viewer(Role::Admin, vec![], vec![2]);
        assert!(t.manages(&admin, 2) && t.manages(&admin, 3));
        assert!(!t.manages(&admin, 1) && !t.manages(&admin, 4));
        assert!(!t.manages(&viewer(Role::Member, vec![2], vec![2]), 3));
    }

    #[test]
    fn members_are_visible_through_any_visible_department() {
        let t = tree();
        let v = viewer(Role::Member, vec![3], vec![]);
        let vis = t.visible_departments(&v);
        assert!(!member_visible(&v, &vis, 1, &[4]));
        assert!(member_visible(&v, &vis, 1, &[4, 2]));
        assert!(member_visible(&v, &vis, 100, &[4]));
    }
}
