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

/// Builds the initial state from a resolved flow and opens the first step needing action.
/// Auto steps are skipped, CC steps notify and pass; a flow with no approval step left is
/// approved at once.
pub fn start(applicant: Id, flow: &ResolvedFlow) -> (RequestState, Vec<Effect>) {
    let steps = flow
        .steps
        .iter()
        .map(|s| Step {
            node_id: s.node_id.clone(),
            name: s.name.clone(),
            kind: s.kind,
            mode: s.mode,
            status: StepStatus::Waiting,
            approvers: if s.auto.is_some() {
                Vec::new()
            } else {
                s.members.iter().map(|m| fresh(*m, None)).collect()
            },
            auto: s.auto,
        })
        .collect();
    let mut state = RequestState {
        applicant,
        status: RequestStatus::Pending,
        steps,
        current: None,
    };
    let mut effects = Vec::new();
    advance(&mut state, 0, &mut effects);
    (state, effects)
}

fn fresh(member_id: Id, added_by: Option<Id>) -> Approver {
    Approver {
        member_id,
        decision: Decision::Pending,
        comment: String::new(),
        file_ids: Vec::new(),
        decided_at: 0,
        added_by,
    }
}

/// Opens the first step from `from` that needs someone: auto steps are skipped, CC steps
/// notify and pass, an approval step becomes current. Past the end the request is approved.
fn advance(state: &mut RequestState, from: usize, effects: &mut Vec<Effect>) {
    for i in from..state.steps.len() {
        let step = &mut state.steps[i];
        if step.status == StepStatus::Returned {
            refresh(step);
        }
        if step.auto.is_some() {
            step.status = StepStatus::Skipped;
            continue;
        }
        match step.kind {
            StepKind::Cc => {
                step.status = StepStatus::Notified;
                for a in &mut step.approvers {
                    a.decision = Decision::NotNeeded;
                }
                let members: Vec<Id> = step.approvers.iter().map(|a| a.member_id).collect();
                if !members.is_empty() {
                    effects.push(Effect::CcNotified { step: i, members });
                }
            }
            StepKind::Approve => {
                if !step
                    .approvers
                    .iter()
                    .any(|a| a.decision == Decision::Pending)
                {
                    step.status = StepStatus::Skipped;
                    continue;
                }
                step.status = StepStatus::InProgress;
                state.current = Some(i);
                let members = actionable(&state.steps[i]);
                effects.push(Effect::AwaitingApproval { step: i, members });
                return;
            }
        }
    }
    state.current = None;
    state.status = RequestStatus::Approved;
    effects.push(Effect::Finished {
        status: RequestStatus::Approved,
    });
}

/// A step that runs again: everyone decides afresh except those who handed their decision on
/// (their replacement is in the list after them).
fn refresh(step: &mut Step) {
    step.status = StepStatus::Waiting;
    for a in &mut step.approvers {
        if a.decision != Decision::Transferred {
            *a = fresh(a.member_id, a.added_by);
        }
    }
}

/// Indexes of the approvers of `step` who may act now: every pending one, or in a sequential
/// step the first pending one.
fn actionable_indexes(step: &Step) -> Vec<usize> {
    let pending = step
        .approvers
        .iter()
        .enumerate()
        .filter(|(_, a)| a.decision == Decision::Pending)
        .map(|(i, _)| i);
    match step.mode {
        SignMode::Sequential => pending.take(1).collect(),
        SignMode::All | SignMode::Any => pending.collect(),
    }
}

fn actionable(step: &Step) -> Vec<Id> {
    let mut out: Vec<Id> = Vec::new();
    for i in actionable_indexes(step) {
        let m = step.approvers[i].member_id;
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// The approver an approver added before someone helps: `approvers[i]` was added by someone
/// who is waiting for them (decision `AddedBefore`), possibly through transfers. Transfers and
/// additions before never bring in someone who is already in the step, so a member id names
/// one entry of the step.
fn helped_by(step: &Step, i: usize) -> Option<usize> {
    let mut who = step.approvers[i].added_by?;
    for _ in 0..step.approvers.len() {
        let k = step.approvers.iter().position(|a| a.member_id == who)?;
        match step.approvers[k].decision {
            Decision::AddedBefore => return Some(k),
            Decision::Transferred => who = step.approvers[k].added_by?,
            _ => return None,
        }
    }
    None
}

fn is_in_step(step: &Step, member: Id) -> bool {
    step.approvers.iter().any(|a| a.member_id == member)
}

/// Whether `member` already has something to do in `step` (pending, or waiting for someone
/// they added before themselves).
fn is_active_in(step: &Step, member: Id) -> bool {
    step.approvers.iter().any(|a| {
        a.member_id == member && matches!(a.decision, Decision::Pending | Decision::AddedBefore)
    })
}

/// Applies one action at time `now` (UTC ms). The input state is not changed.
///
/// - `Approve`: the actor must be able to act now (a pending approver of the current step; in a
///   sequential step the first pending one). Or-sign: the first approval decides the step and the
///   others become `NotNeeded`. Countersign and sequential: the step is approved once nobody is
///   pending (or waiting for someone they added). An approver added before someone only hands
///   the turn back to them. Each approval that does not finish the request emits `Progress`.
/// - `Reject`: the request is rejected at once; pending approvers become `NotNeeded`, later steps
///   `Cancelled`. A comment is optional here (the server may demand one: `CommentRequired`).
/// - `Withdraw`: the applicant only. Pending → `Withdrawn`; approved → `WithdrawnAfterApproval`
///   when the policy allows it.
/// - `Return { to_step }`: to an earlier approval step that is not automatic. The current step
///   becomes `Returned` (the actor's decision `Returned`, its decisions kept until it runs
///   again), the steps in between go back to `Waiting` with fresh decisions, and `to_step` runs
///   again with fresh decisions (people added or transferred in stay; those who transferred
///   stay `Transferred`).
/// - `Transfer { to }`: the actor's decision becomes `Transferred`; `to` is inserted right after
///   them as a pending approver (`added_by` the actor), so sequential order is kept. `to` must not
///   be the actor nor anyone already listed in the step (`AlreadyApprover`).
/// - `AddApprover { Before }`: the actor's decision becomes `AddedBefore` and the member is
///   inserted right before them in the same step as a pending approver (not someone already
///   listed in the step). While the actor waits,
///   the member decides: their approval hands the turn back to the actor (whose decision becomes
///   `Pending` again) and does not decide the step by itself, even in an or-sign step; their
///   rejection rejects the request. Other approvers of the step keep their own turn as the mode
///   says (in an or-sign step another approver may still decide it).
/// - `AddApprover { After }`: the actor approves (counting for their step as usual) and a new
///   single-member sequential step `added-<n>` is inserted right after the current step (not for
///   someone who still has to decide in the current step).
///
/// Someone who cannot act now gets `NotYourTurn`; any action but withdrawal on a request that is
/// not pending gets `NotPending`.
pub fn apply(
    state: &RequestState,
    action: &Action,
    policy: Policy,
    now: i64,
) -> Result<(RequestState, Vec<Effect>), ActionError> {
    let mut st = state.clone();
    let mut effects = Vec::new();
    if let Action::Withdraw { by } = action {
        if *by != st.applicant {
            return Err(ActionError::NotApplicant);
        }
        match st.status {
            RequestStatus::Pending => {
                end(&mut st, RequestStatus::Withdrawn, None, now, &mut effects);
                return Ok((st, effects));
            }
            RequestStatus::Approved if policy.allow_withdraw_after_approval => {
                st.status = RequestStatus::WithdrawnAfterApproval;
                effects.push(Effect::Finished {
                    status: RequestStatus::WithdrawnAfterApproval,
                });
                return Ok((st, effects));
            }
            RequestStatus::Approved => return Err(ActionError::WithdrawNotAllowed),
            _ => return Err(ActionError::NotPending),
        }
    }
    if st.status != RequestStatus::Pending {
        return Err(ActionError::NotPending);
    }
    let Some(cur) = st.current.filter(|c| *c < st.steps.len()) else {
        return Err(ActionError::NotPending);
    };
    let by = match action {
        Action::Approve { by, .. }
        | Action::Reject { by, .. }
        | Action::Return { by, .. }
        | Action::Transfer { by, .. }
        | Action::AddApprover { by, .. } => *by,
        Action::Withdraw { by } => *by,
    };
    let Some(idx) = actionable_indexes(&st.steps[cur])
        .into_iter()
        .find(|i| st.steps[cur].approvers[*i].member_id == by)
    else {
        return Err(ActionError::NotYourTurn);
    };
    match action {
        Action::Approve {
            comment, file_ids, ..
        } => {
            decide(
                &mut st.steps[cur].approvers[idx],
                Decision::Approved,
                comment,
                file_ids,
                now,
            );
            after_approval(&mut st, cur, idx, now, &mut effects);
        }
        Action::Reject {
            comment, file_ids, ..
        } => {
            decide(
                &mut st.steps[cur].approvers[idx],
                Decision::Rejected,
                comment,
                file_ids,
                now,
            );
            end(
                &mut st,
                RequestStatus::Rejected,
                Some(cur),
                now,
                &mut effects,
            );
        }
        Action::Return {
            to_step, comment, ..
        } => {
            let to = *to_step;
            let ok =
                to < cur && st.steps[to].kind == StepKind::Approve && st.steps[to].auto.is_none();
            if !ok {
                return Err(ActionError::BadReturnTarget);
            }
            let step = &mut st.steps[cur];
            decide(
                &mut step.approvers[idx],
                Decision::Returned,
                comment,
                &[],
                now,
            );
            for a in &mut step.approvers {
                if a.decision == Decision::Pending {
                    a.decision = Decision::NotNeeded;
                    a.decided_at = now;
                }
            }
            step.status = StepStatus::Returned;
            for s in &mut st.steps[to..cur] {
                refresh(s);
            }
            st.steps[to].status = StepStatus::InProgress;
            st.current = Some(to);
            effects.push(Effect::Progress { step: cur });
            effects.push(Effect::AwaitingApproval {
                step: to,
                members: actionable(&st.steps[to]),
            });
        }
        Action::Transfer { to, comment, .. } => {
            let step = &mut st.steps[cur];
            if *to == by || is_in_step(step, *to) {
                return Err(ActionError::AlreadyApprover);
            }
            decide(
                &mut step.approvers[idx],
                Decision::Transferred,
                comment,
                &[],
                now,
            );
            step.approvers.insert(idx + 1, fresh(*to, Some(by)));
            effects.push(Effect::Progress { step: cur });
            effects.push(Effect::AwaitingApproval {
                step: cur,
                members: vec![*to],
            });
        }
        Action::AddApprover {
            member,
            position,
            comment,
            ..
        } => {
            let step = &st.steps[cur];
            let taken = match position {
                AddPosition::Before => is_in_step(step, *member),
                AddPosition::After => is_active_in(step, *member),
            };
            if *member == by || taken {
                return Err(ActionError::AlreadyApprover);
            }
            match position {
                AddPosition::Before => {
                    let step = &mut st.steps[cur];
                    decide(
                        &mut step.approvers[idx],
                        Decision::AddedBefore,
                        comment,
                        &[],
                        now,
                    );
                    step.approvers.insert(idx, fresh(*member, Some(by)));
                    effects.push(Effect::Progress { step: cur });
                    effects.push(Effect::AwaitingApproval {
                        step: cur,
                        members: vec![*member],
                    });
                }
                AddPosition::After => {
                    let n = st
                        .steps
                        .iter()
                        .filter_map(|s| s.node_id.strip_prefix("added-")?.parse::<u32>().ok())
                        .max()
                        .unwrap_or(0)
                        + 1;
                    st.steps.insert(
                        cur + 1,
                        Step {
                            node_id: format!("added-{n}"),
                            name: String::new(),
                            kind: StepKind::Approve,
                            mode: SignMode::Sequential,
                            status: StepStatus::Waiting,
                            approvers: vec![fresh(*member, Some(by))],
                            auto: None,
                        },
                    );
                    decide(
                        &mut st.steps[cur].approvers[idx],
                        Decision::Approved,
                        comment,
                        &[],
                        now,
                    );
                    after_approval(&mut st, cur, idx, now, &mut effects);
                }
            }
        }
        Action::Withdraw { .. } => unreachable!("handled above"),
    }
    Ok((st, effects))
}

fn decide(a: &mut Approver, decision: Decision, comment: &str, file_ids: &[Id], now: i64) {
    a.decision = decision;
    a.comment = comment.to_string();
    a.file_ids = file_ids.to_vec();
    a.decided_at = now;
}

/// After `approvers[idx]` of step `cur` approved: hand the turn back, complete the step, or wait.
fn after_approval(
    st: &mut RequestState,
    cur: usize,
    idx: usize,
    now: i64,
    effects: &mut Vec<Effect>,
) {
    let step = &mut st.steps[cur];
    if let Some(waiting) = helped_by(step, idx) {
        step.approvers[waiting].decision = Decision::Pending;
        step.approvers[waiting].decided_at = 0;
        effects.push(Effect::Progress { step: cur });
        let member = step.approvers[waiting].member_id;
        if actionable_indexes(step).contains(&waiting) {
            effects.push(Effect::AwaitingApproval {
                step: cur,
                members: vec![member],
            });
        }
        return;
    }
    let done = match step.mode {
        SignMode::Any => true,
        SignMode::All | SignMode::Sequential => !step
            .approvers
            .iter()
            .any(|a| matches!(a.decision, Decision::Pending | Decision::AddedBefore)),
    };
    if done {
        for a in &mut step.approvers {
            if a.decision == Decision::Pending {
                a.decision = Decision::NotNeeded;
                a.decided_at = now;
            }
        }
        step.status = StepStatus::Approved;
        let before = effects.len();
        advance(st, cur + 1, effects);
        if st.status == RequestStatus::Pending {
            effects.insert(before, Effect::Progress { step: cur });
        }
    } else {
        effects.push(Effect::Progress { step: cur });
        if step.mode == SignMode::Sequential {
            effects.push(Effect::AwaitingApproval {
                step: cur,
                members: actionable(step),
            });
        }
    }
}

/// Ends a pending request (rejected at step `at`, or withdrawn): pending decisions become
/// `NotNeeded` (stamped with `now` where the step had been reached), the step in progress and
/// later ones are `Cancelled` (the rejecting step `Rejected`).
fn end(
    st: &mut RequestState,
    status: RequestStatus,
    at: Option<usize>,
    now: i64,
    effects: &mut Vec<Effect>,
) {
    let cur = st.current.unwrap_or(st.steps.len());
    for (i, step) in st.steps.iter_mut().enumerate() {
        let reached = i == cur;
        for a in &mut step.approvers {
            if a.decision == Decision::Pending {
                a.decision = Decision::NotNeeded;
                a.decided_at = if reached { now } else { 0 };
            }
        }
        if i == cur {
            step.status = if at == Some(i) {
                StepStatus::Rejected
            } else {
                StepStatus::Cancelled
            };
        } else if i > cur || matches!(step.status, StepStatus::Waiting | StepStatus::Returned) {
            step.status = StepStatus::Cancelled;
        }
    }
    st.current = None;
    st.status = status;
    effects.push(Effect::Finished { status });
}

/// The members who can approve or reject right now (for "waiting for me" lists).
pub fn awaiting(state: &RequestState) -> Vec<Id> {
    match (state.status, state.current) {
        (RequestStatus::Pending, Some(cur)) if cur < state.steps.len() => {
            actionable(&state.steps[cur])
        }
        _ => Vec::new(),
    }
}

/// Everyone who has taken part so far: approvers reached, CC'd members reached.
///
/// A step counts as reached while it is in progress or once decided, notified or returned; of a
/// cancelled step only the approvers who had it in front of them (or acted on it) count. Steps
/// that will run again after a return count again once they are reached. In order of first
/// appearance, without repeats.
pub fn participants(state: &RequestState) -> Vec<Id> {
    let mut out: Vec<Id> = Vec::new();
    for step in &state.steps {
        let reached = matches!(
            step.status,
            StepStatus::InProgress
                | StepStatus::Approved
                | StepStatus::Rejected
                | StepStatus::Returned
                | StepStatus::Notified
        );
        for a in &step.approvers {
            if (reached || a.decided_at != 0) && !out.contains(&a.member_id) {
                out.push(a.member_id);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::ResolvedStep;

    const APPLICANT: Id = Id(1);

    fn step(mode: SignMode, members: &[i64]) -> ResolvedStep {
        ResolvedStep {
            node_id: format!("n{}", members.first().copied().unwrap_or(0)),
            name: String::new(),
            kind: StepKind::Approve,
            mode,
            members: members.iter().map(|m| Id(*m)).collect(),
            auto: None,
        }
    }

    fn cc(members: &[i64]) -> ResolvedStep {
        ResolvedStep {
            kind: StepKind::Cc,
            ..step(SignMode::Any, members)
        }
    }

    fn auto(reason: AutoReason) -> ResolvedStep {
        ResolvedStep {
            auto: Some(reason),
            ..step(SignMode::Any, &[])
        }
    }

    fn go(steps: Vec<ResolvedStep>) -> (RequestState, Vec<Effect>) {
        start(APPLICANT, &ResolvedFlow { steps })
    }

    fn approve(by: i64) -> Action {
        Action::Approve {
            by: Id(by),
            comment: String::new(),
            file_ids: vec![],
        }
    }

    fn reject(by: i64) -> Action {
        Action::Reject {
            by: Id(by),
            comment: "no".into(),
            file_ids: vec![],
        }
    }

    fn act(s: &RequestState, a: Action) -> Result<(RequestState, Vec<Effect>), ActionError> {
        apply(s, &a, Policy::default(), 1000)
    }

    fn ok(s: &RequestState, a: Action) -> RequestState {
        act(s, a).unwrap().0
    }

    fn ids(v: &[i64]) -> Vec<Id> {
        v.iter().map(|i| Id(*i)).collect()
    }

    #[test]
    fn start_skips_auto_and_notifies_cc() {
        let (s, fx) = go(vec![
            auto(AutoReason::NoApprover),
            cc(&[7, 8]),
            step(SignMode::Any, &[2, 3]),
            cc(&[9]),
        ]);
        assert_eq!(s.current, Some(2));
        assert_eq!(s.steps[0].status, StepStatus::Skipped);
        assert_eq!(s.steps[1].status, StepStatus::Notified);
        assert_eq!(s.steps[3].status, StepStatus::Waiting);
        assert_eq!(
            fx,
            vec![
                Effect::CcNotified {
                    step: 1,
                    members: ids(&[7, 8])
                },
                Effect::AwaitingApproval {
                    step: 2,
                    members: ids(&[2, 3])
                }
            ]
        );
        assert_eq!(awaiting(&s), ids(&[2, 3]));
        assert_eq!(participants(&s), ids(&[7, 8, 2, 3]));
        let (s2, fx) = act(&s, approve(3)).unwrap();
        assert_eq!(s2.status, RequestStatus::Approved);
        assert_eq!(s2.steps[2].approvers[0].decision, Decision::NotNeeded);
        assert_eq!(s2.steps[3].status, StepStatus::Notified);
        assert_eq!(
            fx,
            vec![
                Effect::CcNotified {
                    step: 3,
                    members: ids(&[9])
                },
                Effect::Finished {
                    status: RequestStatus::Approved
                }
            ]
        );
        assert!(awaiting(&s2).is_empty());
        assert_eq!(act(&s2, approve(2)), Err(ActionError::NotPending));
    }

    #[test]
    fn nothing_to_approve_is_approved_at_once() {
        let (s, fx) = go(vec![auto(AutoReason::SelfSkipped), cc(&[5])]);
        assert_eq!(s.status, RequestStatus::Approved);
        assert_eq!(
            fx.last(),
            Some(&Effect::Finished {
                status: RequestStatus::Approved
            })
        );
        let (s, fx) = go(vec![]);
        assert_eq!(
            (s.status, fx),
            (
                RequestStatus::Approved,
                vec![Effect::Finished {
                    status: RequestStatus::Approved
                }]
            )
        );
    }

    #[test]
    fn countersign_needs_everyone() {
        let (s, _) = go(vec![
            step(SignMode::All, &[2, 3, 4]),
            step(SignMode::Any, &[5]),
        ]);
        let (s, fx) = act(&s, approve(3)).unwrap();
        assert_eq!(fx, vec![Effect::Progress { step: 0 }]);
        assert_eq!(awaiting(&s), ids(&[2, 4]));
        assert_eq!(act(&s, approve(3)), Err(ActionError::NotYourTurn));
        let s = ok(&s, approve(2));
        let (s, fx) = act(&s, approve(4)).unwrap();
        assert_eq!(
            fx,
            vec![
                Effect::Progress { step: 0 },
                Effect::AwaitingApproval {
                    step: 1,
                    members: ids(&[5])
                }
            ]
        );
        assert_eq!(s.steps[0].status, StepStatus::Approved);
        let (s, fx) = act(&s, approve(5)).unwrap();
        assert_eq!(
            fx,
            vec![Effect::Finished {
                status: RequestStatus::Approved
            }]
        );
        assert_eq!(s.status, RequestStatus::Approved);
    }

    #[test]
    fn one_rejection_rejects() {
        let (s, _) = go(vec![
            step(SignMode::All, &[2, 3]),
            step(SignMode::Any, &[5]),
            cc(&[6]),
        ]);
        let s = ok(&s, approve(2));
        let (s, fx) = act(&s, reject(3)).unwrap();
        assert_eq!(
            fx,
            vec![Effect::Finished {
                status: RequestStatus::Rejected
            }]
        );
        assert_eq!(s.status, RequestStatus::Rejected);
        assert_eq!(s.current, None);
        assert_eq!(s.steps[0].status, StepStatus::Rejected);
        assert_eq!(s.steps[0].approvers[1].comment, "no");
        assert_eq!(s.steps[1].status, StepStatus::Cancelled);
        assert_eq!(s.steps[1].approvers[0].decision, Decision::NotNeeded);
        assert_eq!(s.steps[2].status, StepStatus::Cancelled);
        assert_eq!(participants(&s), ids(&[2, 3]));
        // A rejection without a comment is fine for the engine.
        let (s, _) = go(vec![step(SignMode::Any, &[2])]);
        let s = ok(
            &s,
            Action::Reject {
                by: Id(2),
                comment: String::new(),
                file_ids: vec![],
            },
        );
        assert_eq!(s.status, RequestStatus::Rejected);
    }

    #[test]
    fn sequential_follows_order() {
        let (s, fx) = go(vec![step(SignMode::Sequential, &[2, 3, 4])]);
        assert_eq!(
            fx,
            vec![Effect::AwaitingApproval {
                step: 0,
                members: ids(&[2])
            }]
        );
        assert_eq!(act(&s, approve(3)), Err(ActionError::NotYourTurn));
        assert_eq!(act(&s, reject(4)), Err(ActionError::NotYourTurn));
        let (s, fx) = act(&s, approve(2)).unwrap();
        assert_eq!(
            fx,
            vec![
                Effect::Progress { step: 0 },
                Effect::AwaitingApproval {
                    step: 0,
                    members: ids(&[3])
                }
            ]
        );
        assert_eq!(awaiting(&s), ids(&[3]));
        let s = ok(&ok(&s, approve(3)), approve(4));
        assert_eq!(s.status, RequestStatus::Approved);
    }

    #[test]
    fn withdraw_rules() {
        let (s, _) = go(vec![step(SignMode::Any, &[2]), step(SignMode::Any, &[3])]);
        assert_eq!(
            act(&s, Action::Withdraw { by: Id(2) }),
            Err(ActionError::NotApplicant)
        );
        let (w, fx) = act(&s, Action::Withdraw { by: APPLICANT }).unwrap();
        assert_eq!(
            fx,
            vec![Effect::Finished {
                status: RequestStatus::Withdrawn
            }]
        );
        assert_eq!(w.steps[0].status, StepStatus::Cancelled);
        assert_eq!(
            participants(&w),
            ids(&[2]),
            "the approver it was waiting for took part"
        );
        assert_eq!(
            act(&w, Action::Withdraw { by: APPLICANT }),
            Err(ActionError::NotPending)
        );
        assert_eq!(act(&w, approve(2)), Err(ActionError::NotPending));
        let done = ok(&ok(&s, approve(2)), approve(3));
        assert_eq!(
            act(&done, Action::Withdraw { by: APPLICANT }),
            Err(ActionError::WithdrawNotAllowed)
        );
        let allow = Policy {
            allow_withdraw_after_approval: true,
        };
        let (after, fx) = apply(&done, &Action::Withdraw { by: APPLICANT }, allow, 5).unwrap();
        assert_eq!(after.status, RequestStatus::WithdrawnAfterApproval);
        assert_eq!(
            fx,
            vec![Effect::Finished {
                status: RequestStatus::WithdrawnAfterApproval
            }]
        );
        assert_eq!(
            apply(&after, &Action::Withdraw { by: APPLICANT }, allow, 6),
            Err(ActionError::NotPending)
        );
        let rejected = ok(&s, reject(2));
        assert_eq!(
            apply(&rejected, &Action::Withdraw { by: APPLICANT }, allow, 6),
            Err(ActionError::NotPending)
        );
    }

    #[test]
    fn return_to_an_earlier_step_runs_it_again() {
        let (s, _) = go(vec![
            step(SignMode::All, &[2, 3]),
            auto(AutoReason::NoApprover),
            cc(&[9]),
            step(SignMode::Any, &[4, 5]),
        ]);
        let s = ok(&ok(&s, approve(2)), approve(3));
        assert_eq!(s.current, Some(3));
        assert_eq!(
            act(
                &s,
                Action::Return {
                    by: Id(4),
                    to_step: 1,
                    comment: String::new()
                }
            ),
            Err(ActionError::BadReturnTarget)
        );
        assert_eq!(
            act(
                &s,
                Action::Return {
                    by: Id(4),
                    to_step: 2,
                    comment: String::new()
                }
            ),
            Err(ActionError::BadReturnTarget)
        );
        assert_eq!(
            act(
                &s,
                Action::Return {
                    by: Id(4),
                    to_step: 3,
                    comment: String::new()
                }
            ),
            Err(ActionError::BadReturnTarget)
        );
        assert_eq!(
            act(
                &s,
                Action::Return {
                    by: Id(2),
                    to_step: 0,
                    comment: String::new()
                }
            ),
            Err(ActionError::NotYourTurn)
        );
        let (r, fx) = act(
            &s,
            Action::Return {
                by: Id(4),
                to_step: 0,
                comment: "redo".into(),
            },
        )
        .unwrap();
        assert_eq!(
            fx,
            vec![
                Effect::Progress { step: 3 },
                Effect::AwaitingApproval {
                    step: 0,
                    members: ids(&[2, 3])
                }
            ]
        );
        assert_eq!(r.current, Some(0));
        assert_eq!(r.status, RequestStatus::Pending);
        assert_eq!(r.steps[0].status, StepStatus::InProgress);
        assert!(r.steps[0]
            .approvers
            .iter()
            .all(|a| a.decision == Decision::Pending && a.decided_at == 0));
        assert_eq!(r.steps[1].status, StepStatus::Waiting);
        assert_eq!(r.steps[2].status, StepStatus::Waiting);
        assert_eq!(r.steps[3].status, StepStatus::Returned);
        assert_eq!(r.steps[3].approvers[0].decision, Decision::Returned);
        assert_eq!(r.steps[3].approvers[0].comment, "redo");
        assert_eq!(awaiting(&r), ids(&[2, 3]));
        // Run again: the CC step notifies again and the returned step starts afresh.
        let r = ok(&r, approve(2));
        let (r, fx) = act(&r, approve(3)).unwrap();
        assert!(fx.contains(&Effect::CcNotified {
            step: 2,
            members: ids(&[9])
        }));
        assert!(fx.contains(&Effect::AwaitingApproval {
            step: 3,
            members: ids(&[4, 5])
        }));
        assert_eq!(r.steps[3].status, StepStatus::InProgress);
        assert!(r.steps[3]
            .approvers
            .iter()
            .all(|a| a.decision == Decision::Pending));
        assert_eq!(ok(&r, approve(4)).status, RequestStatus::Approved);
    }

    #[test]
    fn transfer_keeps_order() {
        let (s, _) = go(vec![step(SignMode::Sequential, &[2, 3])]);
        assert_eq!(
            act(
                &s,
                Action::Transfer {
                    by: Id(2),
                    to: Id(2),
                    comment: String::new()
                }
            ),
            Err(ActionError::AlreadyApprover)
        );
        assert_eq!(
            act(
                &s,
                Action::Transfer {
                    by: Id(3),
                    to: Id(7),
                    comment: String::new()
                }
            ),
            Err(ActionError::NotYourTurn)
        );
        let (t, fx) = act(
            &s,
            Action::Transfer {
                by: Id(2),
                to: Id(7),
                comment: "you".into(),
            },
        )
        .unwrap();
        assert_eq!(
            fx,
            vec![
                Effect::Progress { step: 0 },
                Effect::AwaitingApproval {
                    step: 0,
                    members: ids(&[7])
                }
            ]
        );
        let a = &t.steps[0].approvers;
        assert_eq!(
            a.iter()
                .map(|a| (a.member_id.0, a.decision))
                .collect::<Vec<_>>(),
            vec![
                (2, Decision::Transferred),
                (7, Decision::Pending),
                (3, Decision::Pending)
            ]
        );
        assert_eq!(a[1].added_by, Some(Id(2)));
        assert_eq!(awaiting(&t), ids(&[7]));
        assert_eq!(act(&t, approve(2)), Err(ActionError::NotYourTurn));
        let t = ok(&ok(&t, approve(7)), approve(3));
        assert_eq!(t.status, RequestStatus::Approved);
        // In a countersign step the transferee replaces the transferrer.
        let (s, _) = go(vec![step(SignMode::All, &[2, 3])]);
        assert_eq!(
            act(
                &s,
                Action::Transfer {
                    by: Id(2),
                    to: Id(3),
                    comment: String::new()
                }
            ),
            Err(ActionError::AlreadyApprover)
        );
        let t = ok(
            &s,
            Action::Transfer {
                by: Id(2),
                to: Id(7),
                comment: String::new(),
            },
        );
        // Nobody already listed in the step (here the one who just transferred) is brought in again.
        assert_eq!(
            act(
                &t,
                Action::Transfer {
                    by: Id(7),
                    to: Id(2),
                    comment: String::new()
                }
            ),
            Err(ActionError::AlreadyApprover)
        );
        let t = ok(&t, approve(3));
        assert_eq!(t.status, RequestStatus::Pending);
        assert_eq!(ok(&t, approve(7)).status, RequestStatus::Approved);
    }

    #[test]
    fn add_before_hands_the_turn_back() {
        // Or-sign step: the added person's approval does not decide the step.
        let (s, _) = go(vec![
            step(SignMode::Any, &[2, 3]),
            step(SignMode::Any, &[5]),
        ]);
        let add = |by: i64, member: i64| Action::AddApprover {
            by: Id(by),
            member: Id(member),
            position: AddPosition::Before,
            comment: "please check".into(),
        };
        assert_eq!(act(&s, add(2, 3)), Err(ActionError::AlreadyApprover));
        assert_eq!(act(&s, add(2, 2)), Err(ActionError::AlreadyApprover));
        let (b, fx) = act(&s, add(2, 7)).unwrap();
        assert_eq!(
            fx,
            vec![
                Effect::Progress { step: 0 },
                Effect::AwaitingApproval {
                    step: 0,
                    members: ids(&[7])
                }
            ]
        );
        assert_eq!(
            b.steps[0]
                .approvers
                .iter()
                .map(|a| (a.member_id.0, a.decision))
                .collect::<Vec<_>>(),
            vec![
                (7, Decision::Pending),
                (2, Decision::AddedBefore),
                (3, Decision::Pending)
            ]
        );
        assert_eq!(awaiting(&b), ids(&[7, 3]));
        assert_eq!(act(&b, approve(2)), Err(ActionError::NotYourTurn));
        let (b2, fx) = act(&b, approve(7)).unwrap();
        assert_eq!(
            fx,
            vec![
                Effect::Progress { step: 0 },
                Effect::AwaitingApproval {
                    step: 0,
                    members: ids(&[2])
                }
            ]
        );
        assert_eq!(b2.current, Some(0));
        assert_eq!(awaiting(&b2), ids(&[2, 3]));
        let b3 = ok(&b2, approve(2));
        assert_eq!(b3.current, Some(1));
        // Meanwhile the other or-sign approver may still decide the step.
        let other = ok(&b, approve(3));
        assert_eq!(other.current, Some(1));
        assert_eq!(other.steps[0].approvers[0].decision, Decision::NotNeeded);
        // The added person's rejection rejects the request.
        assert_eq!(ok(&b, reject(7)).status, RequestStatus::Rejected);
        // Sequential: the added person goes first, then the adder, then the rest.
        let (s, _) = go(vec![step(SignMode::Sequential, &[2, 3])]);
        let b = ok(&s, add(2, 7));
        assert_eq!(awaiting(&b), ids(&[7]));
        // Through a transfer the turn still comes back to the adder.
        let t = ok(
            &b,
            Action::Transfer {
                by: Id(7),
                to: Id(8),
                comment: String::new(),
            },
        );
        assert_eq!(awaiting(&t), ids(&[8]));
        let t = ok(&t, approve(8));
        assert_eq!(awaiting(&t), ids(&[2]));
        let t = ok(&t, approve(2));
        assert_eq!(awaiting(&t), ids(&[3]));
        assert_eq!(ok(&t, approve(3)).status, RequestStatus::Approved);
    }

    #[test]
    fn add_after_inserts_a_step() {
        let (s, _) = go(vec![
            step(SignMode::All, &[2, 3]),
            step(SignMode::Any, &[5]),
        ]);
        let add = |by: i64, member: i64| Action::AddApprover {
            by: Id(by),
            member: Id(member),
            position: AddPosition::After,
            comment: String::new(),
        };
        let (a, fx) = act(&s, add(2, 7)).unwrap();
        assert_eq!(fx, vec![Effect::Progress { step: 0 }]);
        assert_eq!(a.steps.len(), 3);
        assert_eq!(a.steps[1].node_id, "added-1");
        assert_eq!(a.steps[1].approvers[0].added_by, Some(Id(2)));
        assert_eq!(a.steps[0].approvers[0].decision, Decision::Approved);
        let (a, fx) = act(&a, approve(3)).unwrap();
        assert_eq!(
            fx,
            vec![
                Effect::Progress { step: 0 },
                Effect::AwaitingApproval {
                    step: 1,
                    members: ids(&[7])
                }
            ]
        );
        let (a, fx) = act(&a, add(7, 8)).unwrap();
        assert_eq!(a.steps[2].node_id, "added-2");
        assert_eq!(
            fx,
            vec![
                Effect::Progress { step: 1 },
                Effect::AwaitingApproval {
                    step: 2,
                    members: ids(&[8])
                }
            ]
        );
        let a = ok(&ok(&a, approve(8)), approve(5));
        assert_eq!(a.status, RequestStatus::Approved);
        // Returning to an added step is allowed (it is an approval step).
        let (s, _) = go(vec![step(SignMode::Any, &[2]), step(SignMode::Any, &[5])]);
        let a = ok(&s, add(2, 7));
        let a = ok(&a, approve(7));
        let r = ok(
            &a,
            Action::Return {
                by: Id(5),
                to_step: 1,
                comment: String::new(),
            },
        );
        assert_eq!(awaiting(&r), ids(&[7]));
    }

    #[test]
    fn stale_state_cannot_decide_twice() {
        let (base, _) = go(vec![
            step(SignMode::Any, &[2, 3]),
            step(SignMode::Any, &[4]),
        ]);
        let first = ok(&base, approve(2));
        // The second approver's action was computed on `base`; the server re-applies it on the
        // stored state and it is refused.
        assert!(act(&base, approve(3)).is_ok());
        assert_eq!(act(&first, approve(3)), Err(ActionError::NotYourTurn));
        assert_eq!(act(&first, approve(2)), Err(ActionError::NotYourTurn));
    }

    #[test]
    fn serde_round_trip() {
        let (s, _) = go(vec![step(SignMode::All, &[2, 3]), cc(&[4])]);
        let s = ok(
            &s,
            Action::Approve {
                by: Id(2),
                comment: "好".into(),
                file_ids: vec![Id(77)],
            },
        );
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["status"], "pending");
        assert_eq!(json["steps"][0]["approvers"][0]["decision"], "approved");
        assert_eq!(json["steps"][0]["approvers"][0]["file_ids"][0], "77");
        let back: RequestState = serde_json::from_value(json).unwrap();
        assert_eq!(back, s);
    }
}
