//! Server-side sessions: a random token given to the client once, stored only as its SHA-256.

use super::session_cache::Cached;
use crate::db::Tx;
use crate::ids::now_ms;
use crate::state::AppState;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::Arc;

pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

fn token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn hex(digest: &[u8; 32]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn token_hash(token: &str) -> String {
    hex(&token_digest(token))
}

pub struct NewSession {
    pub id: i64,
    pub token: String,
    pub csrf_token: String,
}

pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn create(
    tx: &mut Tx,
    state: &AppState,
    org_id: i64,
    member_id: i64,
    client: &ClientInfo,
) -> Result<NewSession, sqlx::Error> {
    let s = NewSession {
        id: state.ids.next(),
        token: new_secret("hdl_"),
        csrf_token: new_secret(""),
    };
    let now = now_ms();
    sqlx::query(
        "INSERT INTO sessions (id, org_id, member_id, token_hash, csrf_token, ip, user_agent, \
         created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
    )
    .bind(s.id)
    .bind(org_id)
    .bind(member_id)
    .bind(token_hash(&s.token))
    .bind(&s.csrf_token)
    .bind(&client.ip)
    .bind(
        client
            .user_agent
            .as_deref()
            .map(|u| u.chars().take(300).collect::<String>()),
    )
    .bind(now)
    .bind(now + state.config.session_ttl_hours * 3_600_000)
    .execute(&mut **tx)
    .await?;
    Ok(s)
}

/// What a valid token resolves to.
#[derive(Clone, Debug)]
pub struct SessionRow {
    pub session_id: i64,
    pub org_id: i64,
    pub member_id: i64,
    pub csrf_token: String,
    pub last_seen_at: i64,
    pub name: String,
    pub role: String,
    pub status: String,
    pub must_change_password: bool,
    pub expires_at: i64,
}

/// What a token resolves to, from this node's cache when it holds a fresh answer, with the
/// cache generation it was valid at (see [`super::session_cache::SessionCache::generation`]).
pub async fn lookup(
    state: &AppState,
    token: &str,
) -> Result<Option<(Arc<SessionRow>, u64)>, sqlx::Error> {
    let digest = token_digest(token);
    let now = now_ms();
    let cache = &state.events.sessions;
    let generation = match cache.get(&digest, now) {
        Cached::Hit(row, generation) => return Ok(Some((row, generation))),
        Cached::Miss(generation) => generation,
    };
    let Some(row) = query(state, &hex(&digest), now).await? else {
        return Ok(None);
    };
    let row = Arc::new(row);
    cache.put(digest, row.clone(), generation);
    Ok(Some((row, generation)))
}

/// Records that a session was seen now: in the database at most once a minute (a lost touch
/// only makes "last seen" older).
pub async fn touch(state: &AppState, token: &str, row: &SessionRow) {
    let now = now_ms();
    if now - row.last_seen_at <= 60_000 {
        return;
    }
    state.events.sessions.touched(&token_digest(token), now);
    let _ = sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(now)
        .bind(row.session_id)
        .execute(state.db.writer())
        .await;
}

async fn query(state: &AppState, hash: &str, now: i64) -> Result<Option<SessionRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.id, s.org_id, s.member_id, s.csrf_token, s.last_seen_at, m.name, m.role, \
         m.status, m.must_change_password, s.expires_at FROM sessions s JOIN members m ON m.id = s.member_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(hash)
    .bind(now)
    .fetch_optional(state.db.reader())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(SessionRow {
        session_id: r.try_get(0)?,
        org_id: r.try_get(1)?,
        member_id: r.try_get(2)?,
        csrf_token: r.try_get(3)?,
        last_seen_at: r.try_get(4)?,
        name: r.try_get(5)?,
        role: r.try_get(6)?,
        status: r.try_get(7)?,
        must_change_password: r.try_get::<i64, _>(8)? != 0,
        expires_at: r.try_get(9)?,
    }))
}

/// Closes the live sockets of ended sessions, on every node: of one session, or of all the
/// member's sessions but `except`. Call after the deleting transaction committed.
pub fn announce_ended(
    state: &AppState,
    org_id: i64,
    member_id: i64,
    session: Option<i64>,
    except: Option<i64>,
) {
    state.events.control(
        org_id,
        crate::events::Control::EndSessions {
            member: member_id,
            session,
            except,
        },
    );
}

/// Ends every session of a member (disable, departure, removal, password change). The caller
/// announces it with [`announce_ended`] after commit.
pub async fn revoke_all(
    tx: &mut Tx,
    org_id: i64,
    member_id: i64,
    except: Option<i64>,
) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND member_id = $2 AND id <> $3")
        .bind(org_id)
        .bind(member_id)
        .bind(except.unwrap_or(0))
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected())
}
