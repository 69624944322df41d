//! The fast send path: group commit under concurrency, the cached member lists and their
//! invalidation, and sockets closed by revocation events instead of polling.

use crate::harness::TestServer;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

crate::on_both_backends!(
    concurrent_sends_and_retries_commit_in_order_exactly_once,
    cached_member_lists_follow_every_membership_change,
    ending_sessions_closes_exactly_their_sockets_at_once,
);

fn text(key: &str, t: &str) -> Value {
    json!({"client_msg_id": key, "content": {"kind": "text", "text": t}})
}

async fn concurrent_sends_and_retries_commit_in_order_exactly_once(t: &TestServer) {
    let org = t.org("并发发送", "boss").await;
    let (a_id, a) = t.member(&org, "甲", "jia", &[&org.root]).await;
    let (b_id, b) = t.member(&org, "乙", "yi", &[&org.root]).await;
    let (_, g) = t
        .post(
            &a,
            "/api/v1/conversations",
            json!({"kind": "group", "name": "并发", "member_ids": [b_id]}),
        )
        .await;
    let conv = g["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/conversations/{conv}/messages");
    let (_, before) = t.get(&a, &path).await;
    let first_seq = before["items"]
        .as_array()
        .unwrap()
        .last()
        .map_or(0, |m| m["seq"].as_i64().unwrap());
    let mut ws = t.socket(&b).await;
    // 30 keys, each sent three times at once (a client retrying while the first is in flight),
    // from both members, plus sends that must be refused in the same batches.
    let mut calls = Vec::new();
    for i in 0..30 {
        for _ in 0..3 {
            let (token, key) = if i % 2 == 0 {
                (&a, format!("a-{i}"))
            } else {
                (&b, format!("b-{i}"))
            };
            calls.push((
                key.clone(),
                t.post(token, &path, text(&key, &format!("第{i}条"))),
            ));
        }
        let bad = json!({"client_msg_id": format!("bad-{i}"), "content": {"kind": "text", "text": "@?", "mentions": ["1"]}});
        calls.push((format!("bad-{i}"), t.post(&a, &path, bad)));
    }
    let (keys, futures): (Vec<_>, Vec<_>) = calls.into_iter().unzip();
    let answers = futures::future::join_all(futures).await;
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    let mut created = 0;
    for (key, (status, body)) in keys.iter().zip(answers) {
        if key.starts_with("bad-") {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            continue;
        }
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{key}: {status} {body}"
        );
        created += usize::from(status == StatusCode::CREATED);
        assert_eq!(body["client_msg_id"], key.as_str());
        ids.entry(key.clone())
            .or_default()
            .insert(body["id"].as_str().unwrap().to_string());
    }
    assert_eq!(created, 30, "each key stored once");
    assert!(
        ids.values().all(|s| s.len() == 1),
        "every retry answered with the original: {ids:?}"
    );
    // Stored: exactly 30 messages, seqs contiguous after the creation notices.
    let (_, page) = t
        .get(&a, &format!("{path}?after_seq={first_seq}&limit=200"))
        .await;
    let items = page["items"].as_array().unwrap();
    let seqs: Vec<i64> = items.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (first_seq + 1..=first_seq + 30).collect::<Vec<_>>());
    assert!(items
        .iter()
        .all(|m| !m["client_msg_id"].as_str().unwrap().starts_with("bad-")));
    // Live: each message once, in seq order.
    let mut live = Vec::new();
    while live.len() < 30 {
        let f = ws.next_of("message.created").await;
        live.push(f["payload"]["seq"].as_i64().unwrap());
    }
    assert_eq!(live, seqs, "delivered once each, in order");
    assert!(ws.quiet_for("message.created", 300).await, "no duplicates");
    let _ = a_id;
}

async fn cached_member_lists_follow_every_membership_change(t: &TestServer) {
    let org = t.org("成员缓存", "boss").await;
    let (_, owner) = t.member(&org, "群主", "owner", &[&org.root]).await;
    let (b_id, b) = t.member(&org, "乙", "yi", &[&org.root]).await;
    let (c_id, c) = t.member(&org, "丙", "bing", &[&org.root]).await;
    let (_, g) = t
        .post(
            &owner,
            "/api/v1/conversations",
            json!({"kind": "group", "name": "缓存", "member_ids": [b_id, c_id]}),
        )
        .await;
    let conv = g["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/conversations/{conv}/messages");
    let mut c_ws = t.socket(&c).await;
    // Warm the cache.
    assert_eq!(
        t.post(&b, &path, text("b-1", "在")).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        c_ws.next_of("message.created").await["payload"]["client_msg_id"],
        "b-1"
    );
    // Removed: B can no longer send, C stops receiving after leaving.
    let (s, _) = t
        .delete(
            &owner,
            &format!("/api/v1/conversations/{conv}/members/{b_id}"),
        )
        .await;
    assert!(s.is_success());
    assert_eq!(
        t.post(&b, &path, text("b-2", "还在吗")).await.0,
        StatusCode::NOT_FOUND
    );
    // Added back: B speaks again.
    let (s, body) = t
        .post(
            &owner,
            &format!("/api/v1/conversations/{conv}/members"),
            json!({"member_ids": [b_id]}),
        )
        .await;
    assert!(s.is_success(), "{body}");
    assert_eq!(
        t.post(&b, &path, text("b-3", "回来了")).await.0,
        StatusCode::CREATED
    );
    // Settings: only admins speak → B refused; B made admin → allowed.
    let (s, body) = t
        .patch(
            &owner,
            &format!("/api/v1/conversations/{conv}"),
            json!({"only_admins_speak": true}),
        )
        .await;
    assert!(s.is_success(), "{body}");
    assert_eq!(
        t.post(&b, &path, text("b-4", "禁言了")).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, body) = t
        .put(
            &owner,
            &format!("/api/v1/conversations/{conv}/members/{b_id}/role"),
            json!({"role": "admin"}),
        )
        .await;
    assert!(s.is_success(), "{body}");
    assert_eq!(
        t.post(&b, &path, text("b-5", "管理员")).await.0,
        StatusCode::CREATED
    );
    // Mute: C gets the next message silently.
    let (s, _) = t
        .patch(
            &c,
            &format!("/api/v1/conversations/{conv}/me"),
            json!({"muted": true}),
        )
        .await;
    assert!(s.is_success());
    assert_eq!(
        t.post(&b, &path, text("b-6", "静音")).await.0,
        StatusCode::CREATED
    );
    let f = loop {
        let f = c_ws.next_of("message.created").await;
        if f["payload"]["client_msg_id"] == "b-6" {
            break f;
        }
    };
    assert_eq!(f["notify"], false, "muted member is told silently");
    // C leaves: receives nothing more.
    let (s, _) = t
        .delete(&c, &format!("/api/v1/conversations/{conv}/members/{c_id}"))
        .await;
    assert!(s.is_success());
    assert_eq!(
        t.post(&b, &path, text("b-7", "走了")).await.0,
        StatusCode::CREATED
    );
    loop {
        match c_ws.next().await {
            None => break,
            Some(f) if f["type"] == "message.created" => {
                assert_ne!(
                    f["payload"]["client_msg_id"], "b-7",
                    "a leaver gets nothing new"
                );
            }
            Some(_) => {}
        }
    }
    // Dissolved: nobody can send.
    let (s, _) = t
        .delete(&owner, &format!("/api/v1/conversations/{conv}"))
        .await;
    assert!(s.is_success());
    assert_eq!(
        t.post(&b, &path, text("b-8", "解散")).await.0,
        StatusCode::NOT_FOUND
    );
}

/// The socket announces the end of its session well within the old 10 s polling interval.
async fn ended_soon(ws: &mut crate::harness::Socket) -> bool {
    let started = std::time::Instant::now();
    let got = loop {
        match ws.next().await {
            Some(v) if v["type"] == "session.ended" => break true,
            Some(_) => continue,
            None => break false,
        }
    };
    got && started.elapsed() < std::time::Duration::from_secs(3)
}

async fn ending_sessions_closes_exactly_their_sockets_at_once(t: &TestServer) {
    let org = t.org("撤销会话", "boss").await;
    let (id, first) = t.member(&org, "丁", "ding", &[&org.root]).await;
    let second = t.login_in(&org.code, "ding", "member-pass-1").await;
    let third = t.login_in(&org.code, "ding", "member-pass-1").await;
    let (_, other) = t.member(&org, "戊", "wu", &[&org.root]).await;
    let mut ws1 = t.socket(&first).await;
    let mut ws2 = t.socket(&second).await;
    let mut ws3 = t.socket(&third).await;
    let mut bystander = t.socket(&other).await;
    // Ending one session from another device closes that socket only.
    let (_, list) = t.get(&first, "/api/v1/auth/sessions").await;
    // Newest first: the third sign-in.
    let newest = &list["items"][0];
    assert_eq!(newest["current"], false);
    let third_id = newest["id"].as_str().unwrap().to_string();
    let (s, _) = t
        .delete(&first, &format!("/api/v1/auth/sessions/{third_id}"))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(
        ended_soon(&mut ws3).await,
        "the ended session's socket closed"
    );
    assert!(ws1.quiet_for("session.ended", 300).await);
    // Signing out closes that session's socket.
    let (s, _) = t.post(&second, "/api/v1/auth/logout", json!({})).await;
    assert!(s.is_success());
    assert!(ended_soon(&mut ws2).await, "signing out closed the socket");
    // A password reset by an administrator ends the rest; others are untouched.
    let (s, body) = t
        .post(
            &org.admin,
            &format!("/api/v1/members/{id}/reset-password"),
            json!({"password": "new-member-pass-2"}),
        )
        .await;
    assert!(s.is_success(), "{body}");
    assert!(
        ended_soon(&mut ws1).await,
        "the reset closed the remaining socket"
    );
    assert!(bystander.quiet_for("session.ended", 300).await);
}
