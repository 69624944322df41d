//! Directory types as the API shows them.

use crate::ids::Id;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum VisibilityMode {
    /// Everyone in the organization sees the department.
    #[default]
    All,
    /// Only the department's own members (and its sub-departments') see it.
    Members,
    /// Its own members plus the members of the listed departments.
    Listed,
}

impl VisibilityMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Members => "members",
            Self::Listed => "listed",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "members" => Self::Members,
            "listed" => Self::Listed,
            _ => Self::All,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct Visibility {
    pub mode: VisibilityMode,
    /// With mode `listed`: the departments (with their sub-departments) that may also see it.
    #[serde(default)]
    pub department_ids: Vec<Id>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Department {
    pub id: Id,
    /// `null` only for the root department, which stands for the organization itself.
    pub parent_id: Option<Id>,
    pub name: String,
    /// Position among siblings, ascending.
    pub order: i64,
    pub leader_ids: Vec<Id>,
    pub visibility: Visibility,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    Active,
    Disabled,
    Departed,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
            Self::Departed => "departed",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "disabled" => Self::Disabled,
            "departed" => Self::Departed,
            _ => Self::Active,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    /// Administers the departments listed in `managed_department_ids` and their sub-departments.
    Admin,
    SuperAdmin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Admin => "admin",
            Self::SuperAdmin => "super_admin",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "admin" => Self::Admin,
            "super_admin" => Self::SuperAdmin,
            _ => Self::Member,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Member {
    pub id: Id,
    pub name: String,
    /// Employee ID (工号); unique in the organization and usable as the sign-in name.
    pub employee_id: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    pub department_ids: Vec<Id>,
    pub main_department_id: Option<Id>,
    pub manager_id: Option<Id>,
    pub status: MemberStatus,
    /// `YYYY-MM-DD`
    pub join_date: Option<String>,
    /// `YYYY-MM-DD`
    pub leave_date: Option<String>,
    pub avatar_url: Option<String>,
    pub role: Role,
    /// For administrators: the departments (with their sub-departments) they manage.
    pub managed_department_ids: Vec<Id>,
}

#[derive(Serialize, ToSchema)]
pub struct DepartmentList {
    pub items: Vec<Department>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<Member>,
    pub next_cursor: Option<String>,
}
