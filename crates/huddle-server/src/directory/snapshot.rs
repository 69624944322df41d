//! An in-memory, read-only copy of one organization's directory, rebuilt when the
//! organization's `directory_version` moves. Every directory read (browse, profile, search,
//! pickers) goes through it, so visibility is applied in one place.

use super::model::{Department, Member, MemberStatus, Role, Visibility};
use super::search::{SearchFields, SearchIndex};
use super::tree::{member_visible, Tree, Viewer, VisibleSet};
use crate::db::Db;
use crate::ids::Id;
use futures::TryStreamExt;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct OrgDirectory {
    pub version: i64,
    pub tree: Tree,
    pub departments: Vec<Department>,
    /// Members sorted by id.
    pub members: Vec<Member>,
    pub member_index: HashMap<i64, usize>,
    pub admin_scopes: HashMap<i64, Vec<i64>>,
    /// Search over active members only; maps search entry → index into `members`.
    search: SearchIndex,
    search_members: Vec<usize>,
}

impl OrgDirectory {
    pub fn member(&self, id: i64) -> Option<&Member> {
        self.member_index.get(&id).map(|i| &self.members[*i])
    }

    pub fn department(&self, id: i64) -> Option<&Department> {
        self.tree.get(id)?;
        self.departments.iter().find(|d| d.id.0 == id)
    }

    pub fn viewer(&self, member_id: i64, role: Role) -> Viewer {
        let department_ids = self
            .member(member_id)
            .map(|m| m.department_ids.iter().map(|d| d.0).collect())
            .unwrap_or_default();
        Viewer {
            member_id,
            role,
            department_ids,
            managed_department_ids: self
                .admin_scopes
                .get(&member_id)
                .cloned()
                .unwrap_or_default(),
        }
    }

    pub fn can_see_member(&self, viewer: &Viewer, visible: &VisibleSet, m: &Member) -> bool {
        let depts: Vec<i64> = m.department_ids.iter().map(|d| d.0).collect();
        member_visible(viewer, visible, m.id.0, &depts)
    }

    /// Members matching `query` by name, pinyin, initials, employee ID, phone or email, then
    /// members of visible departments whose name matches; best first, at most `limit`.
    pub fn search(&self, viewer: &Viewer, query: &str, limit: usize) -> Vec<&Member> {
        let visible = self.tree.visible_departments(viewer);
        let mut found: Vec<&Member> = self
            .search
            .search(query, limit, |entry| {
                self.can_see_member(viewer, &visible, &self.members[self.search_members[entry]])
            })
            .into_iter()
            .map(|entry| &self.members[self.search_members[entry]])
            .collect();
        let q = SearchIndex::normalize(query);
        if found.len() < limit && !q.is_empty() {
            // Department names are matched here, not in the member index, so that a hidden
            // department's name never finds anyone.
            let depts: Vec<Id> = self
                .departments
                .iter()
                .filter(|d| visible.contains(d.id.0) && d.name.to_lowercase().contains(&q))
                .map(|d| d.id)
                .collect();
            if !depts.is_empty() {
                for &i in &self.search_members {
                    let m = &self.members[i];
                    if m.department_ids.iter().any(|d| depts.contains(d))
                        && !found.iter().any(|f| f.id == m.id)
                    {
                        found.push(m);
                        if found.len() >= limit {
                            break;
                        }
                    }
                }
            }
        }
        found
    }

    /// A member as this viewer may see them: departments, main department, manager and managed
    /// departments the viewer cannot see are left out.
    pub fn view_member(&self, viewer: &Viewer, visible: &VisibleSet, m: &Member) -> Member {
        if matches!(visible, VisibleSet::All) || m.id.0 == viewer.member_id {
            return m.clone();
        }
        let mut out = m.clone();
        out.department_ids.retain(|d| visible.contains(d.0));
        out.managed_department_ids.retain(|d| visible.contains(d.0));
        out.main_department_id = m.main_department_id.filter(|d| visible.contains(d.0));
        out.manager_id = m.manager_id.filter(|mgr| {
            self.member(mgr.0)
                .is_some_and(|mm| self.can_see_member(viewer, visible, mm))
        });
        out
    }

    pub fn member_count(&self) -> usize {
        self.members.len()
    }
}

/// Loads one organization's directory in one consistent read.
pub async fn load(db: &Db, org_id: i64) -> Result<OrgDirectory, sqlx::Error> {
    let mut tx = db.begin_read().await?;
    let version: i64 = sqlx::query("SELECT directory_version FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;

    let tree = super::write::load_tree(&mut tx, org_id).await?;

    let mut links = sqlx::query(
        "SELECT member_id, department_id, is_leader FROM member_departments WHERE org_id = $1 \
         ORDER BY member_id, department_id",
    )
    .bind(org_id)
    .fetch(&mut *tx);
    let mut member_depts: HashMap<i64, Vec<Id>> = HashMap::new();
    let mut leaders: HashMap<i64, Vec<Id>> = HashMap::new();
    // Rows are streamed, not collected: a large organization's rows never sit in memory at once.
    while let Some(r) = links.try_next().await? {
        let (m, d, lead): (i64, i64, i64) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        member_depts.entry(m).or_default().push(Id(d));
        if lead != 0 {
            leaders.entry(d).or_default().push(Id(m));
        }
    }
    drop(links);

    let scope_rows =
        sqlx::query("SELECT member_id, department_id FROM admin_scopes WHERE org_id = $1")
            .bind(org_id)
            .fetch_all(&mut *tx)
            .await?;
    let mut admin_scopes: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in &scope_rows {
        admin_scopes
            .entry(r.try_get(0)?)
            .or_default()
            .push(r.try_get(1)?);
    }

    let mut members = Vec::new();
    let mut rows = sqlx::query(
        "SELECT id, name, employee_id, phone, email, position, main_department_id, manager_id, \
         status, join_date, leave_date, avatar_url, role FROM members WHERE org_id = $1 ORDER BY id",
    )
    .bind(org_id)
    .fetch(&mut *tx);
    while let Some(r) = rows.try_next().await? {
        let id: i64 = r.try_get(0)?;
        members.push(Member {
            id: Id(id),
            name: r.try_get(1)?,
            employee_id: r.try_get(2)?,
            phone: r.try_get(3)?,
            email: r.try_get(4)?,
            position: r.try_get(5)?,
            department_ids: member_depts.remove(&id).unwrap_or_default(),
            main_department_id: r.try_get::<Option<i64>, _>(6)?.map(Id),
            manager_id: r.try_get::<Option<i64>, _>(7)?.map(Id),
            status: MemberStatus::parse(&r.try_get::<String, _>(8)?),
            join_date: r.try_get(9)?,
            leave_date: r.try_get(10)?,
            avatar_url: r.try_get(11)?,
            role: Role::parse(&r.try_get::<String, _>(12)?),
            managed_department_ids: admin_scopes
                .get(&id)
                .map(|v| v.iter().copied().map(Id).collect())
                .unwrap_or_default(),
        });
    }
    drop(rows);
    tx.commit().await?;
    members.shrink_to_fit();

    let mut departments: Vec<Department> = tree
        .nodes
        .values()
        .map(|n| Department {
            id: Id(n.id),
            parent_id: n.parent.map(Id),
            name: n.name.clone(),
            order: n.order,
            leader_ids: leaders.remove(&n.id).unwrap_or_default(),
            visibility: Visibility {
                mode: n.mode,
                department_ids: n.listed.iter().copied().map(Id).collect(),
            },
        })
        .collect();
    departments.sort_by_key(|d| d.id);

    let member_index = members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.0, i))
        .collect();
    let search_members: Vec<usize> = members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.status == MemberStatus::Active)
        .map(|(i, _)| i)
        .collect();
    let search = SearchIndex::build(search_members.iter().map(|i| {
        let m = &members[*i];
        SearchFields {
            name: &m.name,
            employee_id: &m.employee_id,
            phone: m.phone.as_deref(),
            email: m.email.as_deref(),
        }
    }));

    Ok(OrgDirectory {
        version,
        tree,
        departments,
        members,
        member_index,
        admin_scopes,
        search,
        search_members,
    })
}

/// Per-organization snapshots, checked against the database's version on every use so that
/// several nodes sharing one database never serve a stale directory.
#[derive(Default)]
pub struct DirectoryCache {
    snapshots: Mutex<HashMap<i64, Arc<OrgDirectory>>>,
    loading: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

impl DirectoryCache {
    pub async fn get(&self, db: &Db, org_id: i64) -> Result<Arc<OrgDirectory>, sqlx::Error> {
        let current: i64 = sqlx::query("SELECT directory_version FROM organizations WHERE id = $1")
            .bind(org_id)
            .fetch_one(db.reader())
            .await?
            .try_get(0)?;
        if let Some(s) = self.cached(org_id, current) {
            return Ok(s);
        }
        let lock = self
            .loading
            .lock()
            .expect("directory cache lock")
            .entry(org_id)
            .or_default()
            .clone();
        let _guard = lock.lock().await;
        if let Some(s) = self.cached(org_id, current) {
            return Ok(s);
        }
        let snapshot = Arc::new(load(db, org_id).await?);
        let mut map = self.snapshots.lock().expect("directory cache lock");
        let keep = map
            .get(&org_id)
            .is_none_or(|old| old.version <= snapshot.version);
        if keep {
            map.insert(org_id, snapshot.clone());
        }
        Ok(snapshot)
    }

    fn cached(&self, org_id: i64, version: i64) -> Option<Arc<OrgDirectory>> {
        let map = self.snapshots.lock().expect("directory cache lock");
        map.get(&org_id).filter(|s| s.version >= version).cloned()
    }
}
