//! Where the bytes live: `<data_dir>/files` by default, an S3-compatible bucket when `s3_bucket`
//! is set. Keys are `<org id>/<file id>` and `<org id>/<file id>.thumb`.

use crate::config::ServerConfig;
use anyhow::Context;
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload, RetryConfig};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct FileStorage {
    store: Arc<dyn ObjectStore>,
    /// `local` or `s3`, for logs.
    pub backend: &'static str,
}

pub type StorageResult<T> = Result<T, object_store::Error>;

impl FileStorage {
    pub fn from_config(config: &ServerConfig) -> anyhow::Result<Self> {
        if config.s3_bucket.is_empty() {
            let root = config.data_dir.join("files");
            std::fs::create_dir_all(&root)
                .with_context(|| format!("creating the file store {}", root.display()))?;
            let store = LocalFileSystem::new_with_prefix(&root)
                .with_context(|| format!("opening the file store {}", root.display()))?;
            return Ok(Self {
                store: Arc::new(store),
                backend: "local",
            });
        }
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.s3_bucket)
            .with_region(&config.s3_region)
            // Path-style requests (`endpoint/bucket/key`), which S3-compatible servers expect.
            .with_virtual_hosted_style_request(false)
            // A few quick retries: an upload should fail within seconds, not minutes.
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(15),
                ..RetryConfig::default()
            });
        if !config.s3_endpoint.is_empty() {
            builder = builder
                .with_endpoint(&config.s3_endpoint)
                .with_allow_http(config.s3_endpoint.starts_with("http://"));
        }
        if !config.s3_access_key.is_empty() {
            builder = builder
                .with_access_key_id(&config.s3_access_key)
                .with_secret_access_key(&config.s3_secret_key);
        }
        let store = builder.build().context("configuring S3 file storage")?;
        Ok(Self {
            store: Arc::new(store),
            backend: "s3",
        })
    }

    pub fn key(org: i64, file: i64) -> String {
        format!("{org}/{file}")
    }

    pub fn thumbnail_key(org: i64, file: i64) -> String {
        format!("{org}/{file}.thumb")
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> StorageResult<()> {
        self.store
            .put(&Path::from(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
    }

    /// The object's bytes as a stream (not read into memory at once).
    pub async fn get(&self, key: &str) -> StorageResult<BoxStream<'static, StorageResult<Bytes>>> {
        Ok(self
            .store
            .get(&Path::from(key))
            .await?
            .into_stream()
            .boxed())
    }

    pub async fn delete(&self, key: &str) -> StorageResult<()> {
        match self.store.delete(&Path::from(key)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other,
        }
    }

    /// Deletes objects after a failed upload; failures are only logged (an orphan object is
    /// harmless, a row without its object is not).
    pub async fn discard(&self, keys: &[String]) {
        for key in keys {
            if let Err(e) = self.delete(key).await {
                tracing::warn!(error = %e, key, "could not delete an unused stored file");
            }
        }
    }
}
