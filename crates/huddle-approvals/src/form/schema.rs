//! Checking a schema an administrator wants to save.

use super::formula::parse_formula;
use super::*;

/// Checks a schema an administrator wants to save.
///
/// - control ids are unique, `[A-Za-z0-9_-]{1,64}`; every control has a title;
/// - select options are non-empty, with unique valid ids;
/// - `visible_when` names an earlier (top-level) select control and options it has;
/// - table columns: at least one, unique valid ids, only text, textarea, number, money, date,
///   date range, select, contact, attachment and location; no `visible_when` inside tables;
/// - number and formula decimals are at most 6;
/// - a formula parses and refers only to number, money or formula controls defined before it,
///   or to `table.column` sums of number/money columns of tables defined before it;
/// - at most one leave control.
pub fn check_schema(schema: &FormSchema) -> Result<(), SchemaError> {
    let names = formula_names(schema);
    let mut seen: BTreeMap<&str, &Control> = BTreeMap::new();
    let mut leaves = 0;
    for c in &schema.controls {
        check_control_basics(c)?;
        if seen.contains_key(c.id.as_str()) {
            return Err(schema_err(
                c,
                format!("the control id \"{}\" is used twice", c.id),
                format!("控件标识“{}”重复。", c.id),
            ));
        }
        if let Some(vw) = &c.visible_when {
            let Some(sel) = seen.get(vw.control_id.as_str()) else {
                return Err(schema_err(
                    c,
                    format!(
                        "\"{}\" depends on \"{}\", which is not a control before it",
                        c.id, vw.control_id
                    ),
                    format!(
                        "{}依赖的“{}”不是排在它前面的控件。",
                        c.zh_name(),
                        vw.control_id
                    ),
                ));
            };
            let ControlKind::Select { options, .. } = &sel.kind else {
                return Err(schema_err(
                    c,
                    format!("\"{}\" can only depend on a select control", c.id),
                    format!("{}只能依赖选择控件。", c.zh_name()),
                ));
            };
            if vw.option_ids.is_empty() {
                return Err(schema_err(
                    c,
                    format!("\"{}\" depends on no option", c.id),
                    format!("{}没有指定依赖的选项。", c.zh_name()),
                ));
            }
            if let Some(o) = vw
                .option_ids
                .iter()
                .find(|o| !options.iter().any(|x| &x.id == *o))
            {
                return Err(schema_err(
                    c,
                    format!("\"{}\" has no option \"{o}\"", vw.control_id),
                    format!("{}没有选项“{o}”。", sel.zh_name()),
                ));
            }
        }
        match &c.kind {
            ControlKind::Table { columns } => {
                if columns.is_empty() {
                    return Err(schema_err(
                        c,
                        format!("the table \"{}\" has no columns", c.id),
                        format!("表格{}没有列。", c.zh_name()),
                    ));
                }
                let mut col_ids = Vec::new();
                for col in columns {
                    check_control_basics(col).map_err(|e| SchemaError {
                        control_id: Some(c.id.clone()),
                        message: format!("table \"{}\": {}", c.id, e.message),
                        message_zh: format!("表格{}：{}", c.zh_name(), e.message_zh),
                    })?;
                    let allowed = matches!(
                        col.kind,
                        ControlKind::Text
                            | ControlKind::Textarea
                            | ControlKind::Number { .. }
                            | ControlKind::Money { .. }
                            | ControlKind::Date { .. }
                            | ControlKind::DateRange { .. }
                            | ControlKind::Select { .. }
                            | ControlKind::Contact { .. }
                            | ControlKind::Attachment
                            | ControlKind::Location
                    );
                    if !allowed {
                        return Err(schema_err(
                            c,
                            format!(
                                "the column \"{}\" of table \"{}\" cannot be of that kind",
                                col.id, c.id
                            ),
                            format!(
                                "表格{}的列{}不能使用这种控件类型。",
                                c.zh_name(),
                                col.zh_name()
                            ),
                        ));
                    }
                    if col.visible_when.is_some() {
                        return Err(schema_err(
                            c,
                            format!(
                                "the column \"{}\" of table \"{}\" cannot depend on other controls",
                                col.id, c.id
                            ),
                            format!("表格{}的列{}不能依赖其他控件。", c.zh_name(), col.zh_name()),
                        ));
                    }
                    if col_ids.contains(&col.id.as_str()) {
                        return Err(schema_err(
                            c,
                            format!("table \"{}\" uses the column id \"{}\" twice", c.id, col.id),
                            format!("表格{}中的列标识“{}”重复。", c.zh_name(), col.id),
                        ));
                    }
                    col_ids.push(col.id.as_str());
                }
            }
            ControlKind::Leave => {
                leaves += 1;
                if leaves > 1 {
                    return Err(schema_err(
                        c,
                        "a form can hold only one leave control".into(),
                        "一个表单只能有一个请假控件。".into(),
                    ));
                }
            }
            ControlKind::Formula {
                expression,
                decimals,
            } => {
                if *decimals > 6 {
                    return Err(schema_err(
                        c,
                        format!("\"{}\" may have at most 6 decimals", c.id),
                        format!("{}最多保留6位小数。", c.zh_name()),
                    ));
                }
                let expr = parse_formula(expression, &names).map_err(|e| {
                    schema_err(
                        c,
                        format!("the formula of \"{}\" is not valid: {}", c.id, e.en),
                        format!("{}的公式有误：{}。", c.zh_name(), e.zh),
                    )
                })?;
                let mut refs = Vec::new();
                expr.refs(&mut refs);
                for r in refs {
                    if !formula_ref_ok(r, &seen) {
                        return Err(schema_err(
                            c,
                            format!(
                                "the formula of \"{}\" refers to \"{r}\", which is not a number, money or formula control (or a table's number/money column) before it",
                                c.id
                            ),
                            format!(
                                "{}的公式引用了“{r}”，它不是排在前面的数字、金额或公式控件（也不是前面表格的数字或金额列）。",
                                c.zh_name()
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
        seen.insert(&c.id, c);
    }
    Ok(())
}

fn schema_err(c: &Control, message: String, message_zh: String) -> SchemaError {
    SchemaError {
        control_id: Some(c.id.clone()),
        message,
        message_zh,
    }
}

/// Whether `id` is a valid control (or option) id: `[A-Za-z0-9_-]{1,64}`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn check_control_basics(c: &Control) -> Result<(), SchemaError> {
    if !is_valid_id(&c.id) {
        return Err(SchemaError {
            control_id: Some(c.id.clone()),
            message: format!(
                "\"{}\" is not a valid control id (1–64 letters, digits, - or _)",
                c.id
            ),
            message_zh: format!(
                "“{}”不是有效的控件标识（1–64位字母、数字、“-”或“_”）。",
                c.id
            ),
        });
    }
    if c.title.zh.trim().is_empty() && c.title.en.trim().is_empty() {
        return Err(schema_err(
            c,
            format!("the control \"{}\" has no title", c.id),
            format!("控件“{}”没有标题。", c.id),
        ));
    }
    match &c.kind {
        ControlKind::Number { decimals, .. } if *decimals > 6 => Err(schema_err(
            c,
            format!("\"{}\" may have at most 6 decimals", c.id),
            format!("{}最多保留6位小数。", c.zh_name()),
        )),
        ControlKind::Select { options, .. } => {
            if options.is_empty() {
                return Err(schema_err(
                    c,
                    format!("the select \"{}\" has no options", c.id),
                    format!("选择控件{}没有选项。", c.zh_name()),
                ));
            }
            let mut ids = Vec::new();
            for o in options {
                if !is_valid_id(&o.id) {
                    return Err(schema_err(
                        c,
                        format!("\"{}\" is not a valid option id", o.id),
                        format!("{}的选项标识“{}”无效。", c.zh_name(), o.id),
                    ));
                }
                if ids.contains(&o.id.as_str()) {
                    return Err(schema_err(
                        c,
                        format!("the select \"{}\" has the option \"{}\" twice", c.id, o.id),
                        format!("{}的选项标识“{}”重复。", c.zh_name(), o.id),
                    ));
                }
                ids.push(o.id.as_str());
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn formula_ref_ok(r: &str, seen: &BTreeMap<&str, &Control>) -> bool {
    if let Some((table, column)) = r.split_once('.') {
        let Some(Control {
            kind: ControlKind::Table { columns },
            ..
        }) = seen.get(table)
        else {
            return false;
        };
        return columns.iter().any(|c| {
            c.id == column
                && matches!(
                    c.kind,
                    ControlKind::Number { .. } | ControlKind::Money { .. }
                )
        });
    }
    matches!(
        seen.get(r).map(|c| &c.kind),
        Some(ControlKind::Number { .. } | ControlKind::Money { .. } | ControlKind::Formula { .. })
    )
}

/// Names a formula may mention: every control id and `table.column` of the schema.
pub(super) fn formula_names(schema: &FormSchema) -> Vec<String> {
    let mut names = Vec::new();
    for c in &schema.controls {
        names.push(c.id.clone());
        if let ControlKind::Table { columns } = &c.kind {
            for col in columns {
                names.push(format!("{}.{}", c.id, col.id));
            }
        }
    }
    names
}
