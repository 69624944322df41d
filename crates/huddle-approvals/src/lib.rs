//! The approval engine (审批引擎).
//!
//! Everything here is plain Rust without I/O so that it can be tested exhaustively:
//! - [`form`]: the controls a template's form is made of, the values an applicant fills in, and
//!   validation that names the offending field and computes derived values (durations, table
//!   sums, formulas).
//! - [`flow`]: the approval flow a template defines (approver nodes, CC nodes, conditional
//!   branches) and its resolution, at submit time, to concrete people through a [`flow::Directory`].
//! - [`request`]: the state machine a submitted request follows (approve, reject, withdraw,
//!   return, transfer, add approver) with the effects each step has (who to notify).
//! - [`leave`]: leave durations (working days, half days, hours) and balance arithmetic.
//!
//! Status numbers follow WeCom's API so integrators recognise them.

pub mod flow;
pub mod form;
pub mod leave;
pub mod request;

pub use huddle_id::Id;

/// A text in Chinese and, optionally, English.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct I18nText {
    pub zh: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
}

impl I18nText {
    pub fn new(zh: &str, en: &str) -> Self {
        Self {
            zh: zh.to_string(),
            en: en.to_string(),
        }
    }
}
