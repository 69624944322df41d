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

mod decision_tests;
mod rerouting_tests;

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
