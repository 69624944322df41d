//! The request state machine.
//!
//! A request carries its resolved flow as [`Step`]s. [`start`] opens the first step that needs
//! someone; [`apply`] takes one [`Action`] and returns the next state plus the [`Effect`]s the
//! server must carry out (notifications, the final result). States are values: the server stores
//! the state with a version and writes it back only if the version did not change, so two
//! approvals racing on the same step resolve once.

use crate::flow::{AutoReason, ResolvedFlow, SignMode, StepKind};
use crate::Id;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod apply;
mod query;
mod steps;
#[cfg(test)]
mod tests;

pub use apply::apply;
pub use query::{awaiting, participants};
pub use steps::start;

/// Request status (WeCom `sp_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// 审批中 (1)
    Pending,
    /// 已通过 (2)
    Approved,
    /// 已驳回 (3)
    Rejected,
    /// 已撤销 (4)
    Withdrawn,
    /// 通过后撤销 (6)
    WithdrawnAfterApproval,
}

impl RequestStatus {
    /// WeCom's number for the status.
    pub fn code(self) -> i32 {
        match self {
            Self::Pending => 1,
            Self::Approved => 2,
            Self::Rejected => 3,
            Self::Withdrawn => 4,
            Self::WithdrawnAfterApproval => 6,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::WithdrawnAfterApproval => "withdrawn_after_approval",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "withdrawn" => Self::Withdrawn,
            "withdrawn_after_approval" => Self::WithdrawnAfterApproval,
            _ => return None,
        })
    }
    /// Approved, rejected or withdrawn: nothing more happens (except withdrawal after approval,
    /// when the template allows it).
    pub fn is_final(self) -> bool {
        self != Self::Pending
    }
}

/// A step's state (WeCom node `sp_status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not reached yet.
    Waiting,
    /// Reached; waiting for approvers.
    InProgress,
    Approved,
    Rejected,
    /// Passed without action (see `auto`).
    Skipped,
    /// Was reached, then the request was returned to an earlier step (its decisions are kept
    /// in the history but the step will be run again).
    Returned,
    /// A CC step that has been reached (its members were informed).
    Notified,
    /// The request ended (withdrawn, rejected elsewhere) before this step was decided.
    Cancelled,
}

/// One approver's decision (WeCom `sp_yj`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Pending,
    Approved,
    Rejected,
    /// Handed to someone else (转审).
    Transferred,
    /// Sent back to an earlier step (退回).
    Returned,
    /// Another approver of an or-sign step decided first, or the request ended.
    NotNeeded,
    /// Added someone before themselves (加签) and waits for them.
    AddedBefore,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Approver {
    pub member_id: Id,
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_ids: Vec<Id>,
    /// When they decided (UTC ms); 0 while pending.
    #[serde(default)]
    pub decided_at: i64,
    /// Who added or transferred this approver in, if not the flow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<Id>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Step {
    pub node_id: String,
    #[serde(default)]
    pub name: String,
    pub kind: StepKind,
    pub mode: SignMode,
    pub status: StepStatus,
    pub approvers: Vec<Approver>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<AutoReason>,
}

/// The whole state of a request's flow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RequestState {
    pub applicant: Id,
    pub status: RequestStatus,
    pub steps: Vec<Step>,
    /// Index of the step in progress while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<usize>,
}

/// Where an added approver goes relative to the one adding them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddPosition {
    /// Before me: they decide first, then the step comes back to me.
    Before,
    /// After me: my approval stands and they decide in a new step right after this one.
    After,
}

/// Something a person does to a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Approve {
        by: Id,
        comment: String,
        file_ids: Vec<Id>,
    },
    Reject {
        by: Id,
        comment: String,
        file_ids: Vec<Id>,
    },
    /// The applicant withdraws (撤销).
    Withdraw { by: Id },
    /// An approver of the current step sends the request back to an earlier approval step.
    Return {
        by: Id,
        to_step: usize,
        comment: String,
    },
    /// An approver hands their decision to someone else (转审).
    Transfer { by: Id, to: Id, comment: String },
    /// An approver adds someone (加签).
    AddApprover {
        by: Id,
        member: Id,
        position: AddPosition,
        comment: String,
    },
}

/// Rules from the template that the state machine needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// The applicant may withdraw after approval (通过后撤销).
    pub allow_withdraw_after_approval: bool,
}

/// What the server must do after a transition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// These members now have the request waiting for them (notify them).
    AwaitingApproval { step: usize, members: Vec<Id> },
    /// These members are CC'd (notify them).
    CcNotified { step: usize, members: Vec<Id> },
    /// The request reached a final status (tell the applicant; ledger updates for leave).
    Finished { status: RequestStatus },
    /// Tell the applicant about progress (a step approved, returned, transferred …).
    Progress { step: usize },
}

/// Why an action is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    /// The request already ended.
    #[error("the request is no longer pending")]
    NotPending,
    /// The actor has nothing to decide right now (not an approver of the current step, already
    /// decided, or not their turn in a sequential step).
    #[error("it is not this person's turn to act on the request")]
    NotYourTurn,
    /// Only the applicant may withdraw.
    #[error("only the applicant may withdraw the request")]
    NotApplicant,
    /// Withdrawal after approval is not allowed by the template.
    #[error("the template does not allow withdrawing an approved request")]
    WithdrawNotAllowed,
    /// `to_step` is not an earlier approval step.
    #[error("the request can only be returned to an earlier approval step")]
    BadReturnTarget,
    /// The person to transfer to / add is already an approver of this step, or is the actor.
    #[error("that person is already an approver of this step")]
    AlreadyApprover,
    /// A rejection needs a comment.
    #[error("a rejection needs a comment")]
    CommentRequired,
}
