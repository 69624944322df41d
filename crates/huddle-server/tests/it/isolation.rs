//! One organization can never see or touch another's data, whatever ids it sends.

use crate::harness::TestServer;
use reqwest::StatusCode;
use serde_json::json;

crate::on_both_backends!(organizations_never_see_each_other);

async fn organizations_never_see_each_other(t: &TestServer) {
    let a = t.org("甲企业", "boss").await;
    let b = t.org("乙企业", "boss").await;
    let b_dept = t.dept(&b.admin, "机密部", &b.root).await;
    let (b_member, b_member_token) = t.member(&b, "乙员工", "staff", &[&b_dept]).await;
    let b_session = t.get(&b_member_token, "/api/v1/auth/sessions").await.1["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = (
        t.count("departments").await,
        t.count("members").await,
        t.count("sessions").await,
    );

    // Same login in two organizations: each password opens its own account.
    let (_, a_staff) = t.member(&a, "甲员工", "staff2", &[&a.root]).await;
    let _ = a_staff;

    for (method, path, body) in [
        ("GET", format!("/api/v1/departments/{b_dept}"), None),
        (
            "PATCH",
            format!("/api/v1/departments/{b_dept}"),
            Some(json!({"name": "hacked"})),
        ),
        ("DELETE", format!("/api/v1/departments/{b_dept}"), None),
        ("GET", format!("/api/v1/departments/{}", b.root), None),
        ("GET", format!("/api/v1/members/{b_member}"), None),
        (
            "PATCH",
            format!("/api/v1/members/{b_member}"),
            Some(json!({"status": "disabled"})),
        ),
        ("DELETE", format!("/api/v1/members/{b_member}"), None),
        (
            "POST",
            format!("/api/v1/members/{b_member}/reset-password"),
            Some(json!({"password": "owned-owned"})),
        ),
        (
            "PUT",
            format!("/api/v1/members/{b_member}/role"),
            Some(json!({"role": "member"})),
        ),
        (
            "GET",
            format!("/api/v1/members?department_id={b_dept}"),
            None,
        ),
        ("DELETE", format!("/api/v1/auth/sessions/{b_session}"), None),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let (s, resp) = t.call(Some(&a.admin), method.clone(), &path, body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path} → {resp}");
    }
    // Ids of the other organization inside bodies are refused as unknown.
    let (s, _) = t
        .post(
            &a.admin,
            "/api/v1/departments",
            json!({"name": "x", "parent_id": b_dept}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = t
        .post(
            &a.admin,
            "/api/v1/members",
            json!({"name": "x", "employee_id": "x1", "department_ids": [b_dept]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = t.post(&a.admin, "/api/v1/members", json!({"name": "x", "employee_id": "x1", "department_ids": [a.root], "manager_id": b_member})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // Lists and search show nothing of B.
    let (_, depts) = t.get(&a.admin, "/api/v1/departments").await;
    assert!(depts["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["id"] != b_dept.as_str() && d["id"] != b.root.as_str()));
    let (_, members) = t
        .get(&a.admin, "/api/v1/members?status=all&limit=1000")
        .await;
    assert!(members["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["id"] != b_member.as_str()));
    let (_, found) = t.get(&a.admin, "/api/v1/directory/search?q=staff").await;
    assert!(found["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["id"] != b_member.as_str()));
    let (_, audit) = t.get(&a.admin, "/api/v1/audit-log?limit=200").await;
    assert!(audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["target_id"] != b_dept.as_str()));
    // Nothing of B changed.
    assert_eq!(t.get(&b_member_token, "/api/v1/me").await.0, StatusCode::OK);
    let after = (
        t.count("departments").await,
        t.count("members").await - 1,
        t.count("sessions").await - 1,
    );
    assert_eq!(before, after);
    let (_, d) = t
        .get(&b.admin, &format!("/api/v1/departments/{b_dept}"))
        .await;
    assert_eq!(d["name"], "机密部");
}
