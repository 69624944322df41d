//! Starting a request and moving it through its steps; who can act in a step.

use super::*;

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

pub(super) fn fresh(member_id: Id, added_by: Option<Id>) -> Approver {
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
pub(super) fn advance(state: &mut RequestState, from: usize, effects: &mut Vec<Effect>) {
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
pub(super) fn refresh(step: &mut Step) {
    step.status = StepStatus::Waiting;
    for a in &mut step.approvers {
        if a.decision != Decision::Transferred {
            *a = fresh(a.member_id, a.added_by);
        }
    }
}

/// Indexes of the approvers of `step` who may act now: every pending one, or in a sequential
/// step the first pending one.
pub(super) fn actionable_indexes(step: &Step) -> Vec<usize> {
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

pub(super) fn actionable(step: &Step) -> Vec<Id> {
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
pub(super) fn helped_by(step: &Step, i: usize) -> Option<usize> {
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

pub(super) fn is_in_step(step: &Step, member: Id) -> bool {
    step.approvers.iter().any(|a| a.member_id == member)
}

/// Whether `member` already has something to do in `step` (pending, or waiting for someone
/// they added before themselves).
pub(super) fn is_active_in(step: &Step, member: Id) -> bool {
    step.approvers.iter().any(|a| {
        a.member_id == member && matches!(a.decision, Decision::Pending | Decision::AddedBefore)
    })
}
