//! What a new organization starts with: the built-in templates (请假, 报销, 出差, 外出, 补卡) and
//! the usual leave types. Created on the organization's first use of approvals, in one
//! transaction, so an existing organization gets them too.

use super::model::{FilerScope, TemplateDefinition, TemplateSettings};
use crate::db::Tx;
use crate::ids::{now_ms, IdGen};
use huddle_approvals::flow::{ApproverSource, FlowDef, FlowNode, MissingApproverPolicy, SignMode};
use huddle_approvals::form::{Control, ControlKind, FormSchema, SelectOption};
use huddle_approvals::leave::{LeaveType, LeaveUnit, QuotaRule, SeniorityTier};
use huddle_approvals::I18nText;

fn t(zh: &str, en: &str) -> I18nText {
    I18nText::new(zh, en)
}

fn control(id: &str, title: I18nText, required: bool, kind: ControlKind) -> Control {
    Control {
        id: id.into(),
        title,
        placeholder: None,
        required,
        visible_when: None,
        kind,
    }
}

fn options(items: &[(&str, &str, &str)]) -> Vec<SelectOption> {
    items
        .iter()
        .map(|(id, zh, en)| SelectOption {
            id: (*id).into(),
            label: t(zh, en),
        })
        .collect()
}

fn manager_flow() -> FlowDef {
    FlowDef {
        nodes: vec![FlowNode::Approver {
            id: "manager".into(),
            name: "直属上级".into(),
            source: ApproverSource::Manager { level: 1 },
            mode: SignMode::Any,
        }],
        missing_approver: MissingApproverPolicy::ToAdmins,
        skip_self: true,
        dedupe_consecutive: true,
    }
}

fn reason(title: I18nText) -> Control {
    control("reason", title, true, ControlKind::Textarea)
}

fn attachments() -> Control {
    control(
        "attachments",
        t("附件", "Attachments"),
        false,
        ControlKind::Attachment,
    )
}

fn definition(
    name: I18nText,
    icon: &str,
    group: &str,
    description: &str,
    controls: Vec<Control>,
    allow_withdraw_after_approval: bool,
) -> TemplateDefinition {
    TemplateDefinition {
        name,
        icon: icon.into(),
        group: group.into(),
        description: description.into(),
        scope: FilerScope::default(),
        form: FormSchema { controls },
        flow: manager_flow(),
        settings: TemplateSettings {
            allow_withdraw_after_approval,
            require_reject_comment: true,
        },
    }
}

/// The built-in templates by key.
pub fn builtin_templates() -> Vec<(&'static str, TemplateDefinition)> {
    vec![
        (
            "leave",
            definition(
                t("请假", "Leave"),
                "leave",
                "假勤",
                "请假申请，审批通过后扣减假期余额。",
                vec![
                    control(
                        "leave",
                        t("请假类型及时间", "Leave type and time"),
                        true,
                        ControlKind::Leave,
                    ),
                    reason(t("请假事由", "Reason")),
                    attachments(),
                ],
                true,
            ),
        ),
        (
            "expense",
            definition(
                t("报销", "Expense reimbursement"),
                "expense",
                "财务",
                "费用报销，逐项填写明细，合计自动计算。",
                vec![
                    control(
                        "category",
                        t("报销类型", "Category"),
                        true,
                        ControlKind::Select {
                            multiple: false,
                            options: options(&[
                                ("travel", "差旅费", "Travel"),
                                ("transport", "交通费", "Transport"),
                                ("meals", "招待费", "Meals and entertainment"),
                                ("office", "办公用品", "Office supplies"),
                                ("other", "其他", "Other"),
                            ]),
                        },
                    ),
                    control(
                        "items",
                        t("费用明细", "Items"),
                        true,
                        ControlKind::Table {
                            columns: vec![
                                control(
                                    "description",
                                    t("费用说明", "Description"),
                                    true,
                                    ControlKind::Text,
                                ),
                                control(
                                    "date",
                                    t("发生日期", "Date"),
                                    false,
                                    ControlKind::Date { with_time: false },
                                ),
                                control(
                                    "amount",
                                    t("金额", "Amount"),
                                    true,
                                    ControlKind::Money {
                                        currency: "CNY".into(),
                                    },
                                ),
                            ],
                        },
                    ),
                    control(
                        "total",
                        t("报销总额", "Total"),
                        false,
                        ControlKind::Formula {
                            expression: "items.amount".into(),
                            decimals: 2,
                        },
                    ),
                    control(
                        "remarks",
                        t("备注", "Remarks"),
                        false,
                        ControlKind::Textarea,
                    ),
                    attachments(),
                ],
                false,
            ),
        ),
        (
            "trip",
            definition(
                t("出差", "Business trip"),
                "trip",
                "假勤",
                "出差申请，按自然日计算天数。",
                vec![
                    control(
                        "trip",
                        t("出差时间", "Dates"),
                        true,
                        ControlKind::BusinessTrip,
                    ),
                    control(
                        "destination",
                        t("出差地点", "Destination"),
                        true,
                        ControlKind::Text,
                    ),
                    control(
                        "transport",
                        t("交通工具", "Transport"),
                        false,
                        ControlKind::Select {
                            multiple: false,
                            options: options(&[
                                ("plane", "飞机", "Plane"),
                                ("train", "火车", "Train"),
                                ("car", "汽车", "Car"),
                                ("other", "其他", "Other"),
                            ]),
                        },
                    ),
                    reason(t("出差事由", "Purpose")),
                ],
                true,
            ),
        ),
        (
            "outing",
            definition(
                t("外出", "Outing"),
                "outing",
                "假勤",
                "工作时间外出办事，按小时计算。",
                vec![
                    control("outing", t("外出时间", "Time"), true, ControlKind::Outing),
                    control("place", t("外出地点", "Place"), true, ControlKind::Text),
                    reason(t("外出事由", "Purpose")),
                ],
                false,
            ),
        ),
        (
            "punch_correction",
            definition(
                t("补卡", "Make-up check-in"),
                "punch",
                "假勤",
                "忘记打卡时申请补卡，通过后计入考勤。",
                vec![
                    control(
                        "punch",
                        t("补卡时间", "Check-in time"),
                        true,
                        ControlKind::PunchCorrection,
                    ),
                    reason(t("补卡原因", "Reason")),
                ],
                false,
            ),
        ),
    ]
}

fn leave_type(key: &str, name: I18nText, unit: LeaveUnit, quota: QuotaRule) -> LeaveType {
    LeaveType {
        key: key.into(),
        name,
        unit,
        hours_per_day: 8.0,
        quota,
        enabled: true,
    }
}

/// The leave types a new organization starts with (statutory annual leave by seniority).
pub fn default_leave_types() -> Vec<LeaveType> {
    use LeaveUnit::*;
    vec![
        leave_type(
            "annual",
            t("年假", "Annual leave"),
            HalfDay,
            QuotaRule::BySeniority {
                tiers: vec![
                    SeniorityTier {
                        min_years: 0,
                        amount: 5.0,
                    },
                    SeniorityTier {
                        min_years: 10,
                        amount: 10.0,
                    },
                    SeniorityTier {
                        min_years: 20,
                        amount: 15.0,
                    },
                ],
            },
        ),
        leave_type(
            "personal",
            t("事假", "Personal leave"),
            HalfDay,
            QuotaRule::Unlimited,
        ),
        leave_type(
            "sick",
            t("病假", "Sick leave"),
            HalfDay,
            QuotaRule::Unlimited,
        ),
        leave_type(
            "compensatory",
            t("调休", "Time off in lieu"),
            Hour,
            QuotaRule::Manual,
        ),
        leave_type(
            "marriage",
            t("婚假", "Marriage leave"),
            Day,
            QuotaRule::Manual,
        ),
        leave_type(
            "maternity",
            t("产假", "Maternity leave"),
            Day,
            QuotaRule::Manual,
        ),
        leave_type(
            "paternity",
            t("陪产假", "Paternity leave"),
            Day,
            QuotaRule::Manual,
        ),
        leave_type(
            "bereavement",
            t("丧假", "Bereavement leave"),
            Day,
            QuotaRule::Unlimited,
        ),
    ]
}

/// [`ensure`] in its own transaction, after a cheap read shows it is needed: most calls only read.
pub async fn ensure_ready(
    state: &crate::state::AppState,
    org_id: i64,
    actor_id: i64,
) -> Result<(), sqlx::Error> {
    let ready = sqlx::query("SELECT 1 FROM approval_settings WHERE org_id = $1")
        .bind(org_id)
        .fetch_optional(state.db.reader())
        .await?
        .is_some();
    if !ready {
        let mut tx = state.db.begin().await?;
        ensure(&mut tx, &state.ids, org_id, actor_id).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Creates the organization's approval settings, leave types and built-in templates unless
/// they exist. Safe to call on every approvals request: the settings row is the marker.
pub async fn ensure(
    tx: &mut Tx,
    ids: &IdGen,
    org_id: i64,
    actor_id: i64,
) -> Result<(), sqlx::Error> {
    let exists = sqlx::query("SELECT 1 FROM approval_settings WHERE org_id = $1")
        .bind(org_id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let now = now_ms();
    let types = serde_json::to_string(&default_leave_types()).unwrap_or_else(|_| "[]".into());
    let inserted = sqlx::query(
        "INSERT INTO approval_settings (org_id, leave_types, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id) DO NOTHING",
    )
    .bind(org_id)
    .bind(types)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(());
    }
    for (key, def) in builtin_templates() {
        let id = ids.next();
        sqlx::query(
            "INSERT INTO approval_templates (id, org_id, builtin, current_version, enabled, deleted, created_at, updated_at) \
             VALUES ($1, $2, $3, 1, 1, 0, $4, $4)",
        )
        .bind(id)
        .bind(org_id)
        .bind(key)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO approval_template_versions (template_id, version, org_id, definition, created_by, created_at) \
             VALUES ($1, 1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(org_id)
        .bind(serde_json::to_string(&def).unwrap_or_default())
        .bind(actor_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_are_valid() {
        for (key, def) in builtin_templates() {
            huddle_approvals::form::check_schema(&def.form)
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            huddle_approvals::flow::check_flow(&def.flow, &def.form)
                .unwrap_or_else(|e| panic!("{key}: {e}"));
        }
        assert_eq!(default_leave_types().len(), 8);
    }
}
