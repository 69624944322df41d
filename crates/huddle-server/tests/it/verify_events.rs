//! Zulip-style `verify_action`: for each chat action, a client that holds stale state and
//! applies only the events it receives must end up equal to a fresh fetch.

use crate::harness::{Socket, TestServer};
use serde_json::{json, Value};
use std::collections::BTreeMap;

crate::on_both_backends!(every_chat_action_keeps_event_applied_state_fresh);

/// What a client keeps: messages per conversation by seq, and its own read pointers.
#[derive(Default, Debug, PartialEq)]
struct ClientState {
    messages: BTreeMap<String, BTreeMap<i64, Value>>,
    read_seq: BTreeMap<String, i64>,
}

impl ClientState {
    async fn fetch(t: &TestServer, token: &str) -> Self {
        let mut s = ClientState::default();
        let (_, list) = t.get(token, "/api/v1/conversations").await;
        for c in list["items"].as_array().unwrap() {
            let id = c["id"].as_str().unwrap().to_string();
            s.read_seq
                .insert(id.clone(), c["read_seq"].as_i64().unwrap());
            let (_, page) = t
                .get(
                    token,
                    &format!("/api/v1/conversations/{id}/messages?limit=200"),
                )
                .await;
            let msgs = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| (m["seq"].as_i64().unwrap(), m.clone()))
                .collect();
            s.messages.insert(id, msgs);
        }
        s
    }

    fn apply(&mut self, me: &str, ev: &Value) {
        let p = &ev["payload"];
        match ev["type"].as_str().unwrap() {
            "message.created" | "message.updated" => {
                let conv = p["conversation_id"].as_str().unwrap().to_string();
                self.messages
                    .entry(conv.clone())
                    .or_default()
                    .insert(p["seq"].as_i64().unwrap(), p.clone());
                if p["sender_id"] == me && ev["type"] == "message.created" {
                    self.read_seq.insert(conv, p["seq"].as_i64().unwrap());
                }
            }
            "message.recalled" => {
                let conv = p["conversation_id"].as_str().unwrap().to_string();
                let msgs = self.messages.entry(conv.clone()).or_default();
                for m in msgs.values_mut().filter(|m| m["id"] == p["message_id"]) {
                    m["recalled"] = json!(true);
                    m["content"] = json!({"kind": "recalled"});
                }
                let notice = &p["notice"];
                msgs.insert(notice["seq"].as_i64().unwrap(), notice.clone());
                if notice["sender_id"] == me {
                    self.read_seq.insert(
                        conv,
                        notice["seq"]
                            .as_i64()
                            .unwrap()
                            .max(self.read_seq.get(&conv_key(p)).copied().unwrap_or(0)),
                    );
                }
            }
            "conversation.read" if p["member_id"] == me => {
                self.read_seq
                    .insert(conv_key(p), p["read_seq"].as_i64().unwrap());
            }
            "conversation.created" => {
                self.read_seq.entry(conv_key(p)).or_insert(0);
                self.messages.entry(conv_key(p)).or_default();
            }
            _ => {}
        }
    }
}

fn conv_key(p: &Value) -> String {
    p["conversation_id"].as_str().unwrap().to_string()
}

/// Drains events for a moment and applies them.
async fn settle(ws: &mut Socket, state: &mut ClientState, me: &str, expect: usize) {
    for _ in 0..expect {
        let ev = ws.next().await.expect("an event");
        state.apply(me, &ev);
    }
}

async fn every_chat_action_keeps_event_applied_state_fresh(t: &TestServer) {
    let org = t.org("事件一致", "boss").await;
    let (a_id, a) = t.member(&org, "甲", "jia", &[&org.root]).await;
    let (b_id, b) = t.member(&org, "乙", "yi", &[&org.root]).await;
    let (_, g) = t
        .post(
            &a,
            "/api/v1/conversations",
            json!({"kind": "group", "name": "群", "member_ids": [b_id]}),
        )
        .await;
    let group = g["id"].as_str().unwrap().to_string();
    let mut state = ClientState::fetch(t, &b).await;
    let mut ws = t.socket(&b).await;
    let path = format!("/api/v1/conversations/{group}/messages");
    let send = |k: &str| json!({"client_msg_id": k, "content": {"kind": "text", "text": k}});

    // Each action with the number of events 乙 receives for it.
    let (_, m1) = t.post(&a, &path, send("one")).await;
    settle(&mut ws, &mut state, &b_id, 1).await;
    t.post(&b, &path, send("two")).await;
    settle(&mut ws, &mut state, &b_id, 1).await;
    t.post(
        &a,
        &format!("/api/v1/messages/{}/recall", m1["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    settle(&mut ws, &mut state, &b_id, 1).await;
    let (_, chain) = t
        .post(
            &a,
            &path,
            json!({"client_msg_id": "c", "content": {"kind": "chain", "title": "报名"}}),
        )
        .await;
    settle(&mut ws, &mut state, &b_id, 1).await;
    t.post(
        &b,
        &format!("/api/v1/messages/{}/chain", chain["id"].as_str().unwrap()),
        json!({"text": "乙"}),
    )
    .await;
    settle(&mut ws, &mut state, &b_id, 1).await;
    t.patch(
        &a,
        &format!("/api/v1/conversations/{group}"),
        json!({"announcement": "公告"}),
    )
    .await;
    settle(&mut ws, &mut state, &b_id, 2).await; // notice + conversation.updated
    t.post(
        &b,
        &format!("/api/v1/conversations/{group}/read"),
        json!({}),
    )
    .await;
    settle(&mut ws, &mut state, &b_id, 1).await;
    let (_, d) = t
        .post(
            &a,
            "/api/v1/conversations",
            json!({"kind": "direct", "member_ids": [b_id]}),
        )
        .await;
    settle(&mut ws, &mut state, &b_id, 1).await;
    t.post(
        &a,
        &format!("/api/v1/messages/{}/forward", chain["id"].as_str().unwrap()),
        json!({"conversation_ids": [d["id"]], "client_msg_id": "f"}),
    )
    .await;
    // Chains cannot be forwarded: nothing arrives. Forward a text instead.
    let (_, two) = t.get(&b, &format!("{path}?limit=200")).await;
    let text_id = two["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["client_msg_id"] == "two")
        .unwrap()["id"]
        .clone();
    t.post(
        &a,
        &format!("/api/v1/messages/{}/forward", text_id.as_str().unwrap()),
        json!({"conversation_ids": [d["id"]], "client_msg_id": "f2"}),
    )
    .await;
    settle(&mut ws, &mut state, &b_id, 1).await;

    let fresh = ClientState::fetch(t, &b).await;
    assert_eq!(state.messages, fresh.messages);
    assert_eq!(state.read_seq, fresh.read_seq);
    assert!(
        ws.quiet_for("message.created", 200).await,
        "no stray events"
    );
    let _ = a_id;
}
