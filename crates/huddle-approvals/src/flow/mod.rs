//! Approval flows: what a template defines, and its resolution to concrete people at submit.

use crate::form::FormValues;
use crate::Id;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

mod check;
mod resolve;
#[cfg(test)]
mod tests;

pub use check::{check_flow, MAX_LEVEL};
pub use resolve::{choices_needed, choose_branch, condition_holds, resolve, ChoiceNeeded};

/// A template's approval flow.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FlowDef {
    pub nodes: Vec<FlowNode>,
    /// What happens when a node resolves to nobody (no manager, departed approver, empty role).
    #[serde(default)]
    pub missing_approver: MissingApproverPolicy,
    /// Skip the applicant where they would approve their own request.
    #[serde(default = "yes")]
    pub skip_self: bool,
    /// Consecutive nodes with the same single approver are merged (approve once).
    #[serde(default)]
    pub dedupe_consecutive: bool,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MissingApproverPolicy {
    /// The node passes automatically (recorded as such in the timeline).
    #[default]
    AutoPass,
    /// The node goes to the organization's super administrators.
    ToAdmins,
}

/// A node of the flow definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FlowNode {
    /// People who approve.
    Approver {
        /// Stable key within the template, e.g. `manager`.
        id: String,
        #[serde(default)]
        name: String,
        source: ApproverSource,
        mode: SignMode,
    },
    /// People who are informed (抄送) when the flow reaches this point.
    Cc {
        id: String,
        #[serde(default)]
        name: String,
        source: ApproverSource,
    },
    /// Conditional branches: the matching branch with the highest priority runs, else `default`.
    Branch {
        id: String,
        branches: Vec<Branch>,
        #[serde(default)]
        #[schema(no_recursion)]
        default: Vec<FlowNode>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Branch {
    #[serde(default)]
    pub name: String,
    /// Higher wins when several branches match.
    pub priority: i32,
    /// All must hold.
    pub conditions: Vec<Condition>,
    #[schema(no_recursion)]
    pub nodes: Vec<FlowNode>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Condition {
    /// The applicant belongs to one of these departments or a department below them.
    ApplicantDepartment { department_ids: Vec<Id> },
    /// A number, money, formula or duration (date range, leave, trip …) control's value lies in
    /// `[min, max]` (either bound may be absent). Money compares in yuan, durations in their unit.
    NumberRange {
        control_id: String,
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
    /// A select control has one of these options chosen (for a leave control: the leave type key).
    SelectAny {
        control_id: String,
        option_ids: Vec<String>,
    },
}

/// Who approves (or is CC'd) at a node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApproverSource {
    /// Named members.
    Members { member_ids: Vec<Id> },
    /// The applicant's manager at `level` (1 = direct manager, 2 = the manager's manager …).
    Manager { level: u8 },
    /// The applicant's managers from level 1 up to `up_to_level`, one after another.
    ManagerChain { up_to_level: u8 },
    /// Leaders of the applicant's main department (`level` 1) or of a department above it.
    DepartmentLeader { level: u8 },
    /// Members holding an approval role (e.g. HR, Finance).
    Role { role_id: Id },
    /// The applicant chooses at submit (the node's id is the key in `SubmitContext::chosen`).
    ApplicantChoice {
        #[serde(default)]
        multiple: bool,
    },
    /// The applicant themselves (e.g. to confirm a result).
    Applicant,
}

/// How several people at one node decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignMode {
    /// 会签: every approver must approve.
    All,
    /// 或签: the first approval (or rejection) decides.
    Any,
    /// 依次: approvers in order, each must approve.
    Sequential,
}

/// What resolution needs to know about the organization. Implemented by the server over its
/// directory snapshot; tests implement it over plain maps.
pub trait Directory {
    /// Whether the member exists and is active (not disabled, departed or deleted).
    fn is_active(&self, member: Id) -> bool;
    fn manager_of(&self, member: Id) -> Option<Id>;
    fn main_department_of(&self, member: Id) -> Option<Id>;
    /// All departments the member belongs to.
    fn departments_of(&self, member: Id) -> Vec<Id>;
    fn parent_of(&self, department: Id) -> Option<Id>;
    fn leaders_of(&self, department: Id) -> Vec<Id>;
    fn role_members(&self, role: Id) -> Vec<Id>;
    /// Super administrators, for [`MissingApproverPolicy::ToAdmins`].
    fn super_admins(&self) -> Vec<Id>;
}

/// The submit-time inputs to resolution.
#[derive(Clone, Debug)]
pub struct SubmitContext<'a> {
    pub applicant: Id,
    /// The values the form validated to (branch conditions read them).
    pub values: &'a FormValues,
    /// People the applicant chose, by approver/CC node id (for `ApplicantChoice`).
    pub chosen: &'a BTreeMap<String, Vec<Id>>,
}

/// A flow resolved to people: the snapshot a request carries for its whole life.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResolvedFlow {
    pub steps: Vec<ResolvedStep>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ResolvedStep {
    /// The definition node it came from.
    pub node_id: String,
    #[serde(default)]
    pub name: String,
    pub kind: StepKind,
    pub mode: SignMode,
    /// In order (the order matters for sequential steps). Empty when `auto` is set.
    pub members: Vec<Id>,
    /// Set when the step needs nobody's action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<AutoReason>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Approve,
    Cc,
}

/// Why a step passed without anyone's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AutoReason {
    /// Nobody resolved (no manager, departed, empty role) and the policy is auto-pass.
    NoApprover,
    /// The only approver was the applicant and self-approval is skipped.
    SelfSkipped,
    /// The same approver approved in the step just before.
    Deduplicated,
}

/// Why a flow cannot be resolved (the applicant must fix their submission).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// An `ApplicantChoice` node needs people chosen.
    #[error("choose the approvers for step {node_id}")]
    ChoiceMissing { node_id: String },
    /// The applicant chose several people for a single-choice node, or someone inactive.
    #[error("the approvers chosen for step {node_id} are not valid")]
    ChoiceInvalid { node_id: String },
}

/// A definition that cannot be saved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FlowError {
    pub node_id: Option<String>,
    /// English, e.g. `the node "a" names no members`.
    pub message: String,
    /// The same in Chinese
    pub message_zh: String,
}
