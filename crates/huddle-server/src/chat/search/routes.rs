//! `GET /api/v1/search/messages`: full-text search over the caller's chat history.

use super::{searchable_text, Scope, SearchSpec, MAX_QUERY_CHARS, SEARCHABLE_KINDS};
use crate::accounts::actor::Actor;
use crate::chat::conversations::conv_id;
use crate::chat::model::Message;
use crate::chat::store::{self, message_from_row, MESSAGE_COLUMNS};
use crate::error::{ApiError, ApiResult, ErrorBody, QueryParams};
use crate::ids::{parse_id, Id};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: u32 = 50;
/// Index look-ups per request when hits turn out to be recalled or no longer visible.
const MAX_ROUNDS: usize = 4;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to find (1–200 characters); every word must occur. Chinese is segmented into words.
    pub q: Option<String>,
    /// Only this conversation.
    pub conversation_id: Option<String>,
    /// Only messages from this member.
    pub sender_id: Option<String>,
    /// Only this kind: `text`, `location` or `link`.
    pub kind: Option<String>,
    /// Sent at or after this time (UTC milliseconds).
    pub from: Option<i64>,
    /// Sent at or before this time (UTC milliseconds).
    pub to: Option<i64>,
    /// At most 50; default 20.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    pub message: Message,
    /// Where the message is: open the conversation around `seq` (e.g. `after_seq = seq - 1`).
    pub conversation_id: Id,
    pub seq: i64,
    /// A fragment of the message's text, HTML-escaped, with the matched words in `<b>…</b>`.
    pub snippet_html: String,
}

#[derive(Serialize, ToSchema)]
pub struct SearchPage {
    /// Newest first.
    pub items: Vec<SearchHit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The caller's conversations (not dissolved) with the sequence they joined at.
async fn scope(state: &AppState, actor: &Actor) -> ApiResult<Scope> {
    let rows = sqlx::query(
        "SELECT cm.conversation_id, cm.joined_seq FROM conversation_members cm \
         JOIN conversations c ON c.id = cm.conversation_id \
         WHERE cm.member_id = $1 AND c.org_id = $2 AND c.dissolved_at IS NULL",
    )
    .bind(actor.member_id)
    .bind(actor.org_id)
    .fetch_all(state.db.reader())
    .await?;
    let mut conversations = HashMap::with_capacity(rows.len());
    for r in &rows {
        conversations.insert(r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?);
    }
    Ok(Scope {
        org_id: actor.org_id,
        conversations,
    })
}

fn parse_spec(state: &AppState, q: &SearchQuery) -> ApiResult<SearchSpec> {
    let text = q.q.as_deref().unwrap_or("").trim();
    if text.is_empty() {
        return Err(ApiError::invalid("q", "Enter something to search for."));
    }
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::invalid(
            "q",
            "A search can be at most 200 characters.",
        ));
    }
    if !state.search.has_words(text) {
        return Err(ApiError::invalid(
            "q",
            "Search for words or numbers, not only punctuation.",
        ));
    }
    let sender_id = match q.sender_id.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(
            parse_id(raw)
                .ok_or_else(|| ApiError::invalid("sender_id", "sender_id must be a member id."))?,
        ),
    };
    let kind =
        match q.kind.as_deref() {
            None | Some("") => None,
            Some(k) => Some(*SEARCHABLE_KINDS.iter().find(|s| **s == k).ok_or_else(|| {
                ApiError::invalid("kind", "kind must be text, location or link.")
            })?),
        };
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Err(ApiError::invalid("from", "from must not be after to."));
        }
    }
    let limit = match q.limit {
        None => DEFAULT_LIMIT,
        Some(n @ 1..=MAX_LIMIT) => n as usize,
        Some(_) => {
            return Err(ApiError::invalid(
                "limit",
                "limit must be between 1 and 50.",
            ))
        }
    };
    let before_id = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(
            parse_id(raw)
                .ok_or_else(|| ApiError::invalid("cursor", "This cursor is not valid."))?,
        ),
    };
    Ok(SearchSpec {
        text: text.to_string(),
        sender_id,
        kind,
        from: q.from,
        to: q.to,
        before_id,
        limit,
    })
}

/// Search the chat history of the conversations you are in, newest first. Messages from before
/// you joined a conversation, recalled messages and other organizations' messages are never
/// found. The index is updated asynchronously, usually within a fraction of a second of a send.
#[utoipa::path(get, path = "/api/v1/search/messages", tag = "chat", params(SearchQuery),
    responses((status = 200, body = SearchPage), (status = 404, body = ErrorBody, description = "No such conversation of yours"),
        (status = 422, body = ErrorBody)))]
pub async fn search_messages(
    State(state): State<AppState>,
    actor: Actor,
    QueryParams(q): QueryParams<SearchQuery>,
) -> ApiResult<Json<SearchPage>> {
    let mut spec = parse_spec(&state, &q)?;
    let mut scope = scope(&state, &actor).await?;
    if let Some(raw) = q.conversation_id.as_deref() {
        let conv = conv_id(raw)?;
        let m = store::membership(state.db.reader(), actor.org_id, conv, actor.member_id).await?;
        scope.conversations = HashMap::from([(conv, m.joined_seq)]);
    }
    let scope = Arc::new(scope);
    let limit = spec.limit;
    let mut items: Vec<SearchHit> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        // One extra to know whether there is a next page.
        let want = limit + 1 - items.len();
        spec.limit = want;
        let (ids, snippets) = {
            let (search, scope, spec) = (state.search.clone(), scope.clone(), spec.clone());
            tokio::task::spawn_blocking(move || search.search(&scope, &spec))
                .await
                .map_err(|e| anyhow::anyhow!(e))??
        };
        let exhausted = ids.len() < want;
        let Some(&last) = ids.last() else { break };
        for message in hydrate(&state, actor.org_id, &ids).await? {
            let visible = scope
                .conversations
                .get(&message.conversation_id.0)
                .is_some_and(|joined| message.seq > *joined);
            let Some(text) = searchable_text(&message.content).filter(|_| visible) else {
                continue; // recalled or hidden since it was indexed
            };
            let snippet_html = match &snippets {
                Some(g) => g.snippet(&text).to_html(),
                None => String::new(),
            };
            let snippet_html = if snippet_html.is_empty() {
                escape(&text.chars().take(120).collect::<String>())
            } else {
                snippet_html
            };
            items.push(SearchHit {
                conversation_id: message.conversation_id,
                seq: message.seq,
                snippet_html,
                message,
            });
        }
        if exhausted || items.len() > limit {
            break;
        }
        spec.before_id = Some(last);
    }
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|h| h.message.id.to_string())
    } else {
        None
    };
    Ok(Json(SearchPage { items, next_cursor }))
}

/// The messages with these ids, in the same order, leaving out missing ones.
async fn hydrate(state: &AppState, org: i64, ids: &[i64]) -> ApiResult<Vec<Message>> {
    let placeholders = (2..ids.len() + 2)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE org_id = $1 AND id IN ({placeholders})"
    );
    let mut query = sqlx::query(&sql).bind(org);
    for id in ids {
        query = query.bind(*id);
    }
    let mut by_id: HashMap<i64, Message> = HashMap::with_capacity(ids.len());
    for row in query.fetch_all(state.db.reader()).await? {
        let m = message_from_row(&row)?;
        by_id.insert(m.id.0, m);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
