//! Applying one action to a request: the transitions and their effects.

use super::steps::{
    actionable, actionable_indexes, advance, fresh, helped_by, is_active_in, is_in_step, refresh,
};
use super::*;

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
