//! Application notification channels: one read-only conversation per (application, member)
//! that apps such as approvals post into. Messages in them have sender id 0, the application.

use super::model::{Content, Message};
use super::store::{self, message_from_row, MESSAGE_COLUMNS};
use crate::accounts::actor::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::events::Audience;
use crate::ids::{now_ms, Id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use sqlx::Row;
use utoipa::ToSchema;

/// The sender id of application messages.
pub const APP_SENDER: i64 = 0;

pub fn valid_app(app: &str) -> bool {
    (1..=32).contains(&app.len())
        && app
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// Posts `content` from application `app` to one member, creating the channel on first use.
/// `key` makes the post idempotent.
pub async fn post(
    state: &AppState,
    org_id: i64,
    app: &str,
    app_name: &str,
    member_id: i64,
    key: &str,
    content: &Content,
) -> ApiResult<Message> {
    let client_msg_id = format!("app:{org_id}:{app}:{member_id}:{key}");
    let mut tx = state.db.begin().await?;
    if let Some(r) = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_id = $1 AND client_msg_id = $2"
    ))
    .bind(APP_SENDER)
    .bind(&client_msg_id)
    .fetch_optional(&mut *tx)
    .await?
    {
        return Ok(message_from_row(&r)?);
    }
    let now = now_ms();
    let channel_key = format!("app:{app}:{member_id}");
    let conv = match sqlx::query(
        "SELECT id FROM conversations WHERE org_id = $1 AND direct_key = $2",
    )
    .bind(org_id)
    .bind(&channel_key)
    .fetch_optional(&mut *tx)
    .await?
    {
        Some(r) => r.try_get::<i64, _>(0)?,
        None => {
            let id = state.ids.next();
            sqlx::query("INSERT INTO conversations (id, org_id, kind, name, direct_key, last_seq, last_message_at, created_at) VALUES ($1, $2, 'channel', $3, $4, 0, $5, $5)")
                .bind(id).bind(org_id).bind(app_name).bind(&channel_key).bind(now).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO conversation_members (conversation_id, member_id, org_id, role, read_seq, joined_seq, joined_at) VALUES ($1, $2, $3, 'member', 0, 0, $4)")
                .bind(id).bind(member_id).bind(org_id).bind(now).execute(&mut *tx).await?;
            id
        }
    };
    let seq = store::next_seq(&mut tx, conv, now).await?;
    let msg = store::insert_message(
        &mut tx,
        state.ids.next(),
        org_id,
        conv,
        seq,
        APP_SENDER,
        &client_msg_id,
        content,
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    let frame =
        serde_json::json!({"type": "message.created", "notify": true, "payload": msg}).to_string();
    state
        .events
        .send_frame(org_id, Audience::Members(&[member_id]), frame.into());
    Ok(msg)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelPost {
    /// The channel's display name, e.g. 审批 or "IT notices".
    pub app_name: String,
    pub member_ids: Vec<Id>,
    /// Idempotency key for this post.
    pub client_msg_id: String,
    /// `text` or `link`.
    pub content: Content,
}

/// Post a notification from an application to members (administrators and integrations).
#[utoipa::path(post, path = "/api/v1/channels/{app}/messages", tag = "chat", request_body = ChannelPost,
    params(("app" = String, Path, description = "Application key: lowercase letters, digits, - and _")),
    responses((status = 200, body = Vec<Message>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn post_to_channel(
    State(state): State<AppState>,
    actor: Actor,
    Path(app): Path<String>,
    JsonBody(body): JsonBody<ChannelPost>,
) -> ApiResult<Json<Vec<Message>>> {
    actor.require_admin()?;
    if !valid_app(&app) {
        return Err(ApiError::invalid(
            "app",
            "The application key must be 1 to 32 lowercase letters, digits, - or _.",
        ));
    }
    let name = body.app_name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::invalid(
            "app_name",
            "The channel name must be 1 to 64 characters.",
        ));
    }
    let key = body.client_msg_id.trim();
    if key.is_empty() || key.chars().count() > 64 {
        return Err(ApiError::invalid(
            "client_msg_id",
            "client_msg_id must be 1 to 64 characters.",
        ));
    }
    if !matches!(body.content, Content::Text { .. } | Content::Link { .. }) {
        return Err(ApiError::invalid(
            "content",
            "Channels take text or link messages.",
        ));
    }
    body.content.validate_from_client()?;
    if body.member_ids.is_empty() || body.member_ids.len() > 1000 {
        return Err(ApiError::invalid(
            "member_ids",
            "Post to 1 to 1000 members at a time.",
        ));
    }
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let viewer = dir.viewer(actor.member_id, actor.role);
    let visible = dir.tree.visible_departments(&viewer);
    for m in &body.member_ids {
        if !dir
            .member(m.0)
            .is_some_and(|mm| dir.can_see_member(&viewer, &visible, mm))
        {
            return Err(ApiError::invalid(
                "member_ids",
                format!("Member {m} does not exist."),
            ));
        }
    }
    let mut out = Vec::new();
    for m in &body.member_ids {
        out.push(post(&state, actor.org_id, &app, name, m.0, key, &body.content).await?);
    }
    Ok(Json(out))
}
