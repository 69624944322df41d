//! Sign-up chains, forwarding, catching up after being offline, and the recall window.

use crate::harness::TestServer;
use reqwest::StatusCode;
use serde_json::{json, Value};

crate::on_both_backends!(
    sign_up_chain_takes_one_line_per_member_live,
    forwarding_copies_content_with_its_origin,
    sync_returns_exactly_what_was_missed,
    recall_window_is_set_by_the_organization,
    applications_post_into_read_only_channels,
    typing_is_relayed_to_the_other_members_only,
);

async fn trio(t: &TestServer, name: &str) -> (crate::harness::Org, Vec<(String, String)>, String) {
    let org = t.org(name, "boss").await;
    let mut people = Vec::new();
    for (n, l) in [("甲", "jia"), ("乙", "yi"), ("丙", "bing")] {
        people.push(t.member(&org, n, l, &[&org.root]).await);
    }
    let (_, g) = t
        .post(
            &people[0].1,
            "/api/v1/conversations",
            json!({"kind": "group", "name": "接龙群", "member_ids": [people[1].0, people[2].0]}),
        )
        .await;
    let conv = g["id"].as_str().unwrap().to_string();
    (org, people, conv)
}

async fn sign_up_chain_takes_one_line_per_member_live(t: &TestServer) {
    let (_, p, conv) = trio(t, "接龙").await;
    let (s, chain) = t.post(&p[0].1, &format!("/api/v1/conversations/{conv}/messages"),
        json!({"client_msg_id": "chain1", "content": {"kind": "chain", "title": "周五聚餐报名"}})).await;
    assert_eq!(s, StatusCode::CREATED, "{chain}");
    let join = format!("/api/v1/messages/{}/chain", chain["id"].as_str().unwrap());
    let mut ws = t.socket(&p[2].1).await;
    let (s, m) = t.post(&p[1].1, &join, json!({"text": "乙 +1"})).await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let ev = ws.next_of("message.updated").await;
    assert_eq!(ev["payload"]["content"]["entries"][0]["text"], "乙 +1");
    let (s, e) = t.post(&p[1].1, &join, json!({"text": "again"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_joined"))
    );
    t.post(&p[2].1, &join, json!({"text": "丙 带家属"})).await;
    let (_, hist) = t
        .get(&p[0].1, &format!("/api/v1/conversations/{conv}/messages"))
        .await;
    let last = hist["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["content"]["entries"].as_array().unwrap().len(), 2);
    assert_eq!(
        t.post(&p[1].1, &join, json!({"text": " "})).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (s, _) = t.post(&p[0].1, &format!("/api/v1/conversations/{conv}/messages"),
        json!({"client_msg_id": "chain2", "content": {"kind": "chain", "title": "x", "entries": [{"member_id": p[0].0, "text": "fake", "created_at": 0}]}})).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "entries are the server's to fill"
    );
}

async fn forwarding_copies_content_with_its_origin(t: &TestServer) {
    let (_, p, group) = trio(t, "转发").await;
    let (_, direct) = t
        .post(
            &p[0].1,
            "/api/v1/conversations",
            json!({"kind": "direct", "member_ids": [p[2].0]}),
        )
        .await;
    let direct = direct["id"].as_str().unwrap().to_string();
    let (_, m) = t.post(&p[1].1, &format!("/api/v1/conversations/{group}/messages"),
        json!({"client_msg_id": "orig", "content": {"kind": "text", "text": "会议纪要见附件", "mentions": [p[0].0]}})).await;
    let fwd = format!("/api/v1/messages/{}/forward", m["id"].as_str().unwrap());
    let (s, out) = t
        .post(
            &p[0].1,
            &fwd,
            json!({"conversation_ids": [direct], "client_msg_id": "f1"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    let c = &out[0]["content"];
    assert_eq!(
        (c["kind"].as_str(), c["original_sender_name"].as_str()),
        (Some("forward"), Some("乙"))
    );
    assert_eq!(c["original"]["text"], "会议纪要见附件");
    assert_eq!(
        c["original"]["mentions"],
        json!([]),
        "mentions do not travel"
    );
    // Retrying the forward returns the same message.
    let (_, again) = t
        .post(
            &p[0].1,
            &fwd,
            json!({"conversation_ids": [direct], "client_msg_id": "f1"}),
        )
        .await;
    assert_eq!(again[0]["id"], out[0]["id"]);
    // Not into conversations you are not in.
    let (_, other) = t
        .post(
            &p[1].1,
            "/api/v1/conversations",
            json!({"kind": "direct", "member_ids": [p[2].0]}),
        )
        .await;
    let (s, _) = t
        .post(
            &p[0].1,
            &fwd,
            json!({"conversation_ids": [other["id"]], "client_msg_id": "f2"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn sync_returns_exactly_what_was_missed(t: &TestServer) {
    let (_, p, group) = trio(t, "同步").await;
    let path = format!("/api/v1/conversations/{group}/messages");
    for i in 0..3 {
        t.post(&p[0].1, &path, json!({"client_msg_id": format!("s{i}"), "content": {"kind": "text", "text": format!("在线{i}")}})).await;
    }
    // 丙 holds everything so far, then goes offline.
    let (_, held) = t.get(&p[2].1, &path).await;
    let have = held["items"].as_array().unwrap().last().unwrap()["seq"]
        .as_i64()
        .unwrap();
    for i in 0..4 {
        t.post(&p[1].1, &path, json!({"client_msg_id": format!("o{i}"), "content": {"kind": "text", "text": format!("离线{i}")}})).await;
    }
    let (_, direct) = t
        .post(
            &p[0].1,
            "/api/v1/conversations",
            json!({"kind": "direct", "member_ids": [p[2].0]}),
        )
        .await;
    t.post(
        &p[0].1,
        &format!(
            "/api/v1/conversations/{}/messages",
            direct["id"].as_str().unwrap()
        ),
        json!({"client_msg_id": "d1", "content": {"kind": "text", "text": "私聊"}}),
    )
    .await;
    let (s, r) = t
        .post(
            &p[2].1,
            "/api/v1/sync",
            json!({"have": {group.clone(): have, "999": 3}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let changed = r["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 2);
    let g = changed
        .iter()
        .find(|c| c["conversation"]["id"] == group.as_str())
        .unwrap();
    let seqs: Vec<i64> = g["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        ((have + 1)..=(have + 4)).collect::<Vec<_>>(),
        "exactly the missed ones, in order"
    );
    let d = changed
        .iter()
        .find(|c| c["conversation"]["id"] == direct["id"])
        .unwrap();
    assert_eq!(
        d["messages"][0]["content"]["text"], "私聊",
        "a conversation new to the client comes whole"
    );
    assert_eq!(r["removed"], json!(["999"]));
    // Up to date: nothing.
    let last = *seqs.last().unwrap();
    let (_, r) = t
        .post(
            &p[2].1,
            "/api/v1/sync",
            json!({"have": {group.clone(): last, direct["id"].as_str().unwrap(): 1}}),
        )
        .await;
    assert_eq!(r["changed"], json!([]));
    assert_eq!(
        t.post(&p[2].1, "/api/v1/sync", json!({"have": {"x": 1}}))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn recall_window_is_set_by_the_organization(t: &TestServer) {
    let (org, p, group) = trio(t, "撤回时限").await;
    let (_, s0) = t.get(&p[0].1, "/api/v1/org/settings").await;
    assert_eq!(s0["recall_window_minutes"], 1440);
    assert_eq!(
        t.patch(
            &p[0].1,
            "/api/v1/org/settings",
            json!({"recall_window_minutes": 5})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        t.patch(
            &org.admin,
            "/api/v1/org/settings",
            json!({"recall_window_minutes": 0})
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (s, v) = t
        .patch(
            &org.admin,
            "/api/v1/org/settings",
            json!({"recall_window_minutes": 2}),
        )
        .await;
    assert_eq!(
        (s, v["recall_window_minutes"].as_i64()),
        (StatusCode::OK, Some(2))
    );
    let (_, m) = t
        .post(
            &p[0].1,
            &format!("/api/v1/conversations/{group}/messages"),
            json!({"client_msg_id": "old", "content": {"kind": "text", "text": "三分钟前"}}),
        )
        .await;
    sqlx::query("UPDATE messages SET created_at = created_at - 180000 WHERE id = $1")
        .bind(m["id"].as_str().unwrap().parse::<i64>().unwrap())
        .execute(t.state().db.writer())
        .await
        .unwrap();
    let recall = format!("/api/v1/messages/{}/recall", m["id"].as_str().unwrap());
    let (s, e): (StatusCode, Value) = t.post(&p[0].1, &recall, json!({})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("recall_window_passed"))
    );
    assert_eq!(
        t.post(&org.admin, &recall, json!({})).await.0,
        StatusCode::NO_CONTENT,
        "administrators any time"
    );
}

async fn applications_post_into_read_only_channels(t: &TestServer) {
    let (org, p, _) = trio(t, "通知").await;
    let post = json!({"app_name": "审批", "member_ids": [p[1].0], "client_msg_id": "n1",
        "content": {"kind": "text", "text": "你的请假申请已通过"}});
    assert_eq!(
        t.post(&p[0].1, "/api/v1/channels/approvals/messages", post.clone())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let mut ws = t.socket(&p[1].1).await;
    let (s, out) = t
        .post(
            &org.admin,
            "/api/v1/channels/approvals/messages",
            post.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    let ev = ws.next_of("message.created").await;
    assert_eq!(
        (ev["notify"].as_bool(), ev["payload"]["sender_id"].as_str()),
        (Some(true), Some("0"))
    );
    let (_, again) = t
        .post(&org.admin, "/api/v1/channels/approvals/messages", post)
        .await;
    assert_eq!(again[0]["id"], out[0]["id"], "idempotent");
    let (_, list) = t.get(&p[1].1, "/api/v1/conversations").await;
    let ch = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "channel")
        .unwrap()
        .clone();
    assert_eq!(
        (ch["name"].as_str(), ch["unread"].as_i64()),
        (Some("审批"), Some(1))
    );
    let (s, _) = t
        .post(
            &p[1].1,
            &format!(
                "/api/v1/conversations/{}/messages",
                ch["id"].as_str().unwrap()
            ),
            json!({"client_msg_id": "r", "content": {"kind": "text", "text": "好的"}}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "channels are read-only");
    let bad = json!({"app_name": "x", "member_ids": [p[1].0], "client_msg_id": "n2", "content": {"kind": "text", "text": "x"}});
    assert_eq!(
        t.post(&org.admin, "/api/v1/channels/Bad App/messages", bad)
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

async fn typing_is_relayed_to_the_other_members_only(t: &TestServer) {
    let (org, p, group) = trio(t, "输入中").await;
    let (_, outsider) = t.member(&org, "路人", "luren", &[&org.root]).await;
    let mut a = t.socket(&p[0].1).await;
    let mut b = t.socket(&p[1].1).await;
    let mut o = t.socket(&outsider).await;
    a.send(json!({"type": "typing", "conversation_id": group}))
        .await;
    let ev = b.next_of("typing").await;
    assert_eq!(ev["payload"]["member_id"], p[0].0.as_str());
    assert!(a.quiet_for("typing", 300).await, "not echoed to the typist");
    assert!(o.quiet_for("typing", 100).await, "never to outsiders");
    // An outsider's typing into someone else's conversation goes nowhere.
    o.send(json!({"type": "typing", "conversation_id": group}))
        .await;
    assert!(b.quiet_for("typing", 300).await);
}
