use super::*;
use crate::form::{Control, ControlKind, FormSchema, SelectOption, Value};
use crate::I18nText;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Default)]
struct Dir {
    inactive: BTreeSet<i64>,
    manager: BTreeMap<i64, i64>,
    main_dept: BTreeMap<i64, i64>,
    depts: BTreeMap<i64, Vec<i64>>,
    parent: BTreeMap<i64, i64>,
    leaders: BTreeMap<i64, Vec<i64>>,
    roles: BTreeMap<i64, Vec<i64>>,
    admins: Vec<i64>,
}

fn ids(v: &[i64]) -> Vec<Id> {
    v.iter().map(|i| Id(*i)).collect()
}

impl Directory for Dir {
    fn is_active(&self, m: Id) -> bool {
        !self.inactive.contains(&m.0)
    }
    fn manager_of(&self, m: Id) -> Option<Id> {
        self.manager.get(&m.0).map(|x| Id(*x))
    }
    fn main_department_of(&self, m: Id) -> Option<Id> {
        self.main_dept.get(&m.0).map(|x| Id(*x))
    }
    fn departments_of(&self, m: Id) -> Vec<Id> {
        ids(self.depts.get(&m.0).map_or(&[][..], |v| v))
    }
    fn parent_of(&self, d: Id) -> Option<Id> {
        self.parent.get(&d.0).map(|x| Id(*x))
    }
    fn leaders_of(&self, d: Id) -> Vec<Id> {
        ids(self.leaders.get(&d.0).map_or(&[][..], |v| v))
    }
    fn role_members(&self, r: Id) -> Vec<Id> {
        ids(self.roles.get(&r.0).map_or(&[][..], |v| v))
    }
    fn super_admins(&self) -> Vec<Id> {
        ids(&self.admins)
    }
}

/// 1 (applicant) → manager 2 → 3 → 4 (top). Departments: 10 under 20 under 30.
fn org() -> Dir {
    let mut d = Dir::default();
    d.manager.extend([(1, 2), (2, 3), (3, 4)]);
    d.main_dept.insert(1, 10);
    d.depts.insert(1, vec![10, 11]);
    d.parent.extend([(10, 20), (20, 30), (11, 30)]);
    d.leaders
        .extend([(10, vec![5]), (20, vec![6, 7]), (30, vec![8])]);
    d.roles.insert(100, vec![9, 7, 9]);
    d.admins = vec![99];
    d
}

fn approver(id: &str, source: ApproverSource, mode: SignMode) -> FlowNode {
    FlowNode::Approver {
        id: id.into(),
        name: id.into(),
        source,
        mode,
    }
}

fn members(v: &[i64]) -> ApproverSource {
    ApproverSource::Members { member_ids: ids(v) }
}

fn flow(nodes: Vec<FlowNode>) -> FlowDef {
    FlowDef {
        nodes,
        missing_approver: MissingApproverPolicy::AutoPass,
        skip_self: true,
        dedupe_consecutive: false,
    }
}

fn run(
    f: &FlowDef,
    dir: &Dir,
    values: &FormValues,
    chosen: &BTreeMap<String, Vec<Id>>,
) -> Result<ResolvedFlow, ResolveError> {
    resolve(
        f,
        dir,
        &SubmitContext {
            applicant: Id(1),
            values,
            chosen,
        },
    )
}

fn simple(f: &FlowDef, dir: &Dir) -> Vec<(String, Vec<Id>, Option<AutoReason>, SignMode)> {
    run(f, dir, &FormValues::new(), &BTreeMap::new())
        .unwrap()
        .steps
        .into_iter()
        .map(|s| (s.node_id, s.members, s.auto, s.mode))
        .collect()
}

#[test]
fn sources_expand() {
    let dir = org();
    let f = flow(vec![
        approver("m", members(&[7, 5, 7]), SignMode::All),
        approver("mgr1", ApproverSource::Manager { level: 1 }, SignMode::Any),
        approver("mgr3", ApproverSource::Manager { level: 3 }, SignMode::Any),
        approver("mgr9", ApproverSource::Manager { level: 9 }, SignMode::Any),
        approver(
            "chain",
            ApproverSource::ManagerChain { up_to_level: 5 },
            SignMode::Any,
        ),
        approver(
            "lead1",
            ApproverSource::DepartmentLeader { level: 1 },
            SignMode::Any,
        ),
        approver(
            "lead2",
            ApproverSource::DepartmentLeader { level: 2 },
            SignMode::All,
        ),
        approver(
            "lead5",
            ApproverSource::DepartmentLeader { level: 5 },
            SignMode::All,
        ),
        approver(
            "role",
            ApproverSource::Role { role_id: Id(100) },
            SignMode::Any,
        ),
        approver("me", ApproverSource::Applicant, SignMode::Any),
    ]);
    let s = simple(&f, &dir);
    assert_eq!(s[0], ("m".into(), ids(&[7, 5]), None, SignMode::All));
    assert_eq!(s[1].1, ids(&[2]));
    assert_eq!(s[2].1, ids(&[4]));
    assert_eq!(
        (s[3].1.clone(), s[3].2),
        (vec![], Some(AutoReason::NoApprover))
    );
    assert_eq!(
        (s[4].1.clone(), s[4].3),
        (ids(&[2, 3, 4]), SignMode::Sequential)
    );
    assert_eq!(s[5].1, ids(&[5]));
    assert_eq!(s[6].1, ids(&[6, 7]));
    assert_eq!(s[7].2, Some(AutoReason::NoApprover));
    assert_eq!(s[8].1, ids(&[9, 7]));
    // The applicant source keeps the applicant even with skip_self.
    assert_eq!((s[9].1.clone(), s[9].2), (ids(&[1]), None));
}

#[test]
fn inactive_people_and_missing_policy() {
    let mut dir = org();
    dir.inactive.insert(2);
    let mut f = flow(vec![
        approver("mgr", ApproverSource::Manager { level: 1 }, SignMode::Any),
        approver(
            "chain",
            ApproverSource::ManagerChain { up_to_level: 2 },
            SignMode::Any,
        ),
        FlowNode::Cc {
            id: "cc".into(),
            name: String::new(),
            source: members(&[2]),
        },
    ]);
    let s = simple(&f, &dir);
    assert_eq!(s.len(), 2, "the empty CC step is dropped");
    assert_eq!(s[0].2, Some(AutoReason::NoApprover));
    assert_eq!(
        s[1].1,
        ids(&[3]),
        "the chain walks past the departed manager"
    );
    f.missing_approver = MissingApproverPolicy::ToAdmins;
    let s = simple(&f, &dir);
    assert_eq!((s[0].1.clone(), s[0].2), (ids(&[99]), None));
    dir.inactive.insert(99);
    assert_eq!(simple(&f, &dir)[0].2, Some(AutoReason::NoApprover));
    // The applicant is the only admin: self-skipped.
    dir.admins = vec![1];
    assert_eq!(simple(&f, &dir)[0].2, Some(AutoReason::SelfSkipped));
}

#[test]
fn self_skip_and_dedupe() {
    let dir = org();
    let mut f = flow(vec![
        approver("a", members(&[1]), SignMode::Any),
        approver("b", members(&[1, 5]), SignMode::All),
        approver("c", members(&[5]), SignMode::Any),
        FlowNode::Cc {
            id: "cc".into(),
            name: String::new(),
            source: members(&[1, 6]),
        },
        approver("d", members(&[5]), SignMode::Any),
        approver("e", members(&[5]), SignMode::Any),
        approver("f", members(&[6]), SignMode::Any),
    ]);
    let s = simple(&f, &dir);
    assert_eq!(s[0].2, Some(AutoReason::SelfSkipped));
    assert_eq!(s[1].1, ids(&[5]));
    assert_eq!(s[2].2, None);
    assert_eq!(s[3].1, ids(&[1, 6]), "CC keeps the applicant");
    f.dedupe_consecutive = true;
    let s = simple(&f, &dir);
    assert_eq!(s[2].2, Some(AutoReason::Deduplicated));
    assert_eq!(s[4].2, Some(AutoReason::Deduplicated), "across a CC step");
    assert_eq!(
        s[5].2,
        Some(AutoReason::Deduplicated),
        "across a deduplicated step"
    );
    assert_eq!(s[6].2, None);
    f.skip_self = false;
    let s = simple(&f, &dir);
    assert_eq!((s[0].1.clone(), s[0].2), (ids(&[1]), None));
}

#[test]
fn applicant_choice() {
    let mut dir = org();
    dir.inactive.insert(8);
    let f = flow(vec![
        approver(
            "pick",
            ApproverSource::ApplicantChoice { multiple: false },
            SignMode::Any,
        ),
        FlowNode::Cc {
            id: "ccpick".into(),
            name: "抄送".into(),
            source: ApproverSource::ApplicantChoice { multiple: true },
        },
    ]);
    let v = FormValues::new();
    let chosen = |a: &[i64], b: &[i64]| {
        BTreeMap::from([("pick".to_string(), ids(a)), ("ccpick".to_string(), ids(b))])
    };
    let r = run(&f, &dir, &v, &chosen(&[5], &[6, 7])).unwrap();
    assert_eq!(r.steps[0].members, ids(&[5]));
    assert_eq!(r.steps[1].members, ids(&[6, 7]));
    assert_eq!(
        run(&f, &dir, &v, &chosen(&[], &[6])),
        Err(ResolveError::ChoiceMissing {
            node_id: "pick".into()
        })
    );
    assert_eq!(
        run(&f, &dir, &v, &BTreeMap::new()),
        Err(ResolveError::ChoiceMissing {
            node_id: "pick".into()
        })
    );
    assert_eq!(
        run(&f, &dir, &v, &chosen(&[5, 6], &[6])),
        Err(ResolveError::ChoiceInvalid {
            node_id: "pick".into()
        })
    );
    assert_eq!(
        run(&f, &dir, &v, &chosen(&[5], &[8])),
        Err(ResolveError::ChoiceInvalid {
            node_id: "ccpick".into()
        })
    );
    assert_eq!(
        choices_needed(&f, &dir, Id(1), &v),
        vec![
            ChoiceNeeded {
                node_id: "pick".into(),
                name: "pick".into(),
                multiple: false,
                kind: StepKind::Approve
            },
            ChoiceNeeded {
                node_id: "ccpick".into(),
                name: "抄送".into(),
                multiple: true,
                kind: StepKind::Cc
            },
        ]
    );
}

fn form() -> FormSchema {
    let ctl = |id: &str, kind| Control {
        id: id.into(),
        title: I18nText::new(id, ""),
        placeholder: None,
        required: false,
        visible_when: None,
        kind,
    };
    FormSchema {
        controls: vec![
            ctl(
                "amount",
                ControlKind::Money {
                    currency: "CNY".into(),
                },
            ),
            ctl(
                "kind",
                ControlKind::Select {
                    multiple: false,
                    options: vec![
                        SelectOption {
                            id: "a".into(),
                            label: I18nText::new("A", ""),
                        },
                        SelectOption {
                            id: "b".into(),
                            label: I18nText::new("B", ""),
                        },
                    ],
                },
            ),
            ctl("leave", ControlKind::Leave),
            ctl("note", ControlKind::Text),
        ],
    }
}

fn branchy() -> FlowDef {
    let branch = |name: &str, priority, conditions, who: i64| Branch {
        name: name.into(),
        priority,
        conditions,
        nodes: vec![approver(
            &format!("n-{name}"),
            members(&[who]),
            SignMode::Any,
        )],
    };
    flow(vec![FlowNode::Branch {
        id: "br".into(),
        branches: vec![
            branch(
                "big",
                5,
                vec![Condition::NumberRange {
                    control_id: "amount".into(),
                    min: Some(1000.0),
                    max: None,
                }],
                50,
            ),
            branch(
                "big-a",
                5,
                vec![
                    Condition::NumberRange {
                        control_id: "amount".into(),
                        min: Some(1000.0),
                        max: None,
                    },
                    Condition::SelectAny {
                        control_id: "kind".into(),
                        option_ids: vec!["a".into()],
                    },
                ],
                51,
            ),
            branch(
                "dept",
                9,
                vec![Condition::ApplicantDepartment {
                    department_ids: ids(&[20]),
                }],
                52,
            ),
            branch(
                "annual",
                7,
                vec![Condition::SelectAny {
                    control_id: "leave".into(),
                    option_ids: vec!["annual".into()],
                }],
                53,
            ),
            branch(
                "small",
                1,
                vec![Condition::NumberRange {
                    control_id: "amount".into(),
                    min: None,
                    max: Some(999.99),
                }],
                54,
            ),
        ],
        default: vec![approver("fallback", members(&[55]), SignMode::Any)],
    }])
}

#[test]
fn branches_pick_highest_priority_else_default() {
    let f = branchy();
    assert_eq!(check_flow(&f, &form()), Ok(()));
    let mut dir = org();
    let money = |cents: i64| Value::Money {
        amount: String::new(),
        cents,
    };
    let pick = |dir: &Dir, values: FormValues| {
        run(&f, dir, &values, &BTreeMap::new()).unwrap().steps[0].members[0].0
    };
    // Applicant 1 is in department 10 under 20: the department branch (priority 9) wins.
    assert_eq!(
        pick(&dir, FormValues::from([("amount".into(), money(500_000))])),
        52
    );
    dir.depts.insert(1, vec![11]);
    // Ties go to the first listed.
    let v = FormValues::from([
        ("amount".into(), money(100_000)),
        (
            "kind".into(),
            Value::Select {
                option_ids: vec!["a".into()],
            },
        ),
    ]);
    assert_eq!(pick(&dir, v), 50);
    assert_eq!(
        pick(&dir, FormValues::from([("amount".into(), money(99_999))])),
        54
    );
    let leave = Value::Leave {
        leave_type: "annual".into(),
        start: String::new(),
        end: String::new(),
        start_half: None,
        end_half: None,
        duration: 1.0,
        unit: crate::form::DurationUnit::Day,
    };
    assert_eq!(pick(&dir, FormValues::from([("leave".into(), leave)])), 53);
    assert_eq!(pick(&dir, FormValues::new()), 55);
}

/// The error, asserting that it carries both an English and a Chinese message.
fn checked_err(r: Result<(), FlowError>) -> FlowError {
    let e = r.unwrap_err();
    assert!(!e.message.trim().is_empty(), "{e:?}");
    assert!(!e.message_zh.trim().is_empty(), "{e:?}");
    e
}

#[test]
fn flow_errors_in_chinese() {
    let form = form();
    let bad = |nodes: Vec<FlowNode>| checked_err(check_flow(&flow(nodes), &form));
    let mut boss = approver("boss", members(&[]), SignMode::Any);
    if let FlowNode::Approver { name, .. } = &mut boss {
        *name = "老板".into();
    }
    let e = bad(vec![boss]);
    assert_eq!(e.node_id.as_deref(), Some("boss"));
    assert_eq!(e.message, "the node \"boss\" names no members");
    assert_eq!(e.message_zh, "节点“老板”没有选择人员。");
    assert_eq!(
        bad(vec![
            approver("a", members(&[1]), SignMode::Any),
            approver("a", members(&[2]), SignMode::Any)
        ])
        .message_zh,
        "节点标识“a”重复。"
    );
    let cond = |c: Condition| {
        bad(vec![FlowNode::Branch {
            id: "b".into(),
            branches: vec![Branch {
                name: String::new(),
                priority: 0,
                conditions: vec![c],
                nodes: vec![],
            }],
            default: vec![],
        }])
        .message_zh
    };
    assert_eq!(
        cond(Condition::NumberRange {
            control_id: "amount".into(),
            min: Some(2.0),
            max: Some(1.0),
        }),
        "“amount”的条件下限大于上限。"
    );
    assert_eq!(
        cond(Condition::SelectAny {
            control_id: "nope".into(),
            option_ids: vec!["a".into()],
        }),
        "条件引用的“nope”不在表单中。"
    );
}

#[test]
fn check_flow_refuses_bad_definitions() {
    let form = form();
    let bad = |nodes: Vec<FlowNode>| checked_err(check_flow(&flow(nodes), &form));
    assert!(bad(vec![
        approver("a", members(&[1]), SignMode::Any),
        approver("a", members(&[2]), SignMode::Any)
    ])
    .message
    .contains("twice"));
    assert!(bad(vec![approver("a", members(&[]), SignMode::Any)])
        .message
        .contains("no members"));
    assert!(bad(vec![approver(
        "a",
        ApproverSource::Manager { level: 0 },
        SignMode::Any
    )])
    .message
    .contains("level"));
    assert!(bad(vec![approver(
        "a",
        ApproverSource::ManagerChain { up_to_level: 11 },
        SignMode::Any
    )])
    .message
    .contains("level"));
    assert!(bad(vec![approver("added-1", members(&[1]), SignMode::Any)])
        .message
        .contains("valid"));
    assert!(bad(vec![FlowNode::Branch {
        id: "b".into(),
        branches: vec![],
        default: vec![]
    }])
    .message
    .contains("no branches"));
    let cond = |c: Condition| {
        vec![FlowNode::Branch {
            id: "b".into(),
            branches: vec![Branch {
                name: String::new(),
                priority: 0,
                conditions: vec![c],
                nodes: vec![],
            }],
            default: vec![],
        }]
    };
    assert!(check_flow(
        &flow(cond(Condition::NumberRange {
            control_id: "amount".into(),
            min: Some(1.0),
            max: None
        })),
        &form
    )
    .is_ok());
    bad(cond(Condition::NumberRange {
        control_id: "nope".into(),
        min: Some(1.0),
        max: None,
    }));
    bad(cond(Condition::NumberRange {
        control_id: "note".into(),
        min: Some(1.0),
        max: None,
    }));
    bad(cond(Condition::NumberRange {
        control_id: "amount".into(),
        min: None,
        max: None,
    }));
    bad(cond(Condition::NumberRange {
        control_id: "amount".into(),
        min: Some(2.0),
        max: Some(1.0),
    }));
    bad(cond(Condition::SelectAny {
        control_id: "kind".into(),
        option_ids: vec!["z".into()],
    }));
    bad(cond(Condition::SelectAny {
        control_id: "kind".into(),
        option_ids: vec![],
    }));
    bad(cond(Condition::SelectAny {
        control_id: "amount".into(),
        option_ids: vec!["a".into()],
    }));
    bad(cond(Condition::ApplicantDepartment {
        department_ids: vec![],
    }));
    // Node ids are unique across the whole tree.
    let mut nested = branchy();
    nested
        .nodes
        .push(approver("n-big", members(&[1]), SignMode::Any));
    assert!(checked_err(check_flow(&nested, &form))
        .message
        .contains("twice"));
}

#[test]
fn serde_defaults() {
    let f: FlowDef = serde_json::from_value(serde_json::json!({
        "nodes": [{"type": "approver", "id": "m", "source": {"type": "manager", "level": 1}, "mode": "any"}]
    }))
    .unwrap();
    assert!(f.skip_self && !f.dedupe_consecutive);
    assert_eq!(f.missing_approver, MissingApproverPolicy::AutoPass);
}
