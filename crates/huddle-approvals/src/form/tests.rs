use super::*;
use crate::leave::{LeaveType, LeaveUnit, QuotaRule};
use serde_json::json;

fn ctl(id: &str, zh: &str, en: &str, kind: ControlKind) -> Control {
    Control {
        id: id.into(),
        title: I18nText::new(zh, en),
        placeholder: None,
        required: false,
        visible_when: None,
        kind,
    }
}

fn req(mut c: Control) -> Control {
    c.required = true;
    c
}

fn opts(ids: &[&str]) -> Vec<SelectOption> {
    ids.iter()
        .map(|i| SelectOption {
            id: (*i).into(),
            label: I18nText::new(&format!("选项{i}"), ""),
        })
        .collect()
}

fn money(id: &str, zh: &str) -> Control {
    ctl(
        id,
        zh,
        "",
        ControlKind::Money {
            currency: "CNY".into(),
        },
    )
}

fn number(id: &str, decimals: u8) -> Control {
    ctl(
        id,
        id,
        "",
        ControlKind::Number {
            unit: None,
            decimals,
        },
    )
}

fn formula(id: &str, expr: &str) -> Control {
    ctl(
        id,
        id,
        "",
        ControlKind::Formula {
            expression: expr.into(),
            decimals: 2,
        },
    )
}

fn raw(v: serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    serde_json::from_value(v).unwrap()
}

fn leave_ctx() -> ValidationContext {
    let t = |key: &str, unit, enabled| LeaveType {
        key: key.into(),
        name: I18nText::new(key, ""),
        unit,
        hours_per_day: 8.0,
        quota: QuotaRule::Unlimited,
        enabled,
    };
    ValidationContext {
        leave_types: vec![
            t("annual", LeaveUnit::HalfDay, true),
            t("personal", LeaveUnit::Hour, true),
            t("sick", LeaveUnit::Day, true),
            t("old", LeaveUnit::Day, false),
        ],
    }
}

fn expense_schema() -> FormSchema {
    FormSchema {
        controls: vec![
            req(ctl("reason", "事由", "Reason", ControlKind::Text)),
            req(ctl(
                "items",
                "明细",
                "Items",
                ControlKind::Table {
                    columns: vec![
                        req(money("amount", "金额")),
                        ctl("what", "用途", "", ControlKind::Text),
                    ],
                },
            )),
            ctl(
                "total",
                "合计",
                "Total",
                ControlKind::Formula {
                    expression: "items.amount * 1".into(),
                    decimals: 2,
                },
            ),
        ],
    }
}

mod schema_tests;
mod validate_tests;

#[test]
fn serde_shapes() {
    let c: Control = serde_json::from_value(json!({
        "id": "amount", "title": {"zh": "金额"}, "required": true, "kind": {"type": "money"}
    }))
    .unwrap();
    assert_eq!(
        c.kind,
        ControlKind::Money {
            currency: "CNY".into()
        }
    );
    let v = serde_json::to_value(Value::Money {
        amount: "1.00".into(),
        cents: 100,
    })
    .unwrap();
    assert_eq!(v, json!({"type": "money", "amount": "1.00", "cents": 100}));
    let v = serde_json::to_value(ControlKind::DateRange { with_time: true }).unwrap();
    assert_eq!(v, json!({"type": "date_range", "with_time": true}));
}
