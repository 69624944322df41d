//! Form schemas (the controls of a template), filled values, and validation.
//!
//! The applicant sends raw JSON per control id; [`validate`] checks it against the schema and
//! returns typed [`Value`]s with derived numbers filled in (durations, table sums, formulas), or
//! the first [`FieldError`] naming the offending control (and row/column inside a table).

use crate::{I18nText, Id};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A template's form: controls in display order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FormSchema {
    pub controls: Vec<Control>,
}

/// One control of a form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Control {
    /// Stable key within the template (letters, digits, `-`, `_`), e.g. `reason`.
    pub id: String,
    pub title: I18nText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<I18nText>,
    #[serde(default)]
    pub required: bool,
    /// Shown (and validated) only while a select control has one of these options chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_when: Option<VisibleWhen>,
    pub kind: ControlKind,
}

/// "Show this control only when select `control_id` has one of `option_ids` chosen."
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VisibleWhen {
    pub control_id: String,
    pub option_ids: Vec<String>,
}

/// The kinds of controls (WeCom: Text, Textarea, Number, Money, Date, DateRange, Selector,
/// Contact, File, Table, Location, Tips, Vacation, Attendance, PunchCorrection, Formula).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ControlKind {
    /// One line of text.
    Text,
    /// Several lines of text.
    Textarea,
    Number {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
        /// Decimal places allowed (0–6).
        #[serde(default)]
        decimals: u8,
    },
    /// An amount with two decimals.
    Money {
        #[serde(default = "default_currency")]
        currency: String,
    },
    /// A date (`YYYY-MM-DD`) or, with `with_time`, a date and time (`YYYY-MM-DDTHH:MM`).
    Date {
        #[serde(default)]
        with_time: bool,
    },
    /// A start and end; the duration is computed (days for dates, hours with time).
    DateRange {
        #[serde(default)]
        with_time: bool,
    },
    /// Single or multiple choice. Other controls can depend on the choice via `visible_when`.
    Select {
        #[serde(default)]
        multiple: bool,
        options: Vec<SelectOption>,
    },
    /// Members (or departments) of the organization.
    Contact {
        /// Pick departments instead of members.
        #[serde(default)]
        departments: bool,
        #[serde(default)]
        multiple: bool,
    },
    /// Uploaded files (ids from the file API).
    Attachment,
    /// Repeating rows of columns; every number/money column's sum is computed.
    Table {
        #[schema(no_recursion)]
        columns: Vec<Control>,
    },
    Location,
    /// Explanatory text shown on the form; holds no value.
    Description {
        text: I18nText,
    },
    /// Leave (请假): a leave type and a range; the duration follows the leave type's unit.
    Leave,
    /// Business trip (出差): a date range in days.
    BusinessTrip,
    /// Outing (外出): a date-time range in hours.
    Outing,
    /// Overtime (加班): a date-time range in hours.
    Overtime,
    /// Make-up check-in (补卡): the date and time of the missed check-in.
    PunchCorrection,
    /// A computed number: `+ - * /` and parentheses over number/money control ids, table
    /// column sums written `table_id.column_id`, and numeric literals.
    Formula {
        expression: String,
        #[serde(default = "default_formula_decimals")]
        decimals: u8,
    },
}

fn default_currency() -> String {
    "CNY".into()
}
fn default_formula_decimals() -> u8 {
    2
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SelectOption {
    pub id: String,
    pub label: I18nText,
}

/// Half of a day, for leave taken in half days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Half {
    Am,
    Pm,
}

/// A validated value. Derived numbers (durations, sums, formula results) are filled in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Value {
    Text {
        text: String,
    },
    Number {
        value: f64,
    },
    /// `amount` is the canonical decimal text (`"1234.50"`), `cents` the same in cents.
    Money {
        amount: String,
        cents: i64,
    },
    Date {
        /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`.
        value: String,
    },
    DateRange {
        start: String,
        end: String,
        duration: f64,
        unit: DurationUnit,
    },
    Select {
        option_ids: Vec<String>,
    },
    Contact {
        #[serde(default)]
        member_ids: Vec<Id>,
        #[serde(default)]
        department_ids: Vec<Id>,
    },
    Attachment {
        file_ids: Vec<Id>,
    },
    Table {
        #[schema(no_recursion)]
        rows: Vec<BTreeMap<String, Value>>,
        /// Sum per number/money column id.
        sums: BTreeMap<String, f64>,
    },
    Location {
        lat: f64,
        lng: f64,
        #[serde(default)]
        title: String,
        #[serde(default)]
        address: String,
    },
    /// Leave: `start`/`end` are dates (with `start_half`/`end_half` for half-day types) or
    /// date-times for hourly types.
    Leave {
        leave_type: String,
        start: String,
        end: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start_half: Option<Half>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end_half: Option<Half>,
        duration: f64,
        unit: DurationUnit,
    },
    /// Business trip, outing or overtime.
    Range {
        start: String,
        end: String,
        duration: f64,
        unit: DurationUnit,
    },
    PunchCorrection {
        /// `YYYY-MM-DDTHH:MM`
        at: String,
    },
    Formula {
        value: f64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    Day,
    Hour,
}

/// Filled values by control id.
pub type FormValues = BTreeMap<String, Value>;

/// What validation needs to know beyond the schema.
#[derive(Clone, Debug, Default)]
pub struct ValidationContext {
    /// The organization's leave types (for `Leave` controls).
    pub leave_types: Vec<crate::leave::LeaveType>,
}

/// A validation failure naming the control (and, inside a table, the row and column).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    pub control_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// English, naming the control by its title, e.g. `"Reason" is required.`
    pub message: String,
    /// The same in Chinese, e.g. `请填写“事由”。`
    pub message_zh: String,
}

/// A schema that cannot be saved (duplicate ids, unknown references, bad formulas, …).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SchemaError {
    /// The offending control id, when there is one.
    pub control_id: Option<String>,
    pub message: String,
}

/// Text limits.
pub const TEXT_MAX_CHARS: usize = 200;
pub const TEXTAREA_MAX_CHARS: usize = 5000;
pub const TABLE_MAX_ROWS: usize = 200;
pub const ATTACHMENTS_MAX: usize = 100;
const FORMULA_MAX_LEN: usize = 1000;
const FORMULA_MAX_DEPTH: usize = 32;
/// The largest money amount accepted, in cents (one trillion yuan).
const MONEY_MAX_CENTS: i64 = 100_000_000_000_000;

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
                ));
            };
            let ControlKind::Select { options, .. } = &sel.kind else {
                return Err(schema_err(
                    c,
                    format!("\"{}\" can only depend on a select control", c.id),
                ));
            };
            if vw.option_ids.is_empty() {
                return Err(schema_err(c, format!("\"{}\" depends on no option", c.id)));
            }
            if let Some(o) = vw
                .option_ids
                .iter()
                .find(|o| !options.iter().any(|x| &x.id == *o))
            {
                return Err(schema_err(
                    c,
                    format!("\"{}\" has no option \"{o}\"", vw.control_id),
                ));
            }
        }
        match &c.kind {
            ControlKind::Table { columns } => {
                if columns.is_empty() {
                    return Err(schema_err(
                        c,
                        format!("the table \"{}\" has no columns", c.id),
                    ));
                }
                let mut col_ids = Vec::new();
                for col in columns {
                    check_control_basics(col).map_err(|e| SchemaError {
                        control_id: Some(c.id.clone()),
                        message: format!("table \"{}\": {}", c.id, e.message),
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
                        ));
                    }
                    if col.visible_when.is_some() {
                        return Err(schema_err(
                            c,
                            format!(
                                "the column \"{}\" of table \"{}\" cannot depend on other controls",
                                col.id, c.id
                            ),
                        ));
                    }
                    if col_ids.contains(&col.id.as_str()) {
                        return Err(schema_err(
                            c,
                            format!("table \"{}\" uses the column id \"{}\" twice", c.id, col.id),
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
                    ));
                }
                let expr = parse_formula(expression, &names).map_err(|m| {
                    schema_err(c, format!("the formula of \"{}\" is not valid: {m}", c.id))
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

fn schema_err(c: &Control, message: String) -> SchemaError {
    SchemaError {
        control_id: Some(c.id.clone()),
        message,
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
        });
    }
    if c.title.zh.trim().is_empty() && c.title.en.trim().is_empty() {
        return Err(schema_err(
            c,
            format!("the control \"{}\" has no title", c.id),
        ));
    }
    match &c.kind {
        ControlKind::Number { decimals, .. } if *decimals > 6 => Err(schema_err(
            c,
            format!("\"{}\" may have at most 6 decimals", c.id),
        )),
        ControlKind::Select { options, .. } => {
            if options.is_empty() {
                return Err(schema_err(
                    c,
                    format!("the select \"{}\" has no options", c.id),
                ));
            }
            let mut ids = Vec::new();
            for o in options {
                if !is_valid_id(&o.id) {
                    return Err(schema_err(
                        c,
                        format!("\"{}\" is not a valid option id", o.id),
                    ));
                }
                if ids.contains(&o.id.as_str()) {
                    return Err(schema_err(
                        c,
                        format!("the select \"{}\" has the option \"{}\" twice", c.id, o.id),
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
fn formula_names(schema: &FormSchema) -> Vec<String> {
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

// ---------------------------------------------------------------------------------------------
// Formulas

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Num(f64),
    Ref(String),
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
}

impl Expr {
    fn refs<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Num(_) => {}
            Expr::Ref(r) => out.push(r),
            Expr::Neg(e) => e.refs(out),
            Expr::Bin(_, a, b) => {
                a.refs(out);
                b.refs(out);
            }
        }
    }

    /// `None` on division by zero (or a result that is not a finite number).
    fn eval(&self, var: &dyn Fn(&str) -> f64) -> Option<f64> {
        let v = match self {
            Expr::Num(n) => *n,
            Expr::Ref(r) => var(r),
            Expr::Neg(e) => -e.eval(var)?,
            Expr::Bin(op, a, b) => {
                let (a, b) = (a.eval(var)?, b.eval(var)?);
                match op {
                    '+' => a + b,
                    '-' => a - b,
                    '*' => a * b,
                    _ => {
                        if b == 0.0 {
                            return None;
                        }
                        a / b
                    }
                }
            }
        };
        v.is_finite().then_some(v)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Op(char),
    Open,
    Close,
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'
}

fn is_number_literal(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && (!s.contains('.') || (!frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())))
}

/// Splits a formula into tokens. Control ids may contain `-`: a run like `a-b` is the control
/// `a-b` when the form has one, else `a` minus `b` (write `a - b` to be explicit).
fn tokenize(src: &str, names: &[String]) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '+' | '-' | '*' | '/' => {
                out.push(Tok::Op(c));
                i += 1;
            }
            '×' => {
                out.push(Tok::Op('*'));
                i += 1;
            }
            '÷' => {
                out.push(Tok::Op('/'));
                i += 1;
            }
            '(' | '（' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' | '）' => {
                out.push(Tok::Close);
                i += 1;
            }
            c if is_name_char(c) && c != '-' => {
                let mut j = i;
                while j < chars.len() && is_name_char(chars[j]) {
                    j += 1;
                }
                let run: String = chars[i..j].iter().collect();
                // Candidates: the whole run, then the run cut before each '-' (longest first).
                let mut cuts: Vec<usize> = run.match_indices('-').map(|(k, _)| k).collect();
                cuts.reverse();
                let mut candidates = vec![run.len()];
                candidates.extend(cuts);
                let mut taken = None;
                for len in &candidates {
                    let cand = &run[..*len];
                    if is_number_literal(cand) || names.iter().any(|n| n == cand) {
                        taken = Some(*len);
                        break;
                    }
                }
                let len = taken.unwrap_or(*candidates.last().unwrap_or(&run.len()));
                let tok = &run[..len];
                if tok.is_empty() {
                    return Err(format!("unexpected \"{run}\""));
                }
                if is_number_literal(tok) {
                    out.push(Tok::Num(
                        tok.parse().map_err(|_| format!("bad number \"{tok}\""))?,
                    ));
                } else if tok.starts_with(|c: char| c.is_ascii_digit())
                    && tok.parse::<f64>().is_ok()
                {
                    return Err(format!("bad number \"{tok}\""));
                } else {
                    out.push(Tok::Name(tok.to_string()));
                }
                i += tok.chars().count();
            }
            other => return Err(format!("unexpected \"{other}\"")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut left = self.term()?;
        while let Some(Tok::Op(op @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            let right = self.term()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, String> {
        let mut left = self.factor()?;
        while let Some(Tok::Op(op @ ('*' | '/'))) = self.peek().cloned() {
            self.pos += 1;
            let right = self.factor()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > FORMULA_MAX_DEPTH {
            return Err("the formula is nested too deeply".into());
        }
        let tok = self.peek().cloned();
        self.pos += 1;
        let e = match tok {
            Some(Tok::Num(n)) => Expr::Num(n),
            Some(Tok::Name(n)) => Expr::Ref(n),
            Some(Tok::Op('-')) => Expr::Neg(Box::new(self.factor()?)),
            Some(Tok::Op('+')) => self.factor()?,
            Some(Tok::Open) => {
                let e = self.expr()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err("a parenthesis is not closed".into());
                }
                self.pos += 1;
                e
            }
            Some(Tok::Close) => return Err("unexpected \")\"".into()),
            Some(Tok::Op(o)) => return Err(format!("unexpected \"{o}\"")),
            None => return Err("the formula ends too early".into()),
        };
        self.depth -= 1;
        Ok(e)
    }
}

fn parse_formula(src: &str, names: &[String]) -> Result<Expr, String> {
    if src.len() > FORMULA_MAX_LEN {
        return Err("the formula is too long".into());
    }
    let toks = tokenize(src, names)?;
    if toks.is_empty() {
        return Err("the formula is empty".into());
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.expr()?;
    if p.pos != p.toks.len() {
        return Err("unexpected text after the formula".into());
    }
    Ok(e)
}

// ---------------------------------------------------------------------------------------------
// Validation

/// How a control is named in messages: `"Reason"` / `“事由”`, or inside a table
/// `"Amount" in row 2 of "Items"` / `“明细”第2行的“金额”`.
struct Name {
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
    fn err(&self, en: &str, zh: &str) -> FieldError {
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

fn title_zh(t: &I18nText) -> &str {
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

fn eval_formula(
    expression: &str,
    decimals: u8,
    names: &[String],
    values: &FormValues,
) -> Option<f64> {
    // The schema was checked when saved; a formula that does not parse counts as 0.
    let Ok(expr) = parse_formula(expression, names) else {
        return Some(0.0);
    };
    let var = |r: &str| -> f64 {
        if let Some((table, column)) = r.split_once('.') {
            return match values.get(table) {
                Some(Value::Table { sums, .. }) => sums.get(column).copied().unwrap_or(0.0),
                _ => 0.0,
            };
        }
        numeric_value(values.get(r)).unwrap_or(0.0)
    };
    let v = expr.eval(&var)?;
    Some(round_to(v, decimals))
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

fn round_to(v: f64, decimals: u8) -> f64 {
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

fn date_error(name: &Name, with_time: bool) -> FieldError {
    if with_time {
        name.err(
            "{} must be a date and time (YYYY-MM-DDTHH:MM).",
            "{}应为日期和时间（YYYY-MM-DDTHH:MM）。",
        )
    } else {
        name.err(
            "{} must be a date (YYYY-MM-DD).",
            "{}应为日期（YYYY-MM-DD）。",
        )
    }
}

fn date_text(v: &serde_json::Value, with_time: bool) -> Option<String> {
    let s = v.as_str()?;
    let ok = if with_time {
        crate::leave::parse_datetime(s).is_some()
    } else {
        crate::leave::parse_date(s).is_some()
    };
    ok.then(|| s.to_string())
}

fn range_texts(
    name: &Name,
    v: &serde_json::Value,
    with_time: bool,
) -> Result<(String, String), FieldError> {
    let o = v
        .as_object()
        .filter(|o| o.keys().all(|k| k == "start" || k == "end"));
    let get = |k: &str| {
        o.and_then(|o| o.get(k))
            .and_then(|x| date_text(x, with_time))
    };
    match (get("start"), get("end")) {
        (Some(s), Some(e)) => Ok((s, e)),
        _ => Err(if with_time {
            name.err(
                "{} needs a start and an end (YYYY-MM-DDTHH:MM).",
                "{}需要开始和结束时间（YYYY-MM-DDTHH:MM）。",
            )
        } else {
            name.err(
                "{} needs a start and an end date (YYYY-MM-DD).",
                "{}需要开始和结束日期（YYYY-MM-DD）。",
            )
        }),
    }
}

/// Days (calendar days, inclusive) or hours (to 0.01 h) between two validated texts.
fn range_duration(
    name: &Name,
    start: &str,
    end: &str,
    with_time: bool,
    max_days: Option<i64>,
) -> Result<(f64, DurationUnit), FieldError> {
    let before = || {
        name.err(
            "The end of {} is before its start.",
            "{}的结束时间早于开始时间。",
        )
    };
    let too_long = || name.err("{} is longer than a year.", "{}不能超过一年。");
    if with_time {
        let (s, e) = (
            crate::leave::parse_datetime(start).ok_or_else(|| date_error(name, true))?,
            crate::leave::parse_datetime(end).ok_or_else(|| date_error(name, true))?,
        );
        let minutes = (e - s).num_minutes();
        if minutes <= 0 {
            return Err(before());
        }
        if max_days.is_some_and(|d| minutes > d * 24 * 60) {
            return Err(too_long());
        }
        Ok((round_to(minutes as f64 / 60.0, 2), DurationUnit::Hour))
    } else {
        let (s, e) = (
            crate::leave::parse_date(start).ok_or_else(|| date_error(name, false))?,
            crate::leave::parse_date(end).ok_or_else(|| date_error(name, false))?,
        );
        let days = (e - s).num_days() + 1;
        if days <= 0 {
            return Err(before());
        }
        if max_days.is_some_and(|d| days > d) {
            return Err(too_long());
        }
        Ok((days as f64, DurationUnit::Day))
    }
}

/// The decimal text of a JSON number or numeric string (`-?digits(.digits)?`), or `None`.
fn numeric_text(v: &serde_json::Value) -> Option<String> {
    let s = match v {
        serde_json::Value::Number(n) => {
            let s = n.to_string();
            if s.contains(['e', 'E']) {
                // Exponent notation from very large or small floats: write it out plainly.
                let f = n.as_f64()?;
                if !f.is_finite() || f.abs() >= 1e15 {
                    return None;
                }
                let mut t = format!("{f:.10}");
                trim_zeros(&mut t);
                t
            } else {
                s
            }
        }
        serde_json::Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    let body = s.strip_prefix('-').unwrap_or(&s);
    is_number_literal(body).then_some(s)
}

fn trim_zeros(t: &mut String) {
    if t.contains('.') {
        while t.ends_with('0') {
            t.pop();
        }
        if t.ends_with('.') {
            t.pop();
        }
    }
}

/// Decimal places that matter (trailing zeros do not count).
fn decimals_of(text: &str) -> usize {
    match text.split_once('.') {
        Some((_, frac)) => frac.trim_end_matches('0').len(),
        None => 0,
    }
}

/// Cents of a non-negative decimal text with at most two significant decimals.
fn parse_cents(text: &str) -> Option<i64> {
    if !is_number_literal(text) || decimals_of(text) > 2 {
        return None;
    }
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let int = int.trim_start_matches('0');
    if int.len() > 15 {
        return None;
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac = frac.trim_end_matches('0');
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    int.checked_mul(100)?.checked_add(frac)
}

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

#[cfg(test)]
mod tests {
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

    #[test]
    fn schema_checks() {
        assert_eq!(check_schema(&expense_schema()), Ok(()));
        let bad = |controls: Vec<Control>| check_schema(&FormSchema { controls }).unwrap_err();
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
        let ok = |controls: Vec<Control>| check_schema(&FormSchema { controls });
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
        assert!(
            ok(json!({"out": {"start": "2026-12-01T13:00", "end": "2026-12-01T13:00"}})).is_err()
        );
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
        let e =
            ok(json!({"leave": {"leave_type": "old", "start": "2026-12-01", "end": "2026-12-01"}}))
                .unwrap_err();
        assert!(e.message.contains("cannot be requested"), "{}", e.message);
        assert!(ok(
            json!({"leave": {"leave_type": "nope", "start": "2026-12-01", "end": "2026-12-01"}})
        )
        .is_err());
        let e = ok(
            json!({"leave": {"leave_type": "sick", "start": "2026-12-05", "end": "2026-12-06"}}),
        )
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
}
