//! Property tests of the approval engine: random resolved flows driven by random actions from
//! random people, and branch selection over random conditions.

use huddle_approvals::flow::{
    self, ApproverSource, AutoReason, Branch, Condition, Directory, FlowDef, FlowNode,
    MissingApproverPolicy, ResolvedFlow, ResolvedStep, SignMode, StepKind, SubmitContext,
};
use huddle_approvals::form::{FormValues, Value};
use huddle_approvals::request::{
    apply, awaiting, start, Action, ActionError, AddPosition, Decision, Effect, Policy,
    RequestState, RequestStatus, StepStatus,
};
use huddle_approvals::Id;
use proptest::prelude::*;
use std::collections::BTreeMap;

const APPLICANT: Id = Id(1);

fn mode_strategy() -> impl Strategy<Value = SignMode> {
    prop_oneof![
        Just(SignMode::All),
        Just(SignMode::Any),
        Just(SignMode::Sequential)
    ]
}

fn step_strategy() -> impl Strategy<Value = ResolvedStep> {
    (
        0u8..10,
        mode_strategy(),
        proptest::sample::subsequence((2i64..=8).collect::<Vec<_>>(), 1..=4),
        any::<bool>(),
    )
        .prop_map(|(kind, mode, members, shuffle)| {
            let mut members: Vec<Id> = members.into_iter().map(Id).collect();
            if shuffle {
                members.reverse();
            }
            let (kind, auto) = match kind {
                0 | 1 => (StepKind::Cc, None),
                2 => (StepKind::Approve, Some(AutoReason::NoApprover)),
                _ => (StepKind::Approve, None),
            };
            ResolvedStep {
                node_id: "n".into(),
                name: String::new(),
                kind,
                mode,
                members: if auto.is_some() { vec![] } else { members },
                auto,
            }
        })
}

fn flow_strategy() -> impl Strategy<Value = ResolvedFlow> {
    proptest::collection::vec(step_strategy(), 1..=6).prop_map(|mut steps| {
        for (i, s) in steps.iter_mut().enumerate() {
            s.node_id = format!("n{i}");
        }
        ResolvedFlow { steps }
    })
}

/// Raw material for one action; interpreted against the state it is applied to.
#[derive(Clone, Debug)]
struct RawAction {
    kind: u8,
    pick_awaiting: bool,
    actor: u8,
    target: u8,
    to_step: u8,
}

fn raw_action() -> impl Strategy<Value = RawAction> {
    (
        0u8..16,
        prop::bool::weighted(0.8),
        any::<u8>(),
        2u8..=10,
        0u8..8,
    )
        .prop_map(|(kind, pick_awaiting, actor, target, to_step)| RawAction {
            kind,
            pick_awaiting,
            actor,
            target,
            to_step,
        })
}

fn make_action(state: &RequestState, r: &RawAction) -> Action {
    let waiting = awaiting(state);
    let by = if r.pick_awaiting && !waiting.is_empty() {
        waiting[usize::from(r.actor) % waiting.len()]
    } else {
        Id(i64::from(r.actor % 10) + 1)
    };
    let comment = String::new();
    match r.kind {
        0..=6 => Action::Approve {
            by,
            comment,
            file_ids: vec![],
        },
        7 => Action::Reject {
            by,
            comment,
            file_ids: vec![],
        },
        8 => Action::Withdraw {
            by: if r.actor.is_multiple_of(2) {
                APPLICANT
            } else {
                by
            },
        },
        9 | 10 => Action::Return {
            by,
            to_step: usize::from(r.to_step),
            comment,
        },
        11 | 12 => Action::Transfer {
            by,
            to: Id(i64::from(r.target)),
            comment,
        },
        13 => Action::AddApprover {
            by,
            member: Id(i64::from(r.target)),
            position: AddPosition::Before,
            comment,
        },
        _ => Action::AddApprover {
            by,
            member: Id(i64::from(r.target)),
            position: AddPosition::After,
            comment,
        },
    }
}

fn actor_of(a: &Action) -> Id {
    match a {
        Action::Approve { by, .. }
        | Action::Reject { by, .. }
        | Action::Withdraw { by }
        | Action::Return { by, .. }
        | Action::Transfer { by, .. }
        | Action::AddApprover { by, .. } => *by,
    }
}

fn finished(effects: &[Effect]) -> Vec<RequestStatus> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Finished { status } => Some(*status),
            _ => None,
        })
        .collect()
}

/// Invariants every state must satisfy.
fn check_state(s: &RequestState) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        awaiting(s).is_empty(),
        s.status != RequestStatus::Pending,
        "awaiting vs status: {:?}",
        s
    );
    if s.status == RequestStatus::Pending {
        let cur = s.current.expect("a pending request has a current step");
        prop_assert_eq!(s.steps[cur].status, StepStatus::InProgress);
        prop_assert_eq!(s.steps[cur].kind, StepKind::Approve);
    } else {
        prop_assert_eq!(s.current, None);
        for step in &s.steps {
            prop_assert!(
                step.approvers
                    .iter()
                    .all(|a| a.decision != Decision::Pending),
                "pending left: {:?}",
                s
            );
            prop_assert!(step.status != StepStatus::InProgress);
        }
    }
    if matches!(
        s.status,
        RequestStatus::Approved | RequestStatus::WithdrawnAfterApproval
    ) {
        for step in &s.steps {
            prop_assert!(
                matches!(
                    step.status,
                    StepStatus::Approved | StepStatus::Skipped | StepStatus::Notified
                ),
                "approved request with step {:?}",
                step.status
            );
        }
    }
    for step in &s.steps {
        // Transfers and additions never list someone twice in a step.
        let mut members: Vec<Id> = step.approvers.iter().map(|a| a.member_id).collect();
        members.sort();
        members.dedup();
        prop_assert_eq!(
            members.len(),
            step.approvers.len(),
            "a member listed twice: {:?}",
            step
        );
        if step.status == StepStatus::Approved && step.mode != SignMode::Any {
            // Countersign / sequential: everyone who did not hand on their decision approved.
            prop_assert!(
                step.approvers
                    .iter()
                    .all(|a| matches!(a.decision, Decision::Approved | Decision::Transferred)),
                "step approved without everyone: {:?}",
                step
            );
        }
        if step.status == StepStatus::Approved && step.mode == SignMode::Any {
            prop_assert!(step
                .approvers
                .iter()
                .any(|a| a.decision == Decision::Approved));
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn random_runs_keep_the_rules(
        flow in flow_strategy(),
        actions in proptest::collection::vec(raw_action(), 0..40),
        allow in any::<bool>(),
    ) {
        let policy = Policy { allow_withdraw_after_approval: allow };
        let (mut state, effects) = start(APPLICANT, &flow);
        let fin = finished(&effects);
        prop_assert_eq!(fin.len(), usize::from(state.status != RequestStatus::Pending));
        check_state(&state)?;
        let mut terminal_transitions = usize::from(state.status != RequestStatus::Pending);
        let mut finished_count = fin.len();
        for (t, raw) in actions.iter().enumerate() {
            let action = make_action(&state, raw);
            let now = 1_000 + t as i64;
            let before = state.clone();
            match apply(&before, &action, policy, now) {
                Err(e) => {
                    if before.status != RequestStatus::Pending {
                        let withdraw = matches!(action, Action::Withdraw { .. });
                        prop_assert!(withdraw || e == ActionError::NotPending, "{:?} on a final request: {:?}", action, e);
                    }
                    if !matches!(action, Action::Withdraw { .. }) && before.status == RequestStatus::Pending
                        && !awaiting(&before).contains(&actor_of(&action))
                    {
                        prop_assert_eq!(e, ActionError::NotYourTurn);
                    }
                }
                Ok((after, effects)) => {
                    let fin = finished(&effects);
                    finished_count += fin.len();
                    check_state(&after)?;
                    // Final states only change by withdrawal after approval, when allowed.
                    if before.status != RequestStatus::Pending {
                        prop_assert!(allow && before.status == RequestStatus::Approved);
                        prop_assert_eq!(after.status, RequestStatus::WithdrawnAfterApproval);
                        let by_applicant = matches!(action, Action::Withdraw { by } if by == APPLICANT);
                        prop_assert!(by_applicant);
                    }
                    if after.status != before.status {
                        terminal_transitions += 1;
                        prop_assert_eq!(fin, vec![after.status]);
                    } else {
                        prop_assert!(fin.is_empty());
                    }
                    if !matches!(action, Action::Withdraw { .. }) {
                        let by = actor_of(&action);
                        prop_assert!(awaiting(&before).contains(&by), "{:?} acted out of turn", by);
                        let cur = before.current.unwrap();
                        let step = &before.steps[cur];
                        if step.mode == SignMode::Sequential {
                            // Nobody before the actor in the step is still pending.
                            let first_pending = step.approvers.iter().find(|a| a.decision == Decision::Pending).unwrap();
                            prop_assert_eq!(first_pending.member_id, by);
                        }
                        let helper = step.approvers.iter().any(|a| a.decision == Decision::AddedBefore);
                        if step.mode == SignMode::Any && !helper && matches!(action, Action::Approve { .. }) {
                            // Or-sign: the first approval decides the step.
                            prop_assert_eq!(after.steps[cur].status, StepStatus::Approved);
                        }
                        if matches!(action, Action::Reject { .. }) {
                            prop_assert_eq!(after.status, RequestStatus::Rejected);
                        }
                    }
                    state = after;
                }
            }
        }
        prop_assert_eq!(finished_count, terminal_transitions);
    }

    #[test]
    fn approving_whoever_is_awaited_finishes_approved(flow in flow_strategy(), picks in proptest::collection::vec(any::<u8>(), 64)) {
        let (mut state, mut effects) = start(APPLICANT, &flow);
        let mut finishes = finished(&effects).len();
        for (i, p) in picks.iter().enumerate() {
            let w = awaiting(&state);
            if w.is_empty() {
                break;
            }
            let by = w[usize::from(*p) % w.len()];
            (state, effects) = apply(&state, &Action::Approve { by, comment: String::new(), file_ids: vec![] }, Policy::default(), i as i64 + 1).unwrap();
            finishes += finished(&effects).len();
        }
        prop_assert_eq!(state.status, RequestStatus::Approved);
        prop_assert_eq!(finishes, 1);
        // Every non-automatic approval step needed at least one approval.
        for step in &state.steps {
            if step.kind == StepKind::Approve && step.auto.is_none() {
                prop_assert_eq!(step.status, StepStatus::Approved);
            }
        }
    }

    /// Two approvals computed from the same stored state: once the first is stored, the second,
    /// re-applied on the new state, is refused (or-sign), or counts only for its own approver.
    #[test]
    fn concurrent_approvals_resolve_once(
        first_step in (prop_oneof![Just(SignMode::All), Just(SignMode::Any)], proptest::sample::subsequence((2i64..=8).collect::<Vec<_>>(), 2..=4)),
        rest in flow_strategy(),
        a in any::<u8>(),
        b in any::<u8>(),
    ) {
        let mut flow = rest;
        flow.steps.insert(0, ResolvedStep {
            node_id: "first".into(),
            name: String::new(),
            kind: StepKind::Approve,
            mode: first_step.0,
            members: first_step.1.into_iter().map(Id).collect(),
            auto: None,
        });
        let (base, _) = start(APPLICANT, &flow);
        let w = awaiting(&base);
        prop_assert!(w.len() >= 2);
        let first = w[usize::from(a) % w.len()];
        let second = w[(usize::from(a) + 1 + usize::from(b) % (w.len() - 1)) % w.len()];
        prop_assert_ne!(first, second);
        let approve = |by| Action::Approve { by, comment: String::new(), file_ids: vec![] };
        let (s1, _) = apply(&base, &approve(first), Policy::default(), 1).unwrap();
        let cur = base.current.unwrap();
        // Whatever is applied on the new state, a decided step is never decided again.
        let untouched = |s: &RequestState| s.steps[cur] == s1.steps[cur];
        // The same approval again is refused, unless the flow moved on to a later step that
        // waits for the same person.
        match apply(&s1, &approve(first), Policy::default(), 2) {
            Err(_) => {}
            Ok((s2, _)) => {
                prop_assert_ne!(s1.current, Some(cur));
                prop_assert!(untouched(&s2));
            }
        }
        match base.steps[cur].mode {
            SignMode::Any => {
                prop_assert_eq!(s1.steps[cur].status, StepStatus::Approved);
                match apply(&s1, &approve(second), Policy::default(), 2) {
                    Err(_) => {}
                    Ok((s2, _)) => {
                        prop_assert_ne!(s1.current, Some(cur));
                        prop_assert!(untouched(&s2));
                    }
                }
            }
            SignMode::All => {
                let (s2, _) = apply(&s1, &approve(second), Policy::default(), 2).unwrap();
                let approved = s2.steps[cur].approvers.iter().filter(|x| x.decision == Decision::Approved).count();
                prop_assert_eq!(approved, 2);
            }
            SignMode::Sequential => unreachable!("only one approver is awaited in a sequential step"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Branch selection

struct Org;

impl Directory for Org {
    fn is_active(&self, _: Id) -> bool {
        true
    }
    fn manager_of(&self, _: Id) -> Option<Id> {
        None
    }
    fn main_department_of(&self, _: Id) -> Option<Id> {
        Some(Id(10))
    }
    fn departments_of(&self, _: Id) -> Vec<Id> {
        vec![Id(10)]
    }
    /// 10 → 20 → 30
    fn parent_of(&self, d: Id) -> Option<Id> {
        match d.0 {
            10 => Some(Id(20)),
            20 => Some(Id(30)),
            _ => None,
        }
    }
    fn leaders_of(&self, _: Id) -> Vec<Id> {
        vec![]
    }
    fn role_members(&self, _: Id) -> Vec<Id> {
        vec![]
    }
    fn super_admins(&self) -> Vec<Id> {
        vec![]
    }
}

#[derive(Clone, Debug)]
enum Cond {
    Amount(Option<i64>, Option<i64>),
    Kind(Vec<String>),
    Dept(i64),
}

fn cond_strategy() -> impl Strategy<Value = Cond> {
    prop_oneof![
        (
            proptest::option::of(0i64..100),
            proptest::option::of(0i64..100)
        )
            .prop_map(|(a, b)| Cond::Amount(a, b)),
        proptest::sample::subsequence(vec!["a".to_string(), "b".into(), "c".into()], 1..=2)
            .prop_map(Cond::Kind),
        prop_oneof![Just(10i64), Just(20), Just(30), Just(40)].prop_map(Cond::Dept),
    ]
}

fn model_holds(c: &Cond, amount: Option<i64>, kind: Option<&str>) -> bool {
    match c {
        Cond::Amount(min, max) => {
            amount.is_some_and(|v| min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m))
        }
        Cond::Kind(opts) => kind.is_some_and(|k| opts.iter().any(|o| o == k)),
        Cond::Dept(d) => [10, 20, 30].contains(d),
    }
}

fn to_condition(c: &Cond) -> Condition {
    match c {
        Cond::Amount(min, max) => Condition::NumberRange {
            control_id: "amount".into(),
            min: min.map(|m| m as f64),
            max: max.map(|m| m as f64),
        },
        Cond::Kind(opts) => Condition::SelectAny {
            control_id: "kind".into(),
            option_ids: opts.clone(),
        },
        Cond::Dept(d) => Condition::ApplicantDepartment {
            department_ids: vec![Id(*d)],
        },
    }
}

proptest! {
    #[test]
    fn branches_pick_the_highest_priority_match_else_default(
        branches in proptest::collection::vec((0i32..4, proptest::collection::vec(cond_strategy(), 0..3)), 1..6),
        amount in proptest::option::of(0i64..100),
        kind in proptest::option::of(prop_oneof![Just("a"), Just("b"), Just("c")]),
    ) {
        let def = FlowDef {
            nodes: vec![FlowNode::Branch {
                id: "br".into(),
                branches: branches
                    .iter()
                    .enumerate()
                    .map(|(i, (priority, conds))| Branch {
                        name: String::new(),
                        priority: *priority,
                        conditions: conds.iter().map(to_condition).collect(),
                        nodes: vec![FlowNode::Approver {
                            id: format!("b{i}"),
                            name: String::new(),
                            source: ApproverSource::Members { member_ids: vec![Id(100 + i as i64)] },
                            mode: SignMode::Any,
                        }],
                    })
                    .collect(),
                default: vec![FlowNode::Approver {
                    id: "default".into(),
                    name: String::new(),
                    source: ApproverSource::Members { member_ids: vec![Id(99)] },
                    mode: SignMode::Any,
                }],
            }],
            missing_approver: MissingApproverPolicy::AutoPass,
            skip_self: true,
            dedupe_consecutive: false,
        };
        let mut values = FormValues::new();
        if let Some(a) = amount {
            // Money in cents: conditions compare in yuan.
            values.insert("amount".into(), Value::Money { amount: String::new(), cents: a * 100 });
        }
        if let Some(k) = kind {
            values.insert("kind".into(), Value::Select { option_ids: vec![k.to_string()] });
        }
        let mut expected = 99;
        let mut best: Option<i32> = None;
        for (i, (priority, conds)) in branches.iter().enumerate() {
            if conds.iter().all(|c| model_holds(c, amount, kind)) && best.is_none_or(|b| *priority > b) {
                best = Some(*priority);
                expected = 100 + i as i64;
            }
        }
        let chosen = BTreeMap::new();
        let resolved = flow::resolve(&def, &Org, &SubmitContext { applicant: APPLICANT, values: &values, chosen: &chosen }).unwrap();
        prop_assert_eq!(resolved.steps.len(), 1);
        prop_assert_eq!(resolved.steps[0].members.clone(), vec![Id(expected)]);
    }
}
