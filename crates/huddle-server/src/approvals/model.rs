//! Approval types as the API shows them.

use crate::ids::Id;
use huddle_approvals::flow::{ChoiceNeeded, FlowDef, ResolvedStep};
use huddle_approvals::form::{FieldError, FormSchema, FormValues};
use huddle_approvals::leave::{LeaveType, LeaveUnit};
use huddle_approvals::request::{AddPosition, RequestState, RequestStatus};
use huddle_approvals::I18nText;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// Who may file a template. Both empty: everyone in the organization.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FilerScope {
    #[serde(default)]
    pub member_ids: Vec<Id>,
    /// Members of these departments or departments below them.
    #[serde(default)]
    pub department_ids: Vec<Id>,
}

impl FilerScope {
    pub fn is_everyone(&self) -> bool {
        self.member_ids.is_empty() && self.department_ids.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TemplateSettings {
    /// The applicant may withdraw after approval (通过后撤销); leave is credited back.
    #[serde(default)]
    pub allow_withdraw_after_approval: bool,
    /// Approvers must give a reason when they reject.
    #[serde(default = "yes")]
    pub require_reject_comment: bool,
}

fn yes() -> bool {
    true
}

impl Default for TemplateSettings {
    fn default() -> Self {
        Self {
            allow_withdraw_after_approval: false,
            require_reject_comment: true,
        }
    }
}

/// Everything an administrator edits about a template; one immutable version per save.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateDefinition {
    pub name: I18nText,
    /// Icon key: leave, expense, trip, outing, punch, overtime, purchase, general, seal, car.
    #[serde(default)]
    pub icon: String,
    /// Group shown on the workbench, e.g. 假勤, 财务, 人事, 行政, 其他.
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub scope: FilerScope,
    pub form: FormSchema,
    pub flow: FlowDef,
    #[serde(default)]
    pub settings: TemplateSettings,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Template {
    pub id: Id,
    /// The current version; saving the definition makes a new one.
    pub version: i64,
    /// The built-in template this began as (leave, expense, trip, outing, punch_correction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub builtin: Option<String>,
    pub enabled: bool,
    pub definition: TemplateDefinition,
    pub updated_at: i64,
    /// Whether the caller may file it.
    pub can_file: bool,
}

#[derive(Serialize, ToSchema)]
pub struct TemplateList {
    pub items: Vec<Template>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// Administrators: include disabled templates and ones the caller may not file.
    #[serde(default)]
    pub all: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateEnabled {
    pub enabled: bool,
}

/// A member or department as approvals show them (name and avatar, no contact details).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: Id,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Departed, disabled or deleted.
    pub inactive: bool,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    pub template_id: Id,
    /// Raw values by control id (shapes per control kind, see the approval docs).
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, serde_json::Value>,
    /// People chosen by the applicant for "applicant chooses" nodes, by node id.
    #[serde(default)]
    pub chosen: BTreeMap<String, Vec<Id>>,
    /// Makes a retried submit return the first request instead of filing twice.
    #[serde(default)]
    pub client_request_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Preview {
    /// The validated values with computed durations, sums and formulas.
    #[schema(value_type = Object)]
    pub values: FormValues,
    /// Nodes where the applicant must choose people before submitting.
    pub choices_needed: Vec<ChoiceNeeded>,
    /// The flow as it would run; absent while choices are missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<ResolvedStep>>,
    pub people: Vec<PersonRef>,
}

/// A request as lists show it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RequestSummary {
    pub id: Id,
    /// 审批单号, e.g. 202612010001.
    pub sp_no: String,
    pub template_id: Id,
    pub template_name: I18nText,
    pub icon: String,
    pub applicant: PersonRef,
    pub status: RequestStatus,
    /// WeCom's status number (1 pending, 2 approved, 3 rejected, 4 withdrawn, 6 withdrawn after approval).
    pub status_code: i32,
    /// A line about the content, e.g. 年假 · 2026-12-01 ~ 2026-12-03 · 3天.
    pub summary: String,
    /// Who must act now.
    pub awaiting: Vec<PersonRef>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestBox {
    /// Filed by me.
    #[default]
    Mine,
    /// Waiting for my decision.
    Waiting,
    /// I approved, rejected, transferred or returned.
    Handled,
    /// CC'd to me.
    Cc,
    /// Every request in the administrator's scope.
    All,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    #[serde(rename = "box", default)]
    #[param(inline)]
    pub r#box: RequestBox,
    pub status: Option<String>,
    pub template_id: Option<Id>,
    /// Matches the request number, the applicant's name or the summary.
    pub q: Option<String>,
    /// Filed at or after (UTC ms).
    pub from: Option<i64>,
    /// Filed before (UTC ms).
    pub to: Option<i64>,
    /// Applicant's department (and below); `all` box only.
    pub department_id: Option<Id>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub id: Id,
    pub actor_id: Id,
    /// submitted, approved, rejected, withdrawn, returned, transferred, added_approver,
    /// commented, nudged, cc, auto_passed, finished.
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub comment: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub file_ids: Vec<Id>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub created_at: i64,
}

/// What the caller may do with a request right now.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Allowed {
    pub approve: bool,
    pub reject: bool,
    pub withdraw: bool,
    /// Steps the caller may return the request to.
    pub return_to: Vec<usize>,
    pub transfer: bool,
    pub add_approver: bool,
    pub nudge: bool,
    pub comment: bool,
    /// Administrators: approvers the request waits for who have left or been disabled; their
    /// decision can be handed over (`POST …/reassign`).
    pub reassign_from: Vec<Id>,
}

#[derive(Serialize, ToSchema)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub summary: RequestSummary,
    pub template_version: i64,
    /// The form as it was when the request was filed.
    pub form: FormSchema,
    #[schema(value_type = Object)]
    pub values: FormValues,
    pub state: RequestState,
    pub timeline: Vec<TimelineEntry>,
    /// Everyone the request mentions (applicant, approvers, CC, commenters).
    pub people: Vec<PersonRef>,
    pub allowed: Allowed,
    pub require_reject_comment: bool,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub file_ids: Vec<Id>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnBody {
    /// Index of an earlier approval step.
    pub to_step: usize,
    #[serde(default)]
    pub comment: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    pub to: Id,
    #[serde(default)]
    pub comment: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignBody {
    /// An approver of the current step who has left or been disabled.
    pub from: Id,
    pub to: Id,
    #[serde(default)]
    pub comment: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddApproverBody {
    pub member_id: Id,
    pub position: AddPosition,
    #[serde(default)]
    pub comment: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    pub text: String,
    #[serde(default)]
    pub file_ids: Vec<Id>,
}

#[derive(Serialize, ToSchema)]
pub struct Counts {
    /// Requests waiting for the caller's decision.
    pub waiting: i64,
    /// The caller's own requests still pending.
    pub mine_pending: i64,
}

/// A validation failure of the form, with the control it is about.
#[derive(Serialize, ToSchema)]
pub struct FormErrorBody {
    pub error: FieldError,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ApprovalRole {
    pub id: Id,
    pub name: String,
    pub member_ids: Vec<Id>,
}

#[derive(Serialize, ToSchema)]
pub struct ApprovalRoleList {
    pub items: Vec<ApprovalRole>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRoleWrite {
    pub name: String,
    pub member_ids: Vec<Id>,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveTypeList {
    pub items: Vec<LeaveType>,
}

#[derive(Serialize, ToSchema)]
pub struct LeaveBalance {
    pub leave_type: String,
    pub name: I18nText,
    pub unit: LeaveUnit,
    /// No balance is kept for this type.
    pub unlimited: bool,
    /// Granted and adjusted minus used (days, or hours for hourly types).
    pub balance: f64,
    /// Held by pending requests.
    pub reserved: f64,
    /// What can still be requested: balance − reserved.
    pub available: f64,
}

#[derive(Serialize, ToSchema)]
pub struct LeaveBalances {
    pub member_id: Id,
    pub items: Vec<LeaveBalance>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Another member (administrators); the caller when absent.
    pub member_id: Option<Id>,
    pub leave_type: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveAdjustment {
    pub member_id: Id,
    pub leave_type: String,
    /// Positive to add, negative to take away (days, or hours for hourly types; steps of 0.5).
    pub amount: f64,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct LedgerEntry {
    pub id: Id,
    pub leave_type: String,
    pub amount: f64,
    /// grant, adjust, debit, credit
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<Id>,
    pub note: String,
    pub actor_id: Id,
    pub created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Ledger {
    pub items: Vec<LedgerEntry>,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    #[schema(value_type = Object)]
    pub values: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub updated_at: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    pub template_id: Option<Id>,
    pub status: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub department_id: Option<Id>,
}
