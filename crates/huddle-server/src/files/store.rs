//! SQL for files: the quota-checked insert, visibility, and links from messages.

use super::model::{FileInfo, FileKind};
use crate::db::Tx;
use crate::error::ApiResult;
use crate::ids::Id;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// A row of `files`.
#[derive(Clone, Debug)]
pub struct FileRow {
    pub id: i64,
    pub org_id: i64,
    pub uploader_id: i64,
    pub kind: FileKind,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub storage_key: String,
    pub thumbnail_key: Option<String>,
    pub thumbnail_size: i64,
    pub thumbnail_content_type: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub duration_ms: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "f.id, f.org_id, f.uploader_id, f.kind, f.name, f.content_type, f.size, f.storage_key, \
    f.thumbnail_key, f.thumbnail_size, f.thumbnail_content_type, f.width, f.height, f.duration_ms, f.created_at";

fn from_row(r: &AnyRow) -> Result<FileRow, sqlx::Error> {
    Ok(FileRow {
        id: r.try_get(0)?,
        org_id: r.try_get(1)?,
        uploader_id: r.try_get(2)?,
        kind: FileKind::parse(&r.try_get::<String, _>(3)?).unwrap_or(FileKind::File),
        name: r.try_get(4)?,
        content_type: r.try_get(5)?,
        size: r.try_get(6)?,
        storage_key: r.try_get(7)?,
        thumbnail_key: r.try_get(8)?,
        thumbnail_size: r.try_get(9)?,
        thumbnail_content_type: r.try_get(10)?,
        width: r.try_get(11)?,
        height: r.try_get(12)?,
        duration_ms: r.try_get(13)?,
        created_at: r.try_get(14)?,
    })
}

impl FileRow {
    pub fn info(&self) -> FileInfo {
        FileInfo {
            id: Id(self.id),
            kind: self.kind,
            name: self.name.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            uploader_id: Id(self.uploader_id),
            width: self.width,
            height: self.height,
            duration_ms: self.duration_ms,
            url: format!("/api/v1/files/{}", self.id),
            thumbnail_url: self
                .thumbnail_key
                .as_ref()
                .map(|_| format!("/api/v1/files/{}/thumbnail", self.id)),
            created_at: self.created_at,
        }
    }

    /// Bytes this file takes from its organization's quota.
    pub fn stored_bytes(&self) -> i64 {
        self.size + self.thumbnail_size
    }
}

/// Bytes the organization stores now.
pub async fn usage(pool: &AnyPool, org: i64) -> Result<i64, sqlx::Error> {
    Ok(
        sqlx::query("SELECT bytes FROM file_usage WHERE org_id = $1")
            .bind(org)
            .fetch_optional(pool)
            .await?
            .map(|r| r.try_get::<i64, _>(0))
            .transpose()?
            .unwrap_or(0),
    )
}

/// Inserts the row and takes its bytes from the quota in one transaction. `Ok(false)` (nothing
/// written) when the organization's stored bytes would exceed `quota_bytes`.
pub async fn insert_within_quota(tx: &mut Tx, f: &FileRow, quota_bytes: i64) -> ApiResult<bool> {
    sqlx::query(
        "INSERT INTO file_usage (org_id, bytes) VALUES ($1, 0) ON CONFLICT (org_id) DO NOTHING",
    )
    .bind(f.org_id)
    .execute(&mut **tx)
    .await?;
    // A conditional update: concurrent uploads serialize on the row and re-check the sum.
    let taken = sqlx::query(
        "UPDATE file_usage SET bytes = bytes + $2 WHERE org_id = $1 AND bytes + $2 <= $3",
    )
    .bind(f.org_id)
    .bind(f.stored_bytes())
    .bind(quota_bytes)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if taken == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO files (id, org_id, uploader_id, kind, name, content_type, size, storage_key, thumbnail_key, \
         thumbnail_size, thumbnail_content_type, width, height, duration_ms, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(f.id)
    .bind(f.org_id)
    .bind(f.uploader_id)
    .bind(f.kind.as_str())
    .bind(&f.name)
    .bind(&f.content_type)
    .bind(f.size)
    .bind(&f.storage_key)
    .bind(&f.thumbnail_key)
    .bind(f.thumbnail_size)
    .bind(&f.thumbnail_content_type)
    .bind(f.width)
    .bind(f.height)
    .bind(f.duration_ms)
    .bind(f.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// The file when `member` may see it: their own upload, or carried by a message they can read
/// (a member of the conversation since before it was sent, not recalled), or attached to an
/// approval request they filed or take part in. Another
/// organization's file is never found.
const VISIBLE_SQL: &str = "FROM files f WHERE f.org_id = $1 AND f.id = $2 AND (f.uploader_id = $3 OR EXISTS (\
    SELECT 1 FROM file_refs r \
    JOIN messages m ON m.id = r.message_id \
    JOIN conversation_members cm ON cm.conversation_id = r.conversation_id AND cm.member_id = $3 \
    JOIN conversations c ON c.id = r.conversation_id \
    WHERE r.file_id = f.id AND m.recalled_at IS NULL AND m.seq > cm.joined_seq AND c.dissolved_at IS NULL) \
    OR EXISTS (SELECT 1 FROM approval_file_refs a JOIN approval_requests ar ON ar.id = a.request_id \
    WHERE a.file_id = f.id AND (ar.applicant_id = $3 OR EXISTS (SELECT 1 FROM approval_request_people p \
    WHERE p.request_id = a.request_id AND p.member_id = $3))))";

pub async fn visible(
    pool: &AnyPool,
    org: i64,
    file: i64,
    member: i64,
) -> Result<Option<FileRow>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} {VISIBLE_SQL}"))
        .bind(org)
        .bind(file)
        .bind(member)
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn visible_tx(
    tx: &mut Tx,
    org: i64,
    file: i64,
    member: i64,
) -> Result<Option<FileRow>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} {VISIBLE_SQL}"))
        .bind(org)
        .bind(file)
        .bind(member)
        .fetch_optional(&mut **tx)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// Records that a message carries a file (in the message's transaction).
pub async fn link_message(
    tx: &mut Tx,
    file: i64,
    message: i64,
    conversation: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO file_refs (file_id, message_id, conversation_id) VALUES ($1, $2, $3)")
        .bind(file)
        .bind(message)
        .bind(conversation)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
