//! The directory as the approval engine sees it, and people as approval screens show them.

use super::model::{ApprovalRole, PersonRef};
use crate::directory::model::{MemberStatus, Role};
use crate::directory::snapshot::OrgDirectory;
use crate::ids::Id;
use huddle_approvals::flow::Directory;
use std::collections::BTreeSet;

/// [`Directory`] over an organization's snapshot and its approval roles.
pub struct OrgView<'a> {
    pub dir: &'a OrgDirectory,
    pub roles: &'a [ApprovalRole],
}

impl Directory for OrgView<'_> {
    fn is_active(&self, member: Id) -> bool {
        self.dir
            .member(member.0)
            .is_some_and(|m| m.status == MemberStatus::Active)
    }
    fn manager_of(&self, member: Id) -> Option<Id> {
        self.dir.member(member.0)?.manager_id
    }
    fn main_department_of(&self, member: Id) -> Option<Id> {
        let m = self.dir.member(member.0)?;
        m.main_department_id
            .or_else(|| m.department_ids.first().copied())
    }
    fn departments_of(&self, member: Id) -> Vec<Id> {
        self.dir
            .member(member.0)
            .map(|m| m.department_ids.clone())
            .unwrap_or_default()
    }
    fn parent_of(&self, department: Id) -> Option<Id> {
        self.dir.tree.get(department.0)?.parent.map(Id)
    }
    fn leaders_of(&self, department: Id) -> Vec<Id> {
        self.dir
            .department(department.0)
            .map(|d| d.leader_ids.clone())
            .unwrap_or_default()
    }
    fn role_members(&self, role: Id) -> Vec<Id> {
        self.roles
            .iter()
            .find(|r| r.id == role)
            .map(|r| r.member_ids.clone())
            .unwrap_or_default()
    }
    fn super_admins(&self) -> Vec<Id> {
        self.dir
            .members
            .iter()
            .filter(|m| m.role == Role::SuperAdmin && m.status == MemberStatus::Active)
            .map(|m| m.id)
            .collect()
    }
}

/// Name and avatar of a member; a member no longer in the directory shows as inactive.
pub fn person(dir: &OrgDirectory, id: Id) -> PersonRef {
    match dir.member(id.0) {
        Some(m) => PersonRef {
            id,
            name: m.name.clone(),
            avatar_url: m.avatar_url.clone(),
            inactive: m.status != MemberStatus::Active,
        },
        None => PersonRef {
            id,
            name: String::new(),
            avatar_url: None,
            inactive: true,
        },
    }
}

pub fn people(dir: &OrgDirectory, ids: impl IntoIterator<Item = Id>) -> Vec<PersonRef> {
    let set: BTreeSet<Id> = ids.into_iter().collect();
    set.into_iter().map(|id| person(dir, id)).collect()
}

/// Whether `member` belongs to one of `departments` or a department below them.
pub fn in_departments(dir: &OrgDirectory, member: Id, departments: &[Id]) -> bool {
    let Some(m) = dir.member(member.0) else {
        return false;
    };
    m.department_ids.iter().any(|d| {
        dir.tree
            .ancestors_or_self(d.0)
            .iter()
            .any(|a| departments.iter().any(|x| x.0 == *a))
    })
}
