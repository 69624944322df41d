//! Validation of filled values against a schema, per control kind.

use super::formula::eval_formula;
use super::parse::{
    date_error, date_text, decimals_of, numeric_text, parse_cents, range_duration, range_texts,
};
use super::schema::formula_names;
use super::*;

/// How a control is named in messages: `"Reason"` / `“事由”`, or inside a table
/// `"Amount" in row 2 of "Items"` / `“明细”第2行的“金额”`.
pub(super) struct Name {
    control_id: String,
    row: Option<usize>,
    column: Option<String>,
    en: String,
    zh: String,
}

impl Name {
    fn of(c: &Control) -> Self {
        Self {
            control_id: c.id.clone(),
            row: None,
            column: None,
            en: format!("\"{}\"", title_en(&c.title)),
            zh: format!("“{}”", title_zh(&c.title)),
        }
    }

    fn cell(table: &Control, row: usize, col: &Control) -> Self {
        Self {
            control_id: table.id.clone(),
            row: Some(row),
            column: Some(col.id.clone()),
            en: format!(
                "\"{}\" in row {} of \"{}\"",
                title_en(&col.title),
                row + 1,
                title_en(&table.title)
            ),
            zh: format!(
                "“{}”第{}行的“{}”",
                title_zh(&table.title),
                row + 1,
                title_zh(&col.title)
            ),
        }
    }

    /// `en` and `zh` are templates where `{}` stands for the control's name.
    pub(super) fn err(&self, en: &str, zh: &str) -> FieldError {
        FieldError {
            control_id: self.control_id.clone(),
            row: self.row,
            column: self.column.clone(),
            message: capitalize(&en.replace("{}", &self.en)),
            message_zh: zh.replace("{}", &self.zh),
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn title_en(t: &I18nText) -> &str {
    if t.en.trim().is_empty() {
        &t.zh
    } else {
        &t.en
    }
}

pub(super) fn title_zh(t: &I18nText) -> &str {
    if t.zh.trim().is_empty() {
        &t.en
    } else {
        &t.zh
    }
}

/// Whether a raw value counts as not filled in: `null`, blank text, `[]`, or an object whose
/// members are all empty (`{}`, `{"member_ids": []}`).
fn is_empty_raw(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.trim().is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::Object(o) => o.values().all(is_empty_raw),
        _ => false,
    }
}

/// Validates raw values (JSON per control id) against `schema`.
///
/// Hidden controls (whose `visible_when` is not met) are dropped; required visible controls must
/// have a value; unknown control ids are refused. Returns typed values with derived numbers.
///
/// `null`, blank text, `[]` and objects whose members are all empty count as not filled in (an optional control left empty is
/// simply absent from the result). The raw shapes per kind:
///
/// | kind | raw JSON | value |
/// |---|---|---|
/// | text / textarea | string (≤ 200 / ≤ 5000 characters, trimmed) | `text` |
/// | number | number or numeric string, at most `decimals` decimals | `number` |
/// | money | number or string, ≥ 0, at most 2 decimals | `money` (`amount` `"1234.50"`, `cents`) |
/// | date | `"YYYY-MM-DD"`, or `"YYYY-MM-DDTHH:MM"` with `with_time` | `date` |
/// | date_range | `{"start", "end"}` as for date; duration in calendar days inclusive, or hours (to 0.01 h) with time | `date_range` |
/// | select | option id string; with `multiple` an array of option ids (a single string is accepted too) | `select` |
/// | contact | `{"member_ids": [..]}` (or `{"department_ids": [..]}` for a department picker); ids as strings or numbers; one id unless `multiple` | `contact` |
/// | attachment | array of file ids (≤ 100) | `attachment` |
/// | table | array of row objects keyed by column id (≤ 200 rows); each cell as its column's kind | `table` with per number/money column `sums` (money in yuan) |
/// | location | `{"lat", "lng", "title"?, "address"?}` (lat −90…90, lng −180…180) | `location` |
/// | description | must be absent | — |
/// | leave | `{"leave_type", "start", "end", "start_half"?, "end_half"?}`; dates (halves `"am"`/`"pm"` for half-day types) or date-times for hourly types; the type must exist and be enabled | `leave` with duration from [`crate::leave::leave_duration`] |
/// | business_trip | `{"start", "end"}` dates; inclusive calendar days (≤ 366) | `range` (days) |
/// | outing / overtime | `{"start", "end"}` date-times; hours to 0.01 h (≤ 366 days) | `range` (hours) |
/// | punch_correction | `{"at": "YYYY-MM-DDTHH:MM"}` | `punch_correction` |
/// | formula | computed; anything sent is ignored. Unfilled operands count as 0 | `formula` |
///
/// Errors name the control by its title (the Chinese title in `message_zh`, the English one or
/// else the Chinese in `message`); inside a table they carry the 0-based `row` and the
/// `column` id, and the messages say the row number counting from 1.
pub fn validate(
    schema: &FormSchema,
    raw: &BTreeMap<String, serde_json::Value>,
    ctx: &ValidationContext,
) -> Result<FormValues, FieldError> {
    if let Some(unknown) = raw
        .keys()
        .find(|k| !schema.controls.iter().any(|c| &c.id == *k))
    {
        return Err(FieldError {
            control_id: unknown.clone(),
            row: None,
            column: None,
            message: format!("The form has no field \"{unknown}\"."),
            message_zh: format!("表单中没有“{unknown}”这一项。"),
        });
    }
    let names = formula_names(schema);
    let mut values = FormValues::new();
    for c in &schema.controls {
        if !is_visible(c, &values) {
            continue;
        }
        let name = Name::of(c);
        if let ControlKind::Formula {
            expression,
            decimals,
        } = &c.kind
        {
            let v = eval_formula(expression, *decimals, &names, &values).ok_or_else(|| {
                name.err(
                    "{} cannot be computed (division by zero).",
                    "{}无法计算（除数为零）。",
                )
            })?;
            values.insert(c.id.clone(), Value::Formula { value: v });
            continue;
        }
        let v = raw.get(&c.id).filter(|v| !is_empty_raw(v));
        if let ControlKind::Description { .. } = c.kind {
            if v.is_some() {
                return Err(name.err("{} cannot be filled in.", "{}不可填写。"));
            }
            continue;
        }
        match v {
            None if c.required => return Err(name.err("{} is required.", "请填写{}。")),
            None => {}
            Some(v) => {
                let value = match &c.kind {
                    ControlKind::Table { columns } => validate_table(c, columns, v)?,
                    _ => validate_value(c, &name, v, ctx)?,
                };
                values.insert(c.id.clone(), value);
            }
        }
    }
    Ok(values)
}

/// The number a value stands for in formulas and conditions: numbers, money (in yuan),
/// formulas and durations.
pub fn numeric_value(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number { value } | Value::Formula { value } => Some(*value),
        Value::Money { cents, .. } => Some(*cents as f64 / 100.0),
        Value::DateRange { duration, .. }
        | Value::Leave { duration, .. }
        | Value::Range { duration, .. } => Some(*duration),
        _ => None,
    }
}

pub(super) fn round_to(v: f64, decimals: u8) -> f64 {
    let p = 10f64.powi(i32::from(decimals.min(6)));
    let r = (v * p).round() / p;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

fn validate_table(
    c: &Control,
    columns: &[Control],
    v: &serde_json::Value,
) -> Result<Value, FieldError> {
    let name = Name::of(c);
    let serde_json::Value::Array(rows) = v else {
        return Err(name.err("{} must be a list of rows.", "{}应为若干行。"));
    };
    if rows.len() > TABLE_MAX_ROWS {
        return Err(name.err(
            &format!("{{}} can have at most {TABLE_MAX_ROWS} rows."),
            &format!("{{}}不能超过{TABLE_MAX_ROWS}行。"),
        ));
    }
    let ctx = ValidationContext::default();
    let mut out_rows = Vec::with_capacity(rows.len());
    let mut sums: BTreeMap<String, f64> = BTreeMap::new();
    let mut cents_sums: BTreeMap<String, i64> = BTreeMap::new();
    for col in columns {
        match col.kind {
            ControlKind::Number { .. } => {
                sums.insert(col.id.clone(), 0.0);
            }
            ControlKind::Money { .. } => {
                cents_sums.insert(col.id.clone(), 0);
            }
            _ => {}
        }
    }
    for (i, row) in rows.iter().enumerate() {
        let serde_json::Value::Object(cells) = row else {
            return Err(FieldError {
                row: Some(i),
                ..name.err(
                    &format!("Row {} of {{}} must be an object of columns.", i + 1),
                    &format!("{{}}第{}行的格式不正确。", i + 1),
                )
            });
        };
        if let Some(unknown) = cells.keys().find(|k| !columns.iter().any(|c| &c.id == *k)) {
            return Err(FieldError {
                row: Some(i),
                column: Some(unknown.clone()),
                ..name.err(
                    &format!("{{}} has no column \"{unknown}\"."),
                    &format!("{{}}中没有“{unknown}”这一列。"),
                )
            });
        }
        let mut out = BTreeMap::new();
        for col in columns {
            let cell_name = Name::cell(c, i, col);
            match cells.get(&col.id).filter(|v| !is_empty_raw(v)) {
                None if col.required => return Err(cell_name.err("{} is required.", "请填写{}。")),
                None => {}
                Some(v) => {
                    let value = validate_value(col, &cell_name, v, &ctx)?;
                    match &value {
                        Value::Number { value } => {
                            *sums.entry(col.id.clone()).or_default() += value
                        }
                        Value::Money { cents, .. } => {
                            let s = cents_sums.entry(col.id.clone()).or_default();
                            *s = s.saturating_add(*cents);
                        }
                        _ => {}
                    }
                    out.insert(col.id.clone(), value);
                }
            }
        }
        out_rows.push(out);
    }
    for (k, v) in sums.iter_mut() {
        let decimals = columns
            .iter()
            .find(|c| &c.id == k)
            .and_then(|c| match c.kind {
                ControlKind::Number { decimals, .. } => Some(decimals),
                _ => None,
            })
            .unwrap_or(6);
        *v = round_to(*v, decimals);
    }
    for (k, cents) in cents_sums {
        sums.insert(k, cents as f64 / 100.0);
    }
    Ok(Value::Table {
        rows: out_rows,
        sums,
    })
}

fn validate_value(
    c: &Control,
    name: &Name,
    v: &serde_json::Value,
    ctx: &ValidationContext,
) -> Result<Value, FieldError> {
    use serde_json::Value as J;
    match &c.kind {
        ControlKind::Text | ControlKind::Textarea => {
            let J::String(s) = v else {
                return Err(name.err("{} must be text.", "{}应为文字。"));
            };
            let s = s.trim();
            let max = if c.kind == ControlKind::Text {
                TEXT_MAX_CHARS
            } else {
                TEXTAREA_MAX_CHARS
            };
            if s.chars().count() > max {
                return Err(name.err(
                    &format!("{{}} can be at most {max} characters long."),
                    &format!("{{}}不能超过{max}个字。"),
                ));
            }
            Ok(Value::Text {
                text: s.to_string(),
            })
        }
        ControlKind::Number { decimals, .. } => {
            let text =
                numeric_text(v).ok_or_else(|| name.err("{} must be a number.", "{}应为数字。"))?;
            let value: f64 = text
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite() && x.abs() < 1e15)
                .ok_or_else(|| name.err("{} must be a number.", "{}应为数字。"))?;
            if decimals_of(&text) > usize::from(*decimals) {
                return Err(if *decimals == 0 {
                    name.err("{} must be a whole number.", "{}应为整数。")
                } else {
                    name.err(
                        &format!("{{}} can have at most {decimals} decimal places."),
                        &format!("{{}}最多保留{decimals}位小数。"),
                    )
                });
            }
            Ok(Value::Number {
                value: if value == 0.0 { 0.0 } else { value },
            })
        }
        ControlKind::Money { .. } => {
            let bad = || {
                name.err(
                    "{} must be an amount with at most 2 decimal places.",
                    "{}应为最多两位小数的金额。",
                )
            };
            let text = numeric_text(v).ok_or_else(bad)?;
            if text.starts_with('-') && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
                return Err(name.err("{} cannot be negative.", "{}不能为负数。"));
            }
            let cents = parse_cents(text.trim_start_matches('-')).ok_or_else(bad)?;
            if cents > MONEY_MAX_CENTS {
                return Err(name.err("{} is too large.", "{}金额过大。"));
            }
            Ok(Value::Money {
                amount: format_cents(cents),
                cents,
            })
        }
        ControlKind::Date { with_time } => {
            let s = date_text(v, *with_time).ok_or_else(|| date_error(name, *with_time))?;
            Ok(Value::Date { value: s })
        }
        ControlKind::DateRange { with_time } => {
            let (start, end) = range_texts(name, v, *with_time)?;
            let (duration, unit) = range_duration(name, &start, &end, *with_time, None)?;
            Ok(Value::DateRange {
                start,
                end,
                duration,
                unit,
            })
        }
        ControlKind::BusinessTrip => {
            let (start, end) = range_texts(name, v, false)?;
            let (duration, unit) = range_duration(name, &start, &end, false, Some(366))?;
            Ok(Value::Range {
                start,
                end,
                duration,
                unit,
            })
        }
        ControlKind::Outing | ControlKind::Overtime => {
            let (start, end) = range_texts(name, v, true)?;
            let (duration, unit) = range_duration(name, &start, &end, true, Some(366))?;
            Ok(Value::Range {
                start,
                end,
                duration,
                unit,
            })
        }
        ControlKind::Select { multiple, options } => {
            let ids: Vec<&str> = match v {
                J::String(s) => vec![s.as_str()],
                J::Array(a) => a
                    .iter()
                    .map(|x| x.as_str())
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| name.err("{} must list option ids.", "{}的选项格式不正确。"))?,
                _ => return Err(name.err("{} must list option ids.", "{}的选项格式不正确。")),
            };
            let mut option_ids: Vec<String> = Vec::new();
            for id in ids {
                if !options.iter().any(|o| o.id == id) {
                    return Err(name.err("{} has no such option.", "{}没有这个选项。"));
                }
                if !option_ids.iter().any(|x| x == id) {
                    option_ids.push(id.to_string());
                }
            }
            if !multiple && option_ids.len() > 1 {
                return Err(name.err("{} allows only one choice.", "{}只能选一项。"));
            }
            Ok(Value::Select { option_ids })
        }
        ControlKind::Contact {
            departments,
            multiple,
        } => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Raw {
                #[serde(default)]
                member_ids: Vec<Id>,
                #[serde(default)]
                department_ids: Vec<Id>,
            }
            let bad = || {
                if *departments {
                    name.err("{} must list departments.", "{}应选择部门。")
                } else {
                    name.err("{} must list members.", "{}应选择成员。")
                }
            };
            let r: Raw = serde_json::from_value(v.clone()).map_err(|_| bad())?;
            let (ids, other) = if *departments {
                (r.department_ids, r.member_ids)
            } else {
                (r.member_ids, r.department_ids)
            };
            if !other.is_empty() {
                return Err(bad());
            }
            let ids = dedup(ids);
            if ids.is_empty() {
                return Err(if c.required {
                    name.err("{} is required.", "请填写{}。")
                } else {
                    bad()
                });
            }
            if !multiple && ids.len() > 1 {
                return Err(name.err("{} allows only one choice.", "{}只能选一项。"));
            }
            Ok(if *departments {
                Value::Contact {
                    member_ids: vec![],
                    department_ids: ids,
                }
            } else {
                Value::Contact {
                    member_ids: ids,
                    department_ids: vec![],
                }
            })
        }
        ControlKind::Attachment => {
            let ids: Vec<Id> = serde_json::from_value(v.clone())
                .map_err(|_| name.err("{} must list uploaded files.", "{}应为已上传的文件。"))?;
            let file_ids = dedup(ids);
            if file_ids.len() > ATTACHMENTS_MAX {
                return Err(name.err(
                    &format!("{{}} can hold at most {ATTACHMENTS_MAX} files."),
                    &format!("{{}}最多{ATTACHMENTS_MAX}个文件。"),
                ));
            }
            Ok(Value::Attachment { file_ids })
        }
        ControlKind::Location => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Raw {
                lat: f64,
                lng: f64,
                #[serde(default)]
                title: String,
                #[serde(default)]
                address: String,
            }
            let r: Raw = serde_json::from_value(v.clone())
                .ok()
                .filter(|r: &Raw| {
                    r.lat.is_finite()
                        && r.lng.is_finite()
                        && (-90.0..=90.0).contains(&r.lat)
                        && (-180.0..=180.0).contains(&r.lng)
                        && r.title.chars().count() <= TEXT_MAX_CHARS
                        && r.address.chars().count() <= 500
                })
                .ok_or_else(|| name.err("{} must be a valid location.", "{}的位置无效。"))?;
            Ok(Value::Location {
                lat: r.lat,
                lng: r.lng,
                title: r.title.trim().to_string(),
                address: r.address.trim().to_string(),
            })
        }
        ControlKind::Leave => validate_leave(name, v, ctx),
        ControlKind::PunchCorrection => {
            let at = v
                .as_object()
                .filter(|o| o.len() == 1)
                .and_then(|o| o.get("at"))
                .and_then(|at| date_text(at, true))
                .ok_or_else(|| date_error(name, true))?;
            Ok(Value::PunchCorrection { at })
        }
        // Handled by the caller.
        ControlKind::Description { .. }
        | ControlKind::Formula { .. }
        | ControlKind::Table { .. } => Err(name.err("{} cannot be filled in.", "{}不可填写。")),
    }
}

fn validate_leave(
    name: &Name,
    v: &serde_json::Value,
    ctx: &ValidationContext,
) -> Result<Value, FieldError> {
    use crate::leave::{leave_duration, LeaveRange, LeaveUnit, RangeError};
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        leave_type: String,
        start: String,
        end: String,
        #[serde(default)]
        start_half: Option<Half>,
        #[serde(default)]
        end_half: Option<Half>,
    }
    let r: Raw = serde_json::from_value(v.clone()).map_err(|_| {
        name.err(
            "{} needs a leave type, a start and an end.",
            "{}需要填写假期类型、开始和结束时间。",
        )
    })?;
    let Some(t) = ctx
        .leave_types
        .iter()
        .find(|t| t.key == r.leave_type && t.enabled)
    else {
        return Err(name.err(
            "{}: this leave type cannot be requested.",
            "{}：该假期类型不可申请。",
        ));
    };
    let half_day = t.unit == LeaveUnit::HalfDay;
    let range = LeaveRange {
        start: r.start.clone(),
        end: r.end.clone(),
        start_half: if half_day {
            Some(r.start_half.unwrap_or(Half::Am))
        } else {
            None
        },
        end_half: if half_day {
            Some(r.end_half.unwrap_or(Half::Pm))
        } else {
            None
        },
    };
    let (duration, unit) = leave_duration(t, &range).map_err(|e| match e {
        RangeError::BadDate => date_error(name, t.unit == LeaveUnit::Hour),
        RangeError::EndBeforeStart => name.err(
            "The end of {} is before its start.",
            "{}的结束时间早于开始时间。",
        ),
        RangeError::Empty => name.err("{} holds no working time.", "{}的时间段内没有工作时间。"),
        RangeError::TooLong => name.err("{} is longer than a year.", "{}不能超过一年。"),
    })?;
    Ok(Value::Leave {
        leave_type: r.leave_type,
        start: r.start,
        end: r.end,
        start_half: range.start_half,
        end_half: range.end_half,
        duration,
        unit,
    })
}

fn dedup(ids: Vec<Id>) -> Vec<Id> {
    let mut out: Vec<Id> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}
