use super::*;

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
