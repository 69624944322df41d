//! Findings a review must never find again.

use crate::directory::urlencode;
use crate::harness::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::json;

crate::on_both_backends!(
    department_admin_cannot_take_over_a_wider_admin,
    parallel_wrong_passwords_are_still_throttled,
    hidden_department_names_and_ids_do_not_leak,
    department_admins_read_only_their_own_audit_entries,
    sign_in_names_are_unique_across_id_phone_and_email,
    ending_a_session_closes_its_websocket,
);

async fn department_admin_cannot_take_over_a_wider_admin(t: &TestServer) {
    let org = t.org("越权测试", "boss").await;
    let tech = t.dept(&org.admin, "技术部", &org.root).await;
    let (a_id, a) = t.member(&org, "甲管理员", "admin_a", &[&tech]).await;
    let (b_id, _) = t.member(&org, "乙管理员", "admin_b", &[&tech]).await;
    t.put(
        &org.admin,
        &format!("/api/v1/members/{a_id}/role"),
        json!({"role": "admin", "managed_department_ids": [tech]}),
    )
    .await;
    t.put(
        &org.admin,
        &format!("/api/v1/members/{b_id}/role"),
        json!({"role": "admin", "managed_department_ids": [org.root]}),
    )
    .await;
    for (method, path, body) in [
        (
            Method::POST,
            format!("/api/v1/members/{b_id}/reset-password"),
            json!({"password": "taken-over-1"}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/members/{b_id}"),
            json!({"status": "disabled"}),
        ),
        (Method::DELETE, format!("/api/v1/members/{b_id}"), json!({})),
    ] {
        let (s, b) = t.call(Some(&a), method.clone(), &path, Some(body)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{method} {path}: {b}");
    }
    t.login_in(&org.code, "admin_b", "member-pass-1").await;
}

async fn parallel_wrong_passwords_are_still_throttled(t: &TestServer) {
    let org = t.org("并发登录", "boss").await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let http = t.http.clone();
        let url = format!("{}/api/v1/auth/login", t.url);
        let code = org.code.clone();
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .json(&json!({"login": "boss", "password": "wrong-wrong", "org": code}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut unauthorized = 0;
    for task in tasks {
        if task.await.unwrap() == StatusCode::UNAUTHORIZED {
            unauthorized += 1;
        }
    }
    assert_eq!(
        unauthorized, 5,
        "only the first five attempts get a password check"
    );
}

async fn hidden_department_names_and_ids_do_not_leak(t: &TestServer) {
    let org = t.org("泄露测试", "boss").await;
    let tech = t.dept(&org.admin, "技术部", &org.root).await;
    let fin = t.dept(&org.admin, "财务部", &org.root).await;
    let (both, _) = t.member(&org, "王五", "wangwu", &[&fin, &tech]).await;
    let (_, outsider) = t.member(&org, "李四", "lisi", &[&tech]).await;
    t.patch(
        &org.admin,
        &format!("/api/v1/members/{both}"),
        json!({"main_department_id": fin}),
    )
    .await;
    t.patch(
        &org.admin,
        &format!("/api/v1/departments/{fin}"),
        json!({"visibility": {"mode": "members"}}),
    )
    .await;
    let (_, r) = t
        .get(
            &outsider,
            &format!("/api/v1/directory/search?q={}", urlencode("财务")),
        )
        .await;
    assert!(
        r["items"].as_array().unwrap().is_empty(),
        "a hidden department's name finds nobody: {r}"
    );
    let (_, r) = t.get(&outsider, "/api/v1/directory/search?q=wangwu").await;
    let seen = &r["items"][0];
    assert_eq!(
        seen["department_ids"],
        json!([tech]),
        "hidden department ids are stripped"
    );
    assert!(seen["main_department_id"].is_null());
    let (_, p) = t.get(&outsider, &format!("/api/v1/members/{both}")).await;
    assert_eq!(p["department_ids"], json!([tech]));
    let (_, r) = t
        .get(
            &outsider,
            &format!("/api/v1/directory/search?q={}", urlencode("技术")),
        )
        .await;
    assert_eq!(
        r["items"].as_array().unwrap().len(),
        2,
        "a visible department's name finds its members"
    );
}

async fn department_admins_read_only_their_own_audit_entries(t: &TestServer) {
    let org = t.org("审计范围", "boss").await;
    let tech = t.dept(&org.admin, "技术部", &org.root).await;
    let (a_id, a) = t.member(&org, "部门管理员", "deptadmin", &[&tech]).await;
    t.put(
        &org.admin,
        &format!("/api/v1/members/{a_id}/role"),
        json!({"role": "admin", "managed_department_ids": [tech]}),
    )
    .await;
    t.dept(&a, "前端组", &tech).await;
    let (_, log) = t.get(&a, "/api/v1/audit-log").await;
    let items = log["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items.iter().all(|e| e["actor_id"] == a_id.as_str()),
        "{log}"
    );
    let (_, all) = t.get(&org.admin, "/api/v1/audit-log").await;
    assert!(all["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "member.set_role"));
}

async fn sign_in_names_are_unique_across_id_phone_and_email(t: &TestServer) {
    let org = t.org("登录名", "boss").await;
    let (a, _) = t.member(&org, "甲", "jia", &[&org.root]).await;
    t.patch(
        &org.admin,
        &format!("/api/v1/members/{a}"),
        json!({"phone": "13800000000", "email": "jia@corp.cn"}),
    )
    .await;
    t.member(&org, "丙", "13900000001", &[&org.root]).await;
    for body in [
        json!({"name": "乙", "employee_id": "13800000000", "department_ids": [org.root]}),
        json!({"name": "乙", "employee_id": "yi", "phone": "13900000001", "department_ids": [org.root]}),
        json!({"name": "乙", "employee_id": "JIA@corp.cn", "department_ids": [org.root]}),
    ] {
        let (s, b) = t.post(&org.admin, "/api/v1/members", body.clone()).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body} → {b}");
    }
}

async fn ending_a_session_closes_its_websocket(t: &TestServer) {
    let org = t.org("会话结束", "boss").await;
    let (id, token) = t.member(&org, "赵六", "zhaoliu", &[&org.root]).await;
    let mut ws = t.socket(&token).await;
    t.patch(
        &org.admin,
        &format!("/api/v1/members/{id}"),
        json!({"status": "disabled"}),
    )
    .await;
    // The revocation event closes the socket.
    let mut ended = false;
    for _ in 0..4 {
        match ws.next().await {
            Some(v) if v["type"] == "session.ended" => {
                ended = true;
                break;
            }
            Some(_) => continue,
            None => continue,
        }
    }
    assert!(ended, "the socket announced the end of its session");
}
