//! File endpoints: upload (multipart), download and thumbnail.

use super::model::{FileInfo, FileKind, UploadForm};
use super::rules::{self, MIB};
use super::storage::FileStorage;
use super::store::{self, FileRow};
use crate::accounts::actor::Actor;
use crate::config::ServerConfig;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::ids::{now_ms, parse_id};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::Json;
use bytes::{Bytes, BytesMut};

/// A broken or oversized multipart body; `kind` names the limit that applies.
fn multipart_error(config: &ServerConfig, kind: FileKind, e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(config, kind);
    }
    ApiError::bad_request(format!("The upload could not be read: {}", e.body_text()))
}

fn too_large(config: &ServerConfig, kind: FileKind) -> ApiError {
    let what = match kind {
        FileKind::Image => "A picture",
        FileKind::Voice => "A voice message",
        FileKind::File => "A file",
    };
    ApiError {
        field: Some("file".into()),
        ..ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("{what} can be at most {} MB.", rules::max_mb(config, kind)),
        )
    }
}

fn mb(bytes: i64) -> String {
    format!("{:.1}", bytes as f64 / MIB as f64)
}

fn over_quota(used: i64, quota_mb: u64, needed: i64) -> ApiError {
    ApiError::conflict(
        "quota_exceeded",
        format!(
            "Your organization's file storage is full: {} MB of {quota_mb} MB are used and this file needs {} MB. Ask your administrator to free space or raise the quota.",
            mb(used),
            mb(needed)
        ),
    )
}

fn storage_error(e: object_store::Error) -> ApiError {
    tracing::error!(error = %e, "file storage");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage_unavailable",
        "The file store could not be reached. Please try again later.",
    )
}

async fn small_text(
    config: &ServerConfig,
    field: axum::extract::multipart::Field<'_>,
) -> ApiResult<String> {
    let text = field
        .text()
        .await
        .map_err(|e| multipart_error(config, FileKind::File, e))?;
    Ok(text.trim().chars().take(64).collect())
}

/// Upload a file for a message. Send `multipart/form-data` with the bytes in the part `file`
/// (its filename is kept), and optionally `kind` (`image`, `file`, `voice`) and, for voice,
/// `duration_ms`. The content type is detected from the bytes.
#[utoipa::path(post, path = "/api/v1/files", tag = "files",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = FileInfo), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The organization's storage quota is used up (`quota_exceeded`)"),
        (status = 413, body = ErrorBody, description = "Larger than the kind's size limit"),
        (status = 422, body = ErrorBody, description = "Not the kind it claims to be, or a bad voice duration")))]
pub async fn upload_file(
    State(state): State<AppState>,
    actor: Actor,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FileInfo>)> {
    let mut multipart = multipart.map_err(|_| {
        ApiError::bad_request(
            "Send the upload as multipart/form-data with the file in a part named `file`.",
        )
    })?;
    let config = &state.config;
    let mut kind: Option<FileKind> = None;
    let mut duration_ms: Option<i64> = None;
    let mut upload: Option<(String, Bytes)> = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(config, kind.unwrap_or(FileKind::File), e))?
    {
        match field.name().unwrap_or_default() {
            "file" => {
                if upload.is_some() {
                    return Err(ApiError::invalid("file", "Send one file per upload."));
                }
                let name = rules::clean_name(field.file_name().unwrap_or_default());
                let limit_kind = kind.unwrap_or(FileKind::File);
                let cap = rules::max_mb(config, limit_kind) * MIB;
                let mut buf = BytesMut::new();
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| multipart_error(config, limit_kind, e))?
                {
                    if (buf.len() + chunk.len()) as u64 > cap {
                        // Read and drop the rest (bounded by the body limit) before answering,
                        // so the client finishes sending and reads the 413 instead of meeting
                        // a closed connection.
                        while let Ok(Some(_)) = field.chunk().await {}
                        drop(field);
                        while let Ok(Some(mut rest)) = multipart.next_field().await {
                            while let Ok(Some(_)) = rest.chunk().await {}
                        }
                        return Err(too_large(config, limit_kind));
                    }
                    buf.extend_from_slice(&chunk);
                }
                upload = Some((name, buf.freeze()));
            }
            "kind" => {
                let raw = small_text(config, field).await?;
                kind = Some(FileKind::parse(&raw).ok_or_else(|| {
                    ApiError::invalid("kind", "kind must be image, file or voice.")
                })?);
            }
            "duration_ms" => {
                let raw = small_text(config, field).await?;
                duration_ms = Some(raw.parse().map_err(|_| {
                    ApiError::invalid(
                        "duration_ms",
                        "duration_ms must be a whole number of milliseconds.",
                    )
                })?);
            }
            _ => {}
        }
    }
    let kind = kind.unwrap_or(FileKind::File);
    let Some((name, bytes)) = upload else {
        return Err(ApiError::invalid(
            "file",
            "Attach the file in a multipart part named `file`.",
        ));
    };
    if bytes.len() as u64 > rules::max_mb(config, kind) * MIB {
        return Err(too_large(config, kind));
    }
    if bytes.is_empty() {
        return Err(ApiError::invalid("file", "The file is empty."));
    }
    let sniffed = rules::sniff(&bytes);
    let mut content_type = sniffed.to_string();
    let mut thumb = None;
    let mut duration = None;
    match kind {
        FileKind::Image => {
            if !rules::is_image(sniffed) {
                return Err(ApiError::invalid(
                    "file",
                    "This is not a picture (JPEG, PNG, GIF or WebP); send it as a file instead.",
                ));
            }
            let data = bytes.clone();
            let made = tokio::task::spawn_blocking(move || rules::thumbnail(&data))
                .await
                .map_err(|_| ApiError::internal())?;
            thumb = Some(made.map_err(|m| ApiError::invalid("file", m))?);
        }
        FileKind::Voice => {
            let ms = duration_ms.ok_or_else(|| {
                ApiError::invalid(
                    "duration_ms",
                    "A voice message needs its duration_ms (1 to 300000).",
                )
            })?;
            if !rules::valid_voice_duration(ms) {
                return Err(ApiError::invalid(
                    "duration_ms",
                    "A voice message must last from 1 millisecond to 5 minutes.",
                ));
            }
            duration = Some(ms);
            content_type = rules::voice_type(sniffed)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "file",
                        "A voice message must be WebM, Ogg, MP4, MPEG or WAV audio.",
                    )
                })?
                .to_string();
        }
        FileKind::File => {}
    }

    let id = state.ids.next();
    let row = FileRow {
        id,
        org_id: actor.org_id,
        uploader_id: actor.member_id,
        kind,
        name,
        content_type,
        size: bytes.len() as i64,
        storage_key: FileStorage::key(actor.org_id, id),
        thumbnail_key: thumb
            .as_ref()
            .map(|_| FileStorage::thumbnail_key(actor.org_id, id)),
        thumbnail_size: thumb.as_ref().map_or(0, |t| t.bytes.len() as i64),
        thumbnail_content_type: thumb.as_ref().map(|t| t.content_type.to_string()),
        width: thumb.as_ref().map(|t| i64::from(t.width)),
        height: thumb.as_ref().map(|t| i64::from(t.height)),
        duration_ms: duration,
        created_at: now_ms(),
    };
    let quota = i64::try_from(config.org_quota_mb.saturating_mul(MIB)).unwrap_or(i64::MAX);
    // Cheap early answer; the insert below checks again atomically.
    let used = store::usage(state.db.reader(), actor.org_id).await?;
    if used + row.stored_bytes() > quota {
        return Err(over_quota(used, config.org_quota_mb, row.stored_bytes()));
    }

    let mut stored = vec![row.storage_key.clone()];
    if let Err(e) = state.files.put(&row.storage_key, bytes).await {
        state.files.discard(&stored).await;
        return Err(storage_error(e));
    }
    if let (Some(t), Some(key)) = (thumb, &row.thumbnail_key) {
        stored.push(key.clone());
        if let Err(e) = state.files.put(key, Bytes::from(t.bytes)).await {
            state.files.discard(&stored).await;
            return Err(storage_error(e));
        }
    }
    match insert(&state, &row, quota).await {
        Ok(true) => Ok((StatusCode::CREATED, Json(row.info()))),
        Ok(false) => {
            state.files.discard(&stored).await;
            let used = store::usage(state.db.reader(), actor.org_id)
                .await
                .unwrap_or(used);
            Err(over_quota(used, config.org_quota_mb, row.stored_bytes()))
        }
        Err(e) => {
            state.files.discard(&stored).await;
            Err(e)
        }
    }
}

async fn insert(state: &AppState, row: &FileRow, quota: i64) -> ApiResult<bool> {
    let mut tx = state.db.begin().await?;
    if !store::insert_within_quota(&mut tx, row, quota).await? {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

async fn serve(state: &AppState, actor: &Actor, raw: &str, thumbnail: bool) -> ApiResult<Response> {
    let id = parse_id(raw).ok_or_else(|| ApiError::not_found("File"))?;
    let f = store::visible(state.db.reader(), actor.org_id, id, actor.member_id)
        .await?
        .ok_or_else(|| ApiError::not_found("File"))?;
    let (key, content_type, size) = if thumbnail {
        match (&f.thumbnail_key, &f.thumbnail_content_type) {
            (Some(k), Some(ct)) => (k.clone(), ct.clone(), f.thumbnail_size),
            _ => return Err(ApiError::not_found("Thumbnail")),
        }
    } else {
        (f.storage_key.clone(), f.content_type.clone(), f.size)
    };
    let stream = state.files.get(&key).await.map_err(storage_error)?;
    let inline = rules::is_image(&content_type) || f.kind == FileKind::Voice;
    Response::builder()
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, size)
        .header(
            header::CONTENT_DISPOSITION,
            rules::content_disposition(&f.name, inline),
        )
        .header(header::CACHE_CONTROL, "private, max-age=3600")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        )
        .body(Body::from_stream(stream))
        .map_err(|_| ApiError::internal())
}

/// Download a file: its uploader and members of conversations where it was sent.
#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files",
    params(("id" = String, Path, description = "File id")),
    responses((status = 200, description = "The file's bytes, with its detected Content-Type and original name"),
        (status = 404, body = ErrorBody)))]
pub async fn download_file(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    serve(&state, &actor, &id, false).await
}

/// An image's preview, at most 320 px on its longer side (JPEG or PNG).
#[utoipa::path(get, path = "/api/v1/files/{id}/thumbnail", tag = "files",
    params(("id" = String, Path, description = "File id")),
    responses((status = 200, description = "The preview's bytes"), (status = 404, body = ErrorBody)))]
pub async fn file_thumbnail(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    serve(&state, &actor, &id, true).await
}
