//! Signed-in sessions, cached per node: what a token resolves to (session, member, role,
//! status), so an authenticated request costs a hash and a map lookup instead of a query.
//!
//! Invalidation, so a cached answer never grants more than the database would:
//! - every session end (sign-out, revocation, password change, disable, departure, deletion,
//!   password reset) already announces `EndSessions` on the bus; applying it drops the member's
//!   cached sessions on every node;
//! - every directory write (role, name, status, …) and a password change announce `Members`,
//!   which drops the member's (or the whole organization's) cached sessions;
//! - a load that raced with an invalidation is not kept (a generation counter tells);
//! - an entry is trusted for [`FRESH_FOR_MS`] at most, a bound on staleness should a message
//!   between nodes be lost, and never past the session's expiry.

use super::session::SessionRow;
use crate::ids::now_ms;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// How long a cached session is trusted before the database is asked again.
pub const FRESH_FOR_MS: i64 = 10_000;

/// Entries kept before the cache starts over (a bound on memory, not a policy).
const MAX_ENTRIES: usize = 200_000;

type TokenHash = [u8; 32];

struct Entry {
    row: Arc<SessionRow>,
    loaded_at: i64,
}

#[derive(Default)]
pub struct SessionCache {
    entries: RwLock<HashMap<TokenHash, Entry>>,
    generation: AtomicU64,
}

/// A lookup's answer: the cached row, or the generation to hand back to [`SessionCache::put`].
pub enum Cached {
    Hit(Arc<SessionRow>, u64),
    Miss(u64),
}

impl SessionCache {
    pub fn get(&self, hash: &TokenHash, now: i64) -> Cached {
        // Read the generation first: an invalidation after this point makes `put` drop the load.
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.read().expect("session cache");
        match entries.get(hash) {
            Some(e) if now - e.loaded_at < FRESH_FOR_MS && e.row.expires_at > now => {
                Cached::Hit(e.row.clone(), generation)
            }
            _ => Cached::Miss(generation),
        }
    }

    /// Keeps a freshly loaded row unless something was invalidated since `generation`.
    pub fn put(&self, hash: TokenHash, row: Arc<SessionRow>, generation: u64) {
        let mut entries = self.entries.write().expect("session cache");
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            hash,
            Entry {
                row,
                loaded_at: now_ms(),
            },
        );
    }

    /// Records a "last seen" touch so the next requests do not touch again.
    pub fn touched(&self, hash: &TokenHash, at: i64) {
        let mut entries = self.entries.write().expect("session cache");
        if let Some(e) = entries.get_mut(hash) {
            let mut row = (*e.row).clone();
            row.last_seen_at = at;
            e.row = Arc::new(row);
        }
    }

    /// Forgets the cached sessions of one member, or of the whole organization.
    pub fn invalidate(&self, org_id: i64, member: Option<i64>) {
        let mut entries = self.entries.write().expect("session cache");
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries
            .retain(|_, e| e.row.org_id != org_id || member.is_some_and(|m| m != e.row.member_id));
    }

    /// Changes whenever anything is invalidated: a caller that saw the same generation before
    /// and after some step knows no session ended in between (on this node).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(org: i64, member: i64, expires_at: i64) -> Arc<SessionRow> {
        Arc::new(SessionRow {
            session_id: member * 10,
            org_id: org,
            member_id: member,
            csrf_token: "c".into(),
            last_seen_at: 0,
            name: "n".into(),
            role: "member".into(),
            status: "active".into(),
            must_change_password: false,
            expires_at,
        })
    }

    fn hit(c: &SessionCache, h: &TokenHash, now: i64) -> bool {
        matches!(c.get(h, now), Cached::Hit(..))
    }

    #[test]
    fn hits_until_invalidated_for_the_member_or_organization() {
        let c = SessionCache::default();
        let now = now_ms();
        for (h, org, m) in [([1; 32], 1, 1), ([2; 32], 1, 2), ([3; 32], 2, 1)] {
            let Cached::Miss(g) = c.get(&h, now) else {
                panic!("empty cache hit")
            };
            c.put(h, row(org, m, now + 60_000), g);
        }
        assert!(hit(&c, &[1; 32], now));
        c.invalidate(1, Some(1));
        assert!(!hit(&c, &[1; 32], now));
        assert!(hit(&c, &[2; 32], now), "another member is untouched");
        assert!(
            hit(&c, &[3; 32], now),
            "the same id in another org is untouched"
        );
        c.invalidate(1, None);
        assert!(!hit(&c, &[2; 32], now));
        assert!(hit(&c, &[3; 32], now));
    }

    #[test]
    fn a_load_that_raced_with_an_invalidation_is_dropped() {
        let c = SessionCache::default();
        let now = now_ms();
        let Cached::Miss(g) = c.get(&[1; 32], now) else {
            panic!("empty cache hit")
        };
        c.invalidate(1, Some(5));
        c.put([1; 32], row(1, 1, now + 60_000), g);
        assert!(!hit(&c, &[1; 32], now));
    }

    #[test]
    fn entries_go_stale_and_never_outlive_the_session() {
        let c = SessionCache::default();
        let now = now_ms();
        let Cached::Miss(g) = c.get(&[1; 32], now) else {
            panic!("empty cache hit")
        };
        c.put([1; 32], row(1, 1, now + 5_000), g);
        assert!(hit(&c, &[1; 32], now));
        assert!(!hit(&c, &[1; 32], now + 5_000), "expired");
        let Cached::Miss(g) = c.get(&[2; 32], now) else {
            panic!("empty cache hit")
        };
        c.put([2; 32], row(1, 2, now + 3_600_000), g);
        assert!(!hit(&c, &[2; 32], now + FRESH_FOR_MS + 1), "stale");
    }
}
