//! The background indexer: reads committed messages in id order and feeds the index, one index
//! commit per pass (or per [`COMMIT_EVERY`] messages while catching up).
//!
//! A pass starts [`SETTLE`] after the first new message, not at once: under a steady stream of
//! sends that gathers many messages into one commit, where a commit per send would spend most
//! of the indexing time creating and merging tiny segments. A caller that waits for the index
//! ([`super::SearchIndex::wait_caught_up`]) skips the wait.
//!
//! Ids are allocated before their transaction commits, so on PostgreSQL (or with several
//! nodes) a message can become visible after a larger id was already indexed. The indexer
//! therefore keeps a watermark that trails the clock by [`GRACE_MS`]: everything up to it is
//! indexed, and above it the ids already indexed are remembered in memory so each pass only
//! fetches the bodies of new ones. The watermark is stored per node in `search_index_state`; after
//! a restart the indexer resumes from it, re-adding (not duplicating) the messages above it.
//!
//! A recall adds a `recall` notice message, so the indexer sees recalls in the same stream and
//! deletes the recalled message from the index.

use super::{IndexedMessage, SearchIndex};
use crate::chat::model::Content;
use crate::db::Db;
use crate::ids::{first_id_at, now_ms};
use sqlx::Row;
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tantivy::{IndexWriter, TantivyDocument};

/// How long a transaction may hold an allocated message id before it commits.
pub const GRACE_MS: i64 = 15_000;
/// Messages read per query.
const BATCH: i64 = 500;
/// Messages added before an intermediate commit while catching up (a long backlog becomes
/// searchable in steps).
const COMMIT_EVERY: u64 = 50_000;
/// How long a pass waits after being woken, to gather what else arrives.
const SETTLE: Duration = Duration::from_millis(250);
/// How often the indexer looks for messages committed by other nodes.
const POLL: Duration = Duration::from_secs(2);
const WRITER_MEMORY: usize = 32 * 1024 * 1024;

type Writer = Arc<Mutex<IndexWriter<TantivyDocument>>>;

struct Indexer {
    search: Arc<SearchIndex>,
    db: Db,
    writer: Writer,
    /// Every message with an id up to here is indexed.
    watermark: i64,
    /// Ids above the watermark that are indexed.
    seen: BTreeSet<i64>,
}

async fn stored_watermark(db: &Db, node: i64) -> anyhow::Result<i64> {
    let row = sqlx::query("SELECT last_message_id FROM search_index_state WHERE node_id = $1")
        .bind(node)
        .fetch_optional(db.reader())
        .await?;
    Ok(match row {
        Some(r) => r.try_get(0)?,
        None => 0,
    })
}

async fn store_watermark(db: &Db, node: i64, id: i64) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO search_index_state (node_id, last_message_id, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (node_id) DO UPDATE SET last_message_id = excluded.last_message_id, updated_at = excluded.updated_at",
    )
    .bind(node)
    .bind(id)
    .bind(now_ms())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// What one message row means for the index.
enum Change {
    Upsert(IndexedMessage),
    Delete(i64),
    Nothing,
}

fn change_from_row(r: &sqlx::any::AnyRow) -> Result<Change, sqlx::Error> {
    let id: i64 = r.try_get(0)?;
    let recalled_at: Option<i64> = r.try_get(7)?;
    if recalled_at.is_some() {
        return Ok(Change::Delete(id));
    }
    let Ok(content) = serde_json::from_str::<Content>(&r.try_get::<String, _>(6)?) else {
        return Ok(Change::Nothing);
    };
    if let Content::Recall { message_id } = content {
        return Ok(Change::Delete(message_id.0));
    }
    let kind = content.kind();
    Ok(match super::searchable_text(&content) {
        Some(text) => Change::Upsert(IndexedMessage {
            id,
            org_id: r.try_get(1)?,
            conversation_id: r.try_get(2)?,
            seq: r.try_get(3)?,
            sender_id: r.try_get(4)?,
            created_at: r.try_get(8)?,
            kind,
            text,
        }),
        None => Change::Nothing,
    })
}

impl Indexer {
    async fn new(search: Arc<SearchIndex>, db: Db, from_scratch: bool) -> anyhow::Result<Self> {
        let s = search.clone();
        let writer =
            tokio::task::spawn_blocking(move || s.index.writer_with_num_threads(1, WRITER_MEMORY))
                .await??;
        let node = search.node_id;
        let watermark = if from_scratch || search.created {
            store_watermark(&db, node, 0).await?;
            0
        } else {
            stored_watermark(&db, node).await?
        };
        Ok(Self {
            search,
            db,
            writer: Arc::new(Mutex::new(writer)),
            watermark,
            seen: BTreeSet::new(),
        })
    }

    /// Indexes everything committed so far; returns how many documents were added.
    async fn pass(&mut self) -> anyhow::Result<u64> {
        let bound = first_id_at(now_ms() - GRACE_MS);
        let mut after = self.watermark;
        let mut added = 0;
        let mut uncommitted = 0;
        loop {
            let ids: Vec<i64> =
                sqlx::query("SELECT id FROM messages WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after)
                    .bind(BATCH)
                    .fetch_all(self.db.reader())
                    .await?
                    .iter()
                    .map(|r| r.try_get(0))
                    .collect::<Result<_, _>>()?;
            let Some(&last) = ids.last() else { break };
            let new: Vec<i64> = ids
                .iter()
                .copied()
                .filter(|id| !self.seen.contains(id))
                .collect();
            if !new.is_empty() {
                added += self.index_batch(&new).await?;
                uncommitted += new.len() as u64;
                self.seen.extend(new);
                if uncommitted >= COMMIT_EVERY {
                    self.commit().await?;
                    uncommitted = 0;
                }
            }
            after = last;
            if (ids.len() as i64) < BATCH {
                break;
            }
        }
        if uncommitted > 0 {
            self.commit().await?;
        }
        if bound > self.watermark {
            self.watermark = bound;
            self.seen = self.seen.split_off(&(bound + 1));
            store_watermark(&self.db, self.search.node_id, bound).await?;
        }
        Ok(added)
    }

    async fn index_batch(&self, ids: &[i64]) -> anyhow::Result<u64> {
        let placeholders = (1..=ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT id, org_id, conversation_id, seq, sender_id, kind, body, recalled_at, created_at \
             FROM messages WHERE id IN ({placeholders}) ORDER BY id"
        );
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        let changes = q
            .fetch_all(self.db.reader())
            .await?
            .iter()
            .map(change_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let search = self.search.clone();
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
            let w = writer
                .lock()
                .map_err(|_| anyhow::anyhow!("index writer poisoned"))?;
            let mut added = 0;
            for change in changes {
                match change {
                    Change::Upsert(m) => {
                        // After a restart a message above the watermark may be indexed already.
                        w.delete_term(search.id_term(m.id));
                        w.add_document(search.document(&m))?;
                        added += 1;
                    }
                    Change::Delete(id) => {
                        w.delete_term(search.id_term(id));
                    }
                    Change::Nothing => {}
                }
            }
            Ok(added)
        })
        .await?
    }

    /// Makes what was added searchable.
    async fn commit(&self) -> anyhow::Result<()> {
        let search = self.search.clone();
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut w = writer
                .lock()
                .map_err(|_| anyhow::anyhow!("index writer poisoned"))?;
            w.commit()?;
            search.reader.reload()?;
            Ok(())
        })
        .await?
    }

    async fn close(self) {
        let writer = self.writer;
        let _ = tokio::task::spawn_blocking(move || {
            if let Ok(w) = Arc::try_unwrap(writer) {
                if let Ok(w) = w.into_inner() {
                    let _ = w.wait_merging_threads();
                }
            }
        })
        .await;
    }
}

impl SearchIndex {
    /// Starts the background indexer (once).
    pub fn start(self: &Arc<Self>, db: Db) {
        let mut task = self.task.lock().unwrap_or_else(|e| e.into_inner());
        if task.is_some() {
            return;
        }
        let search = self.clone();
        *task = Some(tokio::spawn(async move { search.run(db).await }));
    }

    async fn run(self: Arc<Self>, db: Db) {
        let mut stop = self.stop.subscribe();
        let mut indexer = None;
        while !*stop.borrow() {
            if indexer.is_none() {
                match Indexer::new(self.clone(), db.clone(), false).await {
                    Ok(i) => indexer = Some(i),
                    Err(e) => tracing::error!(error = %e, "search indexer cannot open the index"),
                }
            }
            if let Some(i) = indexer.as_mut() {
                let number = self.started.fetch_add(1, Ordering::SeqCst) + 1;
                match i.pass().await {
                    Ok(n) if n > 0 => tracing::debug!(added = n, "search index updated"),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "search indexing failed"),
                }
                self.passes.send_replace(number);
            }
            tokio::select! {
                _ = self.wake.notified() => {
                    // Gather what else arrives, unless someone waits for the index.
                    tokio::select! {
                        _ = tokio::time::sleep(SETTLE) => {}
                        _ = self.urgent.notified() => {}
                        _ = stop.changed() => {}
                    }
                }
                _ = self.urgent.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
                _ = stop.changed() => {}
            }
        }
        if let Some(i) = indexer {
            i.close().await;
        }
    }

    /// Stops the indexer and releases the index's writer lock.
    pub async fn shutdown(&self) {
        self.stop.send_replace(true);
        let task = self.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = task {
            let _ = t.await;
        }
    }

    /// Empties the index and indexes every message again (`huddle admin reindex`). Fails when
    /// a running server holds the index. Returns how many messages were indexed.
    pub async fn rebuild(self: &Arc<Self>, db: &Db) -> anyhow::Result<u64> {
        let mut indexer = Indexer::new(self.clone(), db.clone(), true)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot open the search index at {} for writing ({e}); stop the server first",
                    self.path.display()
                )
            })?;
        let writer = indexer.writer.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut w = writer
                .lock()
                .map_err(|_| anyhow::anyhow!("index writer poisoned"))?;
            w.delete_all_documents()?;
            w.commit()?;
            Ok(())
        })
        .await??;
        let added = indexer.pass().await?;
        indexer.close().await;
        Ok(added)
    }
}
