//! Runs a real server on an ephemeral port against SQLite (always) or a fresh PostgreSQL
//! database (when HUDDLE_TEST_DATABASE_URL is set), and talks to it over HTTP.

use huddle_server::orgs::{self, NewOrganization};
use huddle_server::{RunningServer, ServerConfig};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub struct TestServer {
    pub url: String,
    pub server: Option<RunningServer>,
    pub http: reqwest::Client,
    pub config: ServerConfig,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

pub const ADMIN_PW: &str = "admin-pass-1";

pub fn pg_admin_url() -> Option<String> {
    std::env::var("HUDDLE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

fn with_db(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let base = base.rsplit_once('/').map(|(b, _)| b).unwrap_or(base);
    format!("{base}/{db}{query}")
}

impl TestServer {
    pub async fn sqlite() -> Self {
        Self::start(None, |_| {}).await
    }

    /// `None` when PostgreSQL tests are not enabled.
    pub async fn postgres() -> Option<Self> {
        Self::postgres_with(|_| {}).await
    }

    /// Like `postgres()`, with settings changed by `tweak`.
    pub async fn postgres_with(tweak: impl FnOnce(&mut ServerConfig)) -> Option<Self> {
        let admin = pg_admin_url()?;
        let name = format!("huddle_t_{}", rand_suffix());
        let mut conn = sqlx_connect(&admin).await;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        Some(Self::start(Some((admin.clone(), name)), tweak).await)
    }

    pub async fn start(
        pg: Option<(String, String)>,
        tweak: impl FnOnce(&mut ServerConfig),
    ) -> Self {
        // RUST_LOG=error (or finer) shows the server's logs next to a failing test.
        if std::env::var_os("RUST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_test_writer()
                .try_init();
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = ServerConfig {
            data_dir: dir.path().to_path_buf(),
            listen: "127.0.0.1:0".parse().unwrap(),
            ..ServerConfig::default()
        };
        if let Some((admin, name)) = &pg {
            config.database_url = Some(with_db(admin, name));
        }
        tweak(&mut config);
        let server = huddle_server::start(config.clone())
            .await
            .expect("server starts");
        Self {
            url: server.url(),
            server: Some(server),
            http: reqwest::Client::new(),
            config,
            _dir: dir,
            pg,
        }
    }

    /// Stops the server (the data folder and database stay).
    pub async fn stop(&mut self) {
        let server = self.server.take().expect("running");
        server.shutdown().await.expect("clean shutdown");
    }

    /// Starts a new server on the same data folder and database (after `stop`).
    pub async fn start_again(&mut self) {
        assert!(self.server.is_none(), "stop the server first");
        let server = huddle_server::start(self.config.clone())
            .await
            .expect("server restarts");
        self.url = server.url();
        self.server = Some(server);
    }

    /// The server's data folder (SQLite database and local file store).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._dir.path().to_path_buf()
    }

    pub fn state(&self) -> &huddle_server::AppState {
        &self.server.as_ref().expect("running").state
    }

    /// Creates an organization with a super administrator signed in.
    pub async fn org(&self, name: &str, admin_login: &str) -> Org {
        let state = self.state();
        let mut tx = state.db.begin().await.unwrap();
        let created = orgs::create(
            &mut tx,
            state,
            &NewOrganization {
                name,
                code: None,
                admin_name: "管理员",
                admin_login,
                admin_password: ADMIN_PW,
            },
            false,
        )
        .await
        .unwrap()
        .unwrap();
        tx.commit().await.unwrap();
        let admin = self.login_in(&created.code, admin_login, ADMIN_PW).await;
        Org {
            code: created.code,
            root: created.root_department_id.to_string(),
            admin,
        }
    }

    pub async fn login_in(&self, org: &str, login: &str, password: &str) -> String {
        let (status, body) = self
            .call(
                None,
                Method::POST,
                "/api/v1/auth/login",
                Some(json!({"login": login, "password": password, "org": org})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {login}: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    pub async fn call(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{}", self.url, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Some(token), Method::GET, path, None).await
    }
    pub async fn post(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Some(token), Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Some(token), Method::PATCH, path, Some(body))
            .await
    }
    pub async fn put(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Some(token), Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Some(token), Method::DELETE, path, None).await
    }

    /// Creates a department and returns its id.
    pub async fn dept(&self, token: &str, name: &str, parent: &str) -> String {
        let (s, b) = self
            .post(
                token,
                "/api/v1/departments",
                json!({"name": name, "parent_id": parent}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "create department {name}: {b}");
        b["id"].as_str().unwrap().to_string()
    }

    /// Creates a member with a password and returns (id, token).
    pub async fn member(
        &self,
        org: &Org,
        name: &str,
        login: &str,
        depts: &[&str],
    ) -> (String, String) {
        let (s, b) = self
            .post(&org.admin, "/api/v1/members", json!({"name": name, "employee_id": login, "department_ids": depts, "password": "member-pass-1"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "create member {name}: {b}");
        let token = self.login_in(&org.code, login, "member-pass-1").await;
        (b["id"].as_str().unwrap().to_string(), token)
    }

    pub async fn count(&self, table: &str) -> i64 {
        use sqlx::Row;
        sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.state().db.reader())
            .await
            .unwrap()
            .try_get(0)
            .unwrap()
    }
}

pub struct Org {
    pub code: String,
    pub root: String,
    pub admin: String,
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{}", std::process::id(), n % 1_000_000_000_000)
}

async fn sqlx_connect(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url)
        .await
        .expect("connect to PostgreSQL")
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let server = self.server.take();
        let pg = self.pg.take();
        // Dropping happens inside the test's runtime; clean up on a thread with its own.
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                drop(server);
                if let Some((admin, name)) = pg {
                    let mut conn = sqlx_connect(&admin).await;
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join()
        .ok();
    }
}

/// Declares each scenario once per backend: `sqlite::name` always, `postgres::name` when enabled.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let t = $crate::harness::TestServer::sqlite().await;
                    super::$name(&t).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(t) = $crate::harness::TestServer::postgres().await else { return };
                    super::$name(&t).await;
                }
            )*
        }
    };
}

/// Like `on_both_backends!`, for servers whose settings `$tweak` (a `fn(&mut ServerConfig)`)
/// changes.
#[macro_export]
macro_rules! on_both_backends_with {
    ($tweak:path; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let t = $crate::harness::TestServer::start(None, $tweak).await;
                    super::$name(&t).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(t) = $crate::harness::TestServer::postgres_with($tweak).await else { return };
                    super::$name(&t).await;
                }
            )*
        }
    };
}

/// A WebSocket client on `/api/v1/ws`, reading JSON frames.
pub struct Socket {
    stream: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl TestServer {
    pub async fn socket(&self, token: &str) -> Socket {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let url = format!("{}/api/v1/ws", self.url.replace("http://", "ws://"));
        let mut req = url.into_client_request().unwrap();
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (stream, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("websocket connects");
        let mut s = Socket { stream };
        assert_eq!(s.next().await.unwrap()["type"], "hello");
        s
    }
}

impl Socket {
    /// The next JSON frame, or `None` when the socket closed or nothing came within 5 s.
    pub async fn next(&mut self) -> Option<Value> {
        use futures::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        loop {
            let msg = tokio::time::timeout(std::time::Duration::from_secs(5), self.stream.next())
                .await
                .ok()??
                .ok()?;
            match msg {
                Message::Text(t) => return serde_json::from_str(t.as_str()).ok(),
                Message::Close(_) => return None,
                _ => continue,
            }
        }
    }

    /// The next frame of type `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let v = self
                .next()
                .await
                .unwrap_or_else(|| panic!("no {kind} event arrived"));
            if v["type"] == kind {
                return v;
            }
        }
    }

    /// Nothing of type `kind` arrives within `ms`.
    pub async fn quiet_for(&mut self, kind: &str, ms: u64) -> bool {
        use futures::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(ms);
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return true,
                Ok(Some(Ok(Message::Text(t)))) => {
                    let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
                    if v["type"] == kind {
                        return false;
                    }
                }
                Ok(_) => return true,
            }
        }
    }
}

impl Socket {
    /// Sends a JSON frame to the server.
    pub async fn send(&mut self, v: Value) {
        use futures::SinkExt;
        self.stream
            .send(tokio_tungstenite::tungstenite::Message::Text(
                v.to_string().into(),
            ))
            .await
            .expect("send frame");
    }
}
