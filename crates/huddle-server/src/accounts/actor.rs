//! The authenticated caller. Handlers that take an `Actor` are authenticated; every repository
//! call takes the actor's organization from here, so no query runs without one.

use super::session::{self, ClientInfo};
use crate::directory::model::Role;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "huddle_session";
pub const CSRF_COOKIE: &str = "huddle_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub struct Actor {
    pub org_id: i64,
    pub member_id: i64,
    pub session_id: i64,
    /// When the session expires (UTC ms).
    pub session_expires_at: i64,
    pub name: String,
    pub role: Role,
    pub must_change_password: bool,
    pub client: ClientInfo,
    /// The session cache's generation when this session was found valid.
    pub session_generation: u64,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        matches!(self.role, Role::Admin | Role::SuperAdmin)
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden("Only administrators can do this."))
        }
    }

    pub fn require_super_admin(&self) -> Result<(), ApiError> {
        if self.role == Role::SuperAdmin {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "Only the super administrator can do this.",
            ))
        }
    }
}

/// Client address and user agent, for sessions, throttling and the audit log.
pub fn client_info(parts: &Parts, trust_proxy: bool) -> ClientInfo {
    let forwarded = trust_proxy
        .then(|| parts.headers.get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string());
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string());
    ClientInfo {
        ip: forwarded.or(peer),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
}

/// Paths a user who must change their password may still use.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/api/v1/me" | "/api/v1/auth/password" | "/api/v1/auth/logout" | "/api/v1/ws"
    )
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (token, via_cookie) = match bearer(parts) {
            Some(t) => (t.to_string(), false),
            None => match cookie(parts, SESSION_COOKIE) {
                Some(t) => (t.to_string(), true),
                None => return Err(ApiError::unauthorized()),
            },
        };
        let (row, session_generation) = session::lookup(state, &token)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if row.status != "active" {
            return Err(ApiError::unauthorized());
        }
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if via_cookie && !safe {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if sent != Some(row.csrf_token.as_str()) {
                return Err(ApiError::forbidden(
                    "The request is missing its CSRF token. Reload the page and try again.",
                )
                .with_code("csrf_failed"));
            }
        }
        if row.must_change_password && !allowed_before_password_change(parts.uri.path()) {
            return Err(
                ApiError::forbidden("You must change your password before continuing.")
                    .with_code("password_change_required"),
            );
        }
        session::touch(state, &token, &row).await;
        Ok(Actor {
            org_id: row.org_id,
            member_id: row.member_id,
            session_id: row.session_id,
            session_expires_at: row.expires_at,
            name: row.name.clone(),
            role: Role::parse(&row.role),
            must_change_password: row.must_change_password,
            client: client_info(parts, state.config.trust_proxy),
            session_generation,
        })
    }
}
