//! Two `huddle serve` processes sharing PostgreSQL and NATS, and a crash in the middle of
//! sending: what is acknowledged is delivered and stored exactly once.

use futures::StreamExt;
use serde_json::{json, Value};
use std::process::{Child, Command};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const BIN: &str = env!("CARGO_BIN_EXE_huddle");

fn serve(args: &[&str]) -> (Child, String) {
    super::serve_with(args)
}

struct Api {
    http: reqwest::Client,
}

impl Api {
    async fn call(
        &self,
        method: reqwest::Method,
        url: String,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, url).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
    async fn login(&self, base: &str, login: &str, pw: &str) -> String {
        let v: Value = self
            .http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"login": login, "password": pw}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login {login}: {v}"))
            .to_string()
    }
}

async fn socket(
    base: &str,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut req = format!("{}/api/v1/ws", base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// Creates an organization with two members and a direct chat between them.
async fn setup(api: &Api, base: &str) -> (String, String, String) {
    let admin = api.login(base, "admin", "admin-pass-1").await;
    let (_, me) = api
        .call(
            reqwest::Method::GET,
            format!("{base}/api/v1/me"),
            &admin,
            None,
        )
        .await;
    let root = me["member"]["department_ids"][0].clone();
    let mut ids = Vec::new();
    for (name, login) in [("甲", "jia"), ("乙", "yi")] {
        let (s, m) = api.call(reqwest::Method::POST, format!("{base}/api/v1/members"), &admin,
            Some(json!({"name": name, "employee_id": login, "department_ids": [root], "password": "member-pass-1"}))).await;
        assert_eq!(s, 201, "{m}");
        ids.push(m["id"].as_str().unwrap().to_string());
    }
    let jia = api.login(base, "jia", "member-pass-1").await;
    let yi = api.login(base, "yi", "member-pass-1").await;
    let (_, c) = api
        .call(
            reqwest::Method::POST,
            format!("{base}/api/v1/conversations"),
            &jia,
            Some(json!({"kind": "direct", "member_ids": [ids[1]]})),
        )
        .await;
    (jia, yi, c["id"].as_str().unwrap().to_string())
}

fn init(args: &[&str]) {
    let out = Command::new(BIN)
        .args([
            "admin",
            "init",
            "--org",
            "集群测试",
            "--admin-login",
            "admin",
            "--admin-password",
            "admin-pass-1",
        ])
        .args(args)
        .env_remove("HUDDLE_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

#[tokio::test]
async fn two_nodes_deliver_in_order_exactly_once() {
    let (Ok(pg), Ok(nats)) = (
        std::env::var("HUDDLE_TEST_DATABASE_URL"),
        std::env::var("HUDDLE_TEST_NATS_URL"),
    ) else {
        eprintln!("skipped: set HUDDLE_TEST_DATABASE_URL and HUDDLE_TEST_NATS_URL");
        return;
    };
    use sqlx::Connection;
    let name = format!("huddle_t_cluster_{}", std::process::id());
    let mut admin_conn = sqlx::PgConnection::connect(&pg).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin_conn)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin_conn)
        .await
        .unwrap();
    let db = format!("{}/{name}", pg.rsplit_once('/').unwrap().0);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    init(&["--database-url", &db, "--data-dir", data]);
    let subject = format!(
        "--set=nats_subject_prefix=huddle-test-{}",
        std::process::id()
    );
    let nats_set = format!("--set=nats_url={nats}");
    let (mut a, url_a) = serve(&[
        "--database-url",
        &db,
        "--data-dir",
        data,
        &nats_set,
        &subject,
        "--set=node_id=1",
    ]);
    let (mut b, url_b) = serve(&[
        "--database-url",
        &db,
        "--data-dir",
        data,
        &nats_set,
        &subject,
        "--set=node_id=2",
    ]);
    let api = Api {
        http: reqwest::Client::new(),
    };
    let (jia, yi, conv) = setup(&api, &url_b).await;
    // 乙 listens on node A; 甲 sends through node B.
    let mut ws = socket(&url_a, &yi).await;
    let _hello = ws.next().await;
    let n = 50;
    for i in 0..n {
        let (s, _) = api.call(reqwest::Method::POST, format!("{url_b}/api/v1/conversations/{conv}/messages"), &jia,
            Some(json!({"client_msg_id": format!("c{i}"), "content": {"kind": "text", "text": format!("消息{i}")}}))).await;
        assert_eq!(s, 201);
        if i % 10 == 0 {
            // A retry through the other node returns the original and delivers nothing new.
            let (s, _) = api.call(reqwest::Method::POST, format!("{url_a}/api/v1/conversations/{conv}/messages"), &jia,
                Some(json!({"client_msg_id": format!("c{i}"), "content": {"kind": "text", "text": format!("消息{i}")}}))).await;
            assert_eq!(s, 200);
        }
    }
    let mut seqs = Vec::new();
    while seqs.len() < n {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("delivery in time")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] == "message.created" {
                seqs.push(v["payload"]["seq"].as_i64().unwrap());
            }
        }
    }
    assert_eq!(
        seqs,
        (1..=n as i64).collect::<Vec<_>>(),
        "in order, exactly once"
    );
    let extra = tokio::time::timeout(Duration::from_millis(500), ws.next()).await;
    assert!(extra.is_err(), "nothing more arrives");
    // Cached member lists: a removal through node B reaches node A's cache.
    let (_, yi_me) = api
        .call(
            reqwest::Method::GET,
            format!("{url_a}/api/v1/me"),
            &yi,
            None,
        )
        .await;
    let yi_id = yi_me["member"]["id"].as_str().unwrap().to_string();
    let (s, g) = api
        .call(
            reqwest::Method::POST,
            format!("{url_b}/api/v1/conversations"),
            &jia,
            Some(json!({"kind": "group", "name": "群", "member_ids": [yi_id]})),
        )
        .await;
    assert_eq!(s, 201, "{g}");
    let group = g["id"].as_str().unwrap().to_string();
    let send_on_a = |key: String| {
        let (api, url, yi, group) = (&api, &url_a, &yi, &group);
        async move {
            api.call(
                reqwest::Method::POST,
                format!("{url}/api/v1/conversations/{group}/messages"),
                yi,
                Some(json!({"client_msg_id": key, "content": {"kind": "text", "text": "在"}})),
            )
            .await
            .0
        }
    };
    assert_eq!(
        send_on_a("g-1".into()).await,
        201,
        "node A caches the group"
    );
    let (s, _) = api
        .call(
            reqwest::Method::DELETE,
            format!("{url_b}/api/v1/conversations/{group}/members/{yi_id}"),
            &jia,
            None,
        )
        .await;
    assert!((200..300).contains(&s));
    let mut refused = false;
    for i in 0..20 {
        if send_on_a(format!("g-after-{i}")).await == 404 {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused, "node A forgot the removed member within 2 s");
    // Session ends: signing out through node B closes the socket on node A.
    let (s, _) = api
        .call(
            reqwest::Method::POST,
            format!("{url_b}/api/v1/auth/logout"),
            &yi,
            Some(json!({})),
        )
        .await;
    assert!((200..300).contains(&s));
    let ended = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(Ok(m)) = ws.next().await {
            if m.to_text().unwrap_or_default().contains("session.ended") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(ended, Ok(true), "the socket on the other node closed");
    for c in [&mut a, &mut b] {
        let _ = c.kill();
        let _ = c.wait();
    }
    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin_conn)
        .await;
}

#[tokio::test]
async fn acknowledged_messages_survive_kill_9_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    init(&["--data-dir", &data]);
    let (mut server, url) = serve(&["--data-dir", &data]);
    let api = std::sync::Arc::new(Api {
        http: reqwest::Client::new(),
    });
    let (jia, _, conv) = setup(&api, &url).await;
    // Four senders keep sending until the server dies under them.
    let mut senders = Vec::new();
    for w in 0..4 {
        let (api, url, jia, conv) = (api.clone(), url.clone(), jia.clone(), conv.clone());
        senders.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0.. {
                let key = format!("w{w}-{i}");
                let resp = api
                    .http
                    .post(format!("{url}/api/v1/conversations/{conv}/messages"))
                    .bearer_auth(&jia)
                    .json(&json!({"client_msg_id": key, "content": {"kind": "text", "text": key}}))
                    .send()
                    .await;
                match resp {
                    Ok(r) if r.status().as_u16() == 201 => acked.push(key),
                    _ => break,
                }
            }
            acked
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    Command::new("kill")
        .args(["-9", &server.id().to_string()])
        .status()
        .unwrap();
    let _ = server.wait();
    let mut acked = Vec::new();
    for s in senders {
        acked.extend(s.await.unwrap());
    }
    assert!(
        acked.len() > 10,
        "the senders got going before the crash ({} acked)",
        acked.len()
    );
    let (mut server, url) = serve(&["--data-dir", &data]);
    let jia = api.login(&url, "jia", "member-pass-1").await;
    let mut stored = Vec::new();
    let mut after = 0;
    loop {
        let (_, page) = api
            .call(
                reqwest::Method::GET,
                format!("{url}/api/v1/conversations/{conv}/messages?after_seq={after}&limit=200"),
                &jia,
                None,
            )
            .await;
        let items = page["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        after = items.last().unwrap()["seq"].as_i64().unwrap();
        stored.extend(
            items
                .iter()
                .map(|m| m["client_msg_id"].as_str().unwrap().to_string()),
        );
    }
    for key in &acked {
        assert_eq!(
            stored.iter().filter(|s| *s == key).count(),
            1,
            "{key} stored exactly once"
        );
    }
    let mut unique = stored.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), stored.len(), "no duplicates at all");
    let _ = server.kill();
    let _ = server.wait();
}
