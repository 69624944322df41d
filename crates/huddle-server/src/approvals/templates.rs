//! Templates (super administrators design them; members file them) and approval roles.

use super::lang::Lang;
use super::model::{
    ApprovalRole, ApprovalRoleList, ApprovalRoleWrite, Template, TemplateDefinition,
    TemplateEnabled, TemplateList, TemplateQuery,
};
use super::people::in_departments;
use super::{setup, store};
use crate::accounts::actor::Actor;
use crate::directory::snapshot::OrgDirectory;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody, QueryParams};
use crate::ids::{now_ms, Id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use huddle_approvals::flow::{ApproverSource, Condition, FlowNode};

pub const ICONS: [&str; 10] = [
    "leave", "expense", "trip", "outing", "punch", "overtime", "purchase", "general", "seal", "car",
];

/// Whether `member` may file a template with this definition.
pub fn can_file(dir: &OrgDirectory, def: &TemplateDefinition, member: i64) -> bool {
    def.scope.is_everyone()
        || def.scope.member_ids.iter().any(|m| m.0 == member)
        || in_departments(dir, Id(member), &def.scope.department_ids)
}

fn walk_nodes<'a>(nodes: &'a [FlowNode], out: &mut Vec<&'a FlowNode>) {
    for n in nodes {
        out.push(n);
        if let FlowNode::Branch {
            branches, default, ..
        } = n
        {
            for b in branches {
                walk_nodes(&b.nodes, out);
            }
            walk_nodes(default, out);
        }
    }
}

/// Checks a definition before it is saved: the engine's rules for form and flow, then that every
/// member, department and role it names exists in this organization.
fn check_definition(
    def: &TemplateDefinition,
    dir: &OrgDirectory,
    roles: &[ApprovalRole],
    lang: Lang,
) -> ApiResult<()> {
    let name = def.name.zh.trim();
    if name.is_empty() || name.chars().count() > 30 || def.name.en.chars().count() > 60 {
        return Err(ApiError::invalid(
            "name",
            lang.pick(
                "A template needs a name of 1 to 30 characters (English at most 60).",
                "模板名称需 1 到 30 个字（英文名最多 60 个字符）。",
            ),
        ));
    }
    if !def.icon.is_empty() && !ICONS.contains(&def.icon.as_str()) {
        return Err(ApiError::invalid(
            "icon",
            lang.pick(
                &format!("Unknown icon; use one of: {}.", ICONS.join(", ")),
                &format!("图标无效，可选：{}。", ICONS.join("、")),
            ),
        ));
    }
    if def.group.chars().count() > 20 || def.description.chars().count() > 500 {
        return Err(ApiError::invalid(
            "group",
            lang.pick(
                "The group is at most 20 characters and the description at most 500.",
                "分组最多 20 个字，说明最多 500 个字。",
            ),
        ));
    }
    if def.form.controls.is_empty() || def.form.controls.len() > 100 {
        return Err(ApiError::invalid(
            "form",
            lang.pick(
                "A form needs 1 to 100 controls.",
                "表单需要 1 到 100 个控件。",
            ),
        ));
    }
    huddle_approvals::form::check_schema(&def.form).map_err(|e| {
        ApiError::invalid(
            e.control_id
                .map(|c| format!("form.{c}"))
                .unwrap_or_else(|| "form".into()),
            lang.pick(&e.message, &e.message_zh),
        )
    })?;
    huddle_approvals::flow::check_flow(&def.flow, &def.form).map_err(|e| {
        ApiError::invalid(
            e.node_id
                .map(|n| format!("flow.{n}"))
                .unwrap_or_else(|| "flow".into()),
            lang.pick(&e.message, &e.message_zh),
        )
    })?;
    let member_ok = |id: &Id| dir.member(id.0).is_some();
    let dept_ok = |id: &Id| dir.tree.get(id.0).is_some();
    if !def.scope.member_ids.iter().all(member_ok) || !def.scope.department_ids.iter().all(dept_ok)
    {
        return Err(ApiError::invalid(
            "scope",
            lang.pick(
                "Who may file this template names a member or department that does not exist.",
                "可提交范围中有不存在的成员或部门。",
            ),
        ));
    }
    let mut nodes = Vec::new();
    walk_nodes(&def.flow.nodes, &mut nodes);
    for node in nodes {
        let (id, source) = match node {
            FlowNode::Approver { id, source, .. } | FlowNode::Cc { id, source, .. } => {
                (id, Some(source))
            }
            FlowNode::Branch { id, branches, .. } => {
                for b in branches {
                    for c in &b.conditions {
                        if let Condition::ApplicantDepartment { department_ids } = c {
                            if !department_ids.iter().all(dept_ok) {
                                return Err(ApiError::invalid(
                                    format!("flow.{id}"),
                                    lang.pick(
                                        "A branch condition names a department that does not exist.",
                                        "条件分支中有不存在的部门。",
                                    ),
                                ));
                            }
                        }
                    }
                }
                (id, None)
            }
        };
        match source {
            Some(ApproverSource::Members { member_ids }) if !member_ids.iter().all(member_ok) => {
                return Err(ApiError::invalid(
                    format!("flow.{id}"),
                    lang.pick(
                        "This step names a member who is not in the directory.",
                        "该环节指定的成员不在通讯录中。",
                    ),
                ));
            }
            Some(ApproverSource::Role { role_id }) if !roles.iter().any(|r| r.id == *role_id) => {
                return Err(ApiError::invalid(
                    format!("flow.{id}"),
                    lang.pick(
                        "This step uses an approval role that does not exist.",
                        "该环节使用的审批角色不存在。",
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Templates the caller may file (administrators with `all=true`: every template).
#[utoipa::path(get, path = "/api/v1/approvals/templates", tag = "approvals", params(TemplateQuery),
    responses((status = 200, body = TemplateList)))]
pub async fn list_templates(
    State(state): State<AppState>,
    actor: Actor,
    QueryParams(q): QueryParams<TemplateQuery>,
) -> ApiResult<Json<TemplateList>> {
    setup::ensure_ready(&state, actor.org_id, actor.member_id).await?;
    let rows = store::templates(&mut *state.db.reader().acquire().await?, actor.org_id).await?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let all = q.all && actor.is_admin();
    let items = rows
        .into_iter()
        .filter_map(|t| {
            let can = t.enabled && can_file(&dir, &t.definition, actor.member_id);
            (all || can).then(|| t.into_api(can))
        })
        .collect();
    Ok(Json(TemplateList { items }))
}

/// One template (its current version).
#[utoipa::path(get, path = "/api/v1/approvals/templates/{id}", tag = "approvals",
    params(("id" = String, Path)), responses((status = 200, body = Template), (status = 404, body = ErrorBody)))]
pub async fn get_template(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Id>,
) -> ApiResult<Json<Template>> {
    let mut conn = state.db.reader().acquire().await?;
    let t = store::template(&mut conn, actor.org_id, id.0).await?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let can = t.enabled && can_file(&dir, &t.definition, actor.member_id);
    if !can && !actor.is_admin() {
        return Err(ApiError::not_found("Approval template"));
    }
    Ok(Json(t.into_api(can)))
}

/// Create a template (super administrators).
#[utoipa::path(post, path = "/api/v1/approvals/templates", tag = "approvals", request_body = TemplateDefinition,
    responses((status = 200, body = Template), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_template(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    JsonBody(def): JsonBody<TemplateDefinition>,
) -> ApiResult<Json<Template>> {
    actor.require_super_admin()?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let mut tx = state.db.begin().await?;
    setup::ensure(&mut tx, &state.ids, actor.org_id, actor.member_id).await?;
    let roles = store::roles(&mut tx, actor.org_id).await?;
    check_definition(&def, &dir, &roles, lang)?;
    let id = state.ids.next();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO approval_templates (id, org_id, builtin, current_version, enabled, deleted, created_at, updated_at) \
         VALUES ($1, $2, NULL, 1, 1, 0, $3, $3)",
    )
    .bind(id)
    .bind(actor.org_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    insert_version(&mut tx, id, 1, actor.org_id, &def, actor.member_id, now).await?;
    crate::audit::record(
        &mut tx,
        &state,
        &actor,
        "approvals.template.create",
        "approval_template",
        Some(id),
        serde_json::json!({"name": def.name.zh}),
    )
    .await?;
    let t = store::template(&mut tx, actor.org_id, id).await?;
    tx.commit().await?;
    Ok(Json(t.into_api(can_file(&dir, &def, actor.member_id))))
}

async fn insert_version(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    version: i64,
    org_id: i64,
    def: &TemplateDefinition,
    actor: i64,
    now: i64,
) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO approval_template_versions (template_id, version, org_id, definition, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(version)
    .bind(org_id)
    .bind(serde_json::to_string(def).map_err(anyhow::Error::from)?)
    .bind(actor)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Save a new version of a template (super administrators). Requests already filed keep the
/// version they were filed with.
#[utoipa::path(put, path = "/api/v1/approvals/templates/{id}", tag = "approvals", request_body = TemplateDefinition,
    params(("id" = String, Path)),
    responses((status = 200, body = Template), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_template(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<Id>,
    JsonBody(def): JsonBody<TemplateDefinition>,
) -> ApiResult<Json<Template>> {
    actor.require_super_admin()?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let mut tx = state.db.begin().await?;
    let old = store::template(&mut tx, actor.org_id, id.0).await?;
    let roles = store::roles(&mut tx, actor.org_id).await?;
    check_definition(&def, &dir, &roles, lang)?;
    if def == old.definition {
        tx.commit().await?;
        return Ok(Json(old.into_api(can_file(&dir, &def, actor.member_id))));
    }
    let now = now_ms();
    let version = old.version + 1;
    // The version check makes a concurrent save of the same template fail instead of forking.
    let moved = sqlx::query(
        "UPDATE approval_templates SET current_version = $1, updated_at = $2 WHERE id = $3 AND org_id = $4 AND current_version = $5",
    )
    .bind(version)
    .bind(now)
    .bind(id.0)
    .bind(actor.org_id)
    .bind(old.version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved != 1 {
        return Err(ApiError::conflict(
            "template_changed",
            "Someone else saved this template just now; reload it and apply your changes again.",
        ));
    }
    insert_version(
        &mut tx,
        id.0,
        version,
        actor.org_id,
        &def,
        actor.member_id,
        now,
    )
    .await?;
    crate::audit::record(
        &mut tx,
        &state,
        &actor,
        "approvals.template.update",
        "approval_template",
        Some(id.0),
        serde_json::json!({"name": def.name.zh, "version": version}),
    )
    .await?;
    let t = store::template(&mut tx, actor.org_id, id.0).await?;
    tx.commit().await?;
    Ok(Json(t.into_api(can_file(&dir, &def, actor.member_id))))
}

/// Switch a template on or off (super administrators). Requests in flight continue.
#[utoipa::path(post, path = "/api/v1/approvals/templates/{id}/enabled", tag = "approvals", request_body = TemplateEnabled,
    params(("id" = String, Path)),
    responses((status = 200, body = Template), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_template_enabled(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Id>,
    JsonBody(body): JsonBody<TemplateEnabled>,
) -> ApiResult<Json<Template>> {
    actor.require_super_admin()?;
    let mut tx = state.db.begin().await?;
    store::template(&mut tx, actor.org_id, id.0).await?;
    sqlx::query(
        "UPDATE approval_templates SET enabled = $1, updated_at = $2 WHERE id = $3 AND org_id = $4",
    )
    .bind(i64::from(body.enabled))
    .bind(now_ms())
    .bind(id.0)
    .bind(actor.org_id)
    .execute(&mut *tx)
    .await?;
    crate::audit::record(
        &mut tx,
        &state,
        &actor,
        "approvals.template.enabled",
        "approval_template",
        Some(id.0),
        serde_json::json!({"enabled": body.enabled}),
    )
    .await?;
    let t = store::template(&mut tx, actor.org_id, id.0).await?;
    tx.commit().await?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let can = t.enabled && can_file(&dir, &t.definition, actor.member_id);
    Ok(Json(t.into_api(can)))
}

/// Delete a template (super administrators). Its requests stay readable.
#[utoipa::path(delete, path = "/api/v1/approvals/templates/{id}", tag = "approvals",
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_template(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Id>,
) -> ApiResult<axum::http::StatusCode> {
    actor.require_super_admin()?;
    let mut tx = state.db.begin().await?;
    store::template(&mut tx, actor.org_id, id.0).await?;
    sqlx::query("UPDATE approval_templates SET deleted = 1, enabled = 0, updated_at = $1 WHERE id = $2 AND org_id = $3")
        .bind(now_ms())
        .bind(id.0)
        .bind(actor.org_id)
        .execute(&mut *tx)
        .await?;
    crate::audit::record(
        &mut tx,
        &state,
        &actor,
        "approvals.template.delete",
        "approval_template",
        Some(id.0),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

fn check_role(body: &ApprovalRoleWrite, dir: &OrgDirectory) -> ApiResult<()> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 30 {
        return Err(ApiError::invalid(
            "name",
            "A role needs a name of 1 to 30 characters.",
        ));
    }
    if body.member_ids.is_empty() || body.member_ids.len() > 500 {
        return Err(ApiError::invalid(
            "member_ids",
            "A role needs 1 to 500 members.",
        ));
    }
    if !body.member_ids.iter().all(|m| dir.member(m.0).is_some()) {
        return Err(ApiError::invalid(
            "member_ids",
            "A member of the role is not in the directory.",
        ));
    }
    Ok(())
}

/// Approval roles (e.g. HR, Finance) that flow steps can name.
#[utoipa::path(get, path = "/api/v1/approvals/roles", tag = "approvals", responses((status = 200, body = ApprovalRoleList)))]
pub async fn list_roles(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<ApprovalRoleList>> {
    let mut conn = state.db.reader().acquire().await?;
    Ok(Json(ApprovalRoleList {
        items: store::roles(&mut conn, actor.org_id).await?,
    }))
}

/// Create an approval role (super administrators).
#[utoipa::path(post, path = "/api/v1/approvals/roles", tag = "approvals", request_body = ApprovalRoleWrite,
    responses((status = 200, body = ApprovalRole), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_role(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<ApprovalRoleWrite>,
) -> ApiResult<Json<ApprovalRole>> {
    actor.require_super_admin()?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    check_role(&body, &dir)?;
    let id = state.ids.next();
    let now = now_ms();
    let mut tx = state.db.begin().await?;
    sqlx::query("INSERT INTO approval_roles (id, org_id, name, member_ids, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .bind(id)
        .bind(actor.org_id)
        .bind(body.name.trim())
        .bind(serde_json::to_string(&body.member_ids).unwrap_or_default())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    crate::audit::record(
        &mut tx,
        &state,
        &actor,
        "approvals.role.create",
        "approval_role",
        Some(id),
        serde_json::json!({"name": body.name.trim()}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(ApprovalRole {
        id: Id(id),
        name: body.name.trim().to_string(),
        member_ids: body.member_ids,
    }))
}

/// Change an approval role (super administrators). Requests in flight keep the people resolved at submit.
#[utoipa::path(put, path = "/api/v1/approvals/roles/{id}", tag = "approvals", request_body = ApprovalRoleWrite,
    params(("id" = String, Path)),
    responses((status = 200, body = ApprovalRole), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_role(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Id>,
    JsonBody(body): JsonBody<ApprovalRoleWrite>,
) -> ApiResult<Json<ApprovalRole>> {
    actor.require_super_admin()?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    check_role(&body, &dir)?;
    let mut tx = state.db.begin().await?;
    let changed = sqlx::query("UPDATE approval_roles SET name = $1, member_ids = $2, updated_at = $3 WHERE id = $4 AND org_id = $5")
        .bind(body.name.trim())
        .bind(serde_json::to_string(&body.member_ids).unwrap_or_default())
        .bind(now_ms())
        .bind(id.0)
        .bind(actor.org_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(ApiError::not_found("Approval role"));
    }
    crate::audit::record(
        &mut tx,
        &state,
        &actor,
        "approvals.role.update",
        "approval_role",
        Some(id.0),
        serde_json::json!({"name": body.name.trim()}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(ApprovalRole {
        id,
        name: body.name.trim().to_string(),
        member_ids: body.member_ids,
    }))
}

/// Delete an approval role (super administrators); refused while a template's current version uses it.
#[utoipa::path(delete, path = "/api/v1/approvals/roles/{id}", tag = "approvals",
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_role(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Id>,
) -> ApiResult<axum::http::StatusCode> {
    actor.require_super_admin()?;
    let mut tx = state.db.begin().await?;
    for t in store::templates(&mut tx, actor.org_id).await? {
        let mut nodes = Vec::new();
        walk_nodes(&t.definition.flow.nodes, &mut nodes);
        let uses = nodes.iter().any(|n| {
            matches!(n,
            FlowNode::Approver { source: ApproverSource::Role { role_id }, .. }
            | FlowNode::Cc { source: ApproverSource::Role { role_id }, .. } if *role_id == id)
        });
        if uses {
            return Err(ApiError::conflict(
                "role_in_use",
                format!(
                    "The template \"{}\" uses this role; change its flow first.",
                    t.definition.name.zh
                ),
            ));
        }
    }
    let gone = sqlx::query("DELETE FROM approval_roles WHERE id = $1 AND org_id = $2")
        .bind(id.0)
        .bind(actor.org_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(ApiError::not_found("Approval role"));
    }
    crate::audit::record(
        &mut tx,
        &state,
        &actor,
        "approvals.role.delete",
        "approval_role",
        Some(id.0),
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
