//! Bad input on every endpoint gets a clear 4xx in the one error shape and writes nothing.

use crate::harness::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

crate::on_both_backends!(bad_input_is_refused_clearly_and_writes_nothing);

async fn snapshot(t: &TestServer) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "organizations",
        "departments",
        "members",
        "member_departments",
        "admin_scopes",
        "audit_log",
        "events",
    ] {
        out.push(t.count(table).await);
    }
    out
}

async fn raw(
    t: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: &str,
    content_type: &str,
) -> (StatusCode, Value) {
    let resp = t
        .http
        .request(method, format!("{}{path}", t.url))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn bad_input_is_refused_clearly_and_writes_nothing(t: &TestServer) {
    let org = t.org("坏输入", "boss").await;
    let dept = t.dept(&org.admin, "技术部", &org.root).await;
    let (member, _) = t.member(&org, "张三", "zs", &[&dept]).await;
    let before = snapshot(t).await;
    let long = "长".repeat(65);
    let m = format!("/api/v1/members/{member}");
    let d = format!("/api/v1/departments/{dept}");
    let cases: Vec<(Method, String, Value)> = vec![
        (Method::POST, "/api/v1/departments".into(), json!({})),
        (
            Method::POST,
            "/api/v1/departments".into(),
            json!({"name": "", "parent_id": org.root}),
        ),
        (
            Method::POST,
            "/api/v1/departments".into(),
            json!({"name": long, "parent_id": org.root}),
        ),
        (
            Method::POST,
            "/api/v1/departments".into(),
            json!({"name": "a/b", "parent_id": org.root}),
        ),
        (
            Method::POST,
            "/api/v1/departments".into(),
            json!({"name": "x", "parent_id": "not-an-id"}),
        ),
        (
            Method::POST,
            "/api/v1/departments".into(),
            json!({"name": "x", "parent_id": "999"}),
        ),
        (
            Method::POST,
            "/api/v1/departments".into(),
            json!({"name": "x", "parent_id": org.root, "color": "red"}),
        ),
        (Method::PATCH, d.clone(), json!({"name": 5})),
        (
            Method::PATCH,
            d.clone(),
            json!({"visibility": {"mode": "secret"}}),
        ),
        (
            Method::PATCH,
            d.clone(),
            json!({"visibility": {"mode": "listed", "department_ids": ["12345"]}}),
        ),
        (Method::PATCH, d.clone(), json!({"leader_ids": ["12345"]})),
        (Method::POST, "/api/v1/members".into(), json!({"name": "x"})),
        (
            Method::POST,
            "/api/v1/members".into(),
            json!({"name": "x", "employee_id": "has space", "department_ids": [dept]}),
        ),
        (
            Method::POST,
            "/api/v1/members".into(),
            json!({"name": "x", "employee_id": "ok1", "department_ids": []}),
        ),
        (
            Method::POST,
            "/api/v1/members".into(),
            json!({"name": "x", "employee_id": "ok1", "department_ids": [dept], "email": "nope"}),
        ),
        (
            Method::POST,
            "/api/v1/members".into(),
            json!({"name": "x", "employee_id": "ok1", "department_ids": [dept], "phone": "abc"}),
        ),
        (
            Method::POST,
            "/api/v1/members".into(),
            json!({"name": "x", "employee_id": "ok1", "department_ids": [dept], "join_date": "2024-02-30"}),
        ),
        (
            Method::POST,
            "/api/v1/members".into(),
            json!({"name": "x", "employee_id": "ok1", "department_ids": [dept], "password": "short"}),
        ),
        (
            Method::POST,
            "/api/v1/members".into(),
            json!({"name": "x", "employee_id": "ok1", "department_ids": [dept], "main_department_id": org.root}),
        ),
        (
            Method::POST,
            "/api/v1/members".into(),
            json!({"name": "x", "employee_id": "zs", "department_ids": [dept]}),
        ),
        (Method::PATCH, m.clone(), json!({"status": "fired"})),
        (Method::PATCH, m.clone(), json!({"manager_id": member})),
        (Method::PATCH, m.clone(), json!({"leave_date": "yesterday"})),
        (
            Method::PATCH,
            m.clone(),
            json!({"avatar_url": "javascript:alert(1)"}),
        ),
        (
            Method::POST,
            format!("{m}/reset-password"),
            json!({"password": "1"}),
        ),
        (Method::PUT, format!("{m}/role"), json!({"role": "admin"})),
        (Method::PUT, format!("{m}/role"), json!({"role": "god"})),
        (
            Method::PATCH,
            "/api/v1/me/settings".into(),
            json!({"font_size": "huge"}),
        ),
        (
            Method::PATCH,
            "/api/v1/me/settings".into(),
            json!({"theme": "dark"}),
        ),
        (
            Method::POST,
            "/api/v1/auth/login".into(),
            json!({"login": "", "password": "x"}),
        ),
        (
            Method::POST,
            "/api/v1/auth/password".into(),
            json!({"current_password": "admin-pass-1", "new_password": "x"}),
        ),
        (
            Method::POST,
            "/api/v1/setup".into(),
            json!({"org_name": "x"}),
        ),
    ];
    for (method, path, body) in cases {
        let (s, b) = t
            .call(Some(&org.admin), method.clone(), &path, Some(body.clone()))
            .await;
        assert!(s.is_client_error(), "{method} {path} {body} → {s}");
        assert!(
            b["error"]["code"].is_string()
                && b["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
            "{method} {path} {body}: error shape, got {b}"
        );
    }
    // Malformed JSON and wrong content type.
    let (s, b) = raw(
        t,
        &org.admin,
        Method::POST,
        "/api/v1/departments",
        "{not json",
        "application/json",
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_json"))
    );
    let (s, b) = raw(
        t,
        &org.admin,
        Method::POST,
        "/api/v1/departments",
        "name=x",
        "application/x-www-form-urlencoded",
    )
    .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );
    // Bad paths and query strings.
    for path in [
        "/api/v1/members/abc",
        "/api/v1/departments/-1",
        "/api/v1/members?limit=0",
        "/api/v1/members?limit=x",
        "/api/v1/members?cursor=%%%",
        "/api/v1/members?status=odd",
        "/api/v1/audit-log?limit=100000",
        "/api/v1/directory/search",
        "/api/v1/directory/search?q=a&limit=1000",
        "/api/v1/nope",
    ] {
        let (s, b) = t.get(&org.admin, path).await;
        assert!(s.is_client_error(), "{path} → {s}");
        assert!(b["error"]["message"].is_string(), "{path}: {b}");
    }
    assert_eq!(snapshot(t).await, before, "nothing was written");
}
