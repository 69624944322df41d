//! Files: uploads with sniffed types and thumbnails, image/file/voice messages, who may
//! download, size limits, the organization quota, and (with HUDDLE_TEST_S3=1) S3 storage.

use crate::harness::TestServer;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::Path;

crate::on_both_backends!(
    images_are_shared_through_messages_and_nobody_else_sees_them,
    content_is_sniffed_and_voice_rules_hold,
);

/// A `w`×`h` PNG with a pattern (so it does not compress to nothing).
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([
            (x % 256) as u8,
            (y % 256) as u8,
            ((x * 7 + y * 13) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A WAV file of `samples` silent 8-bit mono samples.
fn wav(samples: u32) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(b"RIFF");
    v.extend_from_slice(&(36 + samples).to_le_bytes());
    v.extend_from_slice(b"WAVEfmt ");
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes()); // PCM
    v.extend_from_slice(&1u16.to_le_bytes()); // mono
    v.extend_from_slice(&8000u32.to_le_bytes());
    v.extend_from_slice(&8000u32.to_le_bytes());
    v.extend_from_slice(&1u16.to_le_bytes());
    v.extend_from_slice(&8u16.to_le_bytes());
    v.extend_from_slice(b"data");
    v.extend_from_slice(&samples.to_le_bytes());
    v.extend(std::iter::repeat_n(128u8, samples as usize));
    v
}

/// Text-like bytes of `len` that no sniffer takes for a known format.
fn plain(len: usize) -> Vec<u8> {
    let mut v = b"plain text ".to_vec();
    v.extend((0..len.saturating_sub(11)).map(|i| b'a' + (i % 26) as u8));
    v
}

pub async fn upload(
    t: &TestServer,
    token: &str,
    name: &str,
    claimed_type: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(claimed_type)
        .unwrap();
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part("file", part);
    let resp = t
        .http
        .post(format!("{}/api/v1/files", t.url))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload request");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub async fn download(t: &TestServer, token: &str, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let resp = t
        .http
        .get(format!("{}{}", t.url, path))
        .bearer_auth(token)
        .send()
        .await
        .expect("download request");
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.bytes().await.unwrap().to_vec())
}

/// Files under a folder, recursively.
pub fn count_objects(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                count_objects(&p)
            } else {
                1
            }
        })
        .sum()
}

async fn direct(t: &TestServer, token: &str, other: &str) -> String {
    let (s, c) = t
        .post(
            token,
            "/api/v1/conversations",
            json!({"kind": "direct", "member_ids": [other]}),
        )
        .await;
    assert!(s == StatusCode::CREATED || s == StatusCode::OK, "{c}");
    c["id"].as_str().unwrap().to_string()
}

async fn send(
    t: &TestServer,
    token: &str,
    conv: &str,
    key: &str,
    content: Value,
) -> (StatusCode, Value) {
    t.post(
        token,
        &format!("/api/v1/conversations/{conv}/messages"),
        json!({"client_msg_id": key, "content": content}),
    )
    .await
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The whole image flow; shared with the S3 test.
pub async fn image_flow(t: &TestServer) {
    let org = t.org("文件公司", "boss").await;
    let (a_id, a) = t.member(&org, "张三", "zhangsan", &[&org.root]).await;
    let (b_id, b) = t.member(&org, "李四", "lisi", &[&org.root]).await;
    let (_, c) = t.member(&org, "王五", "wangwu", &[&org.root]).await;
    let other = t.org("别的公司", "other-boss").await;

    let original = png(800, 600);
    let (s, f) = upload(
        t,
        &a,
        "团建 照片.png",
        "application/octet-stream",
        original.clone(),
        &[("kind", "image")],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    assert_eq!(
        f["content_type"], "image/png",
        "sniffed, not the client's claim"
    );
    assert_eq!(
        (f["width"].as_i64(), f["height"].as_i64()),
        (Some(800), Some(600))
    );
    assert_eq!(f["size"].as_i64(), Some(original.len() as i64));
    let id = f["id"].as_str().unwrap().to_string();
    let file_url = f["url"].as_str().unwrap().to_string();
    let thumb_url = f["thumbnail_url"]
        .as_str()
        .expect("an image has a thumbnail")
        .to_string();

    // The thumbnail: a smaller picture at most 320 px wide.
    let (s, h, thumb) = download(t, &a, &thumb_url).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(header(&h, "content-type"), "image/png");
    assert!(
        thumb.len() < original.len(),
        "thumbnail {} < original {}",
        thumb.len(),
        original.len()
    );
    let decoded = image::load_from_memory(&thumb).expect("thumbnail decodes");
    assert_eq!((decoded.width(), decoded.height()), (320, 240));

    // Not shared yet: only the uploader sees it.
    assert_eq!(download(t, &b, &file_url).await.0, StatusCode::NOT_FOUND);

    let conv = direct(t, &a, &b_id).await;
    let (s, m) = send(
        t,
        &a,
        &conv,
        "img-1",
        json!({"kind": "image", "file_id": id}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(
        m["content"],
        json!({"kind": "image", "file_id": id, "width": 800, "height": 600})
    );

    // The other member downloads it, with its type, name and caching rules.
    let (s, h, got) = download(t, &b, &file_url).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got, original);
    assert_eq!(header(&h, "content-type"), "image/png");
    assert_eq!(header(&h, "cache-control"), "private, max-age=3600");
    let disposition = header(&h, "content-disposition");
    assert!(
        disposition.contains("filename*=UTF-8''%E5%9B%A2%E5%BB%BA%20%E7%85%A7%E7%89%87.png"),
        "{disposition}"
    );
    assert_eq!(download(t, &b, &thumb_url).await.0, StatusCode::OK);

    // Someone outside the conversation, and another organization, learn nothing.
    for token in [&c, &other.admin] {
        assert_eq!(download(t, token, &file_url).await.0, StatusCode::NOT_FOUND);
        let (s, body) = t.get(token, &thumb_url).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    // Nor can they send it on.
    let conv_c = direct(t, &c, &a_id).await;
    let (s, e) = send(
        t,
        &c,
        &conv_c,
        "steal-1",
        json!({"kind": "image", "file_id": id}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // 李四 can forward what was shared with him.
    let (s, fwd) = send(
        t,
        &b,
        &conv,
        "fwd-1",
        json!({"kind": "file", "file_id": id}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{fwd}");
    assert_eq!(fwd["content"]["name"], "团建 照片.png");
}

async fn images_are_shared_through_messages_and_nobody_else_sees_them(t: &TestServer) {
    image_flow(t).await;
    // A file message carries the server's name and size, whatever the client claims.
    let org = t.org("文件公司二", "boss2").await;
    let (_, a) = t.member(&org, "赵六", "zhaoliu", &[&org.root]).await;
    let (b_id, _) = t.member(&org, "钱七", "qianqi", &[&org.root]).await;
    let (s, f) = upload(t, &a, "notes.txt", "text/plain", plain(1000), &[]).await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    assert_eq!(f["kind"], "file");
    assert_eq!(f["content_type"], "application/octet-stream");
    assert!(f["thumbnail_url"].is_null());
    let conv = direct(t, &a, &b_id).await;
    let id = f["id"].as_str().unwrap();
    let (s, m) = send(
        t,
        &a,
        &conv,
        "f-1",
        json!({"kind": "file", "file_id": id, "name": "fake.exe", "size": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(m["content"]["name"], "notes.txt");
    assert_eq!(m["content"]["size"], 1000);
    let (_, h, _) = download(t, &a, f["url"].as_str().unwrap()).await;
    assert!(header(&h, "content-disposition").starts_with("attachment; filename=\"notes.txt\""));
    // A plain file is not an image, and has no thumbnail.
    let (s, e) = send(t, &a, &conv, "f-2", json!({"kind": "image", "file_id": id})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, _) = t.get(&a, &format!("/api/v1/files/{id}/thumbnail")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // An unknown file id.
    let (s, e) = send(
        t,
        &a,
        &conv,
        "f-3",
        json!({"kind": "file", "file_id": "12345"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(
        t.get(&a, "/api/v1/files/nope").await.0,
        StatusCode::NOT_FOUND
    );
}

async fn content_is_sniffed_and_voice_rules_hold(t: &TestServer) {
    let org = t.org("嗅探", "boss").await;
    let (_, a) = t.member(&org, "张三", "zhangsan", &[&org.root]).await;
    let (b_id, _) = t.member(&org, "李四", "lisi", &[&org.root]).await;
    let objects = t.data_dir().join("files");

    // A text file renamed .png, claiming image/png, is not an image.
    let (s, e) = upload(
        t,
        &a,
        "photo.png",
        "image/png",
        plain(500),
        &[("kind", "image")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["code"], "validation_failed");
    assert_eq!(e["error"]["field"], "file");
    // Voice: duration from 1 ms to 5 minutes, and audio only.
    for (duration, field) in [
        ("0", "duration_ms"),
        ("300001", "duration_ms"),
        ("abc", "duration_ms"),
    ] {
        let (s, e) = upload(
            t,
            &a,
            "v.wav",
            "audio/wav",
            wav(800),
            &[("kind", "voice"), ("duration_ms", duration)],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{duration}: {e}");
        assert_eq!(e["error"]["field"], field);
    }
    let (s, e) = upload(t, &a, "v.wav", "audio/wav", wav(800), &[("kind", "voice")]).await;
    assert_eq!(
        (s, &e["error"]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("duration_ms"))
    );
    let (s, e) = upload(
        t,
        &a,
        "v.png",
        "audio/wav",
        png(10, 10),
        &[("kind", "voice"), ("duration_ms", "1000")],
    )
    .await;
    assert_eq!(
        (s, &e["error"]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("file"))
    );
    let (s, e) = upload(t, &a, "v.wav", "audio/wav", wav(800), &[("kind", "video")]).await;
    assert_eq!(
        (s, &e["error"]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("kind"))
    );
    let (s, e) = upload(t, &a, "empty.txt", "text/plain", Vec::new(), &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let resp = t
        .http
        .post(format!("{}/api/v1/files", t.url))
        .bearer_auth(&a)
        .json(&json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    assert_eq!(t.count("files").await, 0, "nothing refused was recorded");
    assert_eq!(count_objects(&objects), 0, "nothing refused was stored");

    // A good voice note, sent as a voice message.
    let (s, v) = upload(
        t,
        &a,
        "语音.wav",
        "application/octet-stream",
        wav(8000),
        &[("duration_ms", "1500"), ("kind", "voice")],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["content_type"], "audio/wav");
    assert_eq!(v["duration_ms"], 1500);
    let conv = direct(t, &a, &b_id).await;
    let id = v["id"].as_str().unwrap();
    let (s, m) = send(t, &a, &conv, "v-1", json!({"kind": "voice", "file_id": id})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    assert_eq!(
        m["content"],
        json!({"kind": "voice", "file_id": id, "duration_ms": 1500})
    );
    // Unauthenticated downloads are refused.
    let resp = t
        .http
        .get(format!("{}/api/v1/files/{id}", t.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

mod limited {
    //! A server with a 1 MB upload limit and a 2 MB organization quota.

    use super::{count_objects, plain, png, upload};
    use crate::harness::TestServer;
    use reqwest::StatusCode;

    fn small(c: &mut huddle_server::ServerConfig) {
        c.max_upload_mb = 1;
        c.org_quota_mb = 2;
    }

    crate::on_both_backends_with!(super::small;
        oversized_uploads_are_refused_with_the_error_shape,
        the_quota_is_enforced_and_nothing_is_half_written,
    );

    async fn oversized_uploads_are_refused_with_the_error_shape(t: &TestServer) {
        let org = t.org("大文件", "boss").await;
        let (_, a) = t.member(&org, "张三", "zhangsan", &[&org.root]).await;
        for (kind, bytes) in [
            ("file", plain(1024 * 1024 + 10)),
            ("image", png(1200, 1200)),
        ] {
            assert!(bytes.len() > 1024 * 1024, "{kind} is big enough");
            let (s, e) = upload(
                t,
                &a,
                "big.bin",
                "application/octet-stream",
                bytes,
                &[("kind", kind)],
            )
            .await;
            assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{kind}: {e}");
            assert_eq!(e["error"]["code"], "payload_too_large");
            assert!(
                e["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("at most 1 MB"),
                "{e}"
            );
        }
        assert_eq!(t.count("files").await, 0);
        assert_eq!(count_objects(&t.data_dir().join("files")), 0);
        // Just under the limit is fine.
        let (s, f) = upload(
            t,
            &a,
            "ok.bin",
            "application/octet-stream",
            plain(1024 * 1024),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{f}");
    }

    async fn the_quota_is_enforced_and_nothing_is_half_written(t: &TestServer) {
        let org = t.org("配额", "boss").await;
        let (_, a) = t.member(&org, "张三", "zhangsan", &[&org.root]).await;
        let other = t.org("另一家", "boss2").await;
        let objects = t.data_dir().join("files");
        let chunk = 900 * 1024;
        for i in 0..2 {
            let (s, f) = upload(
                t,
                &a,
                &format!("part{i}.txt"),
                "text/plain",
                plain(chunk),
                &[],
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{f}");
        }
        let (s, e) = upload(t, &a, "part2.txt", "text/plain", plain(chunk), &[]).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        assert_eq!(e["error"]["code"], "quota_exceeded");
        let message = e["error"]["message"].as_str().unwrap();
        assert!(message.contains("of 2 MB"), "{message}");
        assert_eq!(t.count("files").await, 2, "no row for the refused upload");
        assert_eq!(
            count_objects(&objects),
            2,
            "no object for the refused upload"
        );
        // What still fits is accepted; the quota is per organization.
        let (s, f) = upload(t, &a, "small.txt", "text/plain", plain(100 * 1024), &[]).await;
        assert_eq!(s, StatusCode::CREATED, "{f}");
        let (s, f) = upload(
            t,
            &other.admin,
            "theirs.txt",
            "text/plain",
            plain(chunk),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{f}");
        // Concurrent uploads cannot overshoot together.
        let uploads = (0..4).map(|i| {
            let a = a.clone();
            async move {
                upload(
                    t,
                    &a,
                    &format!("race{i}.txt"),
                    "text/plain",
                    plain(100 * 1024),
                    &[],
                )
                .await
                .0
            }
        });
        let results = futures::future::join_all(uploads).await;
        let accepted = results
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count();
        assert!(
            results
                .iter()
                .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
            "{results:?}"
        );
        // 2 MiB − (2×900 KiB + 100 KiB) = 148 KiB left: exactly one 100 KiB upload fits.
        assert_eq!(accepted, 1, "{results:?}");
        assert_eq!(t.count("files").await, 5);
        assert_eq!(count_objects(&objects), 5);
    }
}

mod unreachable_storage {
    //! When the object store cannot be reached nothing is recorded.

    use super::{png, upload};
    use crate::harness::TestServer;
    use reqwest::StatusCode;

    fn unreachable(c: &mut huddle_server::ServerConfig) {
        // Nothing listens on port 1.
        c.s3_endpoint = "http://127.0.0.1:1".into();
        c.s3_bucket = "nowhere".into();
        c.s3_access_key = "k".into();
        c.s3_secret_key = "s".into();
    }

    crate::on_both_backends_with!(super::unreachable; a_failed_store_records_nothing);

    async fn a_failed_store_records_nothing(t: &TestServer) {
        let org = t.org("断网", "boss").await;
        let (_, a) = t.member(&org, "张三", "zhangsan", &[&org.root]).await;
        let (s, e) = upload(
            t,
            &a,
            "p.png",
            "image/png",
            png(40, 30),
            &[("kind", "image")],
        )
        .await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{e}");
        assert_eq!(e["error"]["code"], "storage_unavailable");
        assert_eq!(t.count("files").await, 0);
        assert_eq!(t.count("file_usage WHERE bytes > 0").await, 0);
    }
}

mod s3 {
    //! The same flow against a real S3-compatible server (`s3s-fs`), when HUDDLE_TEST_S3=1.

    use super::count_objects;
    use crate::harness::TestServer;
    use std::process::Stdio;
    use std::time::Duration;

    fn s3s_fs_binary() -> String {
        if let Ok(bin) = std::env::var("HUDDLE_S3S_FS") {
            return bin;
        }
        let home = std::env::var("HOME").unwrap_or_default();
        let installed = format!("{home}/.cargo/bin/s3s-fs");
        if std::path::Path::new(&installed).exists() {
            installed
        } else {
            "s3s-fs".into()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn files_live_in_s3_when_configured() {
        if std::env::var("HUDDLE_TEST_S3").as_deref() != Ok("1") {
            eprintln!("skipped: set HUDDLE_TEST_S3=1 (with s3s-fs installed) to run the S3 test");
            return;
        }
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("huddle-files")).unwrap();
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let mut child = tokio::process::Command::new(s3s_fs_binary())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--access-key",
                "huddle-test",
                "--secret-key",
                "huddle-test-secret",
            ])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("s3s-fs starts (cargo install s3s-fs --features binary)");
        let mut up = false;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                up = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(up, "s3s-fs listens on {port}");
        let endpoint = format!("http://127.0.0.1:{port}");
        let t = TestServer::start(None, move |c| {
            c.s3_endpoint = endpoint;
            c.s3_bucket = "huddle-files".into();
            c.s3_region = "us-east-1".into();
            c.s3_access_key = "huddle-test".into();
            c.s3_secret_key = "huddle-test-secret".into();
        })
        .await;
        super::image_flow(&t).await;
        assert_eq!(
            count_objects(&t.data_dir().join("files")),
            0,
            "nothing stored locally"
        );
        // The original and its thumbnail are in the bucket.
        assert_eq!(count_objects(&root.path().join("huddle-files")), 2);
        drop(t);
        let _ = child.kill().await;
    }
}
