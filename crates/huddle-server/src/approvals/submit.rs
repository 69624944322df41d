//! Filing requests: preview (validate and show the flow), submit, and drafts.

use super::lang::Lang;
use super::model::{Draft, Preview, RequestDetail, SubmitRequest};
use super::people::{people, OrgView};
use super::store::{self, RequestRow};
use super::templates::can_file;
use super::{leave, notify, setup, view};
use crate::accounts::actor::Actor;
use crate::directory::snapshot::OrgDirectory;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::ids::{now_ms, Id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use huddle_approvals::flow::{self, ResolveError, SubmitContext};
use huddle_approvals::form::{
    self, Control, FieldError, FormSchema, FormValues, ValidationContext, Value,
};
use huddle_approvals::leave::LeaveType;
use huddle_approvals::request;
use sqlx::{AnyConnection, Row};

pub fn form_error(e: FieldError, lang: Lang) -> ApiError {
    let field = match (e.row, &e.column) {
        (Some(row), Some(col)) => format!("values.{}.{row}.{col}", e.control_id),
        _ => format!("values.{}", e.control_id),
    };
    ApiError::invalid(field, lang.pick(&e.message, &e.message_zh))
}

fn resolve_error(e: ResolveError, lang: Lang) -> ApiError {
    match e {
        ResolveError::ChoiceMissing { node_id } => ApiError::invalid(
            format!("chosen.{node_id}"),
            lang.pick("Choose the approvers for this step before submitting.", "提交前请为该环节选择审批人。"),
        ),
        ResolveError::ChoiceInvalid { node_id } => ApiError::invalid(
            format!("chosen.{node_id}"),
            lang.pick(
                "The people chosen for this step are not valid (one person only, or someone who has left).",
                "该环节选择的人员无效（只能选一人，或有人已离职）。",
            ),
        ),
    }
}

fn collect_refs(v: &Value, members: &mut Vec<Id>, depts: &mut Vec<Id>, files: &mut Vec<Id>) {
    match v {
        Value::Contact {
            member_ids,
            department_ids,
        } => {
            members.extend(member_ids);
            depts.extend(department_ids);
        }
        Value::Attachment { file_ids } => files.extend(file_ids),
        Value::Table { rows, .. } => {
            for row in rows {
                for cell in row.values() {
                    collect_refs(cell, members, depts, files);
                }
            }
        }
        _ => {}
    }
}

/// Checks that members, departments and files the values name exist for the applicant;
/// returns the files to link to the request.
pub async fn check_refs(
    conn: &mut AnyConnection,
    dir: &OrgDirectory,
    actor: &Actor,
    values: &FormValues,
    lang: Lang,
) -> ApiResult<Vec<Id>> {
    let (org_id, member) = (actor.org_id, actor.member_id);
    // Only people and departments the applicant can see in the directory may be named.
    let viewer = dir.viewer(actor.member_id, actor.role);
    let visible = dir.tree.visible_departments(&viewer);
    let (mut members, mut depts, mut files) = (vec![], vec![], vec![]);
    let mut bad: Option<String> = None;
    for (id, v) in values {
        let before = (members.len(), depts.len());
        collect_refs(v, &mut members, &mut depts, &mut files);
        let new_members_ok = members[before.0..].iter().all(|m| {
            dir.member(m.0)
                .is_some_and(|x| dir.can_see_member(&viewer, &visible, x))
        });
        let new_depts_ok = depts[before.1..]
            .iter()
            .all(|d| dir.tree.get(d.0).is_some() && visible.contains(d.0));
        if bad.is_none() && !(new_members_ok && new_depts_ok) {
            bad = Some(id.clone());
        }
    }
    if let Some(id) = bad {
        return Err(ApiError::invalid(
            format!("values.{id}"),
            lang.pick(
                "A member or department chosen here is not in the directory.",
                "所选的成员或部门不在通讯录中。",
            ),
        ));
    }
    files.sort();
    files.dedup();
    check_files(conn, org_id, member, &files, lang).await?;
    Ok(files)
}

/// Every file must be one the member may read (usually their own upload).
pub async fn check_files(
    conn: &mut AnyConnection,
    org_id: i64,
    member: i64,
    files: &[Id],
    lang: Lang,
) -> ApiResult<()> {
    if files.len() > 50 {
        return Err(ApiError::invalid(
            "file_ids",
            lang.pick("At most 50 attachments.", "附件最多 50 个。"),
        ));
    }
    for f in files {
        let row = sqlx::query("SELECT uploader_id FROM files WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(f.0)
            .fetch_optional(&mut *conn)
            .await?;
        let mine = match row {
            Some(r) => r.try_get::<i64, _>(0)? == member,
            None => false,
        };
        if !mine {
            return Err(ApiError::invalid(
                "file_ids",
                lang.pick(
                    "An attachment was not found; upload it again.",
                    "找不到附件，请重新上传。",
                ),
            ));
        }
    }
    Ok(())
}

/// A value as text, with a leave type's name instead of its key.
pub fn show(control: &Control, value: &Value, leave_types: &[LeaveType]) -> String {
    let text = form::display_value(control, value);
    if let Value::Leave { leave_type, .. } = value {
        if let Some(t) = leave_types.iter().find(|t| &t.key == leave_type) {
            if let Some(rest) = text.strip_prefix(leave_type.as_str()) {
                return format!("{}{rest}", t.name.zh);
            }
        }
    }
    text
}

/// A line about the request for lists and notifications: the first filled values, in Chinese.
pub fn summarize(form: &FormSchema, values: &FormValues, leave_types: &[LeaveType]) -> String {
    let parts: Vec<String> = form
        .controls
        .iter()
        .filter(|c| {
            !matches!(
                c.kind,
                form::ControlKind::Attachment
                    | form::ControlKind::Description { .. }
                    | form::ControlKind::Table { .. }
            )
        })
        .filter_map(|c: &Control| values.get(&c.id).map(|v| show(c, v, leave_types)))
        .filter(|s| !s.trim().is_empty())
        .take(2)
        .collect();
    let mut line = parts.join(" · ");
    if line.chars().count() > 120 {
        line = line.chars().take(119).collect::<String>() + "…";
    }
    line
}

fn validation_context(types: Vec<huddle_approvals::leave::LeaveType>) -> ValidationContext {
    ValidationContext { leave_types: types }
}

/// Check a form being filled in and show the flow it would take (who approves, what must be
/// chosen). Empty required controls are not an error here; values that are filled must be valid.
#[utoipa::path(post, path = "/api/v1/approvals/preview", tag = "approvals", request_body = SubmitRequest,
    responses((status = 200, body = Preview), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    JsonBody(body): JsonBody<SubmitRequest>,
) -> ApiResult<Json<Preview>> {
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let mut conn = state.db.reader().acquire().await?;
    let t = fileable(&mut conn, &dir, &actor, body.template_id.0, lang).await?;
    let types = store::leave_types(&mut conn, actor.org_id).await?;
    // A form being filled in is previewed as far as it goes: empty required controls are not
    // an error here (submit checks them), so the flow shows from the start.
    let mut lenient = t.definition.form.clone();
    for c in &mut lenient.controls {
        c.required = false;
    }
    let values = form::validate(&lenient, &body.values, &validation_context(types))
        .map_err(|e| form_error(e, lang))?;
    let roles = store::roles(&mut conn, actor.org_id).await?;
    let view = OrgView {
        dir: &dir,
        roles: &roles,
    };
    let applicant = Id(actor.member_id);
    let choices_needed = flow::choices_needed(&t.definition.flow, &view, applicant, &values);
    let steps = match flow::resolve(
        &t.definition.flow,
        &view,
        &SubmitContext {
            applicant,
            values: &values,
            chosen: &body.chosen,
        },
    ) {
        Ok(f) => Some(f.steps),
        Err(ResolveError::ChoiceMissing { .. }) => None,
        Err(e) => return Err(resolve_error(e, lang)),
    };
    let ids = steps
        .iter()
        .flatten()
        .flat_map(|s| s.members.iter().copied())
        .chain([applicant]);
    Ok(Json(Preview {
        people: people(&dir, ids),
        values,
        choices_needed,
        steps,
    }))
}

async fn fileable(
    conn: &mut AnyConnection,
    dir: &OrgDirectory,
    actor: &Actor,
    template_id: i64,
    lang: Lang,
) -> ApiResult<store::TemplateRow> {
    let t = store::template(conn, actor.org_id, template_id).await?;
    if !t.enabled {
        return Err(ApiError::conflict(
            "template_disabled",
            lang.pick(
                "This approval template is switched off; ask your administrator.",
                "该审批模板已停用，请联系管理员。",
            ),
        ));
    }
    if !can_file(dir, &t.definition, actor.member_id) {
        return Err(ApiError::forbidden(lang.pick(
            "You are not among the people who may file this template.",
            "你不在该审批模板的可提交范围内。",
        )));
    }
    Ok(t)
}

/// File a request. The flow is resolved to people now and kept with the request; later template
/// changes do not affect it.
#[utoipa::path(post, path = "/api/v1/approvals/requests", tag = "approvals", request_body = SubmitRequest,
    responses((status = 200, body = RequestDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    JsonBody(body): JsonBody<SubmitRequest>,
) -> ApiResult<Json<RequestDetail>> {
    if let Some(c) = &body.client_request_id {
        if c.is_empty() || c.len() > 64 {
            return Err(ApiError::invalid(
                "client_request_id",
                "client_request_id must be 1 to 64 characters.",
            ));
        }
    }
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let mut tx = state.db.begin().await?;
    setup::ensure(&mut tx, &state.ids, actor.org_id, actor.member_id).await?;
    if let Some(c) = &body.client_request_id {
        let existing = sqlx::query(
            "SELECT id FROM approval_requests WHERE applicant_id = $1 AND client_request_id = $2",
        )
        .bind(actor.member_id)
        .bind(c)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = existing {
            let id: i64 = r.try_get(0)?;
            tx.commit().await?;
            return view::detail_for(&state, &actor, &dir, id).await.map(Json);
        }
    }
    let t = fileable(&mut tx, &dir, &actor, body.template_id.0, lang).await?;
    let def = &t.definition;
    let types = store::leave_types(&mut tx, actor.org_id).await?;
    let values = form::validate(&def.form, &body.values, &validation_context(types.clone()))
        .map_err(|e| form_error(e, lang))?;
    let files = check_refs(&mut tx, &dir, &actor, &values, lang).await?;
    let roles = store::roles(&mut tx, actor.org_id).await?;
    let applicant = Id(actor.member_id);
    let resolved = flow::resolve(
        &def.flow,
        &OrgView {
            dir: &dir,
            roles: &roles,
        },
        &SubmitContext {
            applicant,
            values: &values,
            chosen: &body.chosen,
        },
    )
    .map_err(|e| resolve_error(e, lang))?;
    let (flow_state, effects) = request::start(applicant, &resolved);
    let id = state.ids.next();
    let now = now_ms();
    let day = chrono::Utc::now().format("%Y%m%d").to_string();
    let sp_no = store::next_sp_no(&mut tx, actor.org_id, &day).await?;
    let department_id = dir
        .member(actor.member_id)
        .and_then(|m| {
            m.main_department_id
                .or_else(|| m.department_ids.first().copied())
        })
        .map(|d| d.0);
    let row = RequestRow {
        id,
        org_id: actor.org_id,
        sp_no,
        template_id: t.id,
        template_version: t.version,
        applicant_id: actor.member_id,
        department_id,
        status: flow_state.status,
        summary: summarize(&def.form, &values, &types),
        values,
        state: flow_state,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO approval_requests (id, org_id, sp_no, template_id, template_version, applicant_id, department_id, status, \
         summary, form_values, state, version, client_request_id, created_at, updated_at, finished_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)",
    )
    .bind(row.id)
    .bind(row.org_id)
    .bind(&row.sp_no)
    .bind(row.template_id)
    .bind(row.template_version)
    .bind(row.applicant_id)
    .bind(row.department_id)
    .bind(row.status.as_str())
    .bind(&row.summary)
    .bind(serde_json::to_string(&row.values).map_err(anyhow::Error::from)?)
    .bind(serde_json::to_string(&row.state).map_err(anyhow::Error::from)?)
    .bind(row.version)
    .bind(body.client_request_id.as_deref())
    .bind(now)
    .bind(row.status.is_final().then_some(now))
    .execute(&mut *tx)
    .await?;
    if let Some(ask) = leave::leave_in(&row.values, &types) {
        leave::hold(
            &mut tx,
            state.db.backend,
            &state.ids,
            &dir,
            actor.org_id,
            actor.member_id,
            id,
            &ask,
            lang,
        )
        .await?;
    }
    store::link_files(&mut tx, id, &files).await?;
    store::write_people(&mut tx, &row).await?;
    store::add_event(
        &mut tx,
        state.ids.next(),
        actor.org_id,
        id,
        actor.member_id,
        "submitted",
        serde_json::json!({}),
        now,
    )
    .await?;
    if row.status.is_final() {
        leave::settle(&mut tx, &state.ids, &row, &types, row.status).await?;
        store::add_event(
            &mut tx,
            state.ids.next(),
            actor.org_id,
            id,
            0,
            "finished",
            serde_json::json!({"status": row.status}),
            now,
        )
        .await?;
    }
    sqlx::query("DELETE FROM approval_drafts WHERE member_id = $1 AND template_id = $2")
        .bind(actor.member_id)
        .bind(t.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    notify::after_change(&state, &dir, &row, &def.name.zh, &effects, actor.member_id).await;
    view::detail_for(&state, &actor, &dir, id).await.map(Json)
}

/// The caller's draft for a template (empty values when there is none).
#[utoipa::path(get, path = "/api/v1/approvals/drafts/{template_id}", tag = "approvals",
    params(("template_id" = String, Path)), responses((status = 200, body = Draft)))]
pub async fn get_draft(
    State(state): State<AppState>,
    actor: Actor,
    Path(template_id): Path<Id>,
) -> ApiResult<Json<Draft>> {
    let row = sqlx::query("SELECT form_values, updated_at FROM approval_drafts WHERE member_id = $1 AND template_id = $2 AND org_id = $3")
        .bind(actor.member_id)
        .bind(template_id.0)
        .bind(actor.org_id)
        .fetch_optional(state.db.reader())
        .await?;
    Ok(Json(match row {
        Some(r) => Draft {
            values: serde_json::from_str(&r.try_get::<String, _>(0)?).unwrap_or_default(),
            updated_at: r.try_get(1)?,
        },
        None => Draft {
            values: Default::default(),
            updated_at: 0,
        },
    }))
}

/// Save the caller's draft for a template (unvalidated; checked when submitted).
#[utoipa::path(put, path = "/api/v1/approvals/drafts/{template_id}", tag = "approvals", request_body = Draft,
    params(("template_id" = String, Path)),
    responses((status = 200, body = Draft), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_draft(
    State(state): State<AppState>,
    actor: Actor,
    Path(template_id): Path<Id>,
    JsonBody(body): JsonBody<Draft>,
) -> ApiResult<Json<Draft>> {
    let text = serde_json::to_string(&body.values).map_err(anyhow::Error::from)?;
    if text.len() > 256 * 1024 {
        return Err(ApiError::invalid(
            "values",
            "A draft can be at most 256 KB.",
        ));
    }
    let mut tx = state.db.begin().await?;
    store::template(&mut tx, actor.org_id, template_id.0).await?;
    let now = now_ms();
    sqlx::query(
        "INSERT INTO approval_drafts (member_id, template_id, org_id, form_values, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (member_id, template_id) DO UPDATE SET form_values = $4, updated_at = $5",
    )
    .bind(actor.member_id)
    .bind(template_id.0)
    .bind(actor.org_id)
    .bind(text)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Json(Draft {
        values: body.values,
        updated_at: now,
    }))
}

/// Discard the caller's draft for a template.
#[utoipa::path(delete, path = "/api/v1/approvals/drafts/{template_id}", tag = "approvals",
    params(("template_id" = String, Path)), responses((status = 204)))]
pub async fn delete_draft(
    State(state): State<AppState>,
    actor: Actor,
    Path(template_id): Path<Id>,
) -> ApiResult<axum::http::StatusCode> {
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "DELETE FROM approval_drafts WHERE member_id = $1 AND template_id = $2 AND org_id = $3",
    )
    .bind(actor.member_id)
    .bind(template_id.0)
    .bind(actor.org_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
