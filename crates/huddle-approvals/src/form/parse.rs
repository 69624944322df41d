//! Parsing of dates, date ranges, numbers and money amounts.

use super::formula::is_number_literal;
use super::validate::{round_to, Name};
use super::*;

pub(super) fn date_error(name: &Name, with_time: bool) -> FieldError {
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

pub(super) fn date_text(v: &serde_json::Value, with_time: bool) -> Option<String> {
    let s = v.as_str()?;
    let ok = if with_time {
        crate::leave::parse_datetime(s).is_some()
    } else {
        crate::leave::parse_date(s).is_some()
    };
    ok.then(|| s.to_string())
}

pub(super) fn range_texts(
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
pub(super) fn range_duration(
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
pub(super) fn numeric_text(v: &serde_json::Value) -> Option<String> {
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

pub(super) fn trim_zeros(t: &mut String) {
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
pub(super) fn decimals_of(text: &str) -> usize {
    match text.split_once('.') {
        Some((_, frac)) => frac.trim_end_matches('0').len(),
        None => 0,
    }
}

/// Cents of a non-negative decimal text with at most two significant decimals.
pub(super) fn parse_cents(text: &str) -> Option<i64> {
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
