//! Reading requests: who may see one, its detail, the lists ("mine", "waiting for me",
//! "handled", "CC'd", all in an administrator's scope) and the counts for badges.

use super::model::{
    Allowed, Counts, RequestBox, RequestDetail, RequestList, RequestQuery, RequestSummary,
    TemplateDefinition, TimelineEntry,
};
use super::people::{people, person};
use super::store::{self, RequestRow, REQUEST_COLUMNS};
use crate::accounts::actor::Actor;
use crate::directory::model::Role;
use crate::directory::snapshot::OrgDirectory;
use crate::error::{ApiError, ApiResult, ErrorBody, QueryParams};
use crate::ids::Id;
use crate::pagination::Cursor;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use huddle_approvals::flow::StepKind;
use huddle_approvals::request::{self, RequestStatus};
use huddle_approvals::I18nText;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// Departments an administrator's requests view covers; `None` means everything (super admin).
fn admin_departments(actor: &Actor, dir: &OrgDirectory) -> Option<Vec<i64>> {
    if actor.role == Role::SuperAdmin {
        return None;
    }
    let scopes = dir
        .admin_scopes
        .get(&actor.member_id)
        .cloned()
        .unwrap_or_default();
    let mut out: Vec<i64> = scopes.iter().flat_map(|d| dir.tree.subtree(*d)).collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The applicant, everyone taking part, and administrators over the applicant's department.
pub async fn can_view(
    conn: &mut AnyConnection,
    actor: &Actor,
    dir: &OrgDirectory,
    row: &RequestRow,
) -> ApiResult<bool> {
    if row.applicant_id == actor.member_id
        || store::takes_part(conn, row.id, actor.member_id).await?
    {
        return Ok(true);
    }
    if !actor.is_admin() {
        return Ok(false);
    }
    Ok(match admin_departments(actor, dir) {
        None => true,
        Some(depts) => row.department_id.is_some_and(|d| depts.contains(&d)),
    })
}

/// The request when the caller may see it; 404 otherwise (whether or not it exists).
pub async fn visible_request(
    conn: &mut AnyConnection,
    actor: &Actor,
    dir: &OrgDirectory,
    id: i64,
) -> ApiResult<RequestRow> {
    let row = store::request(conn, actor.org_id, id).await?;
    if !can_view(conn, actor, dir, &row).await? {
        return Err(ApiError::not_found("Approval request"));
    }
    Ok(row)
}

/// A template's name in Chinese, for notifications.
pub async fn template_name(state: &AppState, org_id: i64, template_id: i64) -> ApiResult<String> {
    let mut conn = state.db.reader().acquire().await?;
    Ok(template_names(&mut conn, org_id)
        .await?
        .remove(&template_id)
        .map(|(n, _)| n.zh)
        .unwrap_or_default())
}

/// Template names and icons by id (deleted templates too: their requests stay readable).
pub async fn template_names(
    conn: &mut AnyConnection,
    org_id: i64,
) -> ApiResult<HashMap<i64, (I18nText, String)>> {
    let rows = sqlx::query(
        "SELECT t.id, v.definition FROM approval_templates t JOIN approval_template_versions v \
         ON v.template_id = t.id AND v.version = t.current_version WHERE t.org_id = $1",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        if let Ok(def) = serde_json::from_str::<TemplateDefinition>(&r.try_get::<String, _>(1)?) {
            out.insert(r.try_get::<i64, _>(0)?, (def.name, def.icon));
        }
    }
    Ok(out)
}

fn summary(
    row: &RequestRow,
    dir: &OrgDirectory,
    names: &HashMap<i64, (I18nText, String)>,
) -> RequestSummary {
    let (template_name, icon) = names.get(&row.template_id).cloned().unwrap_or_default();
    RequestSummary {
        id: Id(row.id),
        sp_no: row.sp_no.clone(),
        template_id: Id(row.template_id),
        template_name,
        icon,
        applicant: person(dir, Id(row.applicant_id)),
        status: row.status,
        status_code: row.status.code(),
        summary: row.summary.clone(),
        awaiting: request::awaiting(&row.state)
            .into_iter()
            .map(|m| person(dir, m))
            .collect(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

fn allowed(
    actor: &Actor,
    dir: &OrgDirectory,
    row: &RequestRow,
    def: &TemplateDefinition,
) -> Allowed {
    let me = Id(actor.member_id);
    let can_act =
        row.status == RequestStatus::Pending && request::awaiting(&row.state).contains(&me);
    let is_applicant = row.applicant_id == actor.member_id;
    let return_to = match (can_act, row.state.current) {
        (true, Some(cur)) => row.state.steps[..cur.min(row.state.steps.len())]
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == StepKind::Approve && s.auto.is_none())
            .map(|(i, _)| i)
            .collect(),
        _ => vec![],
    };
    Allowed {
        approve: can_act,
        reject: can_act,
        withdraw: is_applicant
            && (row.status == RequestStatus::Pending
                || (row.status == RequestStatus::Approved
                    && def.settings.allow_withdraw_after_approval)),
        return_to,
        transfer: can_act,
        add_approver: can_act,
        nudge: is_applicant && row.status == RequestStatus::Pending,
        comment: true,
        reassign_from: if actor.is_admin() && row.status == RequestStatus::Pending {
            request::awaiting(&row.state)
                .into_iter()
                .filter(|m| {
                    dir.member(m.0)
                        .is_none_or(|x| x.status != crate::directory::model::MemberStatus::Active)
                })
                .collect()
        } else {
            vec![]
        },
    }
}

/// The full detail of a request the caller may see (404 otherwise).
pub async fn detail_for(
    state: &AppState,
    actor: &Actor,
    dir: &OrgDirectory,
    id: i64,
) -> ApiResult<RequestDetail> {
    let mut conn = state.db.reader().acquire().await?;
    let row = visible_request(&mut conn, actor, dir, id).await?;
    let def = store::template_version(
        &mut conn,
        actor.org_id,
        row.template_id,
        row.template_version,
    )
    .await?;
    let names = template_names(&mut conn, actor.org_id).await?;
    let events = sqlx::query("SELECT id, actor_id, kind, data, created_at FROM approval_events WHERE request_id = $1 ORDER BY id")
        .bind(row.id)
        .fetch_all(&mut *conn)
        .await?;
    let mut timeline = Vec::with_capacity(events.len());
    for e in events {
        let mut data: serde_json::Value =
            serde_json::from_str(&e.try_get::<String, _>(3)?).unwrap_or_default();
        let comment = data
            .get("comment")
            .and_then(|c| c.as_str())
            .unwrap_or_default()
            .to_string();
        let file_ids = data
            .get("file_ids")
            .and_then(|f| serde_json::from_value::<Vec<Id>>(f.clone()).ok())
            .unwrap_or_default();
        if let Some(obj) = data.as_object_mut() {
            obj.remove("comment");
            obj.remove("file_ids");
        }
        timeline.push(TimelineEntry {
            id: Id(e.try_get(0)?),
            actor_id: Id(e.try_get(1)?),
            kind: e.try_get(2)?,
            comment,
            file_ids,
            data,
            created_at: e.try_get(4)?,
        });
    }
    let mut ids: Vec<Id> = vec![Id(row.applicant_id)];
    ids.extend(row.state.steps.iter().flat_map(|s| {
        s.approvers
            .iter()
            .flat_map(|a| [Some(a.member_id), a.added_by])
            .flatten()
    }));
    ids.extend(timeline.iter().map(|t| t.actor_id).filter(|a| a.0 != 0));
    Ok(RequestDetail {
        summary: summary(&row, dir, &names),
        template_version: row.template_version,
        allowed: allowed(actor, dir, &row, &def),
        require_reject_comment: def.settings.require_reject_comment,
        form: def.form,
        values: row.values.clone(),
        state: row.state.clone(),
        timeline,
        people: people(dir, ids),
    })
}

/// One request.
#[utoipa::path(get, path = "/api/v1/approvals/requests/{id}", tag = "approvals",
    params(("id" = String, Path)), responses((status = 200, body = RequestDetail), (status = 404, body = ErrorBody)))]
pub async fn get_request(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Id>,
) -> ApiResult<Json<RequestDetail>> {
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    detail_for(&state, &actor, &dir, id.0).await.map(Json)
}

enum Bind {
    I(i64),
    S(String),
}

/// Builds the WHERE clause of a request query; shared by the list and the export.
pub struct RequestFilter {
    sql: String,
    binds: Vec<Bind>,
}

impl RequestFilter {
    fn push(&mut self, cond: &str, bind: Bind) {
        self.binds.push(bind);
        let n = self.binds.len();
        self.sql.push_str(" AND ");
        self.sql.push_str(&cond.replace("$?", &format!("${n}")));
    }
    fn push_in(&mut self, column: &str, ids: &[i64]) {
        if ids.is_empty() {
            self.sql.push_str(" AND 1 = 0");
            return;
        }
        let mut parts = Vec::with_capacity(ids.len());
        for id in ids {
            self.binds.push(Bind::I(*id));
            parts.push(format!("${}", self.binds.len()));
        }
        self.sql
            .push_str(&format!(" AND {column} IN ({})", parts.join(", ")));
    }

    #[allow(clippy::too_many_arguments)]
    pub fn new(
        actor: &Actor,
        dir: &OrgDirectory,
        r#box: RequestBox,
        status: Option<&str>,
        template_id: Option<Id>,
        from: Option<i64>,
        to: Option<i64>,
        department_id: Option<Id>,
        q: Option<&str>,
    ) -> ApiResult<Self> {
        let join = match r#box {
            RequestBox::Waiting => " JOIN approval_request_people p ON p.request_id = r.id AND p.member_id = $1 AND p.awaiting = 1",
            RequestBox::Handled => " JOIN approval_request_people p ON p.request_id = r.id AND p.member_id = $1 AND p.handled = 1",
            RequestBox::Cc => " JOIN approval_request_people p ON p.request_id = r.id AND p.member_id = $1 AND p.is_cc = 1",
            RequestBox::Mine | RequestBox::All => "",
        };
        let mut f = RequestFilter {
            sql: format!("FROM approval_requests r{join} WHERE "),
            binds: vec![],
        };
        match r#box {
            RequestBox::Mine => {
                f.binds.push(Bind::I(actor.member_id));
                f.sql.push_str("r.applicant_id = $1");
            }
            RequestBox::Waiting | RequestBox::Handled | RequestBox::Cc => {
                f.binds.push(Bind::I(actor.member_id));
                f.sql.push_str("1 = 1");
            }
            RequestBox::All => {
                actor.require_admin()?;
                f.binds.push(Bind::I(actor.org_id));
                f.sql.push_str("r.org_id = $1");
                if let Some(depts) = admin_departments(actor, dir) {
                    f.push_in("r.department_id", &depts);
                }
            }
        }
        f.push("r.org_id = $?", Bind::I(actor.org_id));
        if let Some(s) = status.filter(|s| !s.is_empty()) {
            let s = RequestStatus::parse(s).ok_or_else(|| {
                ApiError::invalid("status", "status must be pending, approved, rejected, withdrawn or withdrawn_after_approval.")
            })?;
            f.push("r.status = $?", Bind::S(s.as_str().into()));
        }
        if let Some(t) = template_id {
            f.push("r.template_id = $?", Bind::I(t.0));
        }
        if let Some(from) = from {
            f.push("r.created_at >= $?", Bind::I(from));
        }
        if let Some(to) = to {
            f.push("r.created_at < $?", Bind::I(to));
        }
        if let Some(d) = department_id {
            if dir.tree.get(d.0).is_none() {
                return Err(ApiError::invalid("department_id", "No such department."));
            }
            f.push_in("r.department_id", &dir.tree.subtree(d.0));
        }
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            if q.chars().count() > 50 {
                return Err(ApiError::invalid("q", "Search for at most 50 characters."));
            }
            let viewer = dir.viewer(actor.member_id, actor.role);
            let applicants: Vec<i64> = dir.search(&viewer, q, 200).iter().map(|m| m.id.0).collect();
            let escaped = q
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            f.binds.push(Bind::S(format!("%{escaped}%")));
            let n = f.binds.len();
            let mut cond =
                format!(" AND (r.sp_no LIKE ${n} ESCAPE '\\' OR r.summary LIKE ${n} ESCAPE '\\'");
            for a in applicants {
                f.binds.push(Bind::I(a));
                cond.push_str(&format!(" OR r.applicant_id = ${}", f.binds.len()));
            }
            cond.push(')');
            f.sql.push_str(&cond);
        }
        Ok(f)
    }

    pub async fn fetch(
        &self,
        conn: &mut AnyConnection,
        before: Option<i64>,
        limit: usize,
    ) -> ApiResult<Vec<RequestRow>> {
        let mut sql = format!("SELECT {REQUEST_COLUMNS} {}", self.sql);
        if let Some(b) = before {
            sql.push_str(&format!(" AND r.id < {b}"));
        }
        sql.push_str(&format!(" ORDER BY r.id DESC LIMIT {limit}"));
        let mut query = sqlx::query(&sql);
        for b in &self.binds {
            query = match b {
                Bind::I(i) => query.bind(*i),
                Bind::S(s) => query.bind(s.clone()),
            };
        }
        let rows = query.fetch_all(&mut *conn).await?;
        rows.iter().map(store::request_from_row).collect()
    }
}

/// Requests in one of the caller's boxes, newest first.
#[utoipa::path(get, path = "/api/v1/approvals/requests", tag = "approvals", params(RequestQuery),
    responses((status = 200, body = RequestList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_requests(
    State(state): State<AppState>,
    actor: Actor,
    QueryParams(q): QueryParams<RequestQuery>,
) -> ApiResult<Json<RequestList>> {
    let page = crate::pagination::PageQuery {
        cursor: q.cursor.clone(),
        limit: q.limit,
    };
    let limit = page.limit(30, 100)?;
    let before = page.cursor()?.map(|c| c.0);
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let filter = RequestFilter::new(
        &actor,
        &dir,
        q.r#box,
        q.status.as_deref(),
        q.template_id,
        q.from,
        q.to,
        q.department_id,
        q.q.as_deref(),
    )?;
    let mut conn = state.db.reader().acquire().await?;
    let mut rows = filter.fetch(&mut conn, before, limit + 1).await?;
    let next_cursor = (rows.len() > limit).then(|| {
        rows.truncate(limit);
        Cursor(rows[limit - 1].id).encode()
    });
    let names = template_names(&mut conn, actor.org_id).await?;
    let items = rows.iter().map(|r| summary(r, &dir, &names)).collect();
    Ok(Json(RequestList { items, next_cursor }))
}

/// Badge counts: requests waiting for the caller, and the caller's own pending ones.
#[utoipa::path(get, path = "/api/v1/approvals/counts", tag = "approvals", responses((status = 200, body = Counts)))]
pub async fn counts(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Counts>> {
    let waiting: i64 = sqlx::query("SELECT COUNT(*) FROM approval_request_people WHERE member_id = $1 AND org_id = $2 AND awaiting = 1")
        .bind(actor.member_id)
        .bind(actor.org_id)
        .fetch_one(state.db.reader())
        .await?
        .try_get(0)?;
    let mine_pending: i64 = sqlx::query("SELECT COUNT(*) FROM approval_requests WHERE applicant_id = $1 AND org_id = $2 AND status = 'pending'")
        .bind(actor.member_id)
        .bind(actor.org_id)
        .fetch_one(state.db.reader())
        .await?
        .try_get(0)?;
    Ok(Json(Counts {
        waiting,
        mine_pending,
    }))
}
