//! Organization-wide settings an administrator controls.

use crate::accounts::actor::Actor;
use crate::audit;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OrgSettings {
    /// How long senders may recall their own messages, in minutes (1–10080; default 1440 = 24 h).
    pub recall_window_minutes: i64,
}

impl Default for OrgSettings {
    fn default() -> Self {
        Self {
            recall_window_minutes: 24 * 60,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrgSettings {
    pub recall_window_minutes: Option<i64>,
}

pub async fn load(state: &AppState, org_id: i64) -> Result<OrgSettings, sqlx::Error> {
    let raw: String = sqlx::query("SELECT settings FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_one(state.db.reader())
        .await?
        .try_get(0)?;
    Ok(serde_json::from_str(&raw).unwrap_or_default())
}

/// The organization's settings (any member may read them).
#[utoipa::path(get, path = "/api/v1/org/settings", tag = "admin", operation_id = "get_org_settings", responses((status = 200, body = OrgSettings)))]
pub async fn get_settings(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<OrgSettings>> {
    Ok(Json(load(&state, actor.org_id).await?))
}

/// Change organization settings (super administrators; audited).
#[utoipa::path(patch, path = "/api/v1/org/settings", tag = "admin", operation_id = "update_org_settings", request_body = UpdateOrgSettings,
    responses((status = 200, body = OrgSettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_settings(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<UpdateOrgSettings>,
) -> ApiResult<Json<OrgSettings>> {
    actor.require_super_admin()?;
    let mut settings = load(&state, actor.org_id).await?;
    if let Some(m) = body.recall_window_minutes {
        if !(1..=10_080).contains(&m) {
            return Err(ApiError::invalid(
                "recall_window_minutes",
                "The recall window must be 1 to 10080 minutes (7 days).",
            ));
        }
        settings.recall_window_minutes = m;
    }
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE organizations SET settings = $1 WHERE id = $2")
        .bind(serde_json::to_string(&settings).unwrap_or_default())
        .bind(actor.org_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &state,
        &actor,
        "org.settings",
        "organization",
        Some(actor.org_id),
        serde_json::to_value(&settings).unwrap_or_default(),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(settings))
}
