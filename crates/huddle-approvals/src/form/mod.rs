//! Form schemas (the controls of a template), filled values, and validation.
//!
//! The applicant sends raw JSON per control id; [`validate`] checks it against the schema and
//! returns typed [`Value`]s with derived numbers filled in (durations, table sums, formulas), or
//! the first [`FieldError`] naming the offending control (and row/column inside a table).

use crate::{I18nText, Id};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

mod display;
mod formula;
mod parse;
mod schema;
#[cfg(test)]
mod tests;
mod validate;

pub use display::{display_value, format_cents, is_visible};
pub use schema::{check_schema, is_valid_id};
pub use validate::{numeric_value, validate};

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
    /// English, e.g. `the control id "a" is used twice`.
    pub message: String,
    /// The same in Chinese
    pub message_zh: String,
}

impl Control {
    /// How Chinese messages name the control: its Chinese title (else the English one, else the
    /// id) in quotes, e.g. `“事由”`.
    pub(crate) fn zh_name(&self) -> String {
        let t = [&self.title.zh, &self.title.en, &self.id]
            .into_iter()
            .find(|t| !t.trim().is_empty())
            .map_or("", |t| t.as_str());
        format!("“{t}”")
    }
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
