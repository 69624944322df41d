//! Approval rows: reading and writing templates, roles, settings and requests.

use super::model::{ApprovalRole, Template, TemplateDefinition};
use crate::error::{ApiError, ApiResult};
use crate::ids::Id;
use huddle_approvals::form::FormValues;
use huddle_approvals::leave::LeaveType;
use huddle_approvals::request::{RequestState, RequestStatus};
use sqlx::{AnyConnection, Row};

fn corrupt(what: &str, e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "stored approval {what} cannot be read");
    ApiError::internal()
}

pub async fn leave_types(conn: &mut AnyConnection, org_id: i64) -> ApiResult<Vec<LeaveType>> {
    let row = sqlx::query("SELECT leave_types FROM approval_settings WHERE org_id = $1")
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => {
            serde_json::from_str(&r.try_get::<String, _>(0)?).map_err(|e| corrupt("leave types", e))
        }
        None => Ok(super::setup::default_leave_types()),
    }
}

pub async fn roles(conn: &mut AnyConnection, org_id: i64) -> ApiResult<Vec<ApprovalRole>> {
    let rows = sqlx::query(
        "SELECT id, name, member_ids FROM approval_roles WHERE org_id = $1 ORDER BY id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApprovalRole {
                id: Id(r.try_get(0)?),
                name: r.try_get(1)?,
                member_ids: serde_json::from_str(&r.try_get::<String, _>(2)?)
                    .map_err(|e| corrupt("role", e))?,
            })
        })
        .collect()
}

/// A template's row and the definition of its current version.
pub struct TemplateRow {
    pub id: i64,
    pub builtin: Option<String>,
    pub version: i64,
    pub enabled: bool,
    pub definition: TemplateDefinition,
    pub updated_at: i64,
}

impl TemplateRow {
    pub fn into_api(self, can_file: bool) -> Template {
        Template {
            id: Id(self.id),
            version: self.version,
            builtin: self.builtin,
            enabled: self.enabled,
            definition: self.definition,
            updated_at: self.updated_at,
            can_file,
        }
    }
}

const TEMPLATE_SELECT: &str =
    "SELECT t.id, t.builtin, t.current_version, t.enabled, t.updated_at, v.definition \
     FROM approval_templates t JOIN approval_template_versions v \
     ON v.template_id = t.id AND v.version = t.current_version \
     WHERE t.org_id = $1 AND t.deleted = 0";

fn template_from_row(r: &sqlx::any::AnyRow) -> ApiResult<TemplateRow> {
    Ok(TemplateRow {
        id: r.try_get(0)?,
        builtin: r.try_get(1)?,
        version: r.try_get(2)?,
        enabled: r.try_get::<i64, _>(3)? != 0,
        updated_at: r.try_get(4)?,
        definition: serde_json::from_str(&r.try_get::<String, _>(5)?)
            .map_err(|e| corrupt("template", e))?,
    })
}

pub async fn templates(conn: &mut AnyConnection, org_id: i64) -> ApiResult<Vec<TemplateRow>> {
    let rows = sqlx::query(&format!("{TEMPLATE_SELECT} ORDER BY t.id"))
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(template_from_row).collect()
}

pub async fn template(conn: &mut AnyConnection, org_id: i64, id: i64) -> ApiResult<TemplateRow> {
    let row = sqlx::query(&format!("{TEMPLATE_SELECT} AND t.id = $2"))
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| ApiError::not_found("Approval template"))?;
    template_from_row(&row)
}

/// One stored version of a template (requests keep the version they were filed with).
pub async fn template_version(
    conn: &mut AnyConnection,
    org_id: i64,
    template_id: i64,
    version: i64,
) -> ApiResult<TemplateDefinition> {
    let row = sqlx::query(
        "SELECT definition FROM approval_template_versions WHERE org_id = $1 AND template_id = $2 AND version = $3",
    )
    .bind(org_id)
    .bind(template_id)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| ApiError::not_found("Approval template version"))?;
    serde_json::from_str(&row.try_get::<String, _>(0)?).map_err(|e| corrupt("template version", e))
}

/// A request row with its decoded values and flow state.
#[derive(Clone, Debug)]
pub struct RequestRow {
    pub id: i64,
    pub org_id: i64,
    pub sp_no: String,
    pub template_id: i64,
    pub template_version: i64,
    pub applicant_id: i64,
    pub department_id: Option<i64>,
    pub status: RequestStatus,
    pub summary: String,
    pub values: FormValues,
    pub state: RequestState,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub const REQUEST_COLUMNS: &str = "r.id, r.org_id, r.sp_no, r.template_id, r.template_version, r.applicant_id, \
     r.department_id, r.status, r.summary, r.form_values, r.state, r.version, r.created_at, r.updated_at";

pub fn request_from_row(r: &sqlx::any::AnyRow) -> ApiResult<RequestRow> {
    Ok(RequestRow {
        id: r.try_get(0)?,
        org_id: r.try_get(1)?,
        sp_no: r.try_get(2)?,
        template_id: r.try_get(3)?,
        template_version: r.try_get(4)?,
        applicant_id: r.try_get(5)?,
        department_id: r.try_get(6)?,
        status: RequestStatus::parse(&r.try_get::<String, _>(7)?)
            .ok_or_else(|| corrupt("status", "unknown status"))?,
        summary: r.try_get(8)?,
        values: serde_json::from_str(&r.try_get::<String, _>(9)?)
            .map_err(|e| corrupt("values", e))?,
        state: serde_json::from_str(&r.try_get::<String, _>(10)?)
            .map_err(|e| corrupt("state", e))?,
        version: r.try_get(11)?,
        created_at: r.try_get(12)?,
        updated_at: r.try_get(13)?,
    })
}

pub async fn request(conn: &mut AnyConnection, org_id: i64, id: i64) -> ApiResult<RequestRow> {
    let row = sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM approval_requests r WHERE r.org_id = $1 AND r.id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| ApiError::not_found("Approval request"))?;
    request_from_row(&row)
}

/// Rewrites who takes part in a request and who must act now, from its state.
pub async fn write_people(conn: &mut AnyConnection, req: &RequestRow) -> ApiResult<()> {
    use huddle_approvals::flow::StepKind;
    use huddle_approvals::request::{Decision, StepStatus};
    use std::collections::BTreeMap;
    // member → (approver, cc, awaiting, handled)
    let mut people: BTreeMap<i64, (bool, bool, bool, bool)> = BTreeMap::new();
    let awaiting = huddle_approvals::request::awaiting(&req.state);
    for step in &req.state.steps {
        let reached = !matches!(step.status, StepStatus::Waiting | StepStatus::Cancelled);
        for a in &step.approvers {
            let e = people.entry(a.member_id.0).or_default();
            match step.kind {
                StepKind::Approve => {
                    if reached || a.decision != Decision::Pending {
                        e.0 = true;
                    }
                    if !matches!(a.decision, Decision::Pending | Decision::NotNeeded) {
                        e.3 = true;
                    }
                }
                StepKind::Cc => {
                    if step.status == StepStatus::Notified {
                        e.1 = true;
                    }
                }
            }
        }
    }
    for id in &awaiting {
        people.entry(id.0).or_default().2 = true;
    }
    sqlx::query("DELETE FROM approval_request_people WHERE request_id = $1")
        .bind(req.id)
        .execute(&mut *conn)
        .await?;
    for (member, (approver, cc, waiting, handled)) in people {
        if !(approver || cc || waiting || handled) {
            continue;
        }
        sqlx::query(
            "INSERT INTO approval_request_people (request_id, member_id, org_id, is_approver, is_cc, awaiting, handled) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(req.id)
        .bind(member)
        .bind(req.org_id)
        .bind(i64::from(approver))
        .bind(i64::from(cc))
        .bind(i64::from(waiting))
        .bind(i64::from(handled))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Whether `member` takes part in the request (approver reached, CC'd, or handled it).
pub async fn takes_part(conn: &mut AnyConnection, request_id: i64, member: i64) -> ApiResult<bool> {
    Ok(sqlx::query(
        "SELECT 1 FROM approval_request_people WHERE request_id = $1 AND member_id = $2",
    )
    .bind(request_id)
    .bind(member)
    .fetch_optional(&mut *conn)
    .await?
    .is_some())
}

/// Appends to a request's timeline.
#[allow(clippy::too_many_arguments)]
pub async fn add_event(
    conn: &mut AnyConnection,
    id: i64,
    org_id: i64,
    request_id: i64,
    actor_id: i64,
    kind: &str,
    data: serde_json::Value,
    now: i64,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO approval_events (id, org_id, request_id, actor_id, kind, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(org_id)
    .bind(request_id)
    .bind(actor_id)
    .bind(kind)
    .bind(data.to_string())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The next request number of the day for the organization, e.g. `202612010007`.
pub async fn next_sp_no(conn: &mut AnyConnection, org_id: i64, day: &str) -> ApiResult<String> {
    let n: i64 = sqlx::query(
        "INSERT INTO approval_counters (org_id, day, n) VALUES ($1, $2, 1) \
         ON CONFLICT (org_id, day) DO UPDATE SET n = approval_counters.n + 1 RETURNING n",
    )
    .bind(org_id)
    .bind(day)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    Ok(format!("{day}{n:04}"))
}

/// Records that files belong to a request (form, decision or comment attachments), which makes
/// them readable by the request's audience.
pub async fn link_files(conn: &mut AnyConnection, request_id: i64, files: &[Id]) -> ApiResult<()> {
    for f in files {
        sqlx::query(
            "INSERT INTO approval_file_refs (file_id, request_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(f.0)
        .bind(request_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
