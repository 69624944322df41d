//! Chat history search: Chinese, English and mixed text, filters, who may see what, recall, and
//! catching up after a restart.

use crate::harness::{Org, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

crate::on_both_backends!(
    finds_chinese_english_and_mixed_text,
    filters_and_paging,
    bad_searches_are_refused,
    outsiders_other_orgs_and_late_joiners_see_nothing_old,
    recalled_messages_disappear,
);

/// Waits until everything sent so far is searchable.
async fn indexed(t: &TestServer) {
    assert!(
        t.state()
            .search
            .wait_caught_up(Duration::from_secs(30))
            .await,
        "the search index caught up"
    );
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn search_raw(t: &TestServer, token: &str, q: &str, extra: &str) -> (StatusCode, Value) {
    t.get(
        token,
        &format!("/api/v1/search/messages?q={}{extra}", encode(q)),
    )
    .await
}

/// Ids of the messages found, newest first.
async fn search(t: &TestServer, token: &str, q: &str, extra: &str) -> Vec<String> {
    let (s, page) = search_raw(t, token, q, extra).await;
    assert_eq!(s, StatusCode::OK, "search {q}{extra}: {page}");
    ids(&page)
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["message"]["id"].as_str().unwrap().to_string())
        .collect()
}

async fn send(t: &TestServer, token: &str, conv: &str, key: &str, content: Value) -> Value {
    let (s, m) = t
        .post(
            token,
            &format!("/api/v1/conversations/{conv}/messages"),
            json!({"client_msg_id": key, "content": content}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    m
}

async fn say(t: &TestServer, token: &str, conv: &str, key: &str, text: &str) -> String {
    send(t, token, conv, key, json!({"kind": "text", "text": text})).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn conversation(t: &TestServer, token: &str, kind: &str, members: &[&str]) -> String {
    let body = if kind == "direct" {
        json!({"kind": "direct", "member_ids": members})
    } else {
        json!({"kind": "group", "name": "项目组", "member_ids": members})
    };
    let (s, c) = t.post(token, "/api/v1/conversations", body).await;
    assert!(s == StatusCode::CREATED || s == StatusCode::OK, "{c}");
    c["id"].as_str().unwrap().to_string()
}

struct People {
    org: Org,
    a: (String, String),
    b: (String, String),
    c: (String, String),
}

async fn people(t: &TestServer, org_name: &str) -> People {
    let org = t.org(org_name, "boss").await;
    let a = t.member(&org, "张三", "zhangsan", &[&org.root]).await;
    let b = t.member(&org, "李四", "lisi", &[&org.root]).await;
    let c = t.member(&org, "王五", "wangwu", &[&org.root]).await;
    People { org, a, b, c }
}

async fn finds_chinese_english_and_mixed_text(t: &TestServer) {
    let p = people(t, "搜索科技").await;
    let (a, b) = (&p.a.1, &p.b.1);
    let conv = conversation(t, a, "direct", &[&p.b.0]).await;
    let meeting = say(t, a, &conv, "m1", "明天下午三点开会讨论用户需求").await;
    let deploy = say(t, b, &conv, "m2", "Tonight we deploy 上线, please stand by").await;
    let mixed = say(t, a, &conv, "m3", "deploy上线检查清单已更新").await;
    let other = say(t, b, &conv, "m4", "收到，谢谢").await;
    let place = send(t, a, &conv, "m5", json!({"kind": "location", "lat": 22.54, "lng": 113.93, "title": "腾讯大厦", "address": "深圳市南山区科技园"})).await;
    let link = send(t, b, &conv, "m6", json!({"kind": "link", "url": "https://example.com/handbook", "title": "新人手册", "description": "入职第一周必读"})).await;
    indexed(t).await;

    for q in ["用户", "开会", "用户需求", "三点", "讨论"] {
        assert_eq!(
            search(t, b, q, "").await,
            vec![meeting.clone()],
            "query {q}"
        );
    }
    // Both sides of the conversation find it; newest first.
    assert_eq!(
        search(t, a, "deploy", "").await,
        vec![mixed.clone(), deploy.clone()]
    );
    assert_eq!(
        search(t, a, "DEPLOY 上线", "").await,
        vec![mixed.clone(), deploy.clone()]
    );
    assert_eq!(search(t, b, "上线", "").await, vec![mixed, deploy.clone()]);
    assert_eq!(search(t, b, "stand by tonight", "").await, vec![deploy]);
    assert_eq!(
        search(t, b, "南山", "").await,
        vec![place["id"].as_str().unwrap().to_string()]
    );
    assert_eq!(
        search(t, a, "手册", "").await,
        vec![link["id"].as_str().unwrap().to_string()]
    );
    assert_eq!(
        search(t, a, "handbook", "").await,
        vec![link["id"].as_str().unwrap().to_string()]
    );
    assert!(search(t, a, "预算审批", "").await.is_empty());
    assert!(
        search(t, a, "开会 预算", "").await.is_empty(),
        "every word must occur"
    );
    let _ = other;

    // A hit carries the message, where it is, and a highlighted snippet.
    let (_, page) = search_raw(t, b, "用户", "").await;
    let hit = &page["items"][0];
    assert_eq!(
        hit["message"]["content"]["text"],
        "明天下午三点开会讨论用户需求"
    );
    assert_eq!(hit["conversation_id"], conv.as_str());
    assert_eq!(hit["seq"], 1);
    assert!(
        hit["snippet_html"]
            .as_str()
            .unwrap()
            .contains("<b>用户</b>"),
        "{hit}"
    );
    assert!(page["next_cursor"].is_null());
    // The seq leads back into the conversation's history.
    let (_, around) = t
        .get(
            b,
            &format!("/api/v1/conversations/{conv}/messages?after_seq=0&limit=1"),
        )
        .await;
    assert_eq!(around["items"][0]["id"], hit["message"]["id"]);
}

async fn filters_and_paging(t: &TestServer) {
    let p = people(t, "筛选科技").await;
    let (a, b, c) = (&p.a.1, &p.b.1, &p.c.1);
    let direct = conversation(t, a, "direct", &[&p.b.0]).await;
    let group = conversation(t, a, "group", &[&p.b.0, &p.c.0]).await;
    let d1 = say(t, a, &direct, "d1", "周报已经提交").await;
    let g1 = say(t, b, &group, "g1", "本周周报请大家周五前提交").await;
    let g2 = say(t, c, &group, "g2", "我的周报还在写").await;
    let cutoff = {
        let (_, page) = t
            .get(a, &format!("/api/v1/conversations/{group}/messages"))
            .await;
        page["items"].as_array().unwrap().last().unwrap()["created_at"]
            .as_i64()
            .unwrap()
    };
    tokio::time::sleep(Duration::from_millis(5)).await; // a later millisecond for the time filter
    let g3 = send(t, a, &group, "g3", json!({"kind": "link", "url": "https://example.com/weekly", "title": "周报模板", "description": ""})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    indexed(t).await;

    assert_eq!(
        search(t, a, "周报", "").await,
        vec![g3.clone(), g2.clone(), g1.clone(), d1.clone()]
    );
    assert_eq!(
        search(t, a, "周报", &format!("&conversation_id={direct}")).await,
        vec![d1.clone()]
    );
    assert_eq!(
        search(t, a, "周报", &format!("&conversation_id={group}")).await,
        vec![g3.clone(), g2.clone(), g1.clone()]
    );
    assert_eq!(
        search(t, a, "周报", &format!("&sender_id={}", p.c.0)).await,
        vec![g2.clone()]
    );
    assert_eq!(search(t, a, "周报", "&kind=link").await, vec![g3.clone()]);
    assert_eq!(
        search(t, a, "周报", "&kind=text").await,
        vec![g2.clone(), g1.clone(), d1.clone()]
    );
    assert_eq!(
        search(t, a, "周报", &format!("&to={cutoff}")).await,
        vec![g2.clone(), g1.clone(), d1.clone()]
    );
    assert_eq!(
        search(t, a, "周报", &format!("&from={}", cutoff + 1)).await,
        vec![g3.clone()]
    );
    // c is only in the group.
    assert_eq!(
        search(t, c, "周报", "").await,
        vec![g3.clone(), g2.clone(), g1.clone()]
    );
    // Paging: newest first, a cursor to the next page, none after the last.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..10 {
        let (s, page) = search_raw(t, a, "周报", &format!("&limit=3{cursor}")).await;
        assert_eq!(s, StatusCode::OK);
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen, vec![g3, g2, g1, d1]);
}

async fn bad_searches_are_refused(t: &TestServer) {
    let p = people(t, "校验科技").await;
    let a = &p.a.1;
    let theirs = conversation(t, &p.b.1, "direct", &[&p.c.0]).await;
    let long = "字".repeat(201);
    for (extra, field) in [
        ("", "q"),
        ("q=", "q"),
        ("q=%20%20", "q"),
        (&format!("q={}", encode(&long)) as &str, "q"),
        ("q=%EF%BC%81%3F", "q"),
        ("q=a&kind=system", "kind"),
        ("q=a&sender_id=abc", "sender_id"),
        ("q=a&limit=0", "limit"),
        ("q=a&limit=51", "limit"),
        ("q=a&cursor=xyz", "cursor"),
        ("q=a&from=10&to=5", "from"),
    ] {
        let (s, e) = t.get(a, &format!("/api/v1/search/messages?{extra}")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{extra}: {e}");
        assert_eq!(e["error"]["code"], "validation_failed", "{extra}: {e}");
        assert_eq!(e["error"]["field"], field, "{extra}: {e}");
    }
    let (s, e) = t.get(a, "/api/v1/search/messages?q=a&from=soon").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // 200 characters are fine.
    let (s, _) = search_raw(t, a, &"字".repeat(200), "").await;
    assert_eq!(s, StatusCode::OK);
    // Someone else's conversation and a malformed id look the same: not found.
    for conv in [theirs.as_str(), "abc", "123"] {
        let (s, e) = search_raw(t, a, "你好", &format!("&conversation_id={conv}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{conv}: {e}");
        assert_eq!(e["error"]["code"], "not_found");
    }
    let (s, _) = t
        .call(
            None,
            reqwest::Method::GET,
            "/api/v1/search/messages?q=a",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn outsiders_other_orgs_and_late_joiners_see_nothing_old(t: &TestServer) {
    let p = people(t, "凤凰科技").await;
    let (a, b, c) = (&p.a.1, &p.b.1, &p.c.1);
    let (_, d) = t.member(&p.org, "赵六", "zhaoliu", &[&p.org.root]).await;
    let other_org = t.org("别家公司", "other-boss").await;
    let (x_id, x) = t
        .member(&other_org, "外人", "zhangsan", &[&other_org.root])
        .await;
    let group = conversation(t, a, "group", &[&p.b.0]).await;
    let early = say(t, a, &group, "e1", "凤凰计划第一阶段的预算").await;
    let (s, _) = t
        .post(
            a,
            &format!("/api/v1/conversations/{group}/members"),
            json!({"member_ids": [p.c.0]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let late = say(t, b, &group, "l1", "凤凰计划第二阶段开始").await;
    // The other organization talks about the same thing among themselves.
    let (y_id, _) = t
        .member(&other_org, "外人二", "lisi", &[&other_org.root])
        .await;
    let theirs = conversation(t, &x, "direct", &[&y_id]).await;
    let their_msg = say(t, &x, &theirs, "x1", "凤凰计划").await;
    indexed(t).await;

    assert_eq!(search(t, a, "凤凰", "").await, vec![late.clone(), early]);
    assert_eq!(
        search(t, c, "凤凰", "").await,
        vec![late.clone()],
        "a member added later sees only what came after"
    );
    assert_eq!(
        search(t, c, "预算", "").await,
        Vec::<String>::new(),
        "nothing from before joining"
    );
    assert!(search(t, &d, "凤凰", "").await.is_empty(), "non-member");
    assert!(
        search(t, &p.org.admin, "凤凰", "").await.is_empty(),
        "administrators search only their own conversations"
    );
    assert_eq!(search(t, &x, "凤凰", "").await, vec![their_msg]);
    let (s, _) = search_raw(t, &x, "凤凰", &format!("&conversation_id={group}")).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another organization's conversation is not found"
    );
    let _ = (x_id, c);
}

async fn recalled_messages_disappear(t: &TestServer) {
    let p = people(t, "撤回科技").await;
    let (a, b) = (&p.a.1, &p.b.1);
    let conv = conversation(t, a, "direct", &[&p.b.0]).await;
    let gone = say(t, a, &conv, "r1", "发错了 alpha 方案的价格").await;
    let kept = say(t, a, &conv, "r2", "alpha 方案正式版").await;
    indexed(t).await;
    assert_eq!(
        search(t, b, "alpha", "").await,
        vec![kept.clone(), gone.clone()]
    );
    let id: i64 = gone.parse().unwrap();
    assert!(t.state().search.contains(id).unwrap());
    let (s, _) = t
        .post(a, &format!("/api/v1/messages/{gone}/recall"), json!({}))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Hidden at once (hits are re-checked in the database) …
    assert_eq!(search(t, b, "alpha", "").await, vec![kept.clone()]);
    assert!(search(t, a, "价格", "").await.is_empty());
    // … and removed from the index by the indexer.
    indexed(t).await;
    assert!(!t.state().search.contains(id).unwrap());
    assert!(t.state().search.contains(kept.parse().unwrap()).unwrap());
    assert_eq!(search(t, b, "alpha", "").await, vec![kept]);
}

/// Messages committed while no server indexed them are found after the next start, and the
/// ones indexed before are not duplicated.
async fn index_catches_up_after_restart(mut t: TestServer) {
    use huddle_server::chat::{model::Content, store};
    let p = people(&t, "重启科技").await;
    let (a, b) = (p.a.1.clone(), p.b.1.clone());
    let conv = conversation(&t, &a, "direct", &[&p.b.0]).await;
    let before = say(&t, &a, &conv, "k1", "重启之前的消息 gamma").await;
    indexed(&t).await;
    assert_eq!(search(&t, &b, "gamma", "").await, vec![before.clone()]);
    t.stop().await;

    // Written while no server runs (as if the node crashed before indexing it).
    let state = huddle_server::State::new(t.config.clone()).await.unwrap();
    let conv_id: i64 = conv.parse().unwrap();
    let a_id: i64 = p.a.0.parse().unwrap();
    let org_id: i64 = {
        use sqlx::Row;
        sqlx::query("SELECT org_id FROM conversations WHERE id = $1")
            .bind(conv_id)
            .fetch_one(state.db.reader())
            .await
            .unwrap()
            .try_get(0)
            .unwrap()
    };
    let now = huddle_server::ids::now_ms();
    let mut tx = state.db.begin().await.unwrap();
    let seq = store::next_seq(&mut tx, conv_id, now).await.unwrap();
    let offline = store::insert_message(
        &mut tx,
        state.ids.next(),
        org_id,
        conv_id,
        seq,
        a_id,
        "k2",
        &Content::Text {
            text: "服务停止期间写入 gamma".into(),
            mentions: vec![],
            mention_all: false,
        },
        None,
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    state.db.close().await;
    drop(state);

    t.start_again().await;
    indexed(&t).await;
    assert_eq!(
        search(&t, &b, "gamma", "").await,
        vec![offline.id.to_string(), before.clone()],
        "caught up, without duplicates"
    );
    assert_eq!(search(&t, &b, "重启", "").await, vec![before]);
    // A restart with everything indexed changes nothing.
    t.stop().await;
    t.start_again().await;
    indexed(&t).await;
    assert_eq!(search(&t, &a, "gamma", "").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_index_catches_up_after_restart() {
    index_catches_up_after_restart(TestServer::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_index_catches_up_after_restart() {
    if let Some(t) = TestServer::postgres().await {
        index_catches_up_after_restart(t).await;
    }
}
