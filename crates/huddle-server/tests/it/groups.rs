//! Group management and do-not-disturb.

use crate::harness::TestServer;
use reqwest::StatusCode;
use serde_json::json;

crate::on_both_backends!(
    group_owner_admins_members_and_dissolve,
    muted_chats_arrive_without_notifying_unless_mentioned,
    quiet_hours_hold_notifications,
);

async fn group_owner_admins_members_and_dissolve(t: &TestServer) {
    let org = t.org("群管理", "boss").await;
    let (a_id, a) = t.member(&org, "群主", "owner", &[&org.root]).await;
    let (b_id, b) = t.member(&org, "成员乙", "memb", &[&org.root]).await;
    let (c_id, c) = t.member(&org, "成员丙", "memc", &[&org.root]).await;
    let (_, g) = t
        .post(
            &a,
            "/api/v1/conversations",
            json!({"kind": "group", "name": "项目组", "member_ids": [b_id]}),
        )
        .await;
    let conv = g["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/conversations/{conv}");
    let send = |key: &str| json!({"client_msg_id": key, "content": {"kind": "text", "text": key}});
    // Members cannot change settings; the owner can. The announcement reaches everyone live.
    assert_eq!(
        t.patch(&b, &base, json!({"name": "x"})).await.0,
        StatusCode::FORBIDDEN
    );
    let mut b_ws = t.socket(&b).await;
    let (s, g) = t
        .patch(
            &a,
            &base,
            json!({"announcement": "周五发布", "only_admins_speak": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    let ev = b_ws.next_of("message.created").await;
    assert!(ev["payload"]["content"]["text"]
        .as_str()
        .unwrap()
        .contains("周五发布"));
    let (s, e) = t.post(&b, &format!("{base}/messages"), send("b1")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(
        t.post(&a, &format!("{base}/messages"), send("a1")).await.0,
        StatusCode::CREATED
    );
    t.patch(
        &a,
        &base,
        json!({"only_admins_speak": false, "mention_all": "everyone"}),
    )
    .await;
    let (s, _) = t.post(&b, &format!("{base}/messages"), json!({"client_msg_id": "b2", "content": {"kind": "text", "text": "@all", "mention_all": true}})).await;
    assert_eq!(s, StatusCode::CREATED);
    // Group administrators: appointed by the owner only.
    assert_eq!(
        t.put(
            &b,
            &format!("{base}/members/{b_id}/role"),
            json!({"role": "admin"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, g) = t
        .put(
            &a,
            &format!("{base}/members/{b_id}/role"),
            json!({"role": "admin"}),
        )
        .await;
    assert_eq!((s, &g["admin_ids"]), (StatusCode::OK, &json!([b_id])));
    assert_eq!(
        t.put(
            &a,
            &format!("{base}/members/{a_id}/role"),
            json!({"role": "member"})
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    t.put(
        &a,
        &format!("{base}/members/{b_id}/role"),
        json!({"role": "member"}),
    )
    .await;
    // Adding someone: they see the group from now on, not its earlier history.
    let (s, g) = t
        .post(
            &b,
            &format!("{base}/members"),
            json!({"member_ids": [c_id]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(g["member_ids"].as_array().unwrap().len(), 3);
    let (_, hist) = t.get(&c, &format!("{base}/messages")).await;
    let kinds: Vec<&str> = hist["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["system"],
        "only the notice that they were added"
    );
    // Only admins remove; the owner cannot leave before transferring.
    assert_eq!(
        t.delete(&b, &format!("{base}/members/{c_id}")).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, e) = t.delete(&a, &format!("{base}/members/{a_id}")).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("owner_must_transfer"))
    );
    assert_eq!(
        t.post(&b, &format!("{base}/transfer"), json!({"member_id": b_id}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, g) = t
        .post(&a, &format!("{base}/transfer"), json!({"member_id": b_id}))
        .await;
    assert_eq!(
        (s, g["owner_id"].as_str()),
        (StatusCode::OK, Some(b_id.as_str()))
    );
    assert_eq!(
        t.delete(&a, &format!("{base}/members/{a_id}")).await.0,
        StatusCode::NO_CONTENT,
        "the former owner leaves"
    );
    assert_eq!(t.get(&a, &base).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        t.delete(&b, &format!("{base}/members/{c_id}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.get(&c, &base).await.0, StatusCode::NOT_FOUND);
    // Dissolving is the owner's; afterwards the group is gone for everyone.
    assert_eq!(t.delete(&b, &base).await.0, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&b, &base).await.0, StatusCode::NOT_FOUND);
    // Direct chats have no group settings.
    let (_, d) = t
        .post(
            &b,
            "/api/v1/conversations",
            json!({"kind": "direct", "member_ids": [c_id]}),
        )
        .await;
    let (s, _) = t
        .patch(
            &b,
            &format!("/api/v1/conversations/{}", d["id"].as_str().unwrap()),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn muted_chats_arrive_without_notifying_unless_mentioned(t: &TestServer) {
    let org = t.org("免打扰", "boss").await;
    let (_, a) = t.member(&org, "甲", "jia", &[&org.root]).await;
    let (b_id, b) = t.member(&org, "乙", "yi", &[&org.root]).await;
    let (_, g) = t
        .post(
            &a,
            "/api/v1/conversations",
            json!({"kind": "group", "name": "群", "member_ids": [b_id]}),
        )
        .await;
    let conv = g["id"].as_str().unwrap();
    let (s, v) = t
        .patch(
            &b,
            &format!("/api/v1/conversations/{conv}/me"),
            json!({"muted": true, "pinned": true}),
        )
        .await;
    assert_eq!(
        (s, v["muted"].as_bool(), v["pinned"].as_bool()),
        (StatusCode::OK, Some(true), Some(true))
    );
    let mut ws = t.socket(&b).await;
    let path = format!("/api/v1/conversations/{conv}/messages");
    t.post(
        &a,
        &path,
        json!({"client_msg_id": "q1", "content": {"kind": "text", "text": "安静"}}),
    )
    .await;
    assert_eq!(ws.next_of("message.created").await["notify"], false);
    t.post(&a, &path, json!({"client_msg_id": "q2", "content": {"kind": "text", "text": "@乙", "mentions": [b_id]}})).await;
    assert_eq!(
        ws.next_of("message.created").await["notify"],
        true,
        "a mention breaks through"
    );
    let (_, list) = t.get(&b, "/api/v1/conversations").await;
    assert_eq!(
        list["total_unread"], 0,
        "muted chats do not count in the total"
    );
    assert_eq!(list["items"][0]["unread"], 2);
}

async fn quiet_hours_hold_notifications(t: &TestServer) {
    let org = t.org("勿扰时段", "boss").await;
    let (_, a) = t.member(&org, "甲", "jia", &[&org.root]).await;
    let (b_id, b) = t.member(&org, "乙", "yi", &[&org.root]).await;
    let (_, d) = t
        .post(
            &a,
            "/api/v1/conversations",
            json!({"kind": "direct", "member_ids": [b_id]}),
        )
        .await;
    let path = format!(
        "/api/v1/conversations/{}/messages",
        d["id"].as_str().unwrap()
    );
    // A window around the current time, in UTC.
    let now_min = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 60) as i64;
    let hhmm = |m: i64| format!("{:02}:{:02}", m.rem_euclid(1440) / 60, m.rem_euclid(60));
    let quiet = json!({"enabled": true, "start": hhmm(now_min - 60), "end": hhmm(now_min + 60), "utc_offset_minutes": 0});
    let (s, v) = t
        .patch(
            &b,
            "/api/v1/me/settings",
            json!({"quiet_hours": quiet, "mentions_break_through": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut ws = t.socket(&b).await;
    t.post(
        &a,
        &path,
        json!({"client_msg_id": "n1", "content": {"kind": "text", "text": "夜里"}}),
    )
    .await;
    assert_eq!(ws.next_of("message.created").await["notify"], false);
    t.post(&a, &path, json!({"client_msg_id": "n2", "content": {"kind": "text", "text": "@乙", "mentions": [b_id]}})).await;
    assert_eq!(
        ws.next_of("message.created").await["notify"],
        false,
        "mentions were set not to break through"
    );
    t.patch(&b, "/api/v1/me/settings", json!({"quiet_hours": {"enabled": false, "start": "22:00", "end": "08:00", "utc_offset_minutes": 480}})).await;
    t.post(
        &a,
        &path,
        json!({"client_msg_id": "n3", "content": {"kind": "text", "text": "白天"}}),
    )
    .await;
    assert_eq!(ws.next_of("message.created").await["notify"], true);
    let (s, _) = t.patch(&b, "/api/v1/me/settings", json!({"quiet_hours": {"enabled": true, "start": "25:00", "end": "08:00", "utc_offset_minutes": 0}})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}
