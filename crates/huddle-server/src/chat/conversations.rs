//! Conversation endpoints: start a direct chat or a group, list my conversations with unread
//! counts, mark read or unread.

use super::model::{Content, Conversation, ConversationKind, ConversationList, MAX_GROUP_MEMBERS};
use super::store::{self, message_from_row_at};
use crate::accounts::actor::Actor;
use crate::directory::model::MemberStatus;
use crate::directory::snapshot::OrgDirectory;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::events::Audience;
use crate::ids::{now_ms, Id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use sqlx::Row;
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConversation {
    pub kind: ConversationKind,
    /// Direct: exactly the other person. Group: the members besides yourself.
    pub member_ids: Vec<Id>,
    /// Group name (1–64 characters); default from the first members' names.
    pub name: Option<String>,
}

pub fn conv_id(raw: &str) -> ApiResult<i64> {
    crate::ids::parse_id(raw).ok_or_else(|| ApiError::not_found("Conversation"))
}

/// Start a direct chat (returns the existing one if there is one) or create a group.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "chat", request_body = CreateConversation,
    responses((status = 201, body = Conversation), (status = 200, body = Conversation, description = "The direct chat already existed"),
        (status = 422, body = ErrorBody)))]
pub async fn create_conversation(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<CreateConversation>,
) -> ApiResult<(StatusCode, Json<Conversation>)> {
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let viewer = dir.viewer(actor.member_id, actor.role);
    let visible = dir.tree.visible_departments(&viewer);
    let mut others: Vec<i64> = Vec::new();
    for id in &body.member_ids {
        let ok = dir.member(id.0).filter(|m| {
            m.status == MemberStatus::Active && dir.can_see_member(&viewer, &visible, m)
        });
        if ok.is_none() {
            return Err(ApiError::invalid(
                "member_ids",
                format!("Member {id} does not exist or cannot be reached."),
            ));
        }
        if id.0 != actor.member_id && !others.contains(&id.0) {
            others.push(id.0);
        }
    }
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    let (conv, created) = match body.kind {
        ConversationKind::Channel => {
            return Err(ApiError::invalid(
                "kind",
                "Notification channels are created by applications.",
            ));
        }
        ConversationKind::Direct => {
            let [other] = others[..] else {
                return Err(ApiError::invalid(
                    "member_ids",
                    "A direct chat needs exactly one other person.",
                ));
            };
            let key = format!(
                "{}:{}",
                actor.member_id.min(other),
                actor.member_id.max(other)
            );
            let existing =
                sqlx::query("SELECT id FROM conversations WHERE org_id = $1 AND direct_key = $2")
                    .bind(actor.org_id)
                    .bind(&key)
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some(r) => (r.try_get::<i64, _>(0)?, false),
                None => {
                    let id = state.ids.next();
                    sqlx::query("INSERT INTO conversations (id, org_id, kind, name, direct_key, last_seq, last_message_at, created_at) VALUES ($1, $2, 'direct', '', $3, 0, $4, $4)")
                        .bind(id).bind(actor.org_id).bind(&key).bind(now).execute(&mut *tx).await?;
                    for m in [actor.member_id, other] {
                        add_member(&mut tx, id, actor.org_id, m, "member", 0, now).await?;
                    }
                    (id, true)
                }
            }
        }
        ConversationKind::Group => {
            if others.is_empty() {
                return Err(ApiError::invalid(
                    "member_ids",
                    "Add at least one other person to the group.",
                ));
            }
            if others.len() + 1 > MAX_GROUP_MEMBERS {
                return Err(ApiError::invalid(
                    "member_ids",
                    "A group can have at most 2000 members.",
                ));
            }
            let name = match body.name.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() => {
                    if n.chars().count() > 64 {
                        return Err(ApiError::invalid(
                            "name",
                            "The group name can be at most 64 characters.",
                        ));
                    }
                    n.to_string()
                }
                _ => std::iter::once(actor.member_id)
                    .chain(others.iter().copied())
                    .take(3)
                    .filter_map(|m| dir.member(m).map(|m| m.name.clone()))
                    .collect::<Vec<_>>()
                    .join("、"),
            };
            let id = state.ids.next();
            sqlx::query("INSERT INTO conversations (id, org_id, kind, name, owner_id, last_seq, last_message_at, created_at) VALUES ($1, $2, 'group', $3, $4, 0, $5, $5)")
                .bind(id).bind(actor.org_id).bind(&name).bind(actor.member_id).bind(now).execute(&mut *tx).await?;
            add_member(&mut tx, id, actor.org_id, actor.member_id, "owner", 0, now).await?;
            for m in &others {
                add_member(&mut tx, id, actor.org_id, *m, "member", 0, now).await?;
            }
            let seq = store::next_seq(&mut tx, id, now).await?;
            let text = format!("{} created the group “{name}”", actor.name);
            store::insert_message(
                &mut tx,
                state.ids.next(),
                actor.org_id,
                id,
                seq,
                actor.member_id,
                &format!("system:{id}:{seq}"),
                &Content::System { text },
                None,
                now,
            )
            .await?;
            (id, true)
        }
    };
    let members = store::member_ids(&mut tx, conv).await?;
    tx.commit().await?;
    let view = load_view(&state, &actor, conv).await?;
    if created {
        let event = serde_json::json!({"type": "conversation.created", "payload": {"conversation_id": Id(conv)}});
        state.events.send_frame(
            actor.org_id,
            Audience::Members(&members),
            event.to_string().into(),
        );
    }
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(view),
    ))
}

async fn add_member(
    tx: &mut crate::db::Tx,
    conv: i64,
    org: i64,
    member: i64,
    role: &str,
    joined_seq: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO conversation_members (conversation_id, member_id, org_id, role, read_seq, joined_seq, joined_at) VALUES ($1, $2, $3, $4, $5, $5, $6)")
        .bind(conv).bind(member).bind(org).bind(role).bind(joined_seq).bind(now)
        .execute(&mut **tx).await?;
    Ok(())
}

/// A conversation as its member sees it, in one query: the unread count and the last message
/// come along (columns 13 and 14..), so a list of any length costs one round trip.
const VIEW_SQL: &str =
    "SELECT c.id, c.kind, c.name, c.owner_id, c.last_seq, c.last_message_at, c.created_at, \
    cm.read_seq, cm.muted, cm.pinned, cm.marked_unread, cm.role, c.settings, \
    (SELECT COUNT(*) FROM messages u WHERE u.conversation_id = c.id AND u.seq > cm.read_seq \
     AND u.sender_id <> cm.member_id AND u.kind <> 'recall' AND u.kind <> 'system'), \
    lm.id, lm.conversation_id, lm.seq, lm.sender_id, lm.client_msg_id, lm.kind, lm.body, \
    lm.reply_to, lm.recalled_at, lm.created_at \
    FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id \
    LEFT JOIN messages lm ON lm.conversation_id = c.id AND lm.seq = c.last_seq \
    WHERE cm.org_id = $1 AND cm.member_id = $2 AND c.dissolved_at IS NULL";

/// Where the last message's columns start in a [`VIEW_SQL`] row.
const LAST_MESSAGE_AT: usize = 14;

/// A conversation view from a [`VIEW_SQL`] row. `dir` holds the directory once a direct chat
/// needed it, so a list reads it at most once.
async fn view_from_row(
    state: &AppState,
    actor: &Actor,
    r: &sqlx::any::AnyRow,
    dir: &mut Option<Arc<OrgDirectory>>,
) -> ApiResult<Conversation> {
    let id: i64 = r.try_get(0)?;
    let kind = ConversationKind::parse(&r.try_get::<String, _>(1)?);
    let last_seq: i64 = r.try_get(4)?;
    let read_seq: i64 = r.try_get(7)?;
    let pool = state.db.reader();
    // Members and administrators from the cached member list (no query per conversation).
    let (member_ids, admin_ids): (Vec<i64>, Vec<Id>) =
        match state.events.conversations.get(pool, id).await? {
            Some(e) => (
                e.members.clone(),
                e.group_admins.iter().copied().map(Id).collect(),
            ),
            None => (Vec::new(), Vec::new()),
        };
    let settings: serde_json::Value =
        serde_json::from_str(&r.try_get::<String, _>(12)?).unwrap_or_default();
    let last_message = match r.try_get::<Option<i64>, _>(LAST_MESSAGE_AT)? {
        Some(_) => Some(message_from_row_at(r, LAST_MESSAGE_AT)?),
        None => None,
    };
    let mut unread: i64 = r.try_get(13)?;
    if unread == 0 && r.try_get::<i64, _>(10)? != 0 {
        unread = 1;
    }
    let mut name: String = r.try_get(2)?;
    if kind == ConversationKind::Direct {
        let dir = match dir {
            Some(d) => d,
            None => dir.insert(state.directory.get(&state.db, actor.org_id).await?),
        };
        name = member_ids
            .iter()
            .find(|m| **m != actor.member_id)
            .and_then(|m| dir.member(*m))
            .map(|m| m.name.clone())
            .unwrap_or_default();
    }
    Ok(Conversation {
        id: Id(id),
        kind,
        name,
        owner_id: r.try_get::<Option<i64>, _>(3)?.map(Id),
        member_ids: member_ids.into_iter().map(Id).collect(),
        admin_ids,
        my_role: r.try_get(11)?,
        announcement: settings["announcement"]
            .as_str()
            .filter(|a| !a.is_empty())
            .map(str::to_string),
        only_admins_speak: settings["only_admins_speak"] == true,
        mention_all: if settings["mention_all"] == "everyone" {
            "everyone"
        } else {
            "admins"
        }
        .into(),
        last_seq,
        read_seq,
        unread,
        muted: r.try_get::<i64, _>(8)? != 0,
        pinned: r.try_get::<i64, _>(9)? != 0,
        last_message,
        last_message_at: r.try_get(5)?,
        created_at: r.try_get(6)?,
    })
}

pub async fn load_view(state: &AppState, actor: &Actor, conv: i64) -> ApiResult<Conversation> {
    let row = sqlx::query(&format!("{VIEW_SQL} AND c.id = $3"))
        .bind(actor.org_id)
        .bind(actor.member_id)
        .bind(conv)
        .fetch_optional(state.db.reader())
        .await?
        .ok_or_else(|| ApiError::not_found("Conversation"))?;
    view_from_row(state, actor, &row, &mut None).await
}

/// The caller's conversations, pinned first, then the most recent.
pub async fn list_views(state: &AppState, actor: &Actor) -> ApiResult<Vec<Conversation>> {
    let rows = sqlx::query(&format!(
        "{VIEW_SQL} ORDER BY cm.pinned DESC, c.last_message_at DESC LIMIT 500"
    ))
    .bind(actor.org_id)
    .bind(actor.member_id)
    .fetch_all(state.db.reader())
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut dir = None;
    for r in &rows {
        items.push(view_from_row(state, actor, r, &mut dir).await?);
    }
    Ok(items)
}

/// My conversations, pinned first, then the most recent.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "chat", responses((status = 200, body = ConversationList)))]
pub async fn list_conversations(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<ConversationList>> {
    let items = list_views(&state, &actor).await?;
    let total_unread = items.iter().filter(|c| !c.muted).map(|c| c.unread).sum();
    Ok(Json(ConversationList {
        items,
        total_unread,
    }))
}

/// One conversation (members only).
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "chat",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Conversation), (status = 404, body = ErrorBody)))]
pub async fn get_conversation(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Conversation>> {
    Ok(Json(load_view(&state, &actor, conv_id(&id)?).await?))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// Read up to this sequence; default the newest.
    pub seq: Option<i64>,
}

/// Mark the conversation read (up to `seq`). Everyone in it sees the receipt change live.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/read", tag = "chat", request_body = MarkRead,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn mark_read(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<MarkRead>,
) -> ApiResult<StatusCode> {
    let conv = conv_id(&id)?;
    let m = store::membership(state.db.reader(), actor.org_id, conv, actor.member_id).await?;
    let upto = body.seq.unwrap_or(m.last_seq).clamp(0, m.last_seq);
    if body.seq.is_some_and(|s| s < 0) {
        return Err(ApiError::invalid("seq", "seq cannot be negative."));
    }
    let read_seq = upto.max(m.read_seq);
    sqlx::query("UPDATE conversation_members SET read_seq = $1, marked_unread = 0 WHERE conversation_id = $2 AND member_id = $3")
        .bind(read_seq).bind(conv).bind(actor.member_id)
        .execute(state.db.writer()).await?;
    let members = store::member_ids_pool(state.db.reader(), conv).await?;
    let event = serde_json::json!({"type": "conversation.read", "payload": {
        "conversation_id": Id(conv), "member_id": Id(actor.member_id), "read_seq": read_seq }});
    state.events.send_frame(
        actor.org_id,
        Audience::Members(&members),
        event.to_string().into(),
    );
    Ok(StatusCode::NO_CONTENT)
}

/// Mark the conversation unread for yourself (标记未读).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/unread", tag = "chat",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn mark_unread(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let conv = conv_id(&id)?;
    store::membership(state.db.reader(), actor.org_id, conv, actor.member_id).await?;
    sqlx::query("UPDATE conversation_members SET marked_unread = 1 WHERE conversation_id = $1 AND member_id = $2")
        .bind(conv).bind(actor.member_id).execute(state.db.writer()).await?;
    let event = serde_json::json!({"type": "conversation.unread", "payload": {"conversation_id": Id(conv)}});
    state.events.send_frame(
        actor.org_id,
        Audience::Members(&[actor.member_id]),
        event.to_string().into(),
    );
    Ok(StatusCode::NO_CONTENT)
}
