//! Files carried by chat messages: checks an image, file or voice message's file and fills in
//! what the server knows about it.

use super::model::FileKind;
use super::store;
use crate::chat::model::Content;
use crate::db::Tx;
use crate::error::{ApiError, ApiResult};

/// For a message with a file: the content with the file's details filled in from its row, and
/// the file's id. The file must be in the sender's organization and visible to them (their own
/// upload or already shared with them), and of the kind the message says. Other content passes
/// through unchanged.
pub async fn resolve(
    tx: &mut Tx,
    org: i64,
    sender: i64,
    content: Content,
) -> ApiResult<(Content, Option<i64>)> {
    let Some(file_id) = content.file_id() else {
        return Ok((content, None));
    };
    let not_found = || {
        ApiError::invalid(
            "content",
            "The message's file was not found. Upload it first with POST /api/v1/files.",
        )
    };
    let f = store::visible_tx(tx, org, file_id.0, sender)
        .await?
        .ok_or_else(not_found)?;
    let wrong = |what: &str| {
        ApiError::invalid(
            "content",
            format!("This file cannot be sent as {what}; send it as a file message instead."),
        )
    };
    let filled = match content {
        Content::Image { file_id, .. } => {
            if f.kind != FileKind::Image {
                return Err(wrong("an image"));
            }
            Content::Image {
                file_id,
                width: f.width.unwrap_or(0),
                height: f.height.unwrap_or(0),
            }
        }
        Content::Voice { file_id, .. } => {
            if f.kind != FileKind::Voice {
                return Err(wrong("a voice message"));
            }
            Content::Voice {
                file_id,
                duration_ms: f.duration_ms.unwrap_or(0),
            }
        }
        Content::File { file_id, .. } => Content::File {
            file_id,
            name: f.name.clone(),
            size: f.size,
        },
        other => other,
    };
    Ok((filled, Some(f.id)))
}
