//! Catching up after a disconnect: the client says what it has (the last sequence it holds per
//! conversation) and gets exactly what it missed, in order, plus conversations it no longer has.

use super::conversations::list_views;
use super::model::{Conversation, Message};
use super::store::{message_from_row, MESSAGE_COLUMNS};
use crate::accounts::actor::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::ids::Id;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    /// Conversation id → the highest `seq` the client holds for it.
    #[serde(default)]
    pub have: HashMap<String, i64>,
    /// Messages per conversation at most (default 200, at most 1000); `has_more` says when to ask again.
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct SyncedConversation {
    pub conversation: Conversation,
    /// What the client missed, ascending by `seq`.
    pub messages: Vec<Message>,
    pub has_more: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SyncResponse {
    /// Conversations with something new (or new to the client).
    pub changed: Vec<SyncedConversation>,
    /// Conversations in `have` the caller no longer belongs to (left, removed, dissolved).
    pub removed: Vec<Id>,
}

/// Catch up after being offline: everything missed since the sequences the client holds.
#[utoipa::path(post, path = "/api/v1/sync", tag = "chat", request_body = SyncRequest,
    responses((status = 200, body = SyncResponse), (status = 422, body = ErrorBody)))]
pub async fn sync(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<SyncRequest>,
) -> ApiResult<Json<SyncResponse>> {
    let limit = match body.limit {
        None => 200,
        Some(n @ 1..=1000) => i64::from(n),
        Some(_) => {
            return Err(ApiError::invalid(
                "limit",
                "limit must be between 1 and 1000.",
            ))
        }
    };
    if body.have.len() > 5000 {
        return Err(ApiError::invalid(
            "have",
            "At most 5000 conversations per sync.",
        ));
    }
    let mut have: HashMap<i64, i64> = HashMap::new();
    for (k, v) in &body.have {
        let id = crate::ids::parse_id(k)
            .ok_or_else(|| ApiError::invalid("have", format!("“{k}” is not a conversation id.")))?;
        have.insert(id, (*v).max(0));
    }
    let views = list_views(&state, &actor).await?;
    let mut changed = Vec::new();
    for conv in views {
        let held = have.remove(&conv.id.0);
        if held.is_some_and(|h| h >= conv.last_seq) {
            continue;
        }
        // New to the client: start from its newest page; else from what it holds.
        let (from, newest_first) = match held {
            Some(h) => (h, false),
            None => (0, true),
        };
        let order = if newest_first { "DESC" } else { "ASC" };
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m WHERE conversation_id = $1 AND seq > $2 AND seq > \
             (SELECT joined_seq FROM conversation_members WHERE conversation_id = $1 AND member_id = $3) \
             ORDER BY seq {order} LIMIT $4"
        ))
        .bind(conv.id.0).bind(from).bind(actor.member_id).bind(limit + 1)
        .fetch_all(state.db.reader()).await?;
        let has_more = rows.len() as i64 > limit;
        let mut messages = rows
            .iter()
            .take(limit as usize)
            .map(message_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if newest_first {
            messages.reverse();
        }
        changed.push(SyncedConversation {
            conversation: conv,
            messages,
            has_more,
        });
    }
    let removed = have.into_keys().map(Id).collect();
    Ok(Json(SyncResponse { changed, removed }))
}
