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
        Ok(())
    }

    fn merge(mut self, patch: Settings) -> Self {
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
    Ok(Json(merged))
}
