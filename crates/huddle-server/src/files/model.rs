//! File types as the API shows them.

use crate::ids::Id;
use serde::Serialize;
use utoipa::ToSchema;

/// What an upload is for; decides its size limit and checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// A picture (JPEG, PNG, GIF or WebP), at most 20 MiB; gets a thumbnail.
    Image,
    /// Any file, up to `max_upload_mb`.
    File,
    /// A voice note (WebM, Ogg, MP4/M4A, MPEG or WAV audio), 1 ms to 5 minutes, at most 10 MiB.
    Voice,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::File => "file",
            Self::Voice => "voice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "image" => Some(Self::Image),
            "file" => Some(Self::File),
            "voice" => Some(Self::Voice),
            _ => None,
        }
    }
}

/// An uploaded file.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FileInfo {
    pub id: Id,
    pub kind: FileKind,
    /// The name it was uploaded with.
    pub name: String,
    /// Detected from the bytes, never taken from the client.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    pub uploader_id: Id,
    /// Pixels, for images.
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// For voice notes.
    pub duration_ms: Option<i64>,
    /// `GET` this to download.
    pub url: String,
    /// A preview at most 320 px on its longer side (images only).
    pub thumbnail_url: Option<String>,
    pub created_at: i64,
}

/// The multipart form of an upload.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct UploadForm {
    /// The file's bytes (with its name as the part's filename).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `image`, `file` (default) or `voice`.
    pub kind: Option<String>,
    /// Length of a voice note in milliseconds (1 to 300000); required for `voice`.
    pub duration_ms: Option<i64>,
}
