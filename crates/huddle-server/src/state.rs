//! Shared server state handed to every handler.

use crate::accounts::password::Passwords;
use crate::accounts::throttle::LoginThrottle;
use crate::chat::search::SearchIndex;
use crate::config::ServerConfig;
use crate::db::Db;
use crate::directory::snapshot::DirectoryCache;
use crate::events::EventBus;
use crate::files::storage::FileStorage;
use crate::ids::IdGen;
use crate::ratelimit::RateLimiter;
use std::sync::Arc;
use std::time::Duration;

pub type AppState = Arc<State>;

pub struct State {
    pub config: ServerConfig,
    pub db: Db,
    pub ids: IdGen,
    pub passwords: Passwords,
    pub throttle: LoginThrottle,
    pub directory: DirectoryCache,
    pub events: Arc<EventBus>,
    /// Messages per member per 10 seconds.
    pub send_limiter: RateLimiter<i64>,
    /// Full-text chat search (this node's index under `<data_dir>/search-index`).
    pub search: Arc<SearchIndex>,
    /// Uploaded files' bytes.
    pub files: FileStorage,
    /// Message sends, written in batches (group commit).
    pub sends: crate::chat::writer::SendQueue,
}

impl State {
    pub async fn new(config: ServerConfig) -> anyhow::Result<AppState> {
        config.validate()?;
        if config.database_url().starts_with("sqlite:") {
            std::fs::create_dir_all(&config.data_dir)?;
        }
        std::fs::create_dir_all(config.data_dir.join("files")).ok();
        let search = SearchIndex::open(&config.data_dir.join("search-index"), config.node_id)?;
        let files = FileStorage::from_config(&config)?;
        let db = Db::connect(&config.database_url(), &config.sqlite_synchronous).await?;
        let events = Arc::new(EventBus::new());
        if let Some(url) = config.nats_url.as_deref().filter(|u| !u.is_empty()) {
            events
                .join_cluster(url, &config.nats_subject_prefix)
                .await?;
        }
        let backend = db.backend;
        let passwords = Passwords::new(config.argon2_memory_kib, config.argon2_iterations)?;
        Ok(Arc::new_cyclic(|weak| State {
            sends: crate::chat::writer::SendQueue::start(
                weak.clone(),
                backend,
                config.send_writers,
            ),
            ids: IdGen::new(config.node_id),
            passwords,
            throttle: LoginThrottle::new(
                Duration::from_secs(config.login_window_secs),
                config.login_max_failures_per_account,
                config.login_max_failures_per_ip,
            ),
            directory: DirectoryCache::default(),
            events,
            send_limiter: RateLimiter::new(Duration::from_secs(10), config.send_rate_per_10s),
            search,
            files,
            db,
            config,
        }))
    }
}
