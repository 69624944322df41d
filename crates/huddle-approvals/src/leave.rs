//! Leave (假期): leave types, durations and balance arithmetic.

use crate::form::{DurationUnit, Half};
use crate::I18nText;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a leave type is taken and counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeaveUnit {
    /// Whole days.
    Day,
    /// Half days (morning / afternoon).
    HalfDay,
    /// Hours.
    Hour,
}

/// How much of a leave type a member gets each calendar year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuotaRule {
    /// No balance is kept: any amount may be requested (e.g. sick leave, unpaid leave).
    Unlimited,
    /// A balance kept by manual adjustments only.
    Manual,
    /// The same amount every year (in the type's unit: days, or hours for hourly types).
    Fixed { per_year: f64 },
    /// By completed years of service at the start of the year: the last tier whose
    /// `min_years` is reached applies (e.g. 0 → 5 days, 10 → 10, 20 → 15).
    BySeniority { tiers: Vec<SeniorityTier> },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SeniorityTier {
    pub min_years: u32,
    pub amount: f64,
}

/// A leave type configured for the organization (年假, 事假, 病假, 调休 …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LeaveType {
    /// Stable key, e.g. `annual`.
    pub key: String,
    pub name: I18nText,
    pub unit: LeaveUnit,
    /// Working hours in a day, for converting and for hourly types (default 8).
    #[serde(default = "default_hours_per_day")]
    pub hours_per_day: f64,
    pub quota: QuotaRule,
    /// Switched off types cannot be requested any more but keep their ledger.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn default_hours_per_day() -> f64 {
    8.0
}
fn yes() -> bool {
    true
}

/// A leave range as the applicant entered it.
#[derive(Clone, Debug, PartialEq)]
pub struct LeaveRange {
    /// `YYYY-MM-DD` for day and half-day types, `YYYY-MM-DDTHH:MM` for hourly types.
    pub start: String,
    pub end: String,
    pub start_half: Option<Half>,
    pub end_half: Option<Half>,
}

/// Why a range is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("the date or time is not valid")]
    BadDate,
    #[error("the end is before the start")]
    EndBeforeStart,
    #[error("the range holds no working time")]
    Empty,
    #[error("the range is longer than a year")]
    TooLong,
}

/// The duration of a leave in the type's counting unit (days for day/half-day types, hours for
/// hourly types). Days count working days (Monday to Friday); a public-holiday calendar is the
/// attendance app's and is not applied here.
///
/// - [`LeaveUnit::Day`]: the working days from `start` to `end` inclusive (halves are ignored).
/// - [`LeaveUnit::HalfDay`]: the same, less half a day when `start_half` is the afternoon and
///   less half a day when `end_half` is the morning (on working days); missing halves mean "from
///   the morning" / "to the afternoon". `2026-12-01 am → 2026-12-01 am` is half a day.
/// - [`LeaveUnit::Hour`]: the difference between two date-times, rounded to the nearest half
///   hour; at most 24 × 366 hours.
///
/// Errors: [`RangeError::BadDate`] for text that is not a date (time), [`RangeError::EndBeforeStart`],
/// [`RangeError::Empty`] when no working time remains (a weekend, a zero-length range),
/// [`RangeError::TooLong`] for more than 366 calendar days.
pub fn leave_duration(
    t: &LeaveType,
    range: &LeaveRange,
) -> Result<(f64, DurationUnit), RangeError> {
    match t.unit {
        LeaveUnit::Hour => {
            let (s, e) = parse_datetimes(range)?;
            let minutes = (e - s).num_minutes();
            if minutes > 24 * 366 * 60 {
                return Err(RangeError::TooLong);
            }
            let halves = (minutes + 15) / 30;
            if halves <= 0 {
                return Err(RangeError::Empty);
            }
            Ok((halves as f64 / 2.0, DurationUnit::Hour))
        }
        LeaveUnit::Day | LeaveUnit::HalfDay => {
            let (s, e) = parse_dates(range)?;
            let (start_half, end_half) = halves_of(t, range);
            if s == e && start_half == Half::Pm && end_half == Half::Am {
                return Err(RangeError::EndBeforeStart);
            }
            let mut days = working_days(s, e) as f64;
            if start_half == Half::Pm && is_working_day(s) {
                days -= 0.5;
            }
            if end_half == Half::Am && is_working_day(e) {
                days -= 0.5;
            }
            if days <= 0.0 {
                return Err(RangeError::Empty);
            }
            Ok((days, DurationUnit::Day))
        }
    }
}

/// The time span a leave occupies, as half-open `[start, end)` minutes since the Unix epoch in
/// local time, for overlap checks between requests of any unit.
///
/// Day and half-day types occupy from the start of the first day (noon when it starts in the
/// afternoon) to the end of the last day (noon when it ends in the morning); hourly types
/// occupy exactly their range. Weekends inside a range are part of the span.
pub fn occupied_span(t: &LeaveType, range: &LeaveRange) -> Result<(i64, i64), RangeError> {
    let (s, e) = match t.unit {
        LeaveUnit::Hour => {
            let (s, e) = parse_datetimes(range)?;
            (minutes_of(s), minutes_of(e))
        }
        LeaveUnit::Day | LeaveUnit::HalfDay => {
            let (s, e) = parse_dates(range)?;
            let (start_half, end_half) = halves_of(t, range);
            let day_start = |d: NaiveDate| minutes_of(d.and_time(NaiveTime::MIN));
            let s = day_start(s) + if start_half == Half::Pm { 12 * 60 } else { 0 };
            let e = day_start(e)
                + if end_half == Half::Am {
                    12 * 60
                } else {
                    24 * 60
                };
            (s, e)
        }
    };
    if e < s {
        return Err(RangeError::EndBeforeStart);
    }
    if e == s {
        return Err(RangeError::Empty);
    }
    Ok((s, e))
}

/// Whether two spans from [`occupied_span`] overlap.
pub fn spans_overlap(a: (i64, i64), b: (i64, i64)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// The yearly grant for `year` under `rule`, given the member's join date (`YYYY-MM-DD`) if
/// known. `None` when the rule grants nothing automatically (unlimited, manual).
///
/// For [`QuotaRule::BySeniority`] the years of service are the completed years at January 1 of
/// `year` (someone who joined 2020-03-01 has 5 on 2026-01-01); the tier with the highest
/// `min_years` reached applies (0 when none is). Without a (valid) join date the first tier
/// applies.
pub fn annual_grant(rule: &QuotaRule, join_date: Option<&str>, year: i32) -> Option<f64> {
    match rule {
        QuotaRule::Unlimited | QuotaRule::Manual => None,
        QuotaRule::Fixed { per_year } => Some(*per_year),
        QuotaRule::BySeniority { tiers } => {
            let joined = join_date.and_then(parse_date);
            let Some(joined) = joined else {
                return Some(tiers.first().map_or(0.0, |t| t.amount));
            };
            let mut years = i64::from(year) - i64::from(joined.year());
            if (joined.month(), joined.day()) != (1, 1) {
                years -= 1;
            }
            let years = years.max(0);
            let best = tiers
                .iter()
                .enumerate()
                .filter(|(_, t)| i64::from(t.min_years) <= years)
                // The highest threshold reached; among equal thresholds the last listed.
                .max_by_key(|(i, t)| (t.min_years, *i));
            Some(best.map_or(0.0, |(_, t)| t.amount))
        }
    }
}

/// Parses a strict `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Parses a strict `YYYY-MM-DDTHH:MM`.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    parse_date(&s[..10])?;
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").ok()
}

/// Whether the day is Monday to Friday.
pub fn is_working_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Working days from `s` to `e` inclusive (0 when `e < s`).
pub fn working_days(s: NaiveDate, e: NaiveDate) -> i64 {
    if e < s {
        return 0;
    }
    let total = (e - s).num_days() + 1;
    let weeks = total / 7;
    let first = s + chrono::Duration::days(weeks * 7);
    weeks * 5
        + (0..total % 7)
            .filter(|i| is_working_day(first + chrono::Duration::days(*i)))
            .count() as i64
}

fn halves_of(t: &LeaveType, range: &LeaveRange) -> (Half, Half) {
    match t.unit {
        LeaveUnit::HalfDay => (
            range.start_half.unwrap_or(Half::Am),
            range.end_half.unwrap_or(Half::Pm),
        ),
        _ => (Half::Am, Half::Pm),
    }
}

fn parse_dates(range: &LeaveRange) -> Result<(NaiveDate, NaiveDate), RangeError> {
    let s = parse_date(&range.start).ok_or(RangeError::BadDate)?;
    let e = parse_date(&range.end).ok_or(RangeError::BadDate)?;
    if e < s {
        return Err(RangeError::EndBeforeStart);
    }
    if (e - s).num_days() >= 366 {
        return Err(RangeError::TooLong);
    }
    Ok((s, e))
}

fn parse_datetimes(range: &LeaveRange) -> Result<(NaiveDateTime, NaiveDateTime), RangeError> {
    let s = parse_datetime(&range.start).ok_or(RangeError::BadDate)?;
    let e = parse_datetime(&range.end).ok_or(RangeError::BadDate)?;
    if e < s {
        return Err(RangeError::EndBeforeStart);
    }
    Ok((s, e))
}

fn minutes_of(dt: NaiveDateTime) -> i64 {
    dt.and_utc().timestamp().div_euclid(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lt(unit: LeaveUnit) -> LeaveType {
        LeaveType {
            key: "annual".into(),
            name: I18nText::new("年假", "Annual leave"),
            unit,
            hours_per_day: 8.0,
            quota: QuotaRule::Unlimited,
            enabled: true,
        }
    }

    fn r(s: &str, e: &str) -> LeaveRange {
        LeaveRange {
            start: s.into(),
            end: e.into(),
            start_half: None,
            end_half: None,
        }
    }

    fn rh(s: &str, sh: Half, e: &str, eh: Half) -> LeaveRange {
        LeaveRange {
            start: s.into(),
            end: e.into(),
            start_half: Some(sh),
            end_half: Some(eh),
        }
    }

    #[test]
    fn day_counts_working_days_inclusive() {
        let t = lt(LeaveUnit::Day);
        // 2026-12-01 is a Tuesday.
        assert_eq!(
            leave_duration(&t, &r("2026-12-01", "2026-12-03")),
            Ok((3.0, DurationUnit::Day))
        );
        assert_eq!(
            leave_duration(&t, &r("2026-12-01", "2026-12-01")),
            Ok((1.0, DurationUnit::Day))
        );
        // Fri → Mon spans a weekend: 2 working days.
        assert_eq!(
            leave_duration(&t, &r("2026-12-04", "2026-12-07")),
            Ok((2.0, DurationUnit::Day))
        );
        // Two full weeks.
        assert_eq!(
            leave_duration(&t, &r("2026-11-30", "2026-12-13")),
            Ok((10.0, DurationUnit::Day))
        );
        // Halves are ignored for whole-day types.
        assert_eq!(
            leave_duration(&t, &rh("2026-12-01", Half::Pm, "2026-12-01", Half::Am)),
            Ok((1.0, DurationUnit::Day))
        );
    }

    #[test]
    fn day_errors() {
        let t = lt(LeaveUnit::Day);
        assert_eq!(
            leave_duration(&t, &r("2026-12-05", "2026-12-06")),
            Err(RangeError::Empty)
        );
        assert_eq!(
            leave_duration(&t, &r("2026-12-03", "2026-12-01")),
            Err(RangeError::EndBeforeStart)
        );
        assert_eq!(
            leave_duration(&t, &r("2026-02-30", "2026-03-01")),
            Err(RangeError::BadDate)
        );
        assert_eq!(
            leave_duration(&t, &r("2026-1-5", "2026-01-06")),
            Err(RangeError::BadDate)
        );
        assert_eq!(
            leave_duration(&t, &r("2026-01-01", "2027-01-02")),
            Err(RangeError::TooLong)
        );
        assert!(leave_duration(&t, &r("2026-01-01", "2026-12-31")).is_ok());
    }

    #[test]
    fn half_days() {
        let t = lt(LeaveUnit::HalfDay);
        let d = |r: LeaveRange| leave_duration(&t, &r).map(|x| x.0);
        assert_eq!(
            d(rh("2026-12-01", Half::Am, "2026-12-01", Half::Am)),
            Ok(0.5)
        );
        assert_eq!(
            d(rh("2026-12-01", Half::Pm, "2026-12-01", Half::Pm)),
            Ok(0.5)
        );
        assert_eq!(
            d(rh("2026-12-01", Half::Am, "2026-12-01", Half::Pm)),
            Ok(1.0)
        );
        assert_eq!(
            d(rh("2026-12-01", Half::Pm, "2026-12-03", Half::Am)),
            Ok(2.0)
        );
        assert_eq!(
            d(rh("2026-12-01", Half::Pm, "2026-12-03", Half::Pm)),
            Ok(2.5)
        );
        assert_eq!(d(r("2026-12-01", "2026-12-02")), Ok(2.0));
        // A weekend afternoon start takes nothing off.
        assert_eq!(
            d(rh("2026-12-05", Half::Pm, "2026-12-07", Half::Am)),
            Ok(0.5)
        );
        assert_eq!(
            d(rh("2026-12-01", Half::Pm, "2026-12-01", Half::Am)),
            Err(RangeError::EndBeforeStart)
        );
        assert_eq!(
            d(rh("2026-12-05", Half::Am, "2026-12-05", Half::Pm)),
            Err(RangeError::Empty)
        );
    }

    #[test]
    fn hours() {
        let t = lt(LeaveUnit::Hour);
        let d = |s: &str, e: &str| leave_duration(&t, &r(s, e));
        assert_eq!(
            d("2026-12-01T09:00", "2026-12-01T12:00"),
            Ok((3.0, DurationUnit::Hour))
        );
        assert_eq!(
            d("2026-12-01T09:00", "2026-12-01T10:20"),
            Ok((1.5, DurationUnit::Hour))
        );
        assert_eq!(
            d("2026-12-01T09:00", "2026-12-01T10:10"),
            Ok((1.0, DurationUnit::Hour))
        );
        assert_eq!(
            d("2026-12-01T09:00", "2026-12-01T09:10"),
            Err(RangeError::Empty)
        );
        assert_eq!(
            d("2026-12-01T09:00", "2026-12-01T08:00"),
            Err(RangeError::EndBeforeStart)
        );
        assert_eq!(
            d("2026-12-01 09:00", "2026-12-01T10:00"),
            Err(RangeError::BadDate)
        );
        assert_eq!(
            d("2026-12-01T25:00", "2026-12-02T10:00"),
            Err(RangeError::BadDate)
        );
        assert_eq!(
            d("2026-01-01T00:00", "2027-01-03T00:00"),
            Err(RangeError::TooLong)
        );
    }

    #[test]
    fn spans() {
        let day = lt(LeaveUnit::HalfDay);
        let hour = lt(LeaveUnit::Hour);
        let morning =
            occupied_span(&day, &rh("2026-12-01", Half::Am, "2026-12-01", Half::Am)).unwrap();
        let afternoon =
            occupied_span(&day, &rh("2026-12-01", Half::Pm, "2026-12-01", Half::Pm)).unwrap();
        assert_eq!(morning.1 - morning.0, 12 * 60);
        assert!(!spans_overlap(morning, afternoon));
        let at10 = occupied_span(&hour, &r("2026-12-01T10:00", "2026-12-01T11:00")).unwrap();
        let at14 = occupied_span(&hour, &r("2026-12-01T14:00", "2026-12-01T15:00")).unwrap();
        assert!(spans_overlap(morning, at10));
        assert!(!spans_overlap(morning, at14));
        assert!(spans_overlap(afternoon, at14));
        let whole = occupied_span(&lt(LeaveUnit::Day), &r("2026-12-01", "2026-12-02")).unwrap();
        assert_eq!(whole.1 - whole.0, 2 * 24 * 60);
        let next = occupied_span(&lt(LeaveUnit::Day), &r("2026-12-03", "2026-12-03")).unwrap();
        assert!(!spans_overlap(whole, next));
        assert_eq!(whole.1, next.0);
        assert_eq!(
            occupied_span(&hour, &r("2026-12-01T10:00", "2026-12-01T10:00")),
            Err(RangeError::Empty)
        );
        assert_eq!(
            occupied_span(&day, &r("x", "2026-12-01")),
            Err(RangeError::BadDate)
        );
    }

    #[test]
    fn grants() {
        assert_eq!(annual_grant(&QuotaRule::Unlimited, None, 2026), None);
        assert_eq!(
            annual_grant(&QuotaRule::Manual, Some("2020-01-01"), 2026),
            None
        );
        assert_eq!(
            annual_grant(&QuotaRule::Fixed { per_year: 5.0 }, None, 2026),
            Some(5.0)
        );
        let rule = QuotaRule::BySeniority {
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
        };
        assert_eq!(annual_grant(&rule, None, 2026), Some(5.0));
        assert_eq!(annual_grant(&rule, Some("bad"), 2026), Some(5.0));
        assert_eq!(annual_grant(&rule, Some("2016-01-01"), 2026), Some(10.0));
        assert_eq!(annual_grant(&rule, Some("2016-01-02"), 2026), Some(5.0));
        assert_eq!(annual_grant(&rule, Some("2006-01-01"), 2026), Some(15.0));
        assert_eq!(annual_grant(&rule, Some("1990-06-01"), 2026), Some(15.0));
        assert_eq!(annual_grant(&rule, Some("2030-06-01"), 2026), Some(5.0));
        let late = QuotaRule::BySeniority {
            tiers: vec![SeniorityTier {
                min_years: 1,
                amount: 5.0,
            }],
        };
        assert_eq!(annual_grant(&late, Some("2026-03-01"), 2026), Some(0.0));
        assert_eq!(annual_grant(&late, Some("2024-03-01"), 2026), Some(5.0));
    }

    #[test]
    fn working_day_count_matches_naive_loop() {
        let start = parse_date("2026-01-01").unwrap();
        for len in 0..40 {
            for off in 0..7 {
                let s = start + chrono::Duration::days(off);
                let e = s + chrono::Duration::days(len);
                let mut n = 0;
                let mut d = s;
                while d <= e {
                    n += i64::from(is_working_day(d));
                    d = d.succ_opt().unwrap();
                }
                assert_eq!(working_days(s, e), n);
            }
        }
    }
}
