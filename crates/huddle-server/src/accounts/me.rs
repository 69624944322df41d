//! The caller's own profile and personal settings.

use super::actor::Actor;
use crate::directory::model::Member;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::ids::{now_ms, Id};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

#[derive(Serialize, Deserialize, ToSchema, Default, Clone, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `zh-CN` or `en`; absent follows the browser.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// `small`, `standard` or `large`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub font_size: Option<String>,
    /// Chat background: `default`, `paper`, `mint`, `night` or a colour `#rrggbb`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_background: Option<String>,
    /// Personal quiet window: messages arrive but do not notify.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quiet_hours: Option<QuietHours>,
    /// Whether @mentions of you notify even when muted or in quiet hours (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentions_break_through: Option<bool>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, PartialEq, Debug)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    pub enabled: bool,
    /// `HH:MM` local time, e.g. `22:00`.
    pub start: String,
    /// `HH:MM` local time, e.g. `08:00` (may be earlier than `start`: the window spans midnight).
    pub end: String,
    /// The user's offset from UTC in minutes, e.g. 480 for China Standard Time.
    pub utc_offset_minutes: i32,
}

/// Minutes after midnight for `HH:MM`.
pub fn parse_hhmm(v: &str) -> Option<i64> {
    let (h, m) = v.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m) && v.len() == 5).then_some(h * 60 + m)
}

impl QuietHours {
    /// Whether `now_ms` (UTC) falls inside the window in the user's time zone.
    pub fn contains(&self, now_ms: i64) -> bool {
        let (Some(start), Some(end)) = (parse_hhmm(&self.start), parse_hhmm(&self.end)) else {
            return false;
        };
        if !self.enabled || start == end {
            return false;
        }
        let local =
            (now_ms.div_euclid(60_000) + i64::from(self.utc_offset_minutes)).rem_euclid(1440);
        if start < end {
            (start..end).contains(&local)
        } else {
            local >= start || local < end
        }
    }
}

impl Settings {
    fn validate(&self) -> ApiResult<()> {
        if let Some(l) = &self.locale {
            if !matches!(l.as_str(), "zh-CN" | "en") {
                return Err(ApiError::invalid("locale", "locale must be zh-CN or en."));
            }
        }
        if let Some(f) = &self.font_size {
            if !matches!(f.as_str(), "small" | "standard" | "large") {
                return Err(ApiError::invalid(
                    "font_size",
                    "font_size must be small, standard or large.",
                ));
            }
        }
        if let Some(b) = &self.chat_background {
            let preset = matches!(b.as_str(), "default" | "paper" | "mint" | "night");
            let colour =
                b.len() == 7 && b.starts_with('#') && b[1..].chars().all(|c| c.is_ascii_hexdigit());
            if !preset && !colour {
                return Err(ApiError::invalid(
                    "chat_background",
                    "chat_background must be default, paper, mint, night or a colour like #f5f5f5.",
                ));
            }
        }
        if let Some(q) = &self.quiet_hours {
            if parse_hhmm(&q.start).is_none() || parse_hhmm(&q.end).is_none() {
                return Err(ApiError::invalid(
                    "quiet_hours",
                    "Quiet hours take times like 22:00 and 08:00.",
                ));
            }
            if !(-720..=840).contains(&q.utc_offset_minutes) {
                return Err(ApiError::invalid(
                    "quiet_hours",
                    "utc_offset_minutes must be between -720 and 840.",
                ));
            }
        }
        Ok(())
    }

    fn merge(mut self, patch: Settings) -> Self {
        if patch.chat_background.is_some() {
            self.chat_background = patch.chat_background;
        }
        if patch.quiet_hours.is_some() {
            self.quiet_hours = patch.quiet_hours;
        }
        if patch.mentions_break_through.is_some() {
            self.mentions_break_through = patch.mentions_break_through;
        }
        if patch.locale.is_some() {
            self.locale = patch.locale;
        }
        if patch.font_size.is_some() {
            self.font_size = patch.font_size;
        }
        self
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrgInfo {
    pub id: Id,
    pub name: String,
    /// Short code that identifies the organization at sign-in.
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub member: Member,
    pub org: OrgInfo,
    pub must_change_password: bool,
    pub managed_department_ids: Vec<Id>,
    pub settings: Settings,
}

/// Who am I: profile, organization, role scope and settings.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn get_me(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Me>> {
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let member = dir
        .member(actor.member_id)
        .cloned()
        .ok_or_else(ApiError::unauthorized)?;
    let org = sqlx::query("SELECT name, code FROM organizations WHERE id = $1")
        .bind(actor.org_id)
        .fetch_one(state.db.reader())
        .await?;
    let settings = load_settings(&state, &actor).await?;
    Ok(Json(Me {
        member,
        org: OrgInfo {
            id: Id(actor.org_id),
            name: org.try_get(0)?,
            code: org.try_get(1)?,
        },
        must_change_password: actor.must_change_password,
        managed_department_ids: dir
            .admin_scopes
            .get(&actor.member_id)
            .map(|v| v.iter().copied().map(Id).collect())
            .unwrap_or_default(),
        settings,
    }))
}

async fn load_settings(state: &AppState, actor: &Actor) -> ApiResult<Settings> {
    let raw: String = sqlx::query("SELECT settings FROM members WHERE org_id = $1 AND id = $2")
        .bind(actor.org_id)
        .bind(actor.member_id)
        .fetch_one(state.db.reader())
        .await?
        .try_get(0)?;
    Ok(serde_json::from_str(&raw).unwrap_or_default())
}

/// Change personal settings; fields left out stay as they are.
#[utoipa::path(patch, path = "/api/v1/me/settings", tag = "auth", request_body = Settings,
    responses((status = 200, body = Settings), (status = 422, body = ErrorBody)))]
pub async fn update_settings(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(patch): JsonBody<Settings>,
) -> ApiResult<Json<Settings>> {
    patch.validate()?;
    let merged = load_settings(&state, &actor).await?.merge(patch);
    sqlx::query("UPDATE members SET settings = $1, updated_at = $2 WHERE org_id = $3 AND id = $4")
        .bind(serde_json::to_string(&merged).unwrap_or_else(|_| "{}".into()))
        .bind(now_ms())
        .bind(actor.org_id)
        .bind(actor.member_id)
        .execute(state.db.writer())
        .await?;
    // Quiet hours decide who is told silently; cached conversations hold them.
    state
        .events
        .control(actor.org_id, crate::events::Control::AllConversations);
    Ok(Json(merged))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quiet(start: &str, end: &str, offset: i32) -> QuietHours {
        QuietHours {
            enabled: true,
            start: start.into(),
            end: end.into(),
            utc_offset_minutes: offset,
        }
    }

    #[test]
    fn quiet_window_spans_midnight_in_the_users_zone() {
        let q = quiet("22:00", "08:00", 480);
        let at = |h: i64, m: i64| ((h - 8).rem_euclid(24) * 60 + m) * 60_000; // local time → UTC ms
        assert!(q.contains(at(23, 0)));
        assert!(q.contains(at(7, 59)));
        assert!(!q.contains(at(8, 0)));
        assert!(!q.contains(at(12, 0)));
        assert!(quiet("12:00", "13:00", 0).contains(12 * 3_600_000 + 1));
        assert!(!QuietHours {
            enabled: false,
            ..q
        }
        .contains(at(23, 0)));
        assert_eq!(parse_hhmm("24:00"), None);
        assert_eq!(parse_hhmm("7:00"), None);
    }
}
