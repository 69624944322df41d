//! Who is awaited and who has taken part.

use super::steps::actionable;
use super::*;

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
