//! Chat scenarios, driven through the same HTTP + WebSocket protocol as the web client:
//!
//! - `ingest`: acknowledged durable sends per second and ack latency.
//! - `group-fanout`: one group with every member online; each message must reach every member
//!   exactly once; latency is send → delivered. `--baseline` first runs the same load against
//!   the bare broadcast server and reports the ratio.
//! - `direct`: many pairs chatting at a rate; every message must reach its partner once.
//! - `connections`: N idle authenticated WebSockets; server memory per connection.
//! - `reconnect-storm`: every client drops, messages arrive meanwhile, every client resumes at
//!   once with `POST /api/v1/sync` and a new WebSocket; nothing may be lost or duplicated.
//! - `search`: a corpus of generated Chinese/English messages, query latency.

use crate::env::{connect_ws, Env, Target, Ws};
use crate::proc_stats::{cpu_s, percentile, rss_mb};
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Mutex, Semaphore};
use tokio_tungstenite::tungstenite::Message;

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// Members taking part: group size (group-fanout), senders (ingest), people in pairs
    /// (direct), clients (connections, reconnect-storm), members of the searched conversations
    /// (search).
    #[arg(long, default_value_t = 50)]
    members: usize,
    /// Messages to send in all (for reconnect-storm: while everybody is offline).
    #[arg(long, default_value_t = 2_000)]
    messages: usize,
    /// Concurrent senders.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Target send rate per second over all senders (0: as fast as acknowledged).
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// group-fanout: also run the bare broadcast baseline and report the ratio to it.
    #[arg(long)]
    baseline: bool,
    /// reconnect-storm: members per group the clients are spread over.
    #[arg(long, default_value_t = 100)]
    group_size: usize,
    /// search: messages in the corpus.
    #[arg(long, default_value_t = 100_000)]
    corpus: usize,
    /// search: queries to time.
    #[arg(long, default_value_t = 1_000)]
    queries: usize,
    /// connections: seconds to hold every connection idle while measuring the server's CPU.
    #[arg(long, default_value_t = 20)]
    hold: u64,
    #[command(flatten)]
    target: Target,
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
    extra: Value,
}

fn r3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn report(args: &Args, mut o: Outcome, pid: Option<u32>, cpu0: f64) -> Value {
    o.latencies_ms.sort_by(|a, b| a.total_cmp(b));
    let lat = &o.latencies_ms;
    let mut v = json!({
        "scenario": o.scenario,
        "backend": Env::backend(&args.target),
        "connections": o.connections,
        "messages_sent": o.sent,
        "deliveries": o.deliveries,
        "deliveries_per_sec": (o.deliveries as f64 / o.secs.max(1e-9)).round(),
        "sends_per_sec": (o.sent as f64 / o.secs.max(1e-9)).round(),
        "seconds": r3(o.secs),
        "p50_ms": r3(percentile(lat, 0.50)),
        "p99_ms": r3(percentile(lat, 0.99)),
        "p999_ms": r3(percentile(lat, 0.999)),
        "lost": o.lost,
        "duplicates": o.duplicates,
        "server_rss_mb": pid.and_then(rss_mb).map(|m| (m * 10.0).round() / 10.0),
        "server_cpu_s": pid.and_then(cpu_s).map(|c| ((c - cpu0) * 100.0).round() / 100.0),
        "load_average": std::fs::read_to_string("/proc/loadavg").ok()
            .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" ")),
    });
    if let (Some(obj), Value::Object(extra)) = (v.as_object_mut(), o.extra) {
        obj.extend(extra);
    }
    v
}

fn print(args: &Args, out: &Value) -> anyhow::Result<()> {
    if args.target.json {
        println!("{out}");
    } else {
        println!("{}", serde_json::to_string_pretty(out)?);
    }
    Ok(())
}

/// Spreads sends over time when a rate is set.
async fn pace(started: Instant, index: usize, rate: u64) {
    if rate > 0 {
        let due = started + Duration::from_secs_f64(index as f64 / rate as f64);
        tokio::time::sleep_until(due.into()).await;
    }
}

fn text(key: &str, body: String) -> Value {
    json!({"client_msg_id": key, "content": {"kind": "text", "text": body}})
}

/// What one receiver saw: message key → (first arrival, times seen).
type Seen = HashMap<String, (Instant, usize)>;

/// Reads `message.created` frames whose `client_msg_id` starts with `prefix` until `expected`
/// distinct ones arrived, or `stop` fires and a short grace period passes.
fn receive(
    mut stream: impl futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + Unpin
        + Send
        + 'static,
    prefix: &'static str,
    expected: usize,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<Seen> {
    tokio::spawn(async move {
        let mut got: Seen = HashMap::new();
        let mut grace: Option<tokio::time::Instant> = None;
        while got.len() < expected {
            let msg = match grace {
                Some(until) => match tokio::time::timeout_at(until, stream.next()).await {
                    Ok(m) => m,
                    Err(_) => break,
                },
                None => tokio::select! {
                    m = stream.next() => m,
                    _ = stop.changed() => {
                        grace = Some(tokio::time::Instant::now() + Duration::from_secs(5));
                        continue;
                    }
                },
            };
            let Some(Ok(Message::Text(t))) = msg else {
                if msg.is_none() || matches!(msg, Some(Err(_))) {
                    break;
                }
                continue;
            };
            if !t.as_str().contains("\"message.created\"") {
                continue;
            }
            let key = created_key(t.as_str()).unwrap_or_default();
            if key.starts_with(prefix) {
                got.entry(key.to_string()).or_insert((Instant::now(), 0)).1 += 1;
            }
        }
        got
    })
}

/// The `client_msg_id` of a `message.created` frame, found without parsing the whole frame:
/// thousands of receivers share the machine with the server, so the tool reads only what it
/// needs (ids are generated by the tool and never contain quotes or escapes).
fn created_key(frame: &str) -> Option<&str> {
    const KEY: &str = "\"client_msg_id\":\"";
    let start = frame.find(KEY)? + KEY.len();
    let len = frame[start..].find('"')?;
    Some(&frame[start..start + len])
}

struct Tally {
    latencies: Vec<f64>,
    deliveries: usize,
    lost: usize,
    duplicates: usize,
}

/// Compares what each receiver saw with what it should have seen.
fn tally(seen: Vec<(Seen, Vec<String>)>, sent_at: &HashMap<String, Instant>) -> Tally {
    let mut t = Tally {
        latencies: Vec::new(),
        deliveries: 0,
        lost: 0,
        duplicates: 0,
    };
    for (got, expected) in seen {
        for key in expected {
            match got.get(&key) {
                None => t.lost += 1,
                Some((at, count)) => {
                    t.deliveries += 1;
                    t.duplicates += count - 1;
                    if let Some(t0) = sent_at.get(&key) {
                        t.latencies
                            .push(at.saturating_duration_since(*t0).as_secs_f64() * 1000.0);
                    }
                }
            }
        }
    }
    t
}

pub async fn ingest(args: Args) -> anyhow::Result<()> {
    let env = Env::start(&args.target, args.members.max(2), async |_, _, _| Ok(())).await?;
    // Pair people up in direct chats; each sender writes into its own chat.
    let mut chats = Vec::new();
    for pair in env.people.chunks(2).filter(|p| p.len() == 2) {
        let c = env
            .post(
                "/api/v1/conversations",
                &pair[0].token,
                json!({"kind": "direct", "member_ids": [pair[1].id]}),
            )
            .await?;
        chats.push((
            pair[0].token.clone(),
            c["id"].as_str().unwrap_or_default().to_string(),
        ));
    }
    let cpu0 = env.pid.and_then(cpu_s).unwrap_or(0.0);
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(args.messages)));
    let run = std::process::id();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..args.concurrency {
        let (http, base, next, latencies, chats, args) = (
            env.http.clone(),
            env.url.clone(),
            next.clone(),
            latencies.clone(),
            chats.clone(),
            args.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= args.messages {
                    return anyhow::Ok(());
                }
                pace(started, i, args.rate).await;
                let (token, conv) = &chats[(i + w) % chats.len()];
                let t = Instant::now();
                crate::env::post(
                    &http,
                    format!("{base}/api/v1/conversations/{conv}/messages"),
                    token,
                    text(&format!("i{run}-{i}"), format!("消息 {i} message")),
                )
                .await?;
                latencies
                    .lock()
                    .await
                    .push(t.elapsed().as_secs_f64() * 1000.0);
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
        extra: json!({}),
    };
    print(&args, &report(&args, outcome, env.pid, cpu0))
}

type Sink = Arc<Mutex<SplitSink<Ws, Message>>>;

/// One group of `members`, all online; `concurrency` senders post `messages` at `rate`.
/// `send(i, key)` posts message i. Returns the outcome.
async fn run_fanout<F, Fut>(
    args: &Args,
    ws_url: &str,
    tokens: &[String],
    send: F,
) -> anyhow::Result<Outcome>
where
    F: Fn(usize, String, Option<Sink>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let (stop_tx, stop) = watch::channel(false);
    let mut receivers = Vec::new();
    let mut sinks = Vec::new();
    let keys: Vec<String> = (0..args.messages).map(|i| format!("g{i}")).collect();
    for (n, token) in tokens.iter().enumerate() {
        let ws = connect_ws(ws_url, token, n, args.target.source_addrs).await?;
        let (sink, stream) = ws.split();
        if n < args.concurrency {
            sinks.push(Arc::new(Mutex::new(sink)));
        } else {
            std::mem::forget(sink);
        }
        receivers.push(receive(stream, "g", args.messages, stop.clone()));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent_at: Arc<std::sync::Mutex<HashMap<String, Instant>>> = Arc::default();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut senders = Vec::new();
    for w in 0..args.concurrency {
        let (next, sent_at, send, rate, total) = (
            next.clone(),
            sent_at.clone(),
            send.clone(),
            args.rate,
            args.messages,
        );
        let sink = sinks.get(w % sinks.len().max(1)).cloned();
        senders.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return anyhow::Ok(());
                }
                pace(started, i, rate).await;
                let key = format!("g{i}");
                sent_at
                    .lock()
                    .expect("sent_at")
                    .insert(key.clone(), Instant::now());
                send(i, key, sink.clone()).await?;
            }
        }));
    }
    for s in senders {
        s.await??;
    }
    let _ = stop_tx.send(true);
    let mut seen = Vec::new();
    for r in receivers {
        seen.push((r.await?, keys.clone()));
    }
    let secs = started.elapsed().as_secs_f64();
    let sent_at = sent_at.lock().expect("sent_at").clone();
    let t = tally(seen, &sent_at);
    Ok(Outcome {
        scenario: "group-fanout",
        connections: tokens.len(),
        sent: args.messages,
        deliveries: t.deliveries,
        secs,
        latencies_ms: t.latencies,
        lost: t.lost,
        duplicates: t.duplicates,
        extra: json!({}),
    })
}

pub async fn group_fanout(args: Args) -> anyhow::Result<()> {
    let members = args.members.max(2);
    let baseline = if args.baseline {
        let url = crate::baseline::start()?;
        let tokens = vec![String::new(); members];
        let pad = "群".repeat(8);
        let mut o = run_fanout(&args, &url, &tokens, move |i, key, sink: Option<Sink>| {
            // The same frame shape and size as Huddle's message.created.
            let frame = json!({"type": "message.created", "notify": true, "payload": {
                "id": "7290000000000000000", "conversation_id": "7290000000000000001", "seq": i + 1,
                "sender_id": "7290000000000000002", "client_msg_id": key,
                "content": {"kind": "text", "text": format!("群消息 {i} {pad}"), "mentions": [], "mention_all": false},
                "reply_to": null, "recalled": false, "created_at": 0}})
            .to_string();
            async move {
                let sink = sink.ok_or_else(|| anyhow::anyhow!("no sender"))?;
                sink.lock().await.send(Message::Text(frame.into())).await?;
                Ok(())
            }
        })
        .await?;
        o.latencies_ms.sort_by(|a, b| a.total_cmp(b));
        Some(json!({
            "deliveries_per_sec": (o.deliveries as f64 / o.secs).round(),
            "p50_ms": r3(percentile(&o.latencies_ms, 0.5)),
            "p99_ms": r3(percentile(&o.latencies_ms, 0.99)),
            "lost": o.lost,
        }))
    } else {
        None
    };
    let env = Env::start(&args.target, members, async |_, _, _| Ok(())).await?;
    let others: Vec<&String> = env.people[1..].iter().map(|p| &p.id).collect();
    let g = env
        .post(
            "/api/v1/conversations",
            &env.people[0].token,
            json!({"kind": "group", "name": "压测群", "member_ids": others}),
        )
        .await?;
    let conv = g["id"].as_str().unwrap_or_default().to_string();
    let tokens: Vec<String> = env.people.iter().map(|p| p.token.clone()).collect();
    let cpu0 = env.pid.and_then(cpu_s).unwrap_or(0.0);
    let (http, base) = (env.http.clone(), env.url.clone());
    let sender_tokens = Arc::new(tokens.clone());
    let run_id = std::process::id();
    let mut o = run_fanout(&args, &env.ws_url(), &tokens, move |i, key, _| {
        let (http, url, token) = (
            http.clone(),
            format!("{base}/api/v1/conversations/{conv}/messages"),
            sender_tokens[i % sender_tokens.len()].clone(),
        );
        async move {
            let body = text(&key, format!("群消息 {i} {run_id}"));
            crate::env::post(&http, url, &token, body).await?;
            Ok(())
        }
    })
    .await?;
    if let Some(b) = baseline {
        let own = o.deliveries as f64 / o.secs;
        let base = b["deliveries_per_sec"].as_f64().unwrap_or(0.0);
        o.extra = json!({
            "baseline": b,
            "ratio_to_baseline": if base > 0.0 { r3(own / base) } else { 0.0 },
        });
    }
    print(&args, &report(&args, o, env.pid, cpu0))
}

pub async fn direct(args: Args) -> anyhow::Result<()> {
    let n = args.members.max(2) & !1;
    let env = Env::start(&args.target, n, async |_, _, _| Ok(())).await?;
    let mut chats = Vec::new();
    for pair in env.people.chunks(2) {
        let c = env
            .post(
                "/api/v1/conversations",
                &pair[0].token,
                json!({"kind": "direct", "member_ids": [pair[1].id]}),
            )
            .await?;
        chats.push(c["id"].as_str().unwrap_or_default().to_string());
    }
    let pairs = chats.len();
    // Message i goes through pair i % pairs, from its first or second person alternately.
    let sender_of = |i: usize| 2 * (i % pairs) + (i / pairs) % 2;
    let mut expected: Vec<Vec<String>> = vec![Vec::new(); n];
    // Senders get their own messages too (silently): a socket sees what it sent and received.
    let mut frames = vec![0usize; n];
    for i in 0..args.messages {
        let s = sender_of(i);
        expected[s ^ 1].push(format!("d{i}"));
        frames[s] += 1;
        frames[s ^ 1] += 1;
    }
    let (stop_tx, stop) = watch::channel(false);
    let mut receivers = Vec::new();
    for (k, p) in env.people.iter().enumerate() {
        let ws = connect_ws(&env.ws_url(), &p.token, k, args.target.source_addrs).await?;
        receivers.push(receive(ws, "d", frames[k], stop.clone()));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let cpu0 = env.pid.and_then(cpu_s).unwrap_or(0.0);
    let sent_at: Arc<std::sync::Mutex<HashMap<String, Instant>>> = Arc::default();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tokens: Arc<Vec<String>> = Arc::new(env.people.iter().map(|p| p.token.clone()).collect());
    let chats = Arc::new(chats);
    let mut senders = Vec::new();
    for _ in 0..args.concurrency {
        let (next, sent_at, http, base, tokens, chats, args) = (
            next.clone(),
            sent_at.clone(),
            env.http.clone(),
            env.url.clone(),
            tokens.clone(),
            chats.clone(),
            args.clone(),
        );
        senders.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= args.messages {
                    return anyhow::Ok(());
                }
                pace(started, i, args.rate).await;
                let key = format!("d{i}");
                let s = 2 * (i % pairs) + (i / pairs) % 2;
                sent_at
                    .lock()
                    .expect("sent_at")
                    .insert(key.clone(), Instant::now());
                crate::env::post(
                    &http,
                    format!("{base}/api/v1/conversations/{}/messages", chats[i % pairs]),
                    &tokens[s],
                    text(&key, format!("你好 {i} hello")),
                )
                .await?;
            }
        }));
    }
    for s in senders {
        s.await??;
    }
    let _ = stop_tx.send(true);
    let mut seen = Vec::new();
    for (r, exp) in receivers.into_iter().zip(expected) {
        seen.push((r.await?, exp));
    }
    let secs = started.elapsed().as_secs_f64();
    let sent_at = sent_at.lock().expect("sent_at").clone();
    let t = tally(seen, &sent_at);
    let o = Outcome {
        scenario: "direct",
        connections: n,
        sent: args.messages,
        deliveries: t.deliveries,
        secs,
        latencies_ms: t.latencies,
        lost: t.lost,
        duplicates: t.duplicates,
        extra: json!({"pairs": pairs}),
    };
    print(&args, &report(&args, o, env.pid, cpu0))
}

pub async fn connections(args: Args) -> anyhow::Result<()> {
    let n = args.members;
    let env = Env::start(&args.target, n, async |_, _, _| Ok(())).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pid = env.pid;
    // Warm the server's paths with a few connections, then take the baseline memory.
    {
        let mut warm = Vec::new();
        for (k, p) in env.people.iter().take(16).enumerate() {
            warm.push(connect_ws(&env.ws_url(), &p.token, k, args.target.source_addrs).await?);
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss0 = pid.and_then(rss_mb).unwrap_or(0.0);
    let cpu0 = pid.and_then(cpu_s).unwrap_or(0.0);
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let url = Arc::new(env.ws_url());
    let mut tasks = Vec::with_capacity(n);
    for (k, p) in env.people.iter().enumerate() {
        let (gate, url, token, addrs) = (
            gate.clone(),
            url.clone(),
            p.token.clone(),
            args.target.source_addrs,
        );
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await;
            let t = Instant::now();
            let ws = connect_ws(&url, &token, k, addrs).await;
            (ws, t.elapsed().as_secs_f64() * 1000.0)
        }));
    }
    let mut open = Vec::with_capacity(n);
    let mut latencies = Vec::with_capacity(n);
    let mut failed = 0usize;
    let mut first_error = None;
    for t in tasks {
        match t.await? {
            (Ok(ws), ms) => {
                open.push(ws);
                latencies.push(ms);
            }
            (Err(e), _) => {
                failed += 1;
                first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    // Let the server settle, then read its memory with every connection idle.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss1 = pid.and_then(rss_mb).unwrap_or(0.0);
    // What idle connections cost the server: CPU while nothing happens.
    let idle0 = pid.and_then(cpu_s).unwrap_or(0.0);
    tokio::time::sleep(Duration::from_secs(args.hold)).await;
    let idle_cpu = pid.and_then(cpu_s).unwrap_or(0.0) - idle0;
    let per_conn_kib = if open.is_empty() {
        0.0
    } else {
        (rss1 - rss0) * 1024.0 / open.len() as f64
    };
    let o = Outcome {
        scenario: "connections",
        connections: open.len(),
        sent: 0,
        deliveries: 0,
        secs,
        latencies_ms: latencies,
        lost: 0,
        duplicates: 0,
        extra: json!({
            "requested": n,
            "failed": failed,
            "first_error": first_error,
            "connects_per_sec": (open.len() as f64 / secs).round(),
            "server_rss_before_mb": (rss0 * 10.0).round() / 10.0,
            "server_kib_per_connection": (per_conn_kib * 100.0).round() / 100.0,
            "open_files_limit": crate::env::raise_nofile(),
            "idle_hold_s": args.hold,
            "idle_server_cpu_percent": if args.hold > 0 { ((idle_cpu / args.hold as f64) * 1000.0).round() / 10.0 } else { 0.0 },
            "latency_is": "connect + upgrade + hello",
        }),
    };
    let out = report(&args, o, pid, cpu0);
    drop(open);
    print(&args, &out)
}

pub async fn reconnect_storm(args: Args) -> anyhow::Result<()> {
    let n = args.members.max(2);
    let env = Env::start(&args.target, n, async |_, _, _| Ok(())).await?;
    // Spread everyone over groups of `group_size`; the first member of each group creates it.
    let size = args.group_size.clamp(2, 2000);
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(size) {
        if chunk.len() < 2 {
            break;
        }
        let ids: Vec<&String> = chunk[1..].iter().map(|k| &env.people[*k].id).collect();
        let g = env
            .post(
                "/api/v1/conversations",
                &env.people[chunk[0]].token,
                json!({"kind": "group", "name": "风暴群", "member_ids": ids}),
            )
            .await?;
        groups.push((
            g["id"].as_str().unwrap_or_default().to_string(),
            chunk.to_vec(),
        ));
    }
    let mut group_of = vec![usize::MAX; n];
    for (gi, (_, ks)) in groups.iter().enumerate() {
        for k in ks {
            group_of[*k] = gi;
        }
    }
    // Phase 1: everyone online; one message per group arrives live and is held.
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let url = Arc::new(env.ws_url());
    let mut tasks = Vec::new();
    for (k, p) in env.people.iter().enumerate() {
        let (gate, url, token, addrs) = (
            gate.clone(),
            url.clone(),
            p.token.clone(),
            args.target.source_addrs,
        );
        tasks.push(tokio::spawn(async move {
            let _p = gate.acquire().await;
            connect_ws(&url, &token, k, addrs).await
        }));
    }
    let mut sockets = Vec::with_capacity(n);
    for t in tasks {
        sockets.push(t.await??);
    }
    for (gi, (conv, ks)) in groups.iter().enumerate() {
        env.post(
            &format!("/api/v1/conversations/{conv}/messages"),
            &env.people[ks[0]].token,
            text(&format!("live{gi}"), "上线前 before".into()),
        )
        .await?;
    }
    // Each client holds the seq it saw live (1 system-free group: the first message is seq 1
    // or later; read it from the frame).
    let mut held: Vec<i64> = vec![0; n];
    let mut readers = Vec::new();
    for (k, mut ws) in sockets.into_iter().enumerate() {
        readers.push(tokio::spawn(async move {
            let mut seq = 0;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            while let Ok(Some(Ok(m))) = tokio::time::timeout_at(deadline, ws.next()).await {
                let v: Value =
                    serde_json::from_str(m.to_text().unwrap_or_default()).unwrap_or_default();
                if v["type"] == "message.created"
                    && v["payload"]["client_msg_id"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with("live")
                {
                    seq = v["payload"]["seq"].as_i64().unwrap_or(0);
                    break;
                }
            }
            (k, seq, ws)
        }));
    }
    let mut sockets = Vec::with_capacity(n);
    for r in readers {
        let (k, seq, ws) = r.await?;
        held[k] = seq;
        sockets.push(ws);
    }
    // Phase 2: everybody drops at once; messages arrive while they are away.
    drop(sockets);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut missed: Vec<Vec<String>> = vec![Vec::new(); groups.len()];
    for i in 0..args.messages {
        let gi = i % groups.len();
        let (conv, ks) = &groups[gi];
        let key = format!("away{i}");
        env.post(
            &format!("/api/v1/conversations/{conv}/messages"),
            &env.people[ks[(i / groups.len()) % ks.len()]].token,
            text(&key, format!("离线时的消息 {i}")),
        )
        .await?;
        missed[gi].push(key);
    }
    let cpu0 = env.pid.and_then(cpu_s).unwrap_or(0.0);
    // Phase 3: the storm — every client syncs and reconnects at the same moment.
    let started = Instant::now();
    let go = Arc::new(tokio::sync::Barrier::new(n));
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let groups = Arc::new(groups);
    let missed = Arc::new(missed);
    let mut tasks = Vec::with_capacity(n);
    for (k, p) in env.people.iter().enumerate() {
        let (go, gate, url, http, base, token, groups, missed, have, gi, addrs) = (
            go.clone(),
            gate.clone(),
            url.clone(),
            env.http.clone(),
            env.url.clone(),
            p.token.clone(),
            groups.clone(),
            missed.clone(),
            held[k],
            group_of[k],
            args.target.source_addrs,
        );
        tasks.push(tokio::spawn(async move {
            go.wait().await;
            let _p = gate.acquire().await;
            let t = Instant::now();
            let mut got: HashMap<String, usize> = HashMap::new();
            let mut dup = 0usize;
            if gi != usize::MAX {
                let conv = &groups[gi].0;
                let mut have = have;
                loop {
                    let v = crate::env::post(
                        &http,
                        format!("{base}/api/v1/sync"),
                        &token,
                        json!({"have": {conv.clone(): have}}),
                    )
                    .await?;
                    let mut more = false;
                    for c in v["changed"].as_array().into_iter().flatten() {
                        more |= c["has_more"] == true;
                        for m in c["messages"].as_array().into_iter().flatten() {
                            let seq = m["seq"].as_i64().unwrap_or(0);
                            if seq <= have {
                                dup += 1;
                                continue;
                            }
                            have = seq;
                            *got.entry(
                                m["client_msg_id"].as_str().unwrap_or_default().to_string(),
                            )
                            .or_default() += 1;
                        }
                    }
                    if !more {
                        break;
                    }
                }
            }
            let ws = connect_ws(&url, &token, k, addrs).await?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            let done = started.elapsed().as_secs_f64();
            let expected = if gi == usize::MAX {
                &[][..]
            } else {
                &missed[gi][..]
            };
            let lost = expected.iter().filter(|k| !got.contains_key(*k)).count();
            dup += got.values().map(|c| c - 1).sum::<usize>();
            anyhow::Ok((ms, done, lost, dup, expected.len() - lost, ws))
        }));
    }
    let (mut lat, mut lost, mut dups, mut recovered, mut all_done) = (Vec::new(), 0, 0, 0, 0f64);
    let mut failed = 0usize;
    let mut first_error = None;
    let mut keep = Vec::new();
    for t in tasks {
        match t.await? {
            Ok((ms, done, l, d, r, ws)) => {
                lat.push(ms);
                lost += l;
                dups += d;
                recovered += r;
                all_done = all_done.max(done);
                keep.push(ws);
            }
            Err(e) => {
                failed += 1;
                first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let o = Outcome {
        scenario: "reconnect-storm",
        connections: keep.len(),
        sent: args.messages,
        deliveries: recovered,
        secs: all_done,
        latencies_ms: lat,
        lost,
        duplicates: dups,
        extra: json!({
            "clients": n,
            "groups": groups.len(),
            "failed": failed,
            "first_error": first_error,
            "all_resumed_s": r3(all_done),
            "latency_is": "sync + reconnect per client, from the storm's start",
        }),
    };
    let out = report(&args, o, env.pid, cpu0);
    drop(keep);
    print(&args, &out)
}

const ZH_WORDS: &[&str] = &[
    "用户",
    "需求",
    "开会",
    "讨论",
    "项目",
    "上线",
    "部署",
    "测试",
    "明天",
    "下午",
    "客户",
    "合同",
    "报销",
    "审批",
    "发布",
    "版本",
    "问题",
    "修复",
    "数据",
    "分析",
    "设计",
    "评审",
    "周报",
    "计划",
    "预算",
    "采购",
    "招聘",
    "面试",
    "培训",
    "市场",
    "销售",
    "产品",
    "运营",
    "服务器",
    "数据库",
    "接口",
    "文档",
    "会议室",
    "出差",
    "北京",
    "上海",
    "深圳",
    "杭州",
    "同事",
    "领导",
    "部门",
    "季度",
    "目标",
];
const EN_WORDS: &[&str] = &[
    "deploy",
    "release",
    "bug",
    "fix",
    "meeting",
    "review",
    "design",
    "api",
    "server",
    "database",
    "customer",
    "contract",
    "budget",
    "report",
    "weekly",
    "sprint",
    "backlog",
    "ticket",
    "merge",
    "build",
    "test",
    "staging",
    "production",
    "latency",
    "cache",
    "index",
    "search",
    "query",
];

fn corpus_text(rng: &mut u64, i: usize) -> String {
    let mut next = || {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        *rng
    };
    let words = 4 + (next() % 10) as usize;
    let mut s = String::new();
    for _ in 0..words {
        let r = next();
        if r % 4 == 0 {
            s.push_str(EN_WORDS[(r / 4 % EN_WORDS.len() as u64) as usize]);
            s.push(' ');
        } else {
            s.push_str(ZH_WORDS[(r / 4 % ZH_WORDS.len() as u64) as usize]);
        }
    }
    s.push_str(&format!(" #{i}"));
    s
}

pub async fn search(args: Args) -> anyhow::Result<()> {
    let corpus = args.corpus;
    let members = args.members.max(2);
    let seed_started = Instant::now();
    // The corpus goes straight into the database before the server starts, spread over ten
    // groups of all the members; the server's indexer catches up on start.
    let env = Env::start(&args.target, members, async move |state, org, ids| {
        let now = huddle_server::ids::now_ms() - corpus as i64;
        let mut tx = state.db.begin().await?;
        let mut convs = Vec::new();
        for g in 0..10 {
            let id = state.ids.next();
            sqlx::query("INSERT INTO conversations (id, org_id, kind, name, owner_id, last_seq, last_message_at, created_at, settings) VALUES ($1, $2, 'group', $3, $4, 0, $5, $5, '{}')")
                .bind(id).bind(org).bind(format!("搜索群{g}")).bind(ids[0]).bind(now).execute(&mut *tx).await?;
            for (k, m) in ids.iter().enumerate() {
                sqlx::query("INSERT INTO conversation_members (conversation_id, member_id, org_id, role, read_seq, joined_seq, joined_at) VALUES ($1, $2, $3, $4, 0, 0, $5)")
                    .bind(id).bind(m).bind(org).bind(if k == 0 { "owner" } else { "member" }).bind(now).execute(&mut *tx).await?;
            }
            convs.push(id);
        }
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        let mut seqs = [0i64; 10];
        for i in 0..corpus {
            let c = i % 10;
            seqs[c] += 1;
            let body = json!({"kind": "text", "text": corpus_text(&mut rng, i), "mentions": [], "mention_all": false});
            sqlx::query("INSERT INTO messages (id, org_id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'text', $7, $8)")
                .bind(state.ids.next()).bind(org).bind(convs[c]).bind(seqs[c]).bind(ids[i % ids.len()])
                .bind(format!("s{i}")).bind(body.to_string()).bind(now + i as i64).execute(&mut *tx).await?;
            if i % 50_000 == 49_999 {
                tx.commit().await?;
                tx = state.db.begin().await?;
            }
        }
        for (c, conv) in convs.iter().enumerate() {
            sqlx::query("UPDATE conversations SET last_seq = $1 WHERE id = $2")
                .bind(seqs[c]).bind(conv).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await?;
    let seed_s = seed_started.elapsed().as_secs_f64();
    let token = env.people[0].token.clone();
    let get = |q: String| {
        let (http, url, token) = (
            env.http.clone(),
            format!("{}/api/v1/search/messages", env.url),
            token.clone(),
        );
        async move {
            let v: Value = http
                .get(url)
                .query(&[("q", q.as_str())])
                .bearer_auth(token)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            anyhow::Ok(v)
        }
    };
    // Wait for the indexer to reach the newest message.
    let index_started = Instant::now();
    let last = format!("#{}", corpus - 1);
    loop {
        let v = get(format!("{} {}", ZH_WORDS[0], corpus - 1)).await;
        let found = v
            .as_ref()
            .ok()
            .and_then(|v| v["items"].as_array())
            .is_some_and(|a| {
                a.iter().any(|h| {
                    h["message"]["content"]["text"]
                        .as_str()
                        .unwrap_or_default()
                        .ends_with(&last)
                })
            });
        // The newest message may not contain the probe word: fall back to its number alone.
        let found = found
            || get(format!("{}", corpus - 1))
                .await
                .ok()
                .and_then(|v| v["items"].as_array().map(|a| !a.is_empty()))
                .unwrap_or(false);
        if found {
            break;
        }
        anyhow::ensure!(
            index_started.elapsed() < Duration::from_secs(3600),
            "indexing took over an hour"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let index_s = index_started.elapsed().as_secs_f64();
    let pid = env.pid;
    let cpu0 = pid.and_then(cpu_s).unwrap_or(0.0);
    let mut rng = 42u64;
    let mut latencies = Vec::with_capacity(args.queries);
    let mut hits = 0usize;
    let started = Instant::now();
    for i in 0..args.queries {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let z = ZH_WORDS[(rng % ZH_WORDS.len() as u64) as usize];
        let e = EN_WORDS[(rng / 7 % EN_WORDS.len() as u64) as usize];
        let z2 = ZH_WORDS[(rng / 13 % ZH_WORDS.len() as u64) as usize];
        let q = match i % 4 {
            0 => z.to_string(),
            1 => e.to_string(),
            2 => format!("{z} {e}"),
            _ => format!("{z}{z2}"),
        };
        let t = Instant::now();
        let v = get(q).await?;
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        hits += v["items"].as_array().map_or(0, Vec::len);
    }
    let secs = started.elapsed().as_secs_f64();
    let o = Outcome {
        scenario: "search",
        connections: 1,
        sent: 0,
        deliveries: 0,
        secs,
        latencies_ms: latencies,
        lost: 0,
        duplicates: 0,
        extra: json!({
            "corpus": corpus,
            "queries": args.queries,
            "results_returned": hits,
            "queries_per_sec": (args.queries as f64 / secs).round(),
            "seed_s": (seed_s * 10.0).round() / 10.0,
            "index_catch_up_s": (index_s * 10.0).round() / 10.0,
        }),
    };
    print(&args, &report(&args, o, pid, cpu0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_key_reads_the_client_msg_id() {
        let frame = json!({"type": "message.created", "payload": {"seq": 3, "client_msg_id": "g17",
            "content": {"kind": "text", "text": "\"client_msg_id\""}}})
        .to_string();
        assert_eq!(created_key(&frame), Some("g17"));
        assert_eq!(created_key(r#"{"type":"typing"}"#), None);
    }

    #[test]
    fn tally_counts_lost_duplicates_and_latency() {
        let t0 = Instant::now();
        let sent: HashMap<String, Instant> = [("a".to_string(), t0), ("b".to_string(), t0)].into();
        let mut got: Seen = HashMap::new();
        got.insert("a".into(), (t0 + Duration::from_millis(5), 2));
        let t = tally(vec![(got, vec!["a".into(), "b".into()])], &sent);
        assert_eq!((t.deliveries, t.lost, t.duplicates), (1, 1, 1));
        assert!((t.latencies[0] - 5.0).abs() < 0.5);
    }

    #[test]
    fn corpus_mixes_chinese_and_english_and_is_repeatable() {
        let (mut a, mut b) = (7u64, 7u64);
        let x = corpus_text(&mut a, 1);
        assert_eq!(x, corpus_text(&mut b, 1));
        let mut r = 7u64;
        let many: String = (0..50).map(|i| corpus_text(&mut r, i)).collect();
        assert!(many.chars().any(|c| c.is_ascii_alphabetic()));
        assert!(many.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
    }

    #[tokio::test]
    async fn baseline_broadcasts_every_frame_to_every_client() {
        let url = crate::baseline::start().unwrap();
        let mut a = connect_ws(&url, "", 0, 1).await.unwrap();
        let mut b = connect_ws(&url, "", 0, 1).await.unwrap();
        a.send(Message::Text("{\"x\":1}".into())).await.unwrap();
        for ws in [&mut a, &mut b] {
            let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            assert_eq!(m.to_text().unwrap(), "{\"x\":1}");
        }
    }
}
