//! Sign-in, sign-out, password change, session management and first-run setup.

use super::actor::{client_info, Actor, CSRF_COOKIE, SESSION_COOKIE};
use super::password::check_strength;
use super::session::{self, ClientInfo, NewSession};
use crate::directory::model::Member;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::ids::{now_ms, Id};
use crate::orgs::{self, NewOrganization};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

pub const LOGIN_HELP: &str = "Sign-in failed. Use the employee ID, phone or email your company \
assigned to you, and check your password. Forgot it? Ask your administrator to reset it.";

/// The caller's address and user agent, without requiring a session.
pub struct Client(pub ClientInfo);

impl FromRequestParts<AppState> for Client {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Client(client_info(parts, state.config.trust_proxy)))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Employee ID (工号), phone or email.
    pub login: String,
    pub password: String,
    /// Organization code; needed only when the same login exists in several organizations.
    pub org: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token for API clients; browsers get the same session as an HttpOnly cookie.
    pub token: String,
    /// Send back as `X-CSRF-Token` on cookie-authenticated writes.
    pub csrf_token: String,
    pub must_change_password: bool,
    pub member: Member,
}

fn session_response(
    state: &AppState,
    s: NewSession,
    must_change: bool,
    member: Member,
) -> Response {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let max_age = state.config.session_ttl_hours * 3600;
    let mut headers = HeaderMap::new();
    for cookie in [
        format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            s.token
        ),
        format!(
            "{CSRF_COOKIE}={}; Path=/; SameSite=Lax; Max-Age={max_age}{secure}",
            s.csrf_token
        ),
    ] {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    let body = LoginResponse {
        token: s.token,
        csrf_token: s.csrf_token,
        must_change_password: must_change,
        member,
    };
    (headers, Json(body)).into_response()
}

fn clear_cookies() -> HeaderMap {
    let mut headers = HeaderMap::new();
    for name in [SESSION_COOKIE, CSRF_COOKIE] {
        if let Ok(v) = HeaderValue::from_str(&format!("{name}=; Path=/; Max-Age=0; SameSite=Lax")) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    headers
}

async fn member_of(state: &AppState, org_id: i64, member_id: i64) -> ApiResult<Member> {
    let dir = state.directory.get(&state.db, org_id).await?;
    dir.member(member_id)
        .cloned()
        .ok_or_else(ApiError::unauthorized)
}

/// Sign in with employee ID, phone or email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(body): JsonBody<LoginRequest>,
) -> ApiResult<Response> {
    let login = body.login.trim();
    if login.is_empty() || login.len() > 254 {
        return Err(ApiError::invalid(
            "login",
            "Enter your employee ID, phone or email.",
        ));
    }
    if body.password.is_empty() || body.password.len() > 1024 {
        return Err(ApiError::invalid("password", "Enter your password."));
    }
    let ip = client.ip.clone().unwrap_or_default();
    if let Err(wait) = state.throttle.begin(login, &ip) {
        let minutes = wait.div_ceil(60);
        return Err(ApiError {
            retry_after_secs: Some(wait),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!("Too many failed sign-in attempts. Wait {minutes} minute(s) and try again, or ask your administrator to reset your password."),
            )
        });
    }
    let rows = sqlx::query(
        "SELECT m.id, m.org_id, m.password_hash, m.must_change_password FROM members m \
         JOIN organizations o ON o.id = m.org_id \
         WHERE (m.employee_id = $1 OR m.phone = $1 OR m.email = $2) AND m.status = 'active' \
         AND ($3 = '' OR o.code = $3) ORDER BY m.id LIMIT 5",
    )
    .bind(login)
    .bind(login.to_lowercase())
    .bind(body.org.as_deref().unwrap_or("").trim().to_lowercase())
    .fetch_all(state.db.reader())
    .await?;
    let mut found = None;
    for r in &rows {
        let hash: Option<String> = r.try_get(2)?;
        if hash.is_some() && state.passwords.verify(&body.password, hash).await {
            found = Some((
                r.try_get::<i64, _>(0)?,
                r.try_get::<i64, _>(1)?,
                r.try_get::<i64, _>(3)? != 0,
            ));
            break;
        }
    }
    if rows.is_empty() {
        state.passwords.verify(&body.password, None).await;
    }
    let Some((member_id, org_id, must_change)) = found else {
        tracing::info!(ip = %ip, "sign-in failed");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
            LOGIN_HELP,
        ));
    };
    state.throttle.succeeded(login, &ip);
    let mut tx = state.db.begin().await?;
    let s = session::create(&mut tx, &state, org_id, member_id, &client).await?;
    tx.commit().await?;
    let member = member_of(&state, org_id, member_id).await?;
    Ok(session_response(&state, s, must_change, member))
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    sqlx::query("DELETE FROM sessions WHERE id = $1 AND org_id = $2")
        .bind(actor.session_id)
        .bind(actor.org_id)
        .execute(state.db.writer())
        .await?;
    session::announce_ended(
        &state,
        actor.org_id,
        actor.member_id,
        Some(actor.session_id),
        None,
    );
    Ok((StatusCode::NO_CONTENT, clear_cookies()).into_response())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// Change your own password; your other sessions end.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = ChangePassword,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<ChangePassword>,
) -> ApiResult<StatusCode> {
    check_strength(&body.new_password).map_err(|m| ApiError::invalid("new_password", m))?;
    if body.new_password == body.current_password {
        return Err(ApiError::invalid(
            "new_password",
            "Choose a password different from the current one.",
        ));
    }
    let hash: Option<String> =
        sqlx::query("SELECT password_hash FROM members WHERE org_id = $1 AND id = $2")
            .bind(actor.org_id)
            .bind(actor.member_id)
            .fetch_one(state.db.reader())
            .await?
            .try_get(0)?;
    if !state.passwords.verify(&body.current_password, hash).await {
        return Err(ApiError::invalid(
            "current_password",
            "The current password is not correct.",
        ));
    }
    let new_hash = state.passwords.hash(&body.new_password).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE members SET password_hash = $1, must_change_password = 0, updated_at = $2 WHERE org_id = $3 AND id = $4")
        .bind(new_hash)
        .bind(now_ms())
        .bind(actor.org_id)
        .bind(actor.member_id)
        .execute(&mut *tx)
        .await?;
    session::revoke_all(
        &mut tx,
        actor.org_id,
        actor.member_id,
        Some(actor.session_id),
    )
    .await?;
    tx.commit().await?;
    // Ends the other sessions and, through the cache, the "must change password" of this one.
    session::announce_ended(
        &state,
        actor.org_id,
        actor.member_id,
        None,
        Some(actor.session_id),
    );
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub id: Id,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// This is the session making the request.
    pub current: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionInfo>,
}

/// List your own active sessions (devices).
#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth", responses((status = 200, body = SessionList)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<SessionList>> {
    let rows = sqlx::query(
        "SELECT id, created_at, last_seen_at, ip, user_agent FROM sessions \
         WHERE org_id = $1 AND member_id = $2 AND expires_at > $3 ORDER BY id DESC",
    )
    .bind(actor.org_id)
    .bind(actor.member_id)
    .bind(now_ms())
    .fetch_all(state.db.reader())
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        items.push(SessionInfo {
            id: Id(id),
            created_at: r.try_get(1)?,
            last_seen_at: r.try_get(2)?,
            ip: r.try_get(3)?,
            user_agent: r.try_get(4)?,
            current: id == actor.session_id,
        });
    }
    Ok(Json(SessionList { items }))
}

/// End one of your sessions.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", tag = "auth",
    params(("id" = String, Path, description = "Session id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn revoke_session(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = crate::ids::parse_id(&id).ok_or_else(|| ApiError::not_found("Session"))?;
    let r = sqlx::query("DELETE FROM sessions WHERE id = $1 AND org_id = $2 AND member_id = $3")
        .bind(id)
        .bind(actor.org_id)
        .bind(actor.member_id)
        .execute(state.db.writer())
        .await?;
    if r.rows_affected() == 0 {
        return Err(ApiError::not_found("Session"));
    }
    session::announce_ended(&state, actor.org_id, actor.member_id, Some(id), None);
    Ok(StatusCode::NO_CONTENT)
}

/// Sign out every other device.
#[utoipa::path(post, path = "/api/v1/auth/sessions/revoke-others", tag = "auth", responses((status = 204)))]
pub async fn revoke_other_sessions(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin().await?;
    session::revoke_all(
        &mut tx,
        actor.org_id,
        actor.member_id,
        Some(actor.session_id),
    )
    .await?;
    tx.commit().await?;
    session::announce_ended(
        &state,
        actor.org_id,
        actor.member_id,
        None,
        Some(actor.session_id),
    );
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct SetupStatus {
    /// True while the server has no organization yet.
    pub needs_setup: bool,
}

/// Whether first-run setup is still open.
#[utoipa::path(get, path = "/api/v1/setup", tag = "setup", responses((status = 200, body = SetupStatus)))]
pub async fn setup_status(State(state): State<AppState>) -> ApiResult<Json<SetupStatus>> {
    Ok(Json(SetupStatus {
        needs_setup: orgs::count(&state).await? == 0,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    pub org_name: String,
    pub admin_name: String,
    /// The super administrator's employee ID, used to sign in.
    pub admin_login: String,
    pub admin_password: String,
}

/// First-run setup: create the first organization and its super administrator, signed in.
#[utoipa::path(post, path = "/api/v1/setup", tag = "setup", request_body = SetupRequest,
    responses((status = 200, body = LoginResponse), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn setup(
    State(state): State<AppState>,
    Client(client): Client,
    JsonBody(body): JsonBody<SetupRequest>,
) -> ApiResult<Response> {
    let new = NewOrganization {
        name: &body.org_name,
        code: None,
        admin_name: &body.admin_name,
        admin_login: &body.admin_login,
        admin_password: &body.admin_password,
    };
    orgs::validate(&new).map_err(|(field, msg)| ApiError::invalid(field, msg))?;
    let mut tx = state.db.begin().await?;
    let Some(created) = orgs::create(&mut tx, &state, &new, true).await? else {
        return Err(ApiError::conflict(
            "already_set_up",
            "This server is already set up. Sign in instead.",
        ));
    };
    let s = session::create(&mut tx, &state, created.org_id, created.admin_id, &client).await?;
    tx.commit().await?;
    let member = member_of(&state, created.org_id, created.admin_id).await?;
    Ok(session_response(&state, s, false, member))
}
