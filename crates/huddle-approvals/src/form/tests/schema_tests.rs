use super::*;

/// Checks a schema, asserting that any error carries both an English and a Chinese message.
fn checked(controls: Vec<Control>) -> Result<(), SchemaError> {
    let r = check_schema(&FormSchema { controls });
    if let Err(e) = &r {
        assert!(!e.message.trim().is_empty(), "{e:?}");
        assert!(!e.message_zh.trim().is_empty(), "{e:?}");
    }
    r
}

#[test]
fn schema_checks() {
    assert_eq!(check_schema(&expense_schema()), Ok(()));
    let bad = |controls: Vec<Control>| checked(controls).unwrap_err();
    assert!(bad(vec![number("a", 0), number("a", 0)])
        .message
        .contains("twice"));
    assert!(bad(vec![number("a b", 0)]).message.contains("not a valid"));
    assert!(bad(vec![number("", 0)]).message.contains("not a valid"));
    assert!(bad(vec![number(&"x".repeat(65), 0)])
        .message
        .contains("not a valid"));
    assert!(bad(vec![number("a", 7)]).message.contains("6 decimals"));
    assert!(bad(vec![ctl(
        "s",
        "s",
        "",
        ControlKind::Select {
            multiple: false,
            options: vec![]
        }
    )])
    .message
    .contains("no options"));
    assert!(bad(vec![ctl(
        "s",
        "s",
        "",
        ControlKind::Select {
            multiple: false,
            options: opts(&["a", "a"])
        }
    )])
    .message
    .contains("twice"));
    // visible_when must name an earlier select and its options.
    let mut dep = number("n", 0);
    dep.visible_when = Some(VisibleWhen {
        control_id: "s".into(),
        option_ids: vec!["a".into()],
    });
    let sel = ctl(
        "s",
        "s",
        "",
        ControlKind::Select {
            multiple: false,
            options: opts(&["a", "b"]),
        },
    );
    assert_eq!(
        check_schema(&FormSchema {
            controls: vec![sel.clone(), dep.clone()]
        }),
        Ok(())
    );
    assert!(bad(vec![dep.clone(), sel.clone()])
        .message
        .contains("not a control before"));
    let mut dep2 = dep.clone();
    dep2.visible_when = Some(VisibleWhen {
        control_id: "s".into(),
        option_ids: vec!["zz".into()],
    });
    assert!(bad(vec![sel.clone(), dep2]).message.contains("no option"));
    let mut dep3 = dep.clone();
    dep3.visible_when = Some(VisibleWhen {
        control_id: "m".into(),
        option_ids: vec!["a".into()],
    });
    assert!(bad(vec![number("m", 0), dep3]).message.contains("select"));
    // Tables.
    let table = |cols: Vec<Control>| ctl("t", "t", "", ControlKind::Table { columns: cols });
    assert!(bad(vec![table(vec![])]).message.contains("no columns"));
    assert!(bad(vec![table(vec![table(vec![number("x", 0)])])])
        .message
        .contains("kind"));
    assert!(
        bad(vec![table(vec![ctl("l", "l", "", ControlKind::Leave)])])
            .message
            .contains("kind")
    );
    assert!(bad(vec![table(vec![ctl(
        "d",
        "d",
        "",
        ControlKind::Description {
            text: I18nText::default()
        }
    )])])
    .message
    .contains("kind"));
    assert!(bad(vec![table(vec![number("x", 0), number("x", 0)])])
        .message
        .contains("twice"));
    // Leave at most once.
    assert!(bad(vec![
        ctl("l1", "l", "", ControlKind::Leave),
        ctl("l2", "l", "", ControlKind::Leave)
    ])
    .message
    .contains("only one leave"));
    // No title.
    assert!(bad(vec![ctl("a", "", "", ControlKind::Text)])
        .message
        .contains("title"));
}

#[test]
fn formula_checks() {
    let ok = checked;
    assert_eq!(
        ok(vec![
            number("a", 0),
            money("b", "b"),
            formula("f", "(a + b) * 2 / 4 - -1")
        ]),
        Ok(())
    );
    assert_eq!(
        ok(vec![
            number("a", 0),
            formula("f", "a"),
            formula("g", "f * 1.5")
        ]),
        Ok(())
    );
    // Ids with '-' resolve to the longest known name.
    assert_eq!(
        ok(vec![
            number("a-b", 0),
            number("a", 0),
            formula("f", "a-b-a")
        ]),
        Ok(())
    );
    // Defined later, wrong kind, unknown, syntax.
    assert!(ok(vec![formula("f", "a"), number("a", 0)]).is_err());
    assert!(ok(vec![
        ctl("t", "t", "", ControlKind::Text),
        formula("f", "t + 1")
    ])
    .is_err());
    assert!(ok(vec![formula("f", "zz")]).is_err());
    assert!(ok(vec![number("a", 0), formula("f", "a +")]).is_err());
    assert!(ok(vec![number("a", 0), formula("f", "(a")]).is_err());
    assert!(ok(vec![number("a", 0), formula("f", "a)")]).is_err());
    assert!(ok(vec![formula("f", "")]).is_err());
    assert!(ok(vec![formula("f", "f + 1")]).is_err());
    assert!(ok(vec![formula("f", &"(".repeat(100))]).is_err());
    assert!(ok(vec![ctl(
        "f",
        "f",
        "",
        ControlKind::Formula {
            expression: "1".into(),
            decimals: 7
        }
    )])
    .is_err());
    // Table columns: number/money only.
    let t = ctl(
        "t",
        "t",
        "",
        ControlKind::Table {
            columns: vec![money("m", "m"), ctl("x", "x", "", ControlKind::Text)],
        },
    );
    assert_eq!(ok(vec![t.clone(), formula("f", "t.m")]), Ok(()));
    assert!(ok(vec![t.clone(), formula("f", "t.x")]).is_err());
    assert!(ok(vec![t.clone(), formula("f", "t.zz")]).is_err());
    assert!(ok(vec![formula("f", "t.m"), t]).is_err());
}

#[test]
fn schema_errors_in_chinese() {
    let e = checked(vec![number("a", 0), number("a", 0)]).unwrap_err();
    assert_eq!(e.control_id.as_deref(), Some("a"));
    assert_eq!(e.message, "the control id \"a\" is used twice");
    assert_eq!(e.message_zh, "控件标识“a”重复。");
    let amount = ctl(
        "amount",
        "金额",
        "Amount",
        ControlKind::Number {
            unit: None,
            decimals: 7,
        },
    );
    assert_eq!(
        checked(vec![amount]).unwrap_err().message_zh,
        "“金额”最多保留6位小数。"
    );
    // Inside a table, the column's error is prefixed with the table.
    let items = ctl(
        "items",
        "明细",
        "Items",
        ControlKind::Table {
            columns: vec![ctl(
                "n",
                "数量",
                "",
                ControlKind::Number {
                    unit: None,
                    decimals: 9,
                },
            )],
        },
    );
    assert_eq!(
        checked(vec![items]).unwrap_err().message_zh,
        "表格“明细”：“数量”最多保留6位小数。"
    );
    // Formula parse errors: a Chinese wrapper around the parser's Chinese text.
    let mut total = formula("total", "(a");
    total.title = I18nText::new("合计", "Total");
    let e = checked(vec![number("a", 0), total.clone()]).unwrap_err();
    assert_eq!(
        e.message,
        "the formula of \"total\" is not valid: a parenthesis is not closed"
    );
    assert_eq!(e.message_zh, "“合计”的公式有误：括号没有闭合。");
    let with = |expr: &str| {
        let mut f = total.clone();
        f.kind = ControlKind::Formula {
            expression: expr.into(),
            decimals: 2,
        };
        checked(vec![number("a", 0), f]).unwrap_err().message_zh
    };
    assert_eq!(with(""), "“合计”的公式有误：公式为空。");
    assert_eq!(with("a +"), "“合计”的公式有误：公式不完整。");
    assert_eq!(with("a)"), "“合计”的公式有误：公式末尾有多余内容。");
    assert_eq!(with("a $ 1"), "“合计”的公式有误：无法识别“$”。");
    assert_eq!(with("a * / 1"), "“合计”的公式有误：“/”的位置不对。");
    assert_eq!(with(&"(".repeat(100)), "“合计”的公式有误：括号嵌套过深。");
    assert_eq!(with(&"1".repeat(1001)), "“合计”的公式有误：公式过长。");
    // A control without any title is named by its id.
    assert_eq!(
        checked(vec![ctl("x", "", "", ControlKind::Text)])
            .unwrap_err()
            .message_zh,
        "控件“x”没有标题。"
    );
}
