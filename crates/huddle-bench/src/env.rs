//! Where a chat scenario runs: a server this tool starts (`--spawn`, the default when no `--url`
//! is given) on a temporary data folder — SQLite, or PostgreSQL with `--database-url` — or a
//! running server at `--url`. Also the people taking part, each with a signed-in session, and
//! WebSocket connections spread over several 127.0.0.x source addresses.

use serde_json::{json, Value};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

#[derive(clap::Args, Clone, Debug)]
pub struct Target {
    /// Start a server on a temporary data folder (the default when `--url` is not given).
    #[arg(long)]
    pub spawn: bool,
    /// Drive a running server instead (its send rate limit must allow the load).
    #[arg(long)]
    pub url: Option<String>,
    /// With `--url`: the administrator to create members with.
    #[arg(long, default_value = "admin")]
    pub admin_login: String,
    #[arg(long, default_value = "bench-password")]
    pub admin_password: String,
    /// With `--url`: the server's process id, to report its memory and CPU.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// With `--spawn`: PostgreSQL URL of an empty database (default: SQLite).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Path of the `huddle` binary (default: next to this one).
    #[arg(long)]
    pub huddle_bin: Option<std::path::PathBuf>,
    /// Local 127.0.0.x addresses to spread WebSocket connections over (one address has ~28k
    /// ports).
    #[arg(long, default_value_t = 8)]
    pub source_addrs: u8,
    /// One JSON line instead of pretty JSON.
    #[arg(long)]
    pub json: bool,
}

pub struct Person {
    pub id: String,
    pub token: String,
}

pub struct Env {
    pub url: String,
    pub pid: Option<u32>,
    pub people: Vec<Person>,
    pub http: reqwest::Client,
    child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Raises this process's open-file limit to its hard limit (a spawned server inherits it).
pub fn raise_nofile() -> u64 {
    // SAFETY: plain libc calls on a stack value.
    unsafe {
        let mut l = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 {
            l.rlim_cur = l.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
            return l.rlim_cur;
        }
    }
    0
}

impl Env {
    pub fn backend(t: &Target) -> &'static str {
        match (&t.url, &t.database_url) {
            (Some(_), _) => "remote",
            (None, Some(_)) => "postgres",
            _ => "sqlite",
        }
    }

    /// Starts or reaches the server and provides `n` signed-in people. With `--spawn` they are
    /// written straight into the database before the server starts (with sessions, so no
    /// password hashing is timed); with `--url` they are created and signed in through the API.
    /// `seed` may add more rows (e.g. a message corpus) in the same pass.
    pub async fn start<F>(t: &Target, n: usize, seed: F) -> anyhow::Result<Env>
    where
        F: AsyncFnOnce(&huddle_server::AppState, i64, &[i64]) -> anyhow::Result<()>,
    {
        raise_nofile();
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(4096)
            .build()?;
        if let Some(url) = &t.url {
            let people = people_via_api(&http, url, t, n).await?;
            return Ok(Env {
                url: url.trim_end_matches('/').to_string(),
                pid: t.server_pid,
                people,
                http,
                child: None,
                _dir: None,
            });
        }
        let bin = match &t.huddle_bin {
            Some(b) => b.clone(),
            None => std::env::current_exe()?.with_file_name("huddle"),
        };
        let dir = tempfile::tempdir()?;
        let mut common: Vec<String> = vec!["--data-dir".into(), dir.path().display().to_string()];
        if let Some(u) = &t.database_url {
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
        let config = huddle_server::ServerConfig {
            data_dir: dir.path().to_path_buf(),
            database_url: t.database_url.clone(),
            ..huddle_server::ServerConfig::default()
        };
        let people = seed_people(&config, n, seed).await?;
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
        Ok(Env {
            url,
            pid: Some(child.id()),
            people,
            http,
            child: Some(child),
            _dir: Some(dir),
        })
    }

    pub fn ws_url(&self) -> String {
        format!("{}/api/v1/ws", self.url.replace("http://", "ws://"))
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Value> {
        post(&self.http, format!("{}{path}", self.url), token, body).await
    }
}

pub async fn post(
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

pub type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// Opens an authenticated WebSocket from local address 127.0.0.(1 + `source % addrs`) and
/// waits for the server's hello.
pub async fn connect_ws(url: &str, token: &str, source: usize, addrs: u8) -> anyhow::Result<Ws> {
    use futures::StreamExt;
    let mut req = url.into_client_request()?;
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    let host = req
        .uri()
        .authority()
        .map(|a| a.as_str().to_string())
        .unwrap_or_default();
    let server: SocketAddr = tokio::net::lookup_host(host)
        .await?
        .next()
        .ok_or_else(|| anyhow::anyhow!("no address"))?;
    let local = Ipv4Addr::new(127, 0, 0, 1 + (source % addrs.max(1) as usize) as u8);
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::V4(local), 0))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let (mut ws, _) =
        tokio_tungstenite::client_async_with_config(req, stream, Some(config)).await?;
    match ws.next().await {
        Some(Ok(m)) if m.to_text().unwrap_or_default().contains("hello") => Ok(ws),
        other => anyhow::bail!("no hello: {other:?}"),
    }
}

async fn seed_people<F>(
    config: &huddle_server::ServerConfig,
    n: usize,
    seed: F,
) -> anyhow::Result<Vec<Person>>
where
    F: AsyncFnOnce(&huddle_server::AppState, i64, &[i64]) -> anyhow::Result<()>,
{
    use sqlx::Row;
    let state = huddle_server::State::new(config.clone()).await?;
    let org: i64 = sqlx::query("SELECT id FROM organizations")
        .fetch_one(state.db.reader())
        .await?
        .try_get(0)?;
    let root: i64 =
        sqlx::query("SELECT id FROM departments WHERE org_id = $1 AND parent_id IS NULL")
            .bind(org)
            .fetch_one(state.db.reader())
            .await?
            .try_get(0)?;
    let now = huddle_server::ids::now_ms();
    let mut people = Vec::with_capacity(n);
    let mut ids = Vec::with_capacity(n);
    let mut tx = state.db.begin().await?;
    for i in 0..n {
        let id = state.ids.next();
        sqlx::query(
            "INSERT INTO members (id, org_id, name, employee_id, main_department_id, status, \
             role, must_change_password, settings, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'active', 'member', 0, '{}', $6, $6)",
        )
        .bind(id)
        .bind(org)
        .bind(format!("成员{i}"))
        .bind(format!("u{i}"))
        .bind(root)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO member_departments (org_id, member_id, department_id, is_leader) VALUES ($1, $2, $3, 0)")
            .bind(org)
            .bind(id)
            .bind(root)
            .execute(&mut *tx)
            .await?;
        let token = huddle_server::accounts::session::new_secret("hdl_");
        sqlx::query(
            "INSERT INTO sessions (id, org_id, member_id, token_hash, csrf_token, created_at, \
             last_seen_at, expires_at) VALUES ($1, $2, $3, $4, 'bench', $5, $5, $6)",
        )
        .bind(state.ids.next())
        .bind(org)
        .bind(id)
        .bind(huddle_server::accounts::session::token_hash(&token))
        .bind(now)
        .bind(now + 7 * 86_400_000)
        .execute(&mut *tx)
        .await?;
        people.push(Person {
            id: id.to_string(),
            token,
        });
        ids.push(id);
    }
    sqlx::query("UPDATE organizations SET directory_version = directory_version + 1 WHERE id = $1")
        .bind(org)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    seed(&state, org, &ids).await?;
    state.db.close().await;
    Ok(people)
}

async fn people_via_api(
    http: &reqwest::Client,
    base: &str,
    t: &Target,
    n: usize,
) -> anyhow::Result<Vec<Person>> {
    let login = |l: String, p: String| {
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
    let admin = login(t.admin_login.clone(), t.admin_password.clone()).await?;
    let token = admin["token"].as_str().unwrap_or_default().to_string();
    let root = admin["member"]["department_ids"][0].clone();
    let run = std::process::id();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let login_name = format!("bench{run}u{i}");
        let m = post(http, format!("{base}/api/v1/members"), &token,
            json!({"name": format!("成员{i}"), "employee_id": login_name, "department_ids": [root], "password": "member-password"})).await?;
        let s = login(login_name, "member-password".into()).await?;
        out.push(Person {
            id: m["id"].as_str().unwrap_or_default().to_string(),
            token: s["token"].as_str().unwrap_or_default().to_string(),
        });
    }
    Ok(out)
}
