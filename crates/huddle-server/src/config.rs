//! Server settings. Every field has an embedded default; `huddle.toml`, environment variables
//! and command-line flags override them (in that order), see docs/configuration.md.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Folder for the SQLite database and the local file store.
    pub data_dir: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; empty means `<data_dir>/huddle.db`.
    pub database_url: Option<String>,
    /// SQLite `synchronous` pragma: `full` keeps every acknowledged write across power loss.
    pub sqlite_synchronous: String,
    /// Node number (0–1023) mixed into generated ids; must differ between nodes sharing a database.
    pub node_id: u16,
    /// How long a sign-in lasts, in hours.
    pub session_ttl_hours: i64,
    /// Mark the session cookie `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// Failed sign-ins allowed per account within `login_window_secs`.
    pub login_max_failures_per_account: u32,
    /// Failed sign-ins allowed per client address within `login_window_secs`.
    pub login_max_failures_per_ip: u32,
    pub login_window_secs: u64,
    /// Argon2id memory cost in KiB (at least 19456).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// NATS server for running several nodes (e.g. `nats://127.0.0.1:4222`); empty: one node.
    pub nats_url: Option<String>,
    /// Subject prefix on NATS, to share one NATS server between installations.
    pub nats_subject_prefix: String,
    /// Messages one member may send per 10 seconds.
    pub send_rate_per_10s: u32,
    /// Send writer tasks, each writing its batches in its own transaction (0: automatic —
    /// 1 on SQLite, which has one writer connection, 4 on PostgreSQL).
    pub send_writers: u32,
    /// Log format: `pretty` or `json`.
    pub log_format: String,
    /// Largest upload in MiB (images are further capped at 20, voice notes at 10).
    pub max_upload_mb: u64,
    /// Stored bytes allowed per organization, in MiB (originals and thumbnails).
    pub org_quota_mb: u64,
    /// S3-compatible endpoint, e.g. `http://127.0.0.1:9000`; empty means AWS when `s3_bucket` is set.
    pub s3_endpoint: String,
    /// Bucket for files; empty keeps files in `<data_dir>/files`.
    pub s3_bucket: String,
    pub s3_region: String,
    pub s3_access_key: String,
    pub s3_secret_key: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("huddle-data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: None,
            sqlite_synchronous: "full".into(),
            node_id: 0,
            session_ttl_hours: 24 * 30,
            secure_cookies: false,
            trust_proxy: false,
            login_max_failures_per_account: 5,
            login_max_failures_per_ip: 30,
            login_window_secs: 15 * 60,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            send_rate_per_10s: 50,
            send_writers: 0,
            nats_url: None,
            nats_subject_prefix: "huddle".into(),
            log_format: "pretty".into(),
            max_upload_mb: 100,
            org_quota_mb: 10_240,
            s3_endpoint: String::new(),
            s3_bucket: String::new(),
            s3_region: "us-east-1".into(),
            s3_access_key: String::new(),
            s3_secret_key: String::new(),
        }
    }
}

impl ServerConfig {
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("huddle.db").display()
            ),
        }
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.argon2_memory_kib >= 19_456,
            "argon2_memory_kib must be at least 19456 (19 MiB)"
        );
        anyhow::ensure!(
            self.argon2_iterations >= 2,
            "argon2_iterations must be at least 2"
        );
        anyhow::ensure!(self.node_id < 1024, "node_id must be between 0 and 1023");
        anyhow::ensure!(
            matches!(
                self.sqlite_synchronous.as_str(),
                "full" | "normal" | "extra"
            ),
            "sqlite_synchronous must be one of full, normal, extra"
        );
        anyhow::ensure!(
            self.session_ttl_hours > 0,
            "session_ttl_hours must be positive"
        );
        anyhow::ensure!(self.max_upload_mb >= 1, "max_upload_mb must be at least 1");
        anyhow::ensure!(
            self.send_writers <= 64,
            "send_writers must be between 0 (automatic) and 64"
        );
        anyhow::ensure!(self.org_quota_mb >= 1, "org_quota_mb must be at least 1");
        anyhow::ensure!(
            self.s3_endpoint.is_empty() || !self.s3_bucket.is_empty(),
            "s3_endpoint is set but s3_bucket is empty; set the bucket to store files in S3"
        );
        anyhow::ensure!(
            self.s3_endpoint.is_empty()
                || self.s3_endpoint.starts_with("http://")
                || self.s3_endpoint.starts_with("https://"),
            "s3_endpoint must start with http:// or https://"
        );
        let url = self.database_url();
        anyhow::ensure!(
            url.starts_with("sqlite:")
                || url.starts_with("postgres:")
                || url.starts_with("postgresql:"),
            "database_url must start with sqlite:// or postgres://"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_writers_is_bounded() {
        let mut c = ServerConfig::default();
        for ok in [0, 1, 64] {
            c.send_writers = ok;
            assert!(c.validate().is_ok(), "{ok}");
        }
        c.send_writers = 65;
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("send_writers"), "{e}");
    }
}
