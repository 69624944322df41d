//! Chat: ordering, exactly-once sends, live delivery, receipts, recall and membership checks.

use crate::harness::{Org, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

crate::on_both_backends!(
    direct_chat_delivers_live_in_order_and_retries_never_duplicate,
    group_receipts_unread_counts_and_mentions,
    recall_by_sender_and_admin_is_seen_live,
    outsiders_learn_nothing_about_a_conversation,
    bad_messages_are_refused_and_nothing_is_written,
    events_applied_to_stale_state_match_fresh_state,
);

fn text(key: &str, t: &str) -> Value {
    json!({"client_msg_id": key, "content": {"kind": "text", "text": t}})
}

async fn pair(t: &TestServer, name: &str) -> (Org, (String, String), (String, String)) {
    let org = t.org(name, "boss").await;
    let a = t.member(&org, "张三", "zhangsan", &[&org.root]).await;
    let b = t.member(&org, "李四", "lisi", &[&org.root]).await;
    (org, a, b)
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

async fn direct_chat_delivers_live_in_order_and_retries_never_duplicate(t: &TestServer) {
    let (_, (a_id, a), (b_id, b)) = pair(t, "单聊").await;
    let conv = direct(t, &a, &b_id).await;
    assert_eq!(
        direct(t, &b, &a_id).await,
        conv,
        "the same direct chat from either side"
    );
    let mut b_ws = t.socket(&b).await;
    let mut a_ws = t.socket(&a).await;
    let path = format!("/api/v1/conversations/{conv}/messages");
    let (s, m1) = t.post(&a, &path, text("a-1", "你好，李四")).await;
    assert_eq!(s, StatusCode::CREATED, "{m1}");
    let got = b_ws.next_of("message.created").await;
    assert_eq!(got["payload"]["id"], m1["id"]);
    assert_eq!(got["payload"]["content"]["text"], "你好，李四");
    // A retry with the same client id returns the original and delivers nothing new.
    let (s, again) = t.post(&a, &path, text("a-1", "你好，李四")).await;
    assert_eq!((s, &again["id"]), (StatusCode::OK, &m1["id"]));
    assert!(
        b_ws.quiet_for("message.created", 300).await,
        "no duplicate delivery"
    );
    let (_, m2) = t.post(&b, &path, text("b-1", "收到")).await;
    // The sender's own sessions get their message too (other devices stay in step).
    assert_eq!(
        a_ws.next_of("message.created").await["payload"]["id"],
        m1["id"]
    );
    assert_eq!(
        a_ws.next_of("message.created").await["payload"]["id"],
        m2["id"]
    );
    for i in 0..5 {
        t.post(
            &a,
            &path,
            text(&format!("a-burst-{i}"), &format!("第{i}条")),
        )
        .await;
    }
    let seqs: Vec<i64> = {
        let mut v = Vec::new();
        for _ in 0..6 {
            v.push(
                b_ws.next_of("message.created").await["payload"]["seq"]
                    .as_i64()
                    .unwrap(),
            );
        }
        v
    };
    // 李四's own reply (2) echoes to his session, then the burst: in order, no gaps.
    assert_eq!(
        seqs,
        vec![2, 3, 4, 5, 6, 7],
        "delivered in sequence order without gaps"
    );
    // History: newest page, then scroll back, then catch up after a sequence.
    let (_, page) = t.get(&b, &format!("{path}?limit=3")).await;
    let seq_of = |p: &Value| {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["seq"].as_i64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(seq_of(&page), vec![5, 6, 7]);
    assert_eq!(page["has_more"], true);
    let (_, older) = t.get(&b, &format!("{path}?before_seq=5&limit=10")).await;
    assert_eq!(seq_of(&older), vec![1, 2, 3, 4]);
    let (_, missed) = t.get(&b, &format!("{path}?after_seq=4")).await;
    assert_eq!(seq_of(&missed), vec![5, 6, 7]);
    let _ = a_id;
}

async fn group_receipts_unread_counts_and_mentions(t: &TestServer) {
    let (org, (a_id, a), (b_id, b)) = pair(t, "群聊").await;
    let (c_id, c) = t.member(&org, "王五", "wangwu", &[&org.root]).await;
    let (outsider_id, _) = t.member(&org, "赵六", "zhaoliu", &[&org.root]).await;
    let (s, g) = t
        .post(
            &a,
            "/api/v1/conversations",
            json!({"kind": "group", "name": "项目群", "member_ids": [b_id, c_id]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    assert_eq!(g["owner_id"], a_id.as_str());
    let conv = g["id"].as_str().unwrap();
    let path = format!("/api/v1/conversations/{conv}/messages");
    let (s, e) = t.post(&a, &path, json!({"client_msg_id": "m0", "content": {"kind": "text", "text": "@赵六", "mentions": [outsider_id]}})).await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("content"))
    );
    let (s, m) = t.post(&a, &path, json!({"client_msg_id": "m1", "content": {"kind": "text", "text": "@李四 请看", "mentions": [b_id]}})).await;
    assert_eq!(s, StatusCode::CREATED);
    // Only the owner/admins may @all by default.
    let (s, _) = t.post(&b, &path, json!({"client_msg_id": "m2", "content": {"kind": "text", "text": "@所有人", "mention_all": true}})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, list) = t.get(&b, "/api/v1/conversations").await;
    assert_eq!(list["items"][0]["unread"], 1);
    assert_eq!(list["total_unread"], 1);
    let receipts = format!("/api/v1/messages/{}/receipts", m["id"].as_str().unwrap());
    let (_, r) = t.get(&a, &receipts).await;
    assert_eq!(
        (r["read_count"].as_i64(), r["total"].as_i64()),
        (Some(0), Some(2))
    );
    let mut a_ws = t.socket(&a).await;
    assert_eq!(
        t.post(&b, &format!("/api/v1/conversations/{conv}/read"), json!({}))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let ev = a_ws.next_of("conversation.read").await;
    assert_eq!(ev["payload"]["member_id"], b_id.as_str());
    let (_, r) = t.get(&a, &receipts).await;
    assert_eq!(r["read_by"], json!([b_id]));
    assert_eq!(r["unread_by"], json!([c_id]));
    let (_, list) = t.get(&b, "/api/v1/conversations").await;
    assert_eq!(list["total_unread"], 0);
    t.post(
        &b,
        &format!("/api/v1/conversations/{conv}/unread"),
        json!({}),
    )
    .await;
    let (_, list) = t.get(&b, "/api/v1/conversations").await;
    assert_eq!(list["items"][0]["unread"], 1, "marked unread");
    let _ = c;
}

async fn recall_by_sender_and_admin_is_seen_live(t: &TestServer) {
    let (org, (_, a), (b_id, b)) = pair(t, "撤回").await;
    let conv = direct(t, &a, &b_id).await;
    let path = format!("/api/v1/conversations/{conv}/messages");
    let (_, m1) = t.post(&a, &path, text("r1", "发错了")).await;
    let (_, m2) = t.post(&b, &path, text("r2", "不该发的")).await;
    let mut b_ws = t.socket(&b).await;
    let recall = |m: &Value| format!("/api/v1/messages/{}/recall", m["id"].as_str().unwrap());
    assert_eq!(
        t.post(&b, &recall(&m1), json!({})).await.0,
        StatusCode::FORBIDDEN,
        "not your message"
    );
    assert_eq!(
        t.post(&a, &recall(&m1), json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    let ev = b_ws.next_of("message.recalled").await;
    assert_eq!(ev["payload"]["message_id"], m1["id"]);
    let (s, e) = t.post(&a, &recall(&m1), json!({})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_recalled"))
    );
    let (_, hist) = t.get(&b, &path).await;
    let first = &hist["items"][0];
    assert_eq!(
        (
            first["recalled"].as_bool(),
            first["content"]["kind"].as_str()
        ),
        (Some(true), Some("recalled"))
    );
    // An organization administrator may recall anyone's message; it is audited.
    assert_eq!(
        t.post(&org.admin, &recall(&m2), json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, audit) = t.get(&org.admin, "/api/v1/audit-log").await;
    assert_eq!(audit["items"][0]["action"], "message.recall");
}

async fn outsiders_learn_nothing_about_a_conversation(t: &TestServer) {
    let (org, (_, a), (b_id, _)) = pair(t, "旁观者").await;
    let (_, outsider) = t.member(&org, "路人", "luren", &[&org.root]).await;
    let other = t.org("别家", "boss").await;
    let conv = direct(t, &a, &b_id).await;
    let (_, m) = t
        .post(
            &a,
            &format!("/api/v1/conversations/{conv}/messages"),
            text("s1", "机密"),
        )
        .await;
    let mid = m["id"].as_str().unwrap();
    for token in [&outsider, &other.admin] {
        for (method, path, body) in [
            ("GET", format!("/api/v1/conversations/{conv}"), None),
            (
                "GET",
                format!("/api/v1/conversations/{conv}/messages"),
                None,
            ),
            (
                "POST",
                format!("/api/v1/conversations/{conv}/messages"),
                Some(text("x", "插话")),
            ),
            (
                "POST",
                format!("/api/v1/conversations/{conv}/read"),
                Some(json!({})),
            ),
            ("GET", format!("/api/v1/messages/{mid}/receipts"), None),
        ] {
            let (s, b) = t
                .call(
                    Some(token),
                    reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                    &path,
                    body,
                )
                .await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{method} {path}: {b}");
        }
        let (_, list) = t.get(token, "/api/v1/conversations").await;
        assert!(list["items"].as_array().unwrap().is_empty());
    }
    // Another organization's admin cannot recall either.
    assert_eq!(
        t.post(
            &other.admin,
            &format!("/api/v1/messages/{mid}/recall"),
            json!({})
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // Nor start a chat with someone of another organization.
    let (s, _) = t
        .post(
            &other.admin,
            "/api/v1/conversations",
            json!({"kind": "direct", "member_ids": [b_id]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn bad_messages_are_refused_and_nothing_is_written(t: &TestServer) {
    let (_, (_, a), (b_id, _)) = pair(t, "坏消息").await;
    let conv = direct(t, &a, &b_id).await;
    let before = t.count("messages").await;
    let path = format!("/api/v1/conversations/{conv}/messages");
    for body in [
        json!({}),
        json!({"client_msg_id": "k", "content": {"kind": "text", "text": "  "}}),
        json!({"client_msg_id": "k", "content": {"kind": "text", "text": "字".repeat(5001)}}),
        json!({"client_msg_id": "", "content": {"kind": "text", "text": "hi"}}),
        json!({"client_msg_id": "k".repeat(65), "content": {"kind": "text", "text": "hi"}}),
        json!({"client_msg_id": "k", "content": {"kind": "sticker"}}),
        json!({"client_msg_id": "k", "content": {"kind": "recalled"}}),
        json!({"client_msg_id": "k", "content": {"kind": "system", "text": "fake"}}),
        json!({"client_msg_id": "k", "content": {"kind": "location", "lat": 100, "lng": 0}}),
        json!({"client_msg_id": "k", "content": {"kind": "link", "url": "ftp://x"}}),
        json!({"client_msg_id": "k", "content": {"kind": "text", "text": "hi"}, "reply_to": "123"}),
    ] {
        let (s, b) = t.post(&a, &path, body.clone()).await;
        assert!(
            s.is_client_error() && b["error"]["message"].is_string(),
            "{body} → {s} {b}"
        );
    }
    for (body, why) in [
        (json!({"kind": "direct", "member_ids": []}), "nobody"),
        (json!({"kind": "group", "member_ids": []}), "empty group"),
        (
            json!({"kind": "group", "member_ids": [b_id], "name": "名".repeat(65)}),
            "long name",
        ),
        (
            json!({"kind": "channel", "member_ids": [b_id]}),
            "unknown kind",
        ),
    ] {
        let (s, _) = t.post(&a, "/api/v1/conversations", body).await;
        assert!(s.is_client_error(), "{why}");
    }
    assert_eq!(
        t.get(&a, &format!("{path}?limit=0")).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(t.count("messages").await, before);
}

/// Zulip-style: a client holding stale state applies the events it receives and must end up
/// with what a fresh fetch returns.
async fn events_applied_to_stale_state_match_fresh_state(t: &TestServer) {
    let (_, (_, a), (b_id, b)) = pair(t, "状态一致").await;
    let conv = direct(t, &a, &b_id).await;
    let path = format!("/api/v1/conversations/{conv}/messages");
    t.post(&a, &path, text("v0", "before")).await;
    let (_, stale) = t.get(&b, &path).await;
    let mut state: Vec<Value> = stale["items"].as_array().unwrap().clone();
    let mut ws = t.socket(&b).await;
    let (_, m1) = t.post(&a, &path, text("v1", "一")).await;
    t.post(&b, &path, text("v2", "二")).await;
    t.post(
        &a,
        &format!("/api/v1/messages/{}/recall", m1["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    for _ in 0..3 {
        let ev = ws.next().await.expect("event");
        match ev["type"].as_str().unwrap() {
            "message.created" => state.push(ev["payload"].clone()),
            "message.recalled" => {
                let id = ev["payload"]["message_id"].clone();
                for m in state.iter_mut().filter(|m| m["id"] == id) {
                    m["recalled"] = json!(true);
                    m["content"] = json!({"kind": "recalled"});
                }
                state.push(ev["payload"]["notice"].clone());
            }
            other => panic!("unexpected event {other}"),
        }
    }
    let (_, fresh) = t.get(&b, &path).await;
    assert_eq!(&Value::Array(state), &fresh["items"]);
}

#[tokio::test]
async fn sending_too_fast_is_refused_with_a_clear_error() {
    let t = TestServer::start(None, |c| c.send_rate_per_10s = 3).await;
    let (_, (_, a), (b_id, _)) = pair(&t, "限流").await;
    let conv = direct(&t, &a, &b_id).await;
    let path = format!("/api/v1/conversations/{conv}/messages");
    for i in 0..3 {
        assert_eq!(
            t.post(&a, &path, text(&format!("f{i}"), "快")).await.0,
            StatusCode::CREATED
        );
    }
    let (s, b) = t.post(&a, &path, text("f3", "快")).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    // A retry of an acknowledged send is still answered.
    assert_eq!(t.post(&a, &path, text("f0", "快")).await.0, StatusCode::OK);
}
