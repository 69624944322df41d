//! Server-side sessions: a random token given to the client once, stored only as its SHA-256.

use crate::db::Tx;
use crate::ids::now_ms;
use crate::state::AppState;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
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

pub async fn lookup(state: &AppState, token: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT s.id, s.org_id, s.member_id, s.csrf_token, s.last_seen_at, m.name, m.role, \
         m.status, m.must_change_password, s.expires_at FROM sessions s JOIN members m ON m.id = s.member_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(now_ms())
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
