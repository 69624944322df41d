//! Group management: name, announcement (群公告), who may speak and @all, members, owner
//! transfer, leave and dissolve; and each member's own mute and pin.

use super::conversations::{conv_id, load_view};
use super::model::{Content, Conversation, MAX_GROUP_MEMBERS};
use super::store::{self, Membership};
use crate::accounts::actor::Actor;
use crate::db::Tx;
use crate::directory::model::MemberStatus;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::events::Audience;
use crate::ids::{now_ms, Id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MentionAllPolicy {
    /// Only the owner and group administrators may @all (the default).
    Admins,
    Everyone,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateGroup {
    pub name: Option<String>,
    /// 群公告; every member is notified. An empty text removes it.
    pub announcement: Option<String>,
    /// 仅群主可发言: only the owner and group administrators may send.
    pub only_admins_speak: Option<bool>,
    pub mention_all: Option<MentionAllPolicy>,
}

fn require_group(m: &Membership) -> ApiResult<()> {
    if m.kind != "group" {
        return Err(ApiError::invalid(
            "id",
            "This works on groups only, not direct chats.",
        ));
    }
    Ok(())
}

fn require_group_admin(m: &Membership) -> ApiResult<()> {
    require_group(m)?;
    if m.role == "owner" || m.role == "admin" {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "Only the group owner and administrators can change this.",
        ))
    }
}

/// Appends a system notice to the conversation; returns the members to tell and the frame to
/// publish after commit.
async fn notice(
    state: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    conv: i64,
    text: String,
) -> ApiResult<(Vec<i64>, String)> {
    let now = now_ms();
    let seq = store::next_seq(tx, conv, now).await?;
    let msg = store::insert_message(
        tx,
        state.ids.next(),
        actor.org_id,
        conv,
        seq,
        actor.member_id,
        &format!("system:{conv}:{seq}"),
        &Content::System { text },
        None,
        now,
    )
    .await?;
    let members = store::member_ids(tx, conv).await?;
    let frame = serde_json::json!({"type": "message.created", "payload": msg}).to_string();
    Ok((members, frame))
}

fn publish(state: &AppState, org: i64, members: &[i64], frames: Vec<String>) {
    for f in frames {
        state
            .events
            .send_frame(org, Audience::Members(members), f.into());
    }
}

/// Drops the conversation's cached member list on every node (after commit).
fn invalidate(state: &AppState, org: i64, conv: i64) {
    state
        .events
        .control(org, crate::events::Control::Conversation { id: conv });
}

fn changed_frame(conv: i64) -> String {
    serde_json::json!({"type": "conversation.updated", "payload": {"conversation_id": Id(conv)}})
        .to_string()
}

/// Rename, set the announcement, restrict speaking or @all (owner and group administrators).
#[utoipa::path(patch, path = "/api/v1/conversations/{id}", tag = "chat", request_body = UpdateGroup,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Conversation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_group(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateGroup>,
) -> ApiResult<Json<Conversation>> {
    let conv = conv_id(&id)?;
    if let Some(n) = &body.name {
        if n.trim().is_empty() || n.trim().chars().count() > 64 {
            return Err(ApiError::invalid(
                "name",
                "The group name must be 1 to 64 characters.",
            ));
        }
    }
    if body
        .announcement
        .as_ref()
        .is_some_and(|a| a.chars().count() > 2000)
    {
        return Err(ApiError::invalid(
            "announcement",
            "The announcement can be at most 2000 characters.",
        ));
    }
    let mut tx = state.db.begin().await?;
    let m = store::membership_tx(&mut tx, actor.org_id, conv, actor.member_id).await?;
    require_group_admin(&m)?;
    let mut settings = m.settings.clone();
    if !settings.is_object() {
        settings = serde_json::json!({});
    }
    let mut notices = Vec::new();
    if let Some(a) = &body.announcement {
        settings["announcement"] = serde_json::json!(a.trim());
        notices.push(if a.trim().is_empty() {
            format!("{} removed the group announcement", actor.name)
        } else {
            format!(
                "{} updated the group announcement: {}",
                actor.name,
                a.trim()
            )
        });
    }
    if let Some(v) = body.only_admins_speak {
        settings["only_admins_speak"] = serde_json::json!(v);
        notices.push(if v {
            format!(
                "{} allowed only the owner and administrators to speak",
                actor.name
            )
        } else {
            format!("{} allowed everyone to speak", actor.name)
        });
    }
    if let Some(p) = body.mention_all {
        settings["mention_all"] = serde_json::to_value(p).unwrap_or_default();
    }
    if let Some(n) = &body.name {
        sqlx::query("UPDATE conversations SET name = $1 WHERE id = $2")
            .bind(n.trim())
            .bind(conv)
            .execute(&mut *tx)
            .await?;
        notices.push(format!(
            "{} renamed the group to “{}”",
            actor.name,
            n.trim()
        ));
    }
    sqlx::query("UPDATE conversations SET settings = $1 WHERE id = $2")
        .bind(settings.to_string())
        .bind(conv)
        .execute(&mut *tx)
        .await?;
    let mut frames = Vec::new();
    let mut members = store::member_ids(&mut tx, conv).await?;
    for text in notices {
        let (m, frame) = notice(&state, &mut tx, &actor, conv, text).await?;
        members = m;
        frames.push(frame);
    }
    tx.commit().await?;
    invalidate(&state, actor.org_id, conv);
    frames.push(changed_frame(conv));
    publish(&state, actor.org_id, &members, frames);
    Ok(Json(load_view(&state, &actor, conv).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMembers {
    pub member_ids: Vec<Id>,
}

/// Add members to a group (any member may invite colleagues they can see).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/members", tag = "chat", request_body = AddMembers,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Conversation), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_members(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<AddMembers>,
) -> ApiResult<Json<Conversation>> {
    let conv = conv_id(&id)?;
    if body.member_ids.is_empty() {
        return Err(ApiError::invalid(
            "member_ids",
            "Choose at least one person to add.",
        ));
    }
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let viewer = dir.viewer(actor.member_id, actor.role);
    let visible = dir.tree.visible_departments(&viewer);
    let mut names = Vec::new();
    for mid in &body.member_ids {
        let m = dir
            .member(mid.0)
            .filter(|m| {
                m.status == MemberStatus::Active && dir.can_see_member(&viewer, &visible, m)
            })
            .ok_or_else(|| {
                ApiError::invalid(
                    "member_ids",
                    format!("Member {mid} does not exist or cannot be reached."),
                )
            })?;
        names.push(m.name.clone());
    }
    let mut tx = state.db.begin().await?;
    let m = store::membership_tx(&mut tx, actor.org_id, conv, actor.member_id).await?;
    require_group(&m)?;
    let existing = store::member_ids(&mut tx, conv).await?;
    let new: Vec<i64> = body
        .member_ids
        .iter()
        .map(|i| i.0)
        .filter(|i| existing.binary_search(i).is_err())
        .collect();
    if existing.len() + new.len() > MAX_GROUP_MEMBERS {
        return Err(ApiError::invalid(
            "member_ids",
            "A group can have at most 2000 members.",
        ));
    }
    let now = now_ms();
    for mid in &new {
        // New members see the conversation from now on, not its earlier history.
        sqlx::query("INSERT INTO conversation_members (conversation_id, member_id, org_id, role, read_seq, joined_seq, joined_at) VALUES ($1, $2, $3, 'member', $4, $4, $5)")
            .bind(conv).bind(*mid).bind(actor.org_id).bind(m.last_seq).bind(now).execute(&mut *tx).await?;
    }
    let mut frames = Vec::new();
    let mut members = existing;
    if !new.is_empty() {
        let (m, frame) = notice(
            &state,
            &mut tx,
            &actor,
            conv,
            format!("{} added {}", actor.name, names.join("、")),
        )
        .await?;
        members = m;
        frames.push(frame);
    }
    tx.commit().await?;
    invalidate(&state, actor.org_id, conv);
    frames.push(changed_frame(conv));
    publish(&state, actor.org_id, &members, frames);
    Ok(Json(load_view(&state, &actor, conv).await?))
}

/// Remove a member (owner and group administrators), or leave (yourself). The owner must
/// transfer ownership before leaving.
#[utoipa::path(delete, path = "/api/v1/conversations/{id}/members/{member_id}", tag = "chat",
    params(("id" = String, Path, description = "Conversation id"), ("member_id" = String, Path, description = "Member id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, member)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let conv = conv_id(&id)?;
    let target = crate::ids::parse_id(&member).ok_or_else(|| ApiError::not_found("Member"))?;
    let mut tx = state.db.begin().await?;
    let m = store::membership_tx(&mut tx, actor.org_id, conv, actor.member_id).await?;
    require_group(&m)?;
    let leaving = target == actor.member_id;
    if !leaving {
        require_group_admin(&m)?;
    }
    let t = store::membership_tx(&mut tx, actor.org_id, conv, target)
        .await
        .map_err(|_| ApiError::not_found("Member"))?;
    if t.role == "owner" {
        return Err(ApiError::conflict(
            "owner_must_transfer",
            if leaving {
                "Transfer the group to someone else before leaving."
            } else {
                "The group owner cannot be removed."
            },
        ));
    }
    if t.role == "admin" && m.role != "owner" && !leaving {
        return Err(ApiError::forbidden(
            "Only the owner can remove a group administrator.",
        ));
    }
    let members_before = store::member_ids(&mut tx, conv).await?;
    sqlx::query("DELETE FROM conversation_members WHERE conversation_id = $1 AND member_id = $2")
        .bind(conv)
        .bind(target)
        .execute(&mut *tx)
        .await?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let name = dir
        .member(target)
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let text = if leaving {
        format!("{name} left the group")
    } else {
        format!("{} removed {name}", actor.name)
    };
    let (_, frame) = notice(&state, &mut tx, &actor, conv, text).await?;
    let mut frames = vec![frame];
    tx.commit().await?;
    invalidate(&state, actor.org_id, conv);
    frames.push(changed_frame(conv));
    // The removed member hears about it too, so their client drops the conversation.
    publish(&state, actor.org_id, &members_before, frames);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferOwner {
    pub member_id: Id,
}

/// Hand the group to another member (owner only); the old owner becomes an administrator.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/transfer", tag = "chat", request_body = TransferOwner,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Conversation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transfer_owner(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<TransferOwner>,
) -> ApiResult<Json<Conversation>> {
    let conv = conv_id(&id)?;
    let mut tx = state.db.begin().await?;
    let m = store::membership_tx(&mut tx, actor.org_id, conv, actor.member_id).await?;
    require_group(&m)?;
    if m.role != "owner" {
        return Err(ApiError::forbidden(
            "Only the group owner can transfer the group.",
        ));
    }
    store::membership_tx(&mut tx, actor.org_id, conv, body.member_id.0)
        .await
        .map_err(|_| {
            ApiError::invalid("member_id", "The new owner must be a member of the group.")
        })?;
    for (role, member) in [("admin", actor.member_id), ("owner", body.member_id.0)] {
        sqlx::query("UPDATE conversation_members SET role = $1 WHERE conversation_id = $2 AND member_id = $3")
            .bind(role).bind(conv).bind(member).execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE conversations SET owner_id = $1 WHERE id = $2")
        .bind(body.member_id.0)
        .bind(conv)
        .execute(&mut *tx)
        .await?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let name = dir
        .member(body.member_id.0)
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let (members, frame) = notice(
        &state,
        &mut tx,
        &actor,
        conv,
        format!("{} made {name} the group owner", actor.name),
    )
    .await?;
    let mut frames = vec![frame];
    tx.commit().await?;
    invalidate(&state, actor.org_id, conv);
    frames.push(changed_frame(conv));
    publish(&state, actor.org_id, &members, frames);
    Ok(Json(load_view(&state, &actor, conv).await?))
}

/// Dissolve the group (owner only): it disappears for everyone.
#[utoipa::path(delete, path = "/api/v1/conversations/{id}", tag = "chat",
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn dissolve_group(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let conv = conv_id(&id)?;
    let mut tx = state.db.begin().await?;
    let m = store::membership_tx(&mut tx, actor.org_id, conv, actor.member_id).await?;
    require_group(&m)?;
    if m.role != "owner" {
        return Err(ApiError::forbidden(
            "Only the group owner can dissolve the group.",
        ));
    }
    let members = store::member_ids(&mut tx, conv).await?;
    sqlx::query("UPDATE conversations SET dissolved_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(conv)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    invalidate(&state, actor.org_id, conv);
    let frame = serde_json::json!({"type": "conversation.dissolved", "payload": {"conversation_id": Id(conv)}}).to_string();
    publish(&state, actor.org_id, &members, vec![frame]);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MyConversationSettings {
    /// Do not disturb: messages still arrive, marked not to notify.
    pub muted: Option<bool>,
    /// Keep at the top of the list.
    pub pinned: Option<bool>,
}

/// Your own settings for a conversation: mute and pin.
#[utoipa::path(patch, path = "/api/v1/conversations/{id}/me", tag = "chat", request_body = MyConversationSettings,
    params(("id" = String, Path, description = "Conversation id")),
    responses((status = 200, body = Conversation), (status = 404, body = ErrorBody)))]
pub async fn update_my_settings(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<MyConversationSettings>,
) -> ApiResult<Json<Conversation>> {
    let conv = conv_id(&id)?;
    store::membership(state.db.reader(), actor.org_id, conv, actor.member_id).await?;
    sqlx::query("UPDATE conversation_members SET muted = COALESCE($1, muted), pinned = COALESCE($2, pinned) WHERE conversation_id = $3 AND member_id = $4")
        .bind(body.muted.map(i64::from)).bind(body.pinned.map(i64::from)).bind(conv).bind(actor.member_id)
        .execute(state.db.writer()).await?;
    invalidate(&state, actor.org_id, conv);
    publish(
        &state,
        actor.org_id,
        &[actor.member_id],
        vec![changed_frame(conv)],
    );
    Ok(Json(load_view(&state, &actor, conv).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetGroupRole {
    /// `admin` or `member`.
    pub role: String,
}

/// Make a member a group administrator or a plain member again (owner only).
#[utoipa::path(put, path = "/api/v1/conversations/{id}/members/{member_id}/role", tag = "chat", request_body = SetGroupRole,
    params(("id" = String, Path, description = "Conversation id"), ("member_id" = String, Path, description = "Member id")),
    responses((status = 200, body = Conversation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_group_role(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, member)): Path<(String, String)>,
    JsonBody(body): JsonBody<SetGroupRole>,
) -> ApiResult<Json<Conversation>> {
    let conv = conv_id(&id)?;
    let target = crate::ids::parse_id(&member).ok_or_else(|| ApiError::not_found("Member"))?;
    if !matches!(body.role.as_str(), "admin" | "member") {
        return Err(ApiError::invalid(
            "role",
            "role must be admin or member; use transfer to change the owner.",
        ));
    }
    let mut tx = state.db.begin().await?;
    let m = store::membership_tx(&mut tx, actor.org_id, conv, actor.member_id).await?;
    require_group(&m)?;
    if m.role != "owner" {
        return Err(ApiError::forbidden(
            "Only the group owner can appoint group administrators.",
        ));
    }
    let t = store::membership_tx(&mut tx, actor.org_id, conv, target)
        .await
        .map_err(|_| ApiError::not_found("Member"))?;
    if t.role == "owner" {
        return Err(ApiError::invalid(
            "member_id",
            "The owner's role changes only by transferring the group.",
        ));
    }
    sqlx::query(
        "UPDATE conversation_members SET role = $1 WHERE conversation_id = $2 AND member_id = $3",
    )
    .bind(&body.role)
    .bind(conv)
    .bind(target)
    .execute(&mut *tx)
    .await?;
    let members = store::member_ids(&mut tx, conv).await?;
    tx.commit().await?;
    invalidate(&state, actor.org_id, conv);
    publish(&state, actor.org_id, &members, vec![changed_frame(conv)]);
    Ok(Json(load_view(&state, &actor, conv).await?))
}
