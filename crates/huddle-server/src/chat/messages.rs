//! Message endpoints: send (idempotent per client message id), page through history, recall,
//! and read receipts.

use super::conversations::conv_id;
use super::model::{Content, Message, MessagePage, Receipts};
use super::store::{self, message_from_row, MESSAGE_COLUMNS};
use crate::accounts::actor::Actor;
use crate::audit;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody, QueryParams};
use crate::events::Audience;
use crate::ids::{now_ms, Id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    /// Your idempotency key (1–64 characters): a retried send with the same key returns the
    /// original message instead of creating a second one.
    pub client_msg_id: String,
    pub content: Content,
    /// Quote/reply to a message of the same conversation.
    pub reply_to: Option<Id>,
}

fn publish_message(
    state: &AppState,
    org: i64,
    members: &[i64],
    kind: &str,
    payload: serde_json::Value,
) {
    let frame = serde_json::json!({"type": kind, "payload": payload}).to_string();
    state
        .events
        .send_frame(org, Audience::Members(members), frame.into());
}

/// Send a message. Answers 201 with the stored message, or 200 with the original when the
/// `client_msg_id` was already used (a retry).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "chat", request_body = SendMessage,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 201, body = Message), (status = 200, body = Message, description = "A retry of an earlier send"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn send_message(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SendMessage>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let conv = conv_id(&id)?;
    let key = body.client_msg_id.trim();
    if key.is_empty() || key.chars().count() > 64 || key.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "client_msg_id",
            "client_msg_id must be 1 to 64 printable characters.",
        ));
    }
    body.content.validate_from_client()?;
    let (status, message) = state
        .sends
        .send(super::writer::SendJob {
            org_id: actor.org_id,
            member_id: actor.member_id,
            conv,
            client_msg_id: key.to_string(),
            content: body.content,
            reply_to: body.reply_to.map(|r| r.0),
        })
        .await?;
    Ok((status, Json(message)))
}

/// Whether a message should notify a member who muted the conversation or has quiet hours:
/// only when it mentions them and they let mentions break through (the default).
pub fn notifies(
    content: &Content,
    member: i64,
    muted: bool,
    settings: &crate::accounts::me::Settings,
    now: i64,
) -> bool {
    let quiet = settings
        .quiet_hours
        .as_ref()
        .is_some_and(|q| q.contains(now));
    if !muted && !quiet {
        return true;
    }
    let mentioned = match content {
        Content::Text {
            mentions,
            mention_all,
            ..
        } => *mention_all || mentions.iter().any(|x| x.0 == member),
        _ => false,
    };
    mentioned && settings.mentions_break_through.unwrap_or(true)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Messages after this sequence, oldest first (catching up).
    pub after_seq: Option<i64>,
    /// Messages before this sequence, the newest of them (scrolling back).
    pub before_seq: Option<i64>,
    /// At most 200; default 50.
    pub limit: Option<u32>,
}

/// Page through a conversation's history. With neither bound: the newest messages.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "chat", params(("id" = String, Path, description = "Conversation id"), HistoryQuery),
    responses((status = 200, body = MessagePage), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_messages(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    QueryParams(q): QueryParams<HistoryQuery>,
) -> ApiResult<Json<MessagePage>> {
    let conv = conv_id(&id)?;
    let limit = match q.limit {
        None => 50,
        Some(n @ 1..=200) => i64::from(n),
        Some(_) => {
            return Err(ApiError::invalid(
                "limit",
                "limit must be between 1 and 200.",
            ))
        }
    };
    if q.after_seq.is_some() && q.before_seq.is_some() {
        return Err(ApiError::invalid(
            "after_seq",
            "Give after_seq or before_seq, not both.",
        ));
    }
    let m = store::membership(state.db.reader(), actor.org_id, conv, actor.member_id).await?;
    let pool = state.db.reader();
    let (sql, bound, ascending) = match (q.after_seq, q.before_seq) {
        (Some(after), _) => ("seq > $2 AND seq > $3 ORDER BY seq ASC", after, true),
        (_, Some(before)) => ("seq < $2 AND seq > $3 ORDER BY seq DESC", before, false),
        _ => ("seq <= $2 AND seq > $3 ORDER BY seq DESC", i64::MAX, false),
    };
    let rows = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 AND {sql} LIMIT $4"
    ))
    .bind(conv)
    .bind(bound)
    .bind(m.joined_seq)
    .bind(limit + 1)
    .fetch_all(pool)
    .await?;
    let has_more = rows.len() as i64 > limit;
    let mut items = rows
        .iter()
        .take(limit as usize)
        .map(message_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    if !ascending {
        items.reverse();
    }
    Ok(Json(MessagePage { items, has_more }))
}

async fn load_message(state: &AppState, actor: &Actor, raw: &str) -> ApiResult<(Message, i64)> {
    let id = crate::ids::parse_id(raw).ok_or_else(|| ApiError::not_found("Message"))?;
    let row = sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE org_id = $1 AND id = $2"
    ))
    .bind(actor.org_id)
    .bind(id)
    .fetch_optional(state.db.reader())
    .await?
    .ok_or_else(|| ApiError::not_found("Message"))?;
    let msg = message_from_row(&row)?;
    Ok((msg, id))
}

/// Recall a message: the sender within the organization's recall window, or an organization
/// administrator at any time (audited). Everyone in the conversation sees it live.
#[utoipa::path(post, path = "/api/v1/messages/{id}/recall", tag = "chat",
    params(("id" = String, Path, description = "Message id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn recall_message(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let (msg, msg_id) = load_message(&state, &actor, &id).await?;
    let conv = msg.conversation_id.0;
    let is_sender = msg.sender_id.0 == actor.member_id;
    if !actor.is_admin() {
        let m = store::membership(state.db.reader(), actor.org_id, conv, actor.member_id).await?;
        if msg.seq <= m.joined_seq {
            return Err(ApiError::not_found("Message"));
        }
    }
    if !is_sender && !actor.is_admin() {
        return Err(ApiError::forbidden(
            "You can only recall your own messages.",
        ));
    }
    if matches!(msg.content, Content::Recall { .. } | Content::System { .. }) {
        return Err(ApiError::invalid("id", "Notices cannot be recalled."));
    }
    if msg.recalled {
        return Err(ApiError::conflict(
            "already_recalled",
            "This message was already recalled.",
        ));
    }
    let now = now_ms();
    let minutes = crate::org_settings::load(&state, actor.org_id)
        .await?
        .recall_window_minutes;
    let window = minutes * 60_000;
    if !actor.is_admin() && now - msg.created_at > window {
        return Err(ApiError::forbidden(format!(
            "Messages can only be recalled within {minutes} minutes of sending."
        ))
        .with_code("recall_window_passed"));
    }
    let mut tx = state.db.begin().await?;
    let changed =
        sqlx::query("UPDATE messages SET recalled_at = $1 WHERE id = $2 AND recalled_at IS NULL")
            .bind(now)
            .bind(msg_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if changed == 0 {
        return Err(ApiError::conflict(
            "already_recalled",
            "This message was already recalled.",
        ));
    }
    let seq = store::next_seq(&mut tx, conv, now).await?;
    let notice = store::insert_message(
        &mut tx,
        state.ids.next(),
        actor.org_id,
        conv,
        seq,
        actor.member_id,
        &format!("recall:{msg_id}"),
        &Content::Recall {
            message_id: Id(msg_id),
        },
        None,
        now,
    )
    .await?;
    if !is_sender {
        audit::record(
            &mut tx,
            &state,
            &actor,
            "message.recall",
            "message",
            Some(msg_id),
            serde_json::json!({"conversation_id": Id(conv), "sender_id": msg.sender_id}),
        )
        .await?;
    }
    let members = store::member_ids(&mut tx, conv).await?;
    tx.commit().await?;
    state.search.poke();
    publish_message(
        &state,
        actor.org_id,
        &members,
        "message.recalled",
        serde_json::json!({
        "conversation_id": Id(conv), "message_id": Id(msg_id), "recalled_by": Id(actor.member_id), "notice": notice }),
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Who has and has not read a message (members of the conversation only).
#[utoipa::path(get, path = "/api/v1/messages/{id}/receipts", tag = "chat",
    params(("id" = String, Path, description = "Message id")),
    responses((status = 200, body = Receipts), (status = 404, body = ErrorBody)))]
pub async fn message_receipts(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Receipts>> {
    let (msg, msg_id) = load_message(&state, &actor, &id).await?;
    let m = store::membership(
        state.db.reader(),
        actor.org_id,
        msg.conversation_id.0,
        actor.member_id,
    )
    .await?;
    if msg.seq <= m.joined_seq {
        return Err(ApiError::not_found("Message"));
    }
    // One read pointer per member: "read up to seq N". Who read message m = pointers ≥ m.seq.
    let rows = sqlx::query("SELECT member_id, read_seq FROM conversation_members WHERE conversation_id = $1 AND member_id <> $2 AND joined_seq < $3 ORDER BY member_id")
        .bind(msg.conversation_id.0).bind(msg.sender_id.0).bind(msg.seq)
        .fetch_all(state.db.reader()).await?;
    let (mut read_by, mut unread_by) = (Vec::new(), Vec::new());
    for r in &rows {
        let (member, read): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
        if read >= msg.seq {
            read_by.push(Id(member))
        } else {
            unread_by.push(Id(member))
        }
    }
    Ok(Json(Receipts {
        message_id: Id(msg_id),
        read_count: read_by.len() as i64,
        total: rows.len() as i64,
        read_by,
        unread_by,
    }))
}
