//! Chat scenarios against a server this tool starts itself (`huddle serve` on a temporary data
//! folder, SQLite by default or `--database-url` for PostgreSQL):
//!
//! - `ingest`: acknowledged durable sends per second and ack latency.
//! - `group-fanout`: one group with every member online over WebSockets; each message must reach
//!   every member exactly once; latency is send → delivered.

use crate::proc_stats::{cpu_s, percentile, rss_mb};
use futures::StreamExt;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

#[derive(clap::Args, Clone)]
pub struct Args {
    /// Members taking part (group size for group-fanout; senders for ingest).
    #[arg(long, default_value_t = 50)]
    members: usize,
    /// Messages to send in all.
    #[arg(long, default_value_t = 2_000)]
    messages: usize,
    /// Concurrent senders.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Target send rate per second over all senders (0: as fast as acknowledged).
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// PostgreSQL URL of an empty database (default: SQLite in a temporary folder).
    #[arg(long)]
    database_url: Option<String>,
    /// Path of the `huddle` binary (default: next to this one).
    #[arg(long)]
    huddle_bin: Option<std::path::PathBuf>,
    #[arg(long)]
    json: bool,
}

struct Server {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &Args) -> anyhow::Result<Server> {
    let bin = match &args.huddle_bin {
        Some(b) => b.clone(),
        None => std::env::current_exe()?.with_file_name("huddle"),
    };
    let dir = tempfile::tempdir()?;
    let mut common: Vec<String> = vec!["--data-dir".into(), dir.path().display().to_string()];
    if let Some(u) = &args.database_url {
        common.extend(["--database-url".into(), u.clone()]);
    }
    let out = Command::new(&bin)
        .args(&common)
        .args([
            "admin",
            "init",
            "--org",
            "压测",
            "--admin-login",
            "admin",
            "--admin-password",
            "bench-password",
        ])
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "init failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = Command::new(&bin)
        .args(&common)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--set",
            "send_rate_per_10s=100000000",
        ])
        .env("HUDDLE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let url = crate::proc_stats::listening_url(&mut child)?;
    Ok(Server {
        child,
        url,
        _dir: dir,
    })
}

async fn post(
    http: &reqwest::Client,
    url: String,
    token: &str,
    body: Value,
) -> anyhow::Result<Value> {
    Ok(http
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

/// Creates `n` members and signs each in; returns (id, token) pairs.
async fn members(
    http: &reqwest::Client,
    base: &str,
    n: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    let login = |l: String, p: &'static str| {
        let http = http.clone();
        let base = base.to_string();
        async move {
            let v: Value = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"login": l, "password": p}))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            anyhow::Ok(v)
        }
    };
    let admin = login("admin".into(), "bench-password").await?;
    let token = admin["token"].as_str().unwrap_or_default().to_string();
    let root = admin["member"]["department_ids"][0].clone();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let m = post(http, format!("{base}/api/v1/members"), &token,
            json!({"name": format!("成员{i}"), "employee_id": format!("u{i}"), "department_ids": [root], "password": "member-password"})).await?;
        let s = login(format!("u{i}"), "member-password").await?;
        out.push((
            m["id"].as_str().unwrap_or_default().to_string(),
            s["token"].as_str().unwrap_or_default().to_string(),
        ));
    }
    Ok(out)
}

/// What a scenario measured.
struct Outcome {
    scenario: &'static str,
    connections: usize,
    sent: usize,
    deliveries: usize,
    secs: f64,
    latencies_ms: Vec<f64>,
    lost: usize,
    duplicates: usize,
}

fn report(args: &Args, mut o: Outcome, pid: u32, cpu0: f64) -> Value {
    o.latencies_ms.sort_by(|a, b| a.total_cmp(b));
    let lat = &o.latencies_ms;
    let r3 = |v: f64| (v * 1000.0).round() / 1000.0;
    json!({
        "scenario": o.scenario,
        "backend": if args.database_url.is_some() { "postgres" } else { "sqlite" },
        "connections": o.connections,
        "messages_sent": o.sent,
        "deliveries": o.deliveries,
        "deliveries_per_sec": (o.deliveries as f64 / o.secs).round(),
        "sends_per_sec": (o.sent as f64 / o.secs).round(),
        "p50_ms": r3(percentile(lat, 0.50)),
        "p99_ms": r3(percentile(lat, 0.99)),
        "p999_ms": r3(percentile(lat, 0.999)),
        "lost": o.lost,
        "duplicates": o.duplicates,
        "server_rss_mb": rss_mb(pid).map(|m| (m * 10.0).round() / 10.0),
        "server_cpu_s": cpu_s(pid).map(|c| ((c - cpu0) * 100.0).round() / 100.0),
    })
}

/// Spreads sends over time when a rate is set.
async fn pace(started: Instant, index: usize, rate: u64) {
    if rate > 0 {
        let due = started + Duration::from_secs_f64(index as f64 / rate as f64);
        tokio::time::sleep_until(due.into()).await;
    }
}

pub async fn ingest(args: Args) -> anyhow::Result<()> {
    let server = spawn(&args)?;
    let http = reqwest::Client::new();
    let people = members(&http, &server.url, args.members.max(2)).await?;
    // Pair people up in direct chats; each sender writes into its own chat.
    let mut chats = Vec::new();
    for pair in people.chunks(2).filter(|p| p.len() == 2) {
        let c = post(
            &http,
            format!("{}/api/v1/conversations", server.url),
            &pair[0].1,
            json!({"kind": "direct", "member_ids": [pair[1].0]}),
        )
        .await?;
        chats.push((
            pair[0].1.clone(),
            c["id"].as_str().unwrap_or_default().to_string(),
        ));
    }
    let pid = server.child.id();
    let cpu0 = cpu_s(pid).unwrap_or(0.0);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(args.messages)));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..args.concurrency {
        let (http, base, next, latencies, chats, args) = (
            http.clone(),
            server.url.clone(),
            next.clone(),
            latencies.clone(),
            chats.clone(),
            args.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= args.messages {
                    return anyhow::Ok(());
                }
                pace(started, i, args.rate).await;
                let (token, conv) = &chats[(i + w) % chats.len()];
                let t = Instant::now();
                post(&http, format!("{base}/api/v1/conversations/{conv}/messages"), token,
                    json!({"client_msg_id": format!("i{i}"), "content": {"kind": "text", "text": format!("消息 {i} message")}})).await?;
                latencies.lock().await.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let secs = started.elapsed().as_secs_f64();
    let latencies_ms = latencies.lock().await.clone();
    let outcome = Outcome {
        scenario: "ingest",
        connections: args.concurrency,
        sent: args.messages,
        deliveries: 0,
        secs,
        latencies_ms,
        lost: 0,
        duplicates: 0,
    };
    let out = report(&args, outcome, pid, cpu0);
    print(&args, out)
}

pub async fn group_fanout(args: Args) -> anyhow::Result<()> {
    let server = spawn(&args)?;
    let http = reqwest::Client::new();
    let people = members(&http, &server.url, args.members.max(2)).await?;
    let others: Vec<&String> = people[1..].iter().map(|p| &p.0).collect();
    let g = post(
        &http,
        format!("{}/api/v1/conversations", server.url),
        &people[0].1,
        json!({"kind": "group", "name": "压测群", "member_ids": others}),
    )
    .await?;
    let conv = g["id"].as_str().unwrap_or_default().to_string();
    // Everyone online; each receiver records (seq → arrival) for every message.created.
    let sent_at: Arc<Mutex<HashMap<i64, Instant>>> = Arc::default();
    let mut receivers = Vec::new();
    for (_, token) in &people {
        let mut req = format!("{}/api/v1/ws", server.url.replace("http://", "ws://"))
            .into_client_request()?;
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse()?);
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
        let expected = args.messages;
        receivers.push(tokio::spawn(async move {
            let mut got: HashMap<i64, (Instant, usize)> = HashMap::new();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
            while got.len() < expected {
                let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, ws.next()).await else {
                    break;
                };
                if let Message::Text(t) = msg {
                    if t.as_str().contains("\"message.created\"") {
                        let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
                        let client_id = v["payload"]["client_msg_id"].as_str().unwrap_or_default();
                        if let Some(i) = client_id
                            .strip_prefix('g')
                            .and_then(|s| s.parse::<i64>().ok())
                        {
                            got.entry(i).or_insert((Instant::now(), 0)).1 += 1;
                        }
                    }
                }
            }
            let _ = ws.close(None).await;
            got
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = server.child.id();
    let cpu0 = cpu_s(pid).unwrap_or(0.0);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut senders = Vec::new();
    for w in 0..args.concurrency {
        let (http, base, next, sent_at, conv, args, token) = (
            http.clone(),
            server.url.clone(),
            next.clone(),
            sent_at.clone(),
            conv.clone(),
            args.clone(),
            people[w % people.len()].1.clone(),
        );
        senders.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= args.messages {
                    return anyhow::Ok(());
                }
                pace(started, i, args.rate).await;
                sent_at.lock().await.insert(i as i64, Instant::now());
                post(&http, format!("{base}/api/v1/conversations/{conv}/messages"), &token,
                    json!({"client_msg_id": format!("g{i}"), "content": {"kind": "text", "text": format!("群消息 {i}")}})).await?;
            }
        }));
    }
    for s in senders {
        s.await??;
    }
    let (mut lat, mut deliveries, mut lost, mut duplicates) = (Vec::new(), 0, 0, 0);
    let sent_at = sent_at.lock().await.clone();
    for r in receivers {
        let got = r.await?;
        lost += args.messages.saturating_sub(got.len());
        for (i, (at, count)) in got {
            deliveries += 1;
            duplicates += count - 1;
            if let Some(t0) = sent_at.get(&i) {
                lat.push(at.saturating_duration_since(*t0).as_secs_f64() * 1000.0);
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let outcome = Outcome {
        scenario: "group-fanout",
        connections: people.len(),
        sent: args.messages,
        deliveries,
        secs,
        latencies_ms: lat,
        lost,
        duplicates,
    };
    let out = report(&args, outcome, pid, cpu0);
    print(&args, out)
}

fn print(args: &Args, out: Value) -> anyhow::Result<()> {
    if args.json {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(())
}
