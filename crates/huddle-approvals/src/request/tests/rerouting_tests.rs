use super::*;

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
