//! The audit log of administrative actions: who, what, when, from where.

use crate::accounts::actor::Actor;
use crate::db::Tx;
use crate::directory::model::Role;
use crate::error::{ApiResult, QueryParams};
use crate::ids::{now_ms, Id};
use crate::pagination::{Cursor, PageQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use sqlx::Row;
use utoipa::ToSchema;

pub async fn record(
    tx: &mut Tx,
    state: &AppState,
    actor: &Actor,
    action: &str,
    target_type: &str,
    target_id: Option<i64>,
    detail: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, org_id, actor_id, actor_name, action, target_type, target_id, \
         detail, ip, user_agent, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(state.ids.next())
    .bind(actor.org_id)
    .bind(Some(actor.member_id))
    .bind(&actor.name)
    .bind(action)
    .bind(target_type)
    .bind(target_id.map(|i| i.to_string()))
    .bind(detail.to_string())
    .bind(&actor.client.ip)
    .bind(&actor.client.user_agent)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: Id,
    pub actor_id: Option<Id>,
    pub actor_name: String,
    /// e.g. `member.create`, `department.move`, `member.reset_password`
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub detail: serde_json::Value,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

/// Read the audit log, newest first: everything for super administrators, their own actions
/// for department administrators.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "admin",
    params(PageQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = crate::error::ErrorBody)))]
pub async fn list_audit_log(
    State(state): State<AppState>,
    actor: Actor,
    QueryParams(page): QueryParams<PageQuery>,
) -> ApiResult<Json<AuditPage>> {
    actor.require_admin()?;
    let limit = page.limit(50, 200)?;
    let before = match page.cursor()? {
        Some(Cursor(id)) => id,
        None => i64::MAX,
    };
    let rows = sqlx::query(
        "SELECT id, actor_id, actor_name, action, target_type, target_id, detail, ip, user_agent, \
         created_at FROM audit_log WHERE org_id = $1 AND id < $2 AND ($4 = 0 OR actor_id = $4) \
         ORDER BY id DESC LIMIT $3",
    )
    .bind(actor.org_id)
    .bind(before)
    .bind(limit as i64 + 1)
    // Department administrators read their own actions; super administrators read everything.
    .bind(if actor.role == Role::SuperAdmin {
        0
    } else {
        actor.member_id
    })
    .fetch_all(state.db.reader())
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows.iter().take(limit) {
        items.push(AuditEntry {
            id: Id(r.try_get(0)?),
            actor_id: r.try_get::<Option<i64>, _>(1)?.map(Id),
            actor_name: r.try_get(2)?,
            action: r.try_get(3)?,
            target_type: r.try_get(4)?,
            target_id: r.try_get(5)?,
            detail: serde_json::from_str(&r.try_get::<String, _>(6)?)
                .unwrap_or(serde_json::Value::Null),
            ip: r.try_get(7)?,
            user_agent: r.try_get(8)?,
            created_at: r.try_get(9)?,
        });
    }
    let next_cursor = (rows.len() > limit)
        .then(|| items.last().map(|e| Cursor(e.id.0).encode()))
        .flatten();
    Ok(Json(AuditPage { items, next_cursor }))
}
