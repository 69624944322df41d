//! Conversation member lists, cached per node: who is in a conversation, who administers it,
//! its settings, and who might have to be sent a message silently (muted or with quiet hours).
//! Sends, fan-out and typing relays read them from here instead of the database.
//!
//! Invalidation: every change of members, roles, group settings, mutes or personal settings
//! calls [`crate::events::EventBus::control`] after its commit. That drops the entry on this node
//! at once and, with several nodes, on the others as soon as they hear it over NATS. A load that
//! raced with an invalidation is not kept (a generation counter tells), so a stale list never
//! outlives the change that made it stale.

use crate::accounts::me::Settings;
use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Entries kept before the cache starts over (a bound on memory, not a policy).
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug)]
pub struct ConvEntry {
    pub org_id: i64,
    /// `direct`, `group` or `channel`.
    pub kind: String,
    pub settings: serde_json::Value,
    /// Member ids, sorted.
    pub members: Vec<i64>,
    /// Owner and group administrators, sorted.
    pub admins: Vec<i64>,
    /// Group administrators only (role `admin`), sorted.
    pub group_admins: Vec<i64>,
    /// Members who muted the conversation or have quiet hours set, with their settings: the
    /// only ones a message may reach silently.
    pub quiet: Vec<(i64, bool, Settings)>,
}

impl ConvEntry {
    pub fn has_member(&self, member: i64) -> bool {
        self.members.binary_search(&member).is_ok()
    }

    pub fn is_admin(&self, member: i64) -> bool {
        self.admins.binary_search(&member).is_ok()
    }
}

#[derive(Default)]
pub struct ConvCache {
    entries: RwLock<HashMap<i64, Arc<ConvEntry>>>,
    generation: AtomicU64,
}

impl ConvCache {
    /// The conversation's entry, loaded on a miss. `None` when it does not exist or was dissolved.
    pub async fn get(
        &self,
        pool: &AnyPool,
        conv: i64,
    ) -> Result<Option<Arc<ConvEntry>>, sqlx::Error> {
        if let Some(e) = self.entries.read().expect("conversation cache").get(&conv) {
            return Ok(Some(e.clone()));
        }
        let generation = self.generation.load(Ordering::Acquire);
        let Some(entry) = load(pool, conv).await? else {
            return Ok(None);
        };
        let entry = Arc::new(entry);
        let mut entries = self.entries.write().expect("conversation cache");
        // Keep it only if nothing was invalidated while it loaded.
        if self.generation.load(Ordering::Acquire) == generation {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(conv, entry.clone());
        }
        Ok(Some(entry))
    }

    pub fn invalidate(&self, conv: i64) {
        let mut entries = self.entries.write().expect("conversation cache");
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.remove(&conv);
    }

    pub fn invalidate_all(&self) {
        let mut entries = self.entries.write().expect("conversation cache");
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    /// Entries held (for tests and metrics).
    pub fn len(&self) -> usize {
        self.entries.read().expect("conversation cache").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

async fn load(pool: &AnyPool, conv: i64) -> Result<Option<ConvEntry>, sqlx::Error> {
    let Some(c) = sqlx::query(
        "SELECT org_id, kind, settings FROM conversations WHERE id = $1 AND dissolved_at IS NULL",
    )
    .bind(conv)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let rows = sqlx::query(
        "SELECT cm.member_id, cm.role, cm.muted, CASE WHEN cm.muted = 1 OR m.settings LIKE '%quiet_hours%' \
         THEN m.settings ELSE NULL END FROM conversation_members cm LEFT JOIN members m ON m.id = cm.member_id \
         WHERE cm.conversation_id = $1 ORDER BY cm.member_id",
    )
    .bind(conv)
    .fetch_all(pool)
    .await?;
    let (mut members, mut admins, mut group_admins, mut quiet) = (
        Vec::with_capacity(rows.len()),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for r in &rows {
        let member: i64 = r.try_get(0)?;
        let role: String = r.try_get(1)?;
        members.push(member);
        if role == "owner" || role == "admin" {
            admins.push(member);
        }
        if role == "admin" {
            group_admins.push(member);
        }
        if let Some(settings) = r.try_get::<Option<String>, _>(3)? {
            let muted = r.try_get::<i64, _>(2)? != 0;
            quiet.push((
                member,
                muted,
                serde_json::from_str(&settings).unwrap_or_default(),
            ));
        }
    }
    Ok(Some(ConvEntry {
        org_id: c.try_get(0)?,
        kind: c.try_get(1)?,
        settings: serde_json::from_str(&c.try_get::<String, _>(2)?).unwrap_or_default(),
        members,
        admins,
        group_admins,
        quiet,
    }))
}
