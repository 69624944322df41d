//! 群接龙 (sign-up chains) and forwarding.

use super::conversations::conv_id;
use super::model::{ChainEntry, Content, Message, MAX_CHAIN_ENTRIES};
use super::store::{self, message_from_row, MESSAGE_COLUMNS};
use crate::accounts::actor::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::events::Audience;
use crate::ids::{now_ms, Id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinChain {
    /// Your line, 1–200 characters.
    pub text: String,
}

/// Add your line to a sign-up chain; everyone in the conversation sees the chain update live.
#[utoipa::path(post, path = "/api/v1/messages/{id}/chain", tag = "chat", request_body = JoinChain,
    params(("id" = String, Path, description = "Message id of the chain")),
    responses((status = 200, body = Message), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn join_chain(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<JoinChain>,
) -> ApiResult<Json<Message>> {
    let msg_id = crate::ids::parse_id(&id).ok_or_else(|| ApiError::not_found("Message"))?;
    let text = body.text.trim();
    if text.is_empty() || text.chars().count() > 200 {
        return Err(ApiError::invalid(
            "text",
            "Your line must be 1 to 200 characters.",
        ));
    }
    let mut tx = state.db.begin().await?;
    let row = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE org_id = $1 AND id = $2"
    ))
    .bind(actor.org_id)
    .bind(msg_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| ApiError::not_found("Message"))?;
    let mut msg = message_from_row(&row)?;
    let m = store::membership_tx(
        &mut tx,
        actor.org_id,
        msg.conversation_id.0,
        actor.member_id,
    )
    .await
    .map_err(|_| ApiError::not_found("Message"))?;
    if msg.seq <= m.joined_seq {
        return Err(ApiError::not_found("Message"));
    }
    let Content::Chain {
        entries,
        allow_multiple,
        ..
    } = &mut msg.content
    else {
        return Err(ApiError::invalid(
            "id",
            "This message is not a sign-up chain.",
        ));
    };
    if !*allow_multiple && entries.iter().any(|e| e.member_id.0 == actor.member_id) {
        return Err(ApiError::conflict(
            "already_joined",
            "You are already on this chain; its creator allows one line per person.",
        ));
    }
    if entries.len() >= MAX_CHAIN_ENTRIES {
        return Err(ApiError::conflict(
            "chain_full",
            "This chain is full (500 lines).",
        ));
    }
    entries.push(ChainEntry {
        member_id: Id(actor.member_id),
        text: text.to_string(),
        created_at: now_ms(),
    });
    sqlx::query("UPDATE messages SET body = $1 WHERE id = $2")
        .bind(serde_json::to_string(&msg.content).unwrap_or_default())
        .bind(msg_id)
        .execute(&mut *tx)
        .await?;
    let members = store::member_ids(&mut tx, msg.conversation_id.0).await?;
    tx.commit().await?;
    let frame = serde_json::json!({"type": "message.updated", "payload": msg}).to_string();
    state
        .events
        .send_frame(actor.org_id, Audience::Members(&members), frame.into());
    Ok(Json(msg))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardMessage {
    /// Where to forward (conversations you belong to), at most 20.
    pub conversation_ids: Vec<Id>,
    /// Idempotency key; each target gets `<key>:<conversation id>`.
    pub client_msg_id: String,
}

/// Forward a message to other conversations. Answers the new messages, one per target.
#[utoipa::path(post, path = "/api/v1/messages/{id}/forward", tag = "chat", request_body = ForwardMessage,
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, body = Vec<Message>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn forward_message(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ForwardMessage>,
) -> ApiResult<(StatusCode, Json<Vec<Message>>)> {
    let msg_id = crate::ids::parse_id(&id).ok_or_else(|| ApiError::not_found("Message"))?;
    let key = body.client_msg_id.trim();
    if key.is_empty() || key.chars().count() > 40 {
        return Err(ApiError::invalid(
            "client_msg_id",
            "client_msg_id must be 1 to 40 characters.",
        ));
    }
    if body.conversation_ids.is_empty() || body.conversation_ids.len() > 20 {
        return Err(ApiError::invalid(
            "conversation_ids",
            "Forward to 1 to 20 conversations at a time.",
        ));
    }
    let row = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE org_id = $1 AND id = $2"
    ))
    .bind(actor.org_id)
    .bind(msg_id)
    .fetch_optional(state.db.reader())
    .await?
    .ok_or_else(|| ApiError::not_found("Message"))?;
    let original = message_from_row(&row)?;
    let m = store::membership(
        state.db.reader(),
        actor.org_id,
        original.conversation_id.0,
        actor.member_id,
    )
    .await
    .map_err(|_| ApiError::not_found("Message"))?;
    if original.seq <= m.joined_seq {
        return Err(ApiError::not_found("Message"));
    }
    let content = match &original.content {
        Content::Text { .. } | Content::Location { .. } | Content::Link { .. } => {
            original.content.clone()
        }
        Content::Forward { original, .. } => (**original).clone(),
        _ => {
            return Err(ApiError::invalid(
                "id",
                "Only text, location and link messages can be forwarded.",
            ))
        }
    };
    // Mentions do not travel: they name people of the original conversation.
    let content = match content {
        Content::Text { text, .. } => Content::Text {
            text,
            mentions: vec![],
            mention_all: false,
        },
        other => other,
    };
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let sender_name = dir
        .member(original.sender_id.0)
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let forward = Content::Forward {
        original: Box::new(content),
        original_sender_id: original.sender_id,
        original_sender_name: sender_name,
        original_created_at: original.created_at,
    };
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let mut out = Vec::new();
    let mut deliveries = Vec::new();
    for target in &body.conversation_ids {
        let conv = conv_id(&target.to_string())?;
        store::membership_tx(&mut tx, actor.org_id, conv, actor.member_id)
            .await
            .map_err(|_| {
                ApiError::invalid(
                    "conversation_ids",
                    format!("Conversation {target} does not exist or you are not in it."),
                )
            })?;
        let target_key = format!("{key}:{conv}");
        let existing = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_id = $1 AND client_msg_id = $2"
        ))
        .bind(actor.member_id)
        .bind(&target_key)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = existing {
            out.push(message_from_row(&r)?);
            continue;
        }
        let seq = store::next_seq(&mut tx, conv, now).await?;
        let msg = store::insert_message(
            &mut tx,
            state.ids.next(),
            actor.org_id,
            conv,
            seq,
            actor.member_id,
            &target_key,
            &forward,
            None,
            now,
        )
        .await?;
        sqlx::query("UPDATE conversation_members SET read_seq = $1 WHERE conversation_id = $2 AND member_id = $3")
            .bind(seq).bind(conv).bind(actor.member_id).execute(&mut *tx).await?;
        deliveries.push((store::member_ids(&mut tx, conv).await?, msg.clone()));
        out.push(msg);
    }
    tx.commit().await?;
    for (members, msg) in deliveries {
        let frame = serde_json::json!({"type": "message.created", "notify": true, "payload": msg})
            .to_string();
        state
            .events
            .send_frame(actor.org_id, Audience::Members(&members), frame.into());
    }
    Ok((StatusCode::OK, Json(out)))
}
