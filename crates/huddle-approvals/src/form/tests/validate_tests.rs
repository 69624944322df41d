use super::*;

#[test]
fn validates_expense_with_table_sums_and_formula() {
    let s = expense_schema();
    let v = validate(
        &s,
        &raw(json!({
            "reason": "  出差打车  ",
            "items": [{"amount": "12.5", "what": "taxi"}, {"amount": 100}, {"amount": 0.1}],
            "total": 9999
        })),
        &ValidationContext::default(),
    )
    .unwrap();
    assert_eq!(
        v["reason"],
        Value::Text {
            text: "出差打车".into()
        }
    );
    let Value::Table { rows, sums } = &v["items"] else {
        panic!()
    };
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0]["amount"],
        Value::Money {
            amount: "12.50".into(),
            cents: 1250
        }
    );
    assert_eq!(
        rows[1]["amount"],
        Value::Money {
            amount: "100.00".into(),
            cents: 10000
        }
    );
    assert_eq!(sums["amount"], 112.6);
    assert_eq!(v["total"], Value::Formula { value: 112.6 });
    assert_eq!(
        display_value(&s.controls[1], &v["items"]),
        "共3行，金额合计¥112.60"
    );
}

#[test]
fn errors_name_the_control_in_both_languages() {
    let s = expense_schema();
    let ctx = ValidationContext::default();
    let e = validate(&s, &raw(json!({"items": [{"amount": 1}]})), &ctx).unwrap_err();
    assert_eq!(e.control_id, "reason");
    assert_eq!(e.message, "\"Reason\" is required.");
    assert_eq!(e.message_zh, "请填写“事由”。");
    let e = validate(&s, &raw(json!({"reason": "   "})), &ctx).unwrap_err();
    assert_eq!(e.message, "\"Reason\" is required.");
    let e = validate(
        &s,
        &raw(json!({"reason": "x", "items": [{"amount": 1}, {"what": "x"}]})),
        &ctx,
    )
    .unwrap_err();
    assert_eq!(
        (e.control_id.as_str(), e.row, e.column.as_deref()),
        ("items", Some(1), Some("amount"))
    );
    // The column has no English title: the Chinese one is used.
    assert_eq!(e.message, "\"金额\" in row 2 of \"Items\" is required.");
    assert_eq!(e.message_zh, "请填写“明细”第2行的“金额”。");
    let e = validate(
        &s,
        &raw(json!({"reason": "x", "items": [{"amount": "1.234"}]})),
        &ctx,
    )
    .unwrap_err();
    assert_eq!(e.row, Some(0));
    assert!(e.message_zh.contains("两位小数"), "{}", e.message_zh);
    let e = validate(
        &s,
        &raw(json!({"reason": "x", "items": [{"amount": 1, "zz": 1}]})),
        &ctx,
    )
    .unwrap_err();
    assert_eq!(e.column.as_deref(), Some("zz"));
    let e = validate(&s, &raw(json!({"reason": "x", "nope": 1})), &ctx).unwrap_err();
    assert_eq!(e.control_id, "nope");
    let e = validate(
        &s,
        &raw(json!({"reason": "x".repeat(201), "items": [{"amount": 1}]})),
        &ctx,
    )
    .unwrap_err();
    assert_eq!(e.message, "\"Reason\" can be at most 200 characters long.");
    assert!(validate(
        &s,
        &raw(json!({"reason": "字".repeat(200), "items": [{"amount": 1}]})),
        &ctx
    )
    .is_ok());
    let rows: Vec<_> = (0..201).map(|_| json!({"amount": 1})).collect();
    let e = validate(&s, &raw(json!({"reason": "x", "items": rows})), &ctx).unwrap_err();
    assert_eq!(e.control_id, "items");
    assert_eq!(e.message_zh, "“明细”不能超过200行。");
    let e = validate(
        &s,
        &raw(json!({"reason": 5, "items": [{"amount": 1}]})),
        &ctx,
    )
    .unwrap_err();
    assert_eq!(e.message, "\"Reason\" must be text.");
}

#[test]
fn numbers_and_money() {
    let s = FormSchema {
        controls: vec![number("n0", 0), number("n2", 2), money("m", "金额")],
    };
    let ctx = ValidationContext::default();
    let ok = |v: serde_json::Value| validate(&s, &raw(v), &ctx);
    let v = ok(json!({"n0": "42", "n2": 1.25, "m": "1234.5"})).unwrap();
    assert_eq!(v["n0"], Value::Number { value: 42.0 });
    assert_eq!(v["n2"], Value::Number { value: 1.25 });
    assert_eq!(
        v["m"],
        Value::Money {
            amount: "1234.50".into(),
            cents: 123450
        }
    );
    assert_eq!(
        ok(json!({"n0": 3.0})).unwrap()["n0"],
        Value::Number { value: 3.0 }
    );
    assert_eq!(
        ok(json!({"n0": "-7"})).unwrap()["n0"],
        Value::Number { value: -7.0 }
    );
    assert_eq!(
        ok(json!({"n2": "1.50"})).unwrap()["n2"],
        Value::Number { value: 1.5 }
    );
    assert_eq!(
        ok(json!({"m": 0})).unwrap()["m"],
        Value::Money {
            amount: "0.00".into(),
            cents: 0
        }
    );
    assert_eq!(
        ok(json!({"m": 19.99})).unwrap()["m"],
        Value::Money {
            amount: "19.99".into(),
            cents: 1999
        }
    );
    assert_eq!(
        ok(json!({"m": "007.10"})).unwrap()["m"],
        Value::Money {
            amount: "7.10".into(),
            cents: 710
        }
    );
    assert!(ok(json!({"n0": 1.5}))
        .unwrap_err()
        .message
        .contains("whole number"));
    assert!(ok(json!({"n2": "1.234"}))
        .unwrap_err()
        .message_zh
        .contains("最多保留2位小数"));
    assert!(ok(json!({"n0": "abc"})).is_err());
    assert!(ok(json!({"n0": "1e3"})).is_err());
    assert!(ok(json!({"n0": true})).is_err());
    assert_eq!(
        ok(json!({"m": -1})).unwrap_err().message,
        "\"金额\" cannot be negative."
    );
    assert!(ok(json!({"m": "1.001"})).is_err());
    assert!(ok(json!({"m": "1,000"})).is_err());
    assert!(ok(json!({"m": "99999999999999999999"})).is_err());
    let c = &s.controls[2];
    assert_eq!(
        display_value(
            c,
            &Value::Money {
                amount: "1234567.50".into(),
                cents: 123456750
            }
        ),
        "¥1,234,567.50"
    );
}

#[test]
fn dates_and_ranges() {
    let s = FormSchema {
        controls: vec![
            ctl("d", "日期", "", ControlKind::Date { with_time: false }),
            ctl("dt", "时间", "", ControlKind::Date { with_time: true }),
            ctl("r", "期间", "", ControlKind::DateRange { with_time: false }),
            ctl("rt", "时段", "", ControlKind::DateRange { with_time: true }),
            ctl("trip", "出差", "Trip", ControlKind::BusinessTrip),
            ctl("out", "外出", "", ControlKind::Outing),
            ctl("ot", "加班", "", ControlKind::Overtime),
            ctl("punch", "补卡", "", ControlKind::PunchCorrection),
        ],
    };
    let ctx = ValidationContext::default();
    let ok = |v: serde_json::Value| validate(&s, &raw(v), &ctx);
    let v = ok(json!({
        "d": "2026-12-01", "dt": "2026-12-01T09:30",
        "r": {"start": "2026-12-01", "end": "2026-12-03"},
        "rt": {"start": "2026-12-01T09:00", "end": "2026-12-01T11:20"},
        "trip": {"start": "2026-12-04", "end": "2026-12-07"},
        "out": {"start": "2026-12-01T13:00", "end": "2026-12-01T15:30"},
        "ot": {"start": "2026-12-05T09:00", "end": "2026-12-05T17:00"},
        "punch": {"at": "2026-12-01T09:00"}
    }))
    .unwrap();
    assert_eq!(
        v["r"],
        Value::DateRange {
            start: "2026-12-01".into(),
            end: "2026-12-03".into(),
            duration: 3.0,
            unit: DurationUnit::Day
        }
    );
    assert_eq!(
        display_value(&s.controls[2], &v["r"]),
        "2026-12-01 ~ 2026-12-03（3天）"
    );
    let Value::DateRange { duration, unit, .. } = v["rt"] else {
        panic!()
    };
    assert_eq!((duration, unit), (2.33, DurationUnit::Hour));
    let Value::Range { duration, unit, .. } = v["trip"] else {
        panic!()
    };
    assert_eq!((duration, unit), (4.0, DurationUnit::Day));
    let Value::Range { duration, unit, .. } = v["out"] else {
        panic!()
    };
    assert_eq!((duration, unit), (2.5, DurationUnit::Hour));
    assert_eq!(
        v["punch"],
        Value::PunchCorrection {
            at: "2026-12-01T09:00".into()
        }
    );
    assert_eq!(display_value(&s.controls[1], &v["dt"]), "2026-12-01 09:30");
    assert!(ok(json!({"d": "2026-12-01T09:00"})).is_err());
    assert!(ok(json!({"d": "2026-13-01"}))
        .unwrap_err()
        .message
        .contains("YYYY-MM-DD"));
    assert!(ok(json!({"dt": "2026-12-01"})).is_err());
    let e = ok(json!({"trip": {"start": "2026-12-04", "end": "2026-12-01"}})).unwrap_err();
    assert_eq!(e.message, "The end of \"Trip\" is before its start.");
    assert_eq!(e.message_zh, "“出差”的结束时间早于开始时间。");
    assert!(ok(json!({"trip": {"start": "2026-01-01", "end": "2027-01-02"}})).is_err());
    assert!(ok(json!({"out": {"start": "2026-12-01T13:00", "end": "2026-12-01T13:00"}})).is_err());
    assert!(ok(json!({"out": {"start": "2026-12-01", "end": "2026-12-02"}})).is_err());
    assert!(ok(json!({"r": {"start": "2026-12-01"}})).is_err());
    assert!(ok(json!({"punch": "2026-12-01T09:00"})).is_err());
}

#[test]
fn selects_and_visibility() {
    let mut detail = req(ctl("detail", "说明", "Detail", ControlKind::Textarea));
    detail.visible_when = Some(VisibleWhen {
        control_id: "kind".into(),
        option_ids: vec!["other".into()],
    });
    let s = FormSchema {
        controls: vec![
            ctl(
                "kind",
                "类型",
                "",
                ControlKind::Select {
                    multiple: false,
                    options: opts(&["a", "other"]),
                },
            ),
            detail,
            ctl(
                "tags",
                "标签",
                "",
                ControlKind::Select {
                    multiple: true,
                    options: opts(&["x", "y", "z"]),
                },
            ),
        ],
    };
    assert_eq!(check_schema(&s), Ok(()));
    let ctx = ValidationContext::default();
    let ok = |v: serde_json::Value| validate(&s, &raw(v), &ctx);
    // Hidden: dropped even if sent, and not required.
    let v = ok(json!({"kind": "a", "detail": "ignored"})).unwrap();
    assert!(!v.contains_key("detail"));
    assert!(ok(json!({})).unwrap().is_empty());
    // Shown: required.
    assert_eq!(
        ok(json!({"kind": "other"})).unwrap_err().control_id,
        "detail"
    );
    let v = ok(json!({"kind": ["other"], "detail": "why", "tags": ["z", "x", "z"]})).unwrap();
    assert_eq!(
        v["tags"],
        Value::Select {
            option_ids: vec!["z".into(), "x".into()]
        }
    );
    assert_eq!(display_value(&s.controls[2], &v["tags"]), "选项z、选项x");
    assert!(is_visible(&s.controls[1], &v));
    assert!(ok(json!({"kind": ["a", "other"]}))
        .unwrap_err()
        .message_zh
        .contains("只能选一项"));
    assert!(ok(json!({"kind": "nope"})).is_err());
    assert!(ok(json!({"tags": [1]})).is_err());
    assert_eq!(
        ok(json!({"tags": "y"})).unwrap()["tags"],
        Value::Select {
            option_ids: vec!["y".into()]
        }
    );
}

#[test]
fn contacts_attachments_locations_descriptions() {
    let s = FormSchema {
        controls: vec![
            ctl(
                "who",
                "人员",
                "",
                ControlKind::Contact {
                    departments: false,
                    multiple: true,
                },
            ),
            ctl(
                "one",
                "负责人",
                "",
                ControlKind::Contact {
                    departments: false,
                    multiple: false,
                },
            ),
            ctl(
                "dept",
                "部门",
                "",
                ControlKind::Contact {
                    departments: true,
                    multiple: false,
                },
            ),
            ctl("files", "附件", "", ControlKind::Attachment),
            ctl("where", "地点", "", ControlKind::Location),
            ctl(
                "tip",
                "说明",
                "",
                ControlKind::Description {
                    text: I18nText::new("请注意", ""),
                },
            ),
        ],
    };
    let ctx = ValidationContext::default();
    let ok = |v: serde_json::Value| validate(&s, &raw(v), &ctx);
    let v = ok(json!({
        "who": {"member_ids": ["12", 13, "12"]},
        "one": {"member_ids": [7]},
        "dept": {"department_ids": ["5"]},
        "files": ["100", 101],
        "where": {"lat": 31.2, "lng": 121.5, "title": "公司"},
        "tip": null
    }))
    .unwrap();
    assert_eq!(
        v["who"],
        Value::Contact {
            member_ids: vec![Id(12), Id(13)],
            department_ids: vec![]
        }
    );
    assert_eq!(
        v["dept"],
        Value::Contact {
            member_ids: vec![],
            department_ids: vec![Id(5)]
        }
    );
    assert_eq!(
        v["files"],
        Value::Attachment {
            file_ids: vec![Id(100), Id(101)]
        }
    );
    assert_eq!(display_value(&s.controls[0], &v["who"]), "2人");
    assert_eq!(display_value(&s.controls[4], &v["where"]), "公司");
    assert!(!v.contains_key("tip"));
    assert!(ok(json!({"one": {"member_ids": [7, 8]}})).is_err());
    assert!(ok(json!({"dept": {"member_ids": [7]}})).is_err());
    assert!(ok(json!({"who": {"member_ids": ["x"]}})).is_err());
    assert!(ok(json!({"who": {"member_ids": [-3]}})).is_err());
    assert!(!ok(json!({"who": {"member_ids": []}}))
        .unwrap()
        .contains_key("who"));
    assert!(ok(json!({"files": "100"})).is_err());
    assert!(ok(json!({"where": {"lat": 91, "lng": 0}})).is_err());
    assert!(ok(json!({"where": {"lat": 0, "lng": -181}})).is_err());
    assert!(ok(json!({"where": {"lat": 0}})).is_err());
    assert_eq!(
        ok(json!({"tip": "x"})).unwrap_err().message_zh,
        "“说明”不可填写。"
    );
}

#[test]
fn leave_control() {
    let s = FormSchema {
        controls: vec![req(ctl("leave", "请假", "Leave", ControlKind::Leave))],
    };
    let ctx = leave_ctx();
    let ok = |v: serde_json::Value| validate(&s, &raw(v), &ctx);
    let v = ok(json!({"leave": {"leave_type": "annual", "start": "2026-12-01", "start_half": "pm", "end": "2026-12-03", "end_half": "am"}}))
        .unwrap();
    let Value::Leave {
        duration,
        unit,
        start_half,
        ..
    } = &v["leave"]
    else {
        panic!()
    };
    assert_eq!(
        (*duration, *unit, *start_half),
        (2.0, DurationUnit::Day, Some(Half::Pm))
    );
    assert_eq!(
        display_value(&s.controls[0], &v["leave"]),
        "annual 2026-12-01 下午 ~ 2026-12-03 上午（2天）"
    );
    let v = ok(json!({"leave": {"leave_type": "personal", "start": "2026-12-01T09:00", "end": "2026-12-01T12:00"}}))
        .unwrap();
    let Value::Leave {
        duration,
        unit,
        start_half,
        ..
    } = &v["leave"]
    else {
        panic!()
    };
    assert_eq!(
        (*duration, *unit, *start_half),
        (3.0, DurationUnit::Hour, None)
    );
    let v = ok(json!({"leave": {"leave_type": "sick", "start": "2026-12-01", "end": "2026-12-01", "end_half": "am"}})).unwrap();
    let Value::Leave {
        duration, end_half, ..
    } = &v["leave"]
    else {
        panic!()
    };
    assert_eq!((*duration, *end_half), (1.0, None));
    let e = ok(json!({"leave": {"leave_type": "old", "start": "2026-12-01", "end": "2026-12-01"}}))
        .unwrap_err();
    assert!(e.message.contains("cannot be requested"), "{}", e.message);
    assert!(ok(
        json!({"leave": {"leave_type": "nope", "start": "2026-12-01", "end": "2026-12-01"}})
    )
    .is_err());
    let e =
        ok(json!({"leave": {"leave_type": "sick", "start": "2026-12-05", "end": "2026-12-06"}}))
            .unwrap_err();
    assert_eq!(e.message_zh, "“请假”的时间段内没有工作时间。");
    assert!(ok(
        json!({"leave": {"leave_type": "sick", "start": "2026-12-03", "end": "2026-12-01"}})
    )
    .is_err());
    assert!(ok(
        json!({"leave": {"leave_type": "personal", "start": "2026-12-01", "end": "2026-12-01"}})
    )
    .is_err());
    assert_eq!(
        ok(json!({"leave": {"leave_type": "", "start": "", "end": ""}}))
            .unwrap_err()
            .message,
        "\"Leave\" is required."
    );
}

#[test]
fn formulas_compute_and_divide_by_zero_is_named() {
    let s = FormSchema {
        controls: vec![
            number("qty", 0),
            money("price", "单价"),
            ctl(
                "avg",
                "均价",
                "Average",
                ControlKind::Formula {
                    expression: "price / qty".into(),
                    decimals: 2,
                },
            ),
            ctl(
                "x",
                "x",
                "",
                ControlKind::Formula {
                    expression: "avg × 3 - (qty + 1) * 2".into(),
                    decimals: 1,
                },
            ),
        ],
    };
    assert_eq!(check_schema(&s), Ok(()));
    let ctx = ValidationContext::default();
    let v = validate(&s, &raw(json!({"qty": 3, "price": "10"})), &ctx).unwrap();
    assert_eq!(v["avg"], Value::Formula { value: 3.33 });
    assert_eq!(v["x"], Value::Formula { value: 2.0 });
    let e = validate(&s, &raw(json!({"qty": 0, "price": "10"})), &ctx).unwrap_err();
    assert_eq!(e.control_id, "avg");
    assert_eq!(
        e.message,
        "\"Average\" cannot be computed (division by zero)."
    );
    assert_eq!(e.message_zh, "“均价”无法计算（除数为零）。");
    // Unfilled operands count as 0 (here the division then fails).
    assert!(validate(&s, &raw(json!({})), &ctx).is_err());
}
