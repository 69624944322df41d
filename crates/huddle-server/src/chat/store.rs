//! SQL for conversations and messages, shared by the chat endpoints.

use super::model::{Content, Message};
use crate::db::Tx;
use crate::error::{ApiError, ApiResult};
use crate::ids::Id;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

pub const MESSAGE_COLUMNS: &str =
    "id, conversation_id, seq, sender_id, client_msg_id, kind, body, reply_to, recalled_at, created_at";

pub fn message_from_row(r: &AnyRow) -> Result<Message, sqlx::Error> {
    message_from_row_at(r, 0)
}

/// A message read from [`MESSAGE_COLUMNS`] starting at column `at` of a wider row.
pub fn message_from_row_at(r: &AnyRow, at: usize) -> Result<Message, sqlx::Error> {
    let recalled_at: Option<i64> = r.try_get(at + 8)?;
    let content = if recalled_at.is_some() {
        Content::Recalled
    } else {
        serde_json::from_str(&r.try_get::<String, _>(at + 6)?).unwrap_or(Content::System {
            text: String::new(),
        })
    };
    Ok(Message {
        id: Id(r.try_get(at)?),
        conversation_id: Id(r.try_get(at + 1)?),
        seq: r.try_get(at + 2)?,
        sender_id: Id(r.try_get(at + 3)?),
        client_msg_id: r.try_get(at + 4)?,
        content,
        reply_to: r.try_get::<Option<i64>, _>(at + 7)?.map(Id),
        recalled: recalled_at.is_some(),
        created_at: r.try_get(at + 9)?,
    })
}

/// The caller's membership of a conversation.
pub struct Membership {
    pub conversation_id: i64,
    pub kind: String,
    pub role: String,
    pub read_seq: i64,
    pub joined_seq: i64,
    pub last_seq: i64,
    pub settings: serde_json::Value,
}

const MEMBERSHIP_SQL: &str =
    "SELECT c.id, c.kind, cm.role, cm.read_seq, cm.joined_seq, c.last_seq, c.settings \
    FROM conversation_members cm JOIN conversations c ON c.id = cm.conversation_id \
    WHERE c.org_id = $1 AND c.id = $2 AND cm.member_id = $3 AND c.dissolved_at IS NULL";

fn membership_from_row(r: &AnyRow) -> Result<Membership, sqlx::Error> {
    Ok(Membership {
        conversation_id: r.try_get(0)?,
        kind: r.try_get(1)?,
        role: r.try_get(2)?,
        read_seq: r.try_get(3)?,
        joined_seq: r.try_get(4)?,
        last_seq: r.try_get(5)?,
        settings: serde_json::from_str(&r.try_get::<String, _>(6)?).unwrap_or_default(),
    })
}

fn not_member() -> ApiError {
    ApiError::not_found("Conversation")
}

/// 404 unless the member belongs to the conversation (a non-member learns nothing).
pub async fn membership(pool: &AnyPool, org: i64, conv: i64, member: i64) -> ApiResult<Membership> {
    let row = sqlx::query(MEMBERSHIP_SQL)
        .bind(org)
        .bind(conv)
        .bind(member)
        .fetch_optional(pool)
        .await?;
    row.as_ref()
        .map(membership_from_row)
        .transpose()?
        .ok_or_else(not_member)
}

pub async fn membership_tx(tx: &mut Tx, org: i64, conv: i64, member: i64) -> ApiResult<Membership> {
    let row = sqlx::query(MEMBERSHIP_SQL)
        .bind(org)
        .bind(conv)
        .bind(member)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref()
        .map(membership_from_row)
        .transpose()?
        .ok_or_else(not_member)
}

pub async fn member_ids(tx: &mut Tx, conv: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query(
        "SELECT member_id FROM conversation_members WHERE conversation_id = $1 ORDER BY member_id",
    )
    .bind(conv)
    .fetch_all(&mut **tx)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect()
}

pub async fn member_ids_pool(pool: &AnyPool, conv: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query(
        "SELECT member_id FROM conversation_members WHERE conversation_id = $1 ORDER BY member_id",
    )
    .bind(conv)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect()
}

/// Takes the conversation's next sequence number (inside the inserting transaction).
pub async fn next_seq(tx: &mut Tx, conv: i64, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query("UPDATE conversations SET last_seq = last_seq + 1, last_message_at = $2 WHERE id = $1 RETURNING last_seq")
        .bind(conv)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_message(
    tx: &mut Tx,
    id: i64,
    org: i64,
    conv: i64,
    seq: i64,
    sender: i64,
    client_msg_id: &str,
    content: &Content,
    reply_to: Option<i64>,
    now: i64,
) -> Result<Message, sqlx::Error> {
    sqlx::query(
        "INSERT INTO messages (id, org_id, conversation_id, seq, sender_id, client_msg_id, kind, body, reply_to, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(org)
    .bind(conv)
    .bind(seq)
    .bind(sender)
    .bind(client_msg_id)
    .bind(content.kind())
    .bind(serde_json::to_string(content).unwrap_or_default())
    .bind(reply_to)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(Message {
        id: Id(id),
        conversation_id: Id(conv),
        seq,
        sender_id: Id(sender),
        client_msg_id: client_msg_id.to_string(),
        content: content.clone(),
        reply_to: reply_to.map(Id),
        recalled: false,
        created_at: now,
    })
}
