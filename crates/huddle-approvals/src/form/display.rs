//! Visibility and the short text summaries of values.

use super::parse::trim_zeros;
use super::validate::title_zh;
use super::*;

/// `123450` → `"1234.50"`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// Whether `control` is shown given the values filled so far.
pub fn is_visible(control: &Control, values: &FormValues) -> bool {
    let Some(vw) = &control.visible_when else {
        return true;
    };
    match values.get(&vw.control_id) {
        Some(Value::Select { option_ids }) => option_ids.iter().any(|o| vw.option_ids.contains(o)),
        _ => false,
    }
}

/// A short text summary of a value for lists, notifications and exports (e.g. `2026-12-01 ~
/// 2026-12-03（3天）`), in Chinese.
pub fn display_value(control: &Control, value: &Value) -> String {
    match value {
        Value::Text { text } => text.clone(),
        Value::Number { value } => {
            let unit = match &control.kind {
                ControlKind::Number { unit: Some(u), .. } => u.as_str(),
                _ => "",
            };
            format!("{}{unit}", fmt_num(*value))
        }
        Value::Money { cents, .. } => {
            let currency = match &control.kind {
                ControlKind::Money { currency } => currency.as_str(),
                _ => "CNY",
            };
            let amount = group_thousands(&format_cents(*cents));
            match currency {
                "CNY" | "" => format!("¥{amount}"),
                other => format!("{other} {amount}"),
            }
        }
        Value::Date { value } => value.replace('T', " "),
        Value::DateRange {
            start,
            end,
            duration,
            unit,
        }
        | Value::Range {
            start,
            end,
            duration,
            unit,
        } => {
            format!(
                "{} ~ {}（{}）",
                start.replace('T', " "),
                end.replace('T', " "),
                fmt_duration(*duration, *unit)
            )
        }
        Value::Select { option_ids } => {
            let options = match &control.kind {
                ControlKind::Select { options, .. } => options.as_slice(),
                _ => &[],
            };
            option_ids
                .iter()
                .map(|id| {
                    options
                        .iter()
                        .find(|o| &o.id == id)
                        .map_or(id.as_str(), |o| title_zh(&o.label))
                        .to_string()
                })
                .collect::<Vec<_>>()
                .join("、")
        }
        Value::Contact {
            member_ids,
            department_ids,
        } => {
            let mut parts = Vec::new();
            if !member_ids.is_empty() {
                parts.push(format!("{}人", member_ids.len()));
            }
            if !department_ids.is_empty() {
                parts.push(format!("{}个部门", department_ids.len()));
            }
            parts.join("，")
        }
        Value::Attachment { file_ids } => format!("{}个附件", file_ids.len()),
        Value::Table { rows, sums } => {
            let columns = match &control.kind {
                ControlKind::Table { columns } => columns.as_slice(),
                _ => &[],
            };
            let mut s = format!("共{}行", rows.len());
            for col in columns {
                if let Some(sum) = sums.get(&col.id) {
                    let v = match col.kind {
                        ControlKind::Money { .. } => display_value(
                            col,
                            &Value::Money {
                                amount: String::new(),
                                cents: (sum * 100.0).round() as i64,
                            },
                        ),
                        _ => display_value(col, &Value::Number { value: *sum }),
                    };
                    s.push_str(&format!("，{}合计{v}", title_zh(&col.title)));
                }
            }
            s
        }
        Value::Location {
            lat,
            lng,
            title,
            address,
        } => {
            if !title.is_empty() {
                title.clone()
            } else if !address.is_empty() {
                address.clone()
            } else {
                format!("{lat:.6},{lng:.6}")
            }
        }
        Value::Leave {
            leave_type,
            start,
            end,
            start_half,
            end_half,
            duration,
            unit,
        } => {
            let half = |h: &Option<Half>| match h {
                Some(Half::Am) => " 上午",
                Some(Half::Pm) => " 下午",
                None => "",
            };
            format!(
                "{leave_type} {}{} ~ {}{}（{}）",
                start.replace('T', " "),
                half(start_half),
                end.replace('T', " "),
                half(end_half),
                fmt_duration(*duration, *unit)
            )
        }
        Value::PunchCorrection { at } => at.replace('T', " "),
        Value::Formula { value } => fmt_num(*value),
    }
}

fn fmt_num(v: f64) -> String {
    let mut s = format!("{:.6}", v);
    trim_zeros(&mut s);
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

fn fmt_duration(d: f64, unit: DurationUnit) -> String {
    match unit {
        DurationUnit::Day => format!("{}天", fmt_num(d)),
        DurationUnit::Hour => format!("{}小时", fmt_num(d)),
    }
}

fn group_thousands(amount: &str) -> String {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if frac.is_empty() {
        format!("{sign}{out}")
    } else {
        format!("{sign}{out}.{frac}")
    }
}
