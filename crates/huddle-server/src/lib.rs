//! Huddle server: a self-hosted enterprise office system (directory, chat, workflow) in one binary.

pub mod accounts;
pub mod approvals;
pub mod audit;
pub mod chat;
pub mod config;
pub mod db;
pub mod directory;
pub mod error;
pub mod events;
pub mod files;
pub mod http;
pub mod ids;
pub mod org_settings;
pub mod orgs;
pub mod pagination;
pub mod ratelimit;
pub mod state;
mod web;
mod ws;

pub use config::ServerConfig;
pub use state::{AppState, State};

use std::future::Future;
use std::net::SocketAddr;

/// A server bound to its address and serving in the background.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish, closes the database.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await??;
        self.state.search.shutdown().await;
        self.state.db.close().await;
        Ok(())
    }
}

/// Opens storage, binds, and serves until `shutdown()`.
pub async fn start(config: ServerConfig) -> anyhow::Result<RunningServer> {
    let state = State::new(config).await?;
    start_with_state(state).await
}

pub async fn start_with_state(state: AppState) -> anyhow::Result<RunningServer> {
    let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    state.search.start(state.db.clone());
    let app = http::router(state.clone());
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await
    });
    Ok(RunningServer {
        addr,
        state,
        shutdown: tx,
        task,
    })
}

/// Serves until `signal` resolves (Ctrl-C / SIGTERM in the binary).
pub async fn run_until(
    server: RunningServer,
    signal: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    signal.await;
    tracing::info!("shutting down");
    server.shutdown().await
}
