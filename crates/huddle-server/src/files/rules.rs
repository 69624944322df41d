//! The rules for uploads: size limits, content sniffing, voice durations, names, thumbnails
//! and the headers a download is served with.

use super::model::FileKind;
use crate::config::ServerConfig;
use std::io::Cursor;

pub const MIB: u64 = 1024 * 1024;
pub const IMAGE_MAX_MB: u64 = 20;
pub const VOICE_MAX_MB: u64 = 10;
pub const MAX_VOICE_MS: i64 = 5 * 60 * 1000;
pub const THUMBNAIL_MAX_PX: u32 = 320;
/// Pictures larger than this on either side are refused rather than decoded.
pub const MAX_IMAGE_SIDE: u32 = 16_384;
pub const MAX_NAME_CHARS: usize = 255;

/// The largest upload of a kind, in MiB.
pub fn max_mb(config: &ServerConfig, kind: FileKind) -> u64 {
    let cap = match kind {
        FileKind::Image => IMAGE_MAX_MB,
        FileKind::Voice => VOICE_MAX_MB,
        FileKind::File => u64::MAX,
    };
    config.max_upload_mb.min(cap)
}

/// The content type detected from the first bytes; `application/octet-stream` when unknown.
pub fn sniff(bytes: &[u8]) -> &'static str {
    infer::get(bytes)
        .map(|t| t.mime_type())
        .unwrap_or("application/octet-stream")
}

/// Picture formats that get a thumbnail and can be sent as an image message.
pub fn is_image(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/jpeg" | "image/png" | "image/gif" | "image/webp"
    )
}

/// The audio content type of a voice note, or `None` when the bytes are not accepted audio.
/// WebM and MP4 containers are reported by their video type when sniffed; a voice note is audio.
pub fn voice_type(sniffed: &str) -> Option<&'static str> {
    Some(match sniffed {
        "video/webm" | "audio/webm" => "audio/webm",
        "audio/ogg" | "audio/opus" => "audio/ogg",
        "video/mp4" | "audio/mp4" | "audio/m4a" => "audio/mp4",
        "audio/mpeg" => "audio/mpeg",
        "audio/x-wav" | "audio/wav" => "audio/wav",
        _ => return None,
    })
}

pub fn valid_voice_duration(ms: i64) -> bool {
    (1..=MAX_VOICE_MS).contains(&ms)
}

/// The file name as shown to others: the last path segment, without control characters,
/// at most 255 characters; `file` when nothing is left.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() || trimmed == "." || trimmed == ".." {
        "file".to_string()
    } else {
        trimmed.to_string()
    }
}

/// A decoded picture's size and its preview.
pub struct Thumbnail {
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

/// Decodes a picture (within size limits) and makes a preview at most 320 px on its longer
/// side: JPEG for JPEG pictures, PNG otherwise (keeps transparency). CPU-bound: call it on a
/// blocking thread. `Err` carries a message safe to show.
pub fn thumbnail(bytes: &[u8]) -> Result<Thumbnail, String> {
    let unreadable = |_| "The picture could not be read; it may be damaged.".to_string();
    let mut reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(unreadable)?;
    let format = reader.format();
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(512 * MIB);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => format!(
            "The picture is too large to process: at most {MAX_IMAGE_SIDE}×{MAX_IMAGE_SIDE} pixels."
        ),
        _ => "The picture could not be read; it may be damaged.".to_string(),
    })?;
    let (width, height) = (img.width(), img.height());
    let thumb = img.thumbnail(THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX);
    let mut out = Cursor::new(Vec::new());
    let content_type = if format == Some(image::ImageFormat::Jpeg) {
        let rgb = image::DynamicImage::ImageRgb8(thumb.to_rgb8());
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&rgb)
            .map_err(|_| "The picture's preview could not be made.".to_string())?;
        "image/jpeg"
    } else {
        thumb
            .write_to(&mut out, image::ImageFormat::Png)
            .map_err(|_| "The picture's preview could not be made.".to_string())?;
        "image/png"
    };
    Ok(Thumbnail {
        width,
        height,
        bytes: out.into_inner(),
        content_type,
    })
}

/// `Content-Disposition` with the original name: an ASCII fallback in `filename` and the
/// exact name in `filename*` (RFC 6266 / RFC 5987).
pub fn content_disposition(name: &str, inline: bool) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if (c.is_ascii_graphic() && c != '"' && c != '\\') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let disposition = if inline { "inline" } else { "attachment" };
    format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\tmp\\报告.pdf"), "报告.pdf");
        assert_eq!(clean_name("a\u{0}b\n.txt"), "ab.txt");
        assert_eq!(clean_name(""), "file");
        assert_eq!(clean_name(".."), "file");
    }

    #[test]
    fn disposition_encodes_names() {
        assert_eq!(
            content_disposition("季度 报告\".pdf", false),
            "attachment; filename=\"__ ___.pdf\"; filename*=UTF-8''%E5%AD%A3%E5%BA%A6%20%E6%8A%A5%E5%91%8A%22.pdf"
        );
    }

    #[test]
    fn voice_types_and_durations() {
        assert_eq!(voice_type("video/webm"), Some("audio/webm"));
        assert_eq!(voice_type("audio/x-wav"), Some("audio/wav"));
        assert_eq!(voice_type("image/png"), None);
        assert!(!valid_voice_duration(0));
        assert!(valid_voice_duration(1));
        assert!(valid_voice_duration(MAX_VOICE_MS));
        assert!(!valid_voice_duration(MAX_VOICE_MS + 1));
    }

    #[test]
    fn limits_per_kind() {
        let c = ServerConfig::default();
        assert_eq!(max_mb(&c, FileKind::Image), 20);
        assert_eq!(max_mb(&c, FileKind::File), 100);
        let small = ServerConfig {
            max_upload_mb: 1,
            ..ServerConfig::default()
        };
        assert_eq!(max_mb(&small, FileKind::Image), 1);
    }
}
