use crate::harness::{TestServer, ADMIN_PW};
use reqwest::{Method, StatusCode};
use serde_json::json;

crate::on_both_backends!(
    first_run_setup_creates_org_once,
    login_logout_and_me,
    wrong_password_gives_guidance_without_revealing_accounts,
    failed_logins_are_throttled_per_account,
    disabling_a_member_ends_their_sessions,
    admin_reset_forces_password_change,
    own_sessions_can_be_listed_and_ended,
    cookie_sessions_need_csrf_token,
    signed_in_sessions_see_changes_at_once,
);

async fn first_run_setup_creates_org_once(t: &TestServer) {
    let (s, b) = t.call(None, Method::GET, "/api/v1/setup", None).await;
    assert_eq!(
        (s, b["needs_setup"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let bad = json!({"org_name": "示例科技", "admin_name": "管理员", "admin_login": "admin", "admin_password": "short"});
    let (s, b) = t.call(None, Method::POST, "/api/v1/setup", Some(bad)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["error"]["field"], "admin_password");
    assert_eq!(t.count("organizations").await, 0);
    let good = json!({"org_name": "示例科技", "admin_name": "管理员", "admin_login": "admin", "admin_password": ADMIN_PW});
    let (s, b) = t
        .call(None, Method::POST, "/api/v1/setup", Some(good.clone()))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["member"]["role"], "super_admin");
    let token = b["token"].as_str().unwrap().to_string();
    let (s, me) = t.get(&token, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["org"]["code"], "shilikeji");
    let (s, b) = t
        .call(None, Method::POST, "/api/v1/setup", Some(good))
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_set_up"))
    );
    let (_, b) = t.call(None, Method::GET, "/api/v1/setup", None).await;
    assert_eq!(b["needs_setup"], false);
}

async fn login_logout_and_me(t: &TestServer) {
    let org = t.org("甲公司", "boss").await;
    let (id, token) = t.member(&org, "张三", "zhangsan01", &[&org.root]).await;
    let (s, me) = t.get(&token, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["member"]["id"], id.as_str());
    assert_eq!(me["member"]["role"], "member");
    // Phone and email also sign in.
    t.patch(
        &org.admin,
        &format!("/api/v1/members/{id}"),
        json!({"phone": "13800000001", "email": "Zhang@Example.com"}),
    )
    .await;
    t.login_in(&org.code, "13800000001", "member-pass-1").await;
    t.login_in(&org.code, "zhang@example.com", "member-pass-1")
        .await;
    let (s, _) = t.post(&token, "/api/v1/auth/logout", json!({})).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = t.get(&token, "/api/v1/me").await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    let (s, _) = t.call(None, Method::GET, "/api/v1/me", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn wrong_password_gives_guidance_without_revealing_accounts(t: &TestServer) {
    let org = t.org("乙公司", "boss").await;
    let login = |l: &str, p: &str| json!({"login": l, "password": p});
    let (s1, wrong_pw) = t
        .call(
            None,
            Method::POST,
            "/api/v1/auth/login",
            Some(login("boss", "nope-nope")),
        )
        .await;
    let (s2, no_user) = t
        .call(
            None,
            Method::POST,
            "/api/v1/auth/login",
            Some(login("ghost", "nope-nope")),
        )
        .await;
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(
        wrong_pw, no_user,
        "the same answer whether or not the account exists"
    );
    let msg = wrong_pw["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("employee ID") && msg.contains("administrator"),
        "{msg}"
    );
    let _ = org;
}

async fn failed_logins_are_throttled_per_account(t: &TestServer) {
    let org = t.org("丙公司", "boss").await;
    for _ in 0..5 {
        let (s, _) = t
            .call(
                None,
                Method::POST,
                "/api/v1/auth/login",
                Some(json!({"login": "boss", "password": "wrong-wrong"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused while the account is throttled.
    let resp = t
        .http
        .post(format!("{}/api/v1/auth/login", t.url))
        .json(&json!({"login": "boss", "password": ADMIN_PW, "org": org.code}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get("retry-after").is_some());
    let b: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(b["error"]["code"], "too_many_attempts");
    assert!(b["error"]["message"]
        .as_str()
        .unwrap()
        .contains("administrator"));
}

async fn disabling_a_member_ends_their_sessions(t: &TestServer) {
    let org = t.org("丁公司", "boss").await;
    let (id, token) = t.member(&org, "李四", "lisi01", &[&org.root]).await;
    let second = t.login_in(&org.code, "lisi01", "member-pass-1").await;
    let (s, b) = t
        .patch(
            &org.admin,
            &format!("/api/v1/members/{id}"),
            json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    for tok in [&token, &second] {
        assert_eq!(t.get(tok, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    }
    let (s, _) = t
        .call(
            None,
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"login": "lisi01", "password": "member-pass-1"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Removing an account ends its sessions too.
    let (id2, token2) = t.member(&org, "王五", "wangwu01", &[&org.root]).await;
    assert_eq!(
        t.delete(&org.admin, &format!("/api/v1/members/{id2}"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.get(&token2, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn admin_reset_forces_password_change(t: &TestServer) {
    let org = t.org("戊公司", "boss").await;
    let (id, old) = t.member(&org, "赵六", "zhaoliu", &[&org.root]).await;
    let (s, _) = t
        .post(
            &org.admin,
            &format!("/api/v1/members/{id}/reset-password"),
            json!({"password": "temporary-1"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&old, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let (s, b) = t
        .call(
            None,
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"login": "zhaoliu", "password": "temporary-1"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["must_change_password"], true);
    let token = b["token"].as_str().unwrap();
    let (s, b) = t.get(token, "/api/v1/departments").await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    assert_eq!(
        t.get(token, "/api/v1/me").await.1["must_change_password"],
        true
    );
    let (s, b) = t
        .post(
            token,
            "/api/v1/auth/password",
            json!({"current_password": "wrong-one", "new_password": "brand-new-1"}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("current_password"))
    );
    let (s, _) = t
        .post(
            token,
            "/api/v1/auth/password",
            json!({"current_password": "temporary-1", "new_password": "brand-new-1"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(t.get(token, "/api/v1/departments").await.0, StatusCode::OK);
    t.login_in(&org.code, "zhaoliu", "brand-new-1").await;
    let audit = t.get(&org.admin, "/api/v1/audit-log").await.1;
    assert!(audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "member.reset_password"));
}

async fn own_sessions_can_be_listed_and_ended(t: &TestServer) {
    let org = t.org("己公司", "boss").await;
    let (_, a) = t.member(&org, "钱七", "qianqi", &[&org.root]).await;
    let b = t.login_in(&org.code, "qianqi", "member-pass-1").await;
    let c = t.login_in(&org.code, "qianqi", "member-pass-1").await;
    let (_, list) = t.get(&a, "/api/v1/auth/sessions").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items.iter().filter(|s| s["current"] == true).count(), 1);
    let b_id = t.get(&b, "/api/v1/auth/sessions").await.1["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        t.delete(&a, &format!("/api/v1/auth/sessions/{b_id}"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.get(&b, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    // Someone else's session id is simply not found.
    let admin_sid = t.get(&org.admin, "/api/v1/auth/sessions").await.1["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        t.delete(&a, &format!("/api/v1/auth/sessions/{admin_sid}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.post(&a, "/api/v1/auth/sessions/revoke-others", json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.get(&c, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(t.get(&a, "/api/v1/me").await.0, StatusCode::OK);
}

/// Sessions are cached in memory; every change that affects what a session may do reaches an
/// already-used (cached) session on the very next request.
async fn signed_in_sessions_see_changes_at_once(t: &TestServer) {
    let org = t.org("辛公司", "boss").await;
    let (id, token) = t.member(&org, "孙八", "sunba", &[&org.root]).await;
    let other = t.login_in(&org.code, "sunba", "member-pass-1").await;
    let new_dept = |name: &str| json!({"name": name, "parent_id": org.root});
    // Warm the cache for both sessions.
    assert_eq!(t.get(&token, "/api/v1/me").await.0, StatusCode::OK);
    assert_eq!(t.get(&other, "/api/v1/me").await.0, StatusCode::OK);
    let (s, _) = t.post(&token, "/api/v1/departments", new_dept("甲")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Promotion and demotion apply to the next request.
    let role = format!("/api/v1/members/{id}/role");
    let (s, b) = t
        .put(
            &org.admin,
            &role,
            json!({"role": "admin", "managed_department_ids": [org.root]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = t.post(&token, "/api/v1/departments", new_dept("乙")).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, _) = t.put(&org.admin, &role, json!({"role": "member"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = t.post(&token, "/api/v1/departments", new_dept("丙")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A rename shows in the caller's own profile at once.
    let (s, _) = t
        .patch(
            &org.admin,
            &format!("/api/v1/members/{id}"),
            json!({"name": "孙八八"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        t.get(&token, "/api/v1/me").await.1["member"]["name"],
        "孙八八"
    );
    // Signing out ends that session only; disabling ends the rest.
    assert_eq!(
        t.post(&other, "/api/v1/auth/logout", json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        t.get(&other, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(t.get(&token, "/api/v1/me").await.0, StatusCode::OK);
    let (s, _) = t
        .patch(
            &org.admin,
            &format!("/api/v1/members/{id}"),
            json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        t.get(&token, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn cookie_sessions_need_csrf_token(t: &TestServer) {
    let org = t.org("庚公司", "boss").await;
    let resp = t
        .http
        .post(format!("{}/api/v1/auth/login", t.url))
        .json(&json!({"login": "boss", "password": ADMIN_PW, "org": org.code}))
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(cookies.iter().any(|c| c.starts_with("huddle_session=")
        && c.contains("HttpOnly")
        && c.contains("SameSite=Lax")));
    let body: serde_json::Value = resp.json().await.unwrap();
    let cookie = format!(
        "huddle_session={}; huddle_csrf={}",
        body["token"].as_str().unwrap(),
        body["csrf_token"].as_str().unwrap()
    );
    let get = t
        .http
        .get(format!("{}/api/v1/me", t.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    let url = format!("{}/api/v1/departments", t.url);
    let payload = json!({"name": "技术部", "parent_id": org.root});
    let no_csrf = t
        .http
        .post(&url)
        .header("cookie", &cookie)
        .json(&payload)
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
    let with_csrf = t
        .http
        .post(&url)
        .header("cookie", &cookie)
        .header("x-csrf-token", body["csrf_token"].as_str().unwrap())
        .json(&payload)
        .send()
        .await
        .unwrap();
    assert_eq!(with_csrf.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn failed_logins_are_throttled_per_address() {
    let t = TestServer::start(None, |c| c.login_max_failures_per_ip = 3).await;
    let org = t.org("辛公司", "boss").await;
    for name in ["a1", "a2", "a3"] {
        let (s, _) = t
            .call(
                None,
                Method::POST,
                "/api/v1/auth/login",
                Some(json!({"login": name, "password": "wrong-wrong"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, _) = t
        .call(
            None,
            Method::POST,
            "/api/v1/auth/login",
            Some(json!({"login": "boss", "password": ADMIN_PW, "org": org.code})),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
}
