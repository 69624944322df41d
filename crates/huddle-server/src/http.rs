//! The HTTP surface: API routes with their OpenAPI document, health, metrics, the WebSocket
//! event stream and the embedded web client.

use crate::accounts::{me, routes as auth};
use crate::directory::{self, departments, members};
use crate::state::AppState;
use crate::{audit, chat, files, org_settings, web, ws};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "Huddle API", version = "1", description = "Huddle's native JSON API. Ids are decimal strings; times are UTC milliseconds. Errors have the shape {\"error\":{\"code\",\"message\",\"field\"?}}."),
    modifiers(&SecurityAddon),
    security(("bearer" = []), ("cookie" = [])),
    tags((name = "auth", description = "Sign-in, sessions and the caller's own profile"),
         (name = "setup", description = "First-run setup"),
         (name = "directory", description = "Departments, members and colleague search"),
         (name = "chat", description = "Conversations, messages, receipts and recall"),
         (name = "files", description = "Uploads for image, voice and file messages"),
         (name = "approvals", description = "Approval templates, requests, decisions, leave balances and export"),
         (name = "admin", description = "Administration"))
)]
struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("huddle_session"))),
        );
    }
}

/// Multipart overhead allowed on top of the largest file.
const UPLOAD_BODY_SLACK: usize = 64 * 1024;

fn api(max_upload_mb: u64) -> OpenApiRouter<AppState> {
    let body_limit = usize::try_from(max_upload_mb.saturating_mul(files::rules::MIB))
        .unwrap_or(usize::MAX)
        .saturating_add(UPLOAD_BODY_SLACK);
    let uploads = OpenApiRouter::new()
        .routes(routes!(files::routes::upload_file))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(uploads)
        .routes(routes!(files::routes::download_file))
        .routes(routes!(files::routes::file_thumbnail))
        .routes(routes!(auth::setup_status, auth::setup))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::list_sessions))
        .routes(routes!(auth::revoke_session))
        .routes(routes!(auth::revoke_other_sessions))
        .routes(routes!(me::get_me))
        .routes(routes!(me::update_settings))
        .routes(routes!(
            departments::list_departments,
            departments::create_department
        ))
        .routes(routes!(
            departments::get_department,
            departments::update_department,
            departments::delete_department
        ))
        .routes(routes!(members::list_members, members::create_member))
        .routes(routes!(
            members::get_member,
            members::update_member,
            members::delete_member
        ))
        .routes(routes!(members::reset_password))
        .routes(routes!(members::set_role))
        .routes(routes!(directory::search_directory))
        .routes(routes!(audit::list_audit_log))
        .routes(routes!(
            chat::conversations::list_conversations,
            chat::conversations::create_conversation
        ))
        .routes(routes!(
            chat::conversations::get_conversation,
            chat::groups::update_group,
            chat::groups::dissolve_group
        ))
        .routes(routes!(chat::groups::add_members))
        .routes(routes!(chat::groups::remove_member))
        .routes(routes!(chat::groups::set_group_role))
        .routes(routes!(chat::groups::transfer_owner))
        .routes(routes!(chat::groups::update_my_settings))
        .routes(routes!(chat::conversations::mark_read))
        .routes(routes!(chat::conversations::mark_unread))
        .routes(routes!(
            chat::messages::list_messages,
            chat::messages::send_message
        ))
        .routes(routes!(chat::messages::recall_message))
        .routes(routes!(chat::messages::message_receipts))
        .routes(routes!(chat::chain::join_chain))
        .routes(routes!(chat::chain::forward_message))
        .routes(routes!(chat::sync::sync))
        .routes(routes!(chat::channels::post_to_channel))
        .routes(routes!(
            org_settings::get_settings,
            org_settings::update_settings
        ))
        .routes(routes!(chat::search::routes::search_messages))
        .merge(crate::approvals::routes())
}

pub type OpenApiDoc = utoipa::openapi::OpenApi;

/// The OpenAPI document, generated from the handlers' annotations.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api(crate::config::ServerConfig::default().max_upload_mb)
        .split_for_parts()
        .1
}

fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (several servers in one test process).
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

async fn track_metrics(req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    let labels = [("method", method), ("path", path), ("status", status)];
    metrics::counter!("huddle_http_requests_total", &labels).increment(1);
    metrics::histogram!("huddle_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    resp
}

async fn healthz(State(state): State<AppState>) -> Response {
    match sqlx::query("SELECT 1").execute(state.db.reader()).await {
        Ok(_) => (StatusCode::OK, Json(serde_json::json!({ "status": "ok" }))).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "database unavailable" })),
            )
                .into_response()
        }
    }
}

pub fn router(state: AppState) -> Router {
    let metrics = metrics_handle();
    let (api_router, doc) = api(state.config.max_upload_mb).split_for_parts();
    let doc = Arc::new(doc);
    let api_fallback = || async {
        crate::error::ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such API endpoint.")
    };
    Router::new()
        .merge(api_router)
        .route("/api/v1/ws", get(ws::connect))
        .route(
            "/api/openapi.json",
            get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .route("/api/{*rest}", axum::routing::any(api_fallback))
        .route("/healthz", get(healthz))
        .route(
            "/metrics",
            get(move || async move {
                (
                    [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                    metrics.render(),
                )
            }),
        )
        .fallback(web::serve_asset)
        .layer(middleware::from_fn(track_metrics))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
