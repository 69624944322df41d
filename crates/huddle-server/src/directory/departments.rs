//! Department endpoints: browse the tree, create, rename, move, reorder, restrict, delete.

use super::model::{Department, DepartmentList, Visibility, VisibilityMode};
use super::validate;
use super::write::DirectoryWrite;
use crate::accounts::actor::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody, QueryParams};
use crate::ids::{now_ms, Id};
use crate::pagination::{Cursor, PageQuery};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use sqlx::Row;
use utoipa::ToSchema;

/// How deep departments may nest, the root counting as level 1.
const MAX_DEPTH: usize = 15;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDepartment {
    pub name: String,
    pub parent_id: Id,
    /// Position among the new siblings (0 = first); default last.
    pub order: Option<i64>,
    #[serde(default)]
    pub leader_ids: Vec<Id>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateDepartment {
    pub name: Option<String>,
    /// Move under another department.
    pub parent_id: Option<Id>,
    /// Position among siblings (0 = first); siblings are renumbered.
    pub order: Option<i64>,
    /// Leaders; each must be a member of the department.
    pub leader_ids: Option<Vec<Id>>,
    pub visibility: Option<Visibility>,
}

/// List the departments visible to the caller (the client builds the tree from `parent_id`).
#[utoipa::path(get, path = "/api/v1/departments", tag = "directory", params(PageQuery),
    responses((status = 200, body = DepartmentList), (status = 401, body = ErrorBody)))]
pub async fn list_departments(
    State(state): State<AppState>,
    actor: Actor,
    QueryParams(page): QueryParams<PageQuery>,
) -> ApiResult<Json<DepartmentList>> {
    let limit = page.limit(1000, 5000)?;
    let after = page.cursor()?.map(|c| c.0).unwrap_or(0);
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let viewer = dir.viewer(actor.member_id, actor.role);
    let visible = dir.tree.visible_departments(&viewer);
    let mut items: Vec<Department> = dir
        .departments
        .iter()
        .filter(|d| d.id.0 > after && visible.contains(d.id.0))
        .take(limit + 1)
        .cloned()
        .collect();
    let next_cursor = (items.len() > limit).then(|| {
        items.truncate(limit);
        Cursor(items[limit - 1].id.0).encode()
    });
    Ok(Json(DepartmentList { items, next_cursor }))
}

/// One department.
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "directory",
    params(("id" = String, Path, description = "Department id")),
    responses((status = 200, body = Department), (status = 404, body = ErrorBody)))]
pub async fn get_department(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Department>> {
    let id = path_id(&id)?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let viewer = dir.viewer(actor.member_id, actor.role);
    if !dir.tree.visible_departments(&viewer).contains(id) {
        return Err(ApiError::not_found("Department"));
    }
    dir.department(id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("Department"))
}

pub fn path_id(raw: &str) -> ApiResult<i64> {
    crate::ids::parse_id(raw).ok_or_else(|| ApiError::not_found("Record"))
}

async fn sibling_name_taken(
    w: &mut DirectoryWrite,
    org_id: i64,
    parent: i64,
    name: &str,
    except: i64,
) -> ApiResult<()> {
    let taken = sqlx::query(
        "SELECT id FROM departments WHERE org_id = $1 AND parent_id = $2 AND name = $3 AND id <> $4",
    )
    .bind(org_id)
    .bind(parent)
    .bind(name)
    .bind(except)
    .fetch_optional(&mut *w.tx)
    .await?
    .is_some();
    if taken {
        return Err(ApiError::conflict(
            "department_name_taken",
            format!(
                "A department named “{name}” already exists at this level; choose another name."
            ),
        ));
    }
    Ok(())
}

/// Places `dept` at `position` among the children of `parent` and renumbers them 0..n.
async fn place_among_siblings(
    w: &mut DirectoryWrite,
    parent: i64,
    dept: i64,
    position: Option<i64>,
) -> ApiResult<()> {
    let mut siblings: Vec<i64> = w
        .tree
        .children
        .get(&parent)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| *d != dept)
        .collect();
    let at = position
        .map(|p| p.clamp(0, siblings.len() as i64) as usize)
        .unwrap_or(siblings.len());
    siblings.insert(at, dept);
    for (i, id) in siblings.iter().enumerate() {
        sqlx::query("UPDATE departments SET sort_order = $1 WHERE id = $2")
            .bind(i as i64)
            .bind(*id)
            .execute(&mut *w.tx)
            .await?;
    }
    Ok(())
}

async fn set_leaders(
    w: &mut DirectoryWrite,
    org_id: i64,
    dept: i64,
    leaders: &[Id],
) -> ApiResult<()> {
    for leader in leaders {
        let is_member = sqlx::query(
            "SELECT member_id FROM member_departments WHERE org_id = $1 AND member_id = $2 AND department_id = $3",
        )
        .bind(org_id)
        .bind(leader.0)
        .bind(dept)
        .fetch_optional(&mut *w.tx)
        .await?
        .is_some();
        if !is_member {
            return Err(ApiError::invalid(
                "leader_ids",
                "Every leader must be a member of the department; add them to it first.",
            ));
        }
    }
    sqlx::query(
        "UPDATE member_departments SET is_leader = 0 WHERE org_id = $1 AND department_id = $2",
    )
    .bind(org_id)
    .bind(dept)
    .execute(&mut *w.tx)
    .await?;
    for leader in leaders {
        sqlx::query(
            "UPDATE member_departments SET is_leader = 1 WHERE org_id = $1 AND department_id = $2 AND member_id = $3",
        )
        .bind(org_id)
        .bind(dept)
        .bind(leader.0)
        .execute(&mut *w.tx)
        .await?;
    }
    Ok(())
}

fn check_visibility(w: &DirectoryWrite, v: &Visibility) -> ApiResult<()> {
    if v.mode != VisibilityMode::Listed && !v.department_ids.is_empty() {
        return Err(ApiError::invalid(
            "visibility",
            "department_ids can only be given with mode \"listed\".",
        ));
    }
    if v.department_ids.len() > 200 {
        return Err(ApiError::invalid(
            "visibility",
            "At most 200 departments can be listed.",
        ));
    }
    let visible = w.tree.visible_departments(&w.viewer);
    for d in &v.department_ids {
        if w.tree.get(d.0).is_none() || !visible.contains(d.0) {
            return Err(ApiError::invalid(
                "visibility",
                format!("Department {d} in the visibility list does not exist."),
            ));
        }
    }
    Ok(())
}

async fn fresh(state: &AppState, actor: &Actor, id: i64) -> ApiResult<Json<Department>> {
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    dir.department(id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("Department"))
}

/// Create a department (administrators of the parent).
#[utoipa::path(post, path = "/api/v1/departments", tag = "directory", request_body = CreateDepartment,
    responses((status = 201, body = Department), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_department(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<CreateDepartment>,
) -> ApiResult<(StatusCode, Json<Department>)> {
    validate::department_name(&body.name).map_err(|m| ApiError::invalid("name", m))?;
    let name = body.name.trim().to_string();
    let mut w = DirectoryWrite::begin(&state, &actor).await?;
    let parent = w
        .department(body.parent_id)
        .map_err(|_| ApiError::invalid("parent_id", "The parent department does not exist."))?
        .id;
    w.require_manages(parent)?;
    if w.tree.ancestors_or_self(parent).len() >= MAX_DEPTH {
        return Err(ApiError::invalid(
            "parent_id",
            "Departments can be nested at most 15 levels deep.",
        ));
    }
    sibling_name_taken(&mut w, actor.org_id, parent, &name, 0).await?;
    let id = state.ids.next();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO departments (id, org_id, parent_id, name, sort_order, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5)",
    )
    .bind(id)
    .bind(actor.org_id)
    .bind(parent)
    .bind(&name)
    .bind(now)
    .execute(&mut *w.tx)
    .await?;
    place_among_siblings(&mut w, parent, id, body.order).await?;
    if !body.leader_ids.is_empty() {
        set_leaders(&mut w, actor.org_id, id, &body.leader_ids).await?;
    }
    w.finish(
        &state,
        &actor,
        "department.create",
        ("department", id),
        serde_json::json!({ "name": name, "parent_id": Id(parent) }),
    )
    .await?;
    Ok((StatusCode::CREATED, fresh(&state, &actor, id).await?))
}

/// Rename, move (cycle-checked), reorder, set leaders or visibility.
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "directory", request_body = UpdateDepartment,
    params(("id" = String, Path, description = "Department id")),
    responses((status = 200, body = Department), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_department(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateDepartment>,
) -> ApiResult<Json<Department>> {
    let id = path_id(&id)?;
    if let Some(name) = &body.name {
        validate::department_name(name).map_err(|m| ApiError::invalid("name", m))?;
    }
    let mut w = DirectoryWrite::begin(&state, &actor).await?;
    let current = w.department(Id(id))?.clone();
    w.require_manages(id)?;
    let mut detail = serde_json::Map::new();
    let new_parent = match body.parent_id {
        Some(p) if Some(p.0) != current.parent => {
            let Some(old_parent) = current.parent else {
                return Err(ApiError::invalid(
                    "parent_id",
                    "The root department cannot be moved.",
                ));
            };
            let target = w
                .department(p)
                .map_err(|_| {
                    ApiError::invalid("parent_id", "The target department does not exist.")
                })?
                .id;
            w.require_manages(target)?;
            w.require_manages(old_parent)?;
            if w.tree.move_creates_cycle(id, target) {
                return Err(ApiError::conflict(
                    "department_cycle",
                    "A department cannot be moved under itself or one of its own sub-departments.",
                ));
            }
            let subtree_height = w
                .tree
                .subtree(id)
                .iter()
                .map(|d| w.tree.ancestors_or_self(*d).len() - w.tree.ancestors_or_self(id).len())
                .max()
                .unwrap_or(0);
            if w.tree.ancestors_or_self(target).len() + 1 + subtree_height > MAX_DEPTH {
                return Err(ApiError::invalid(
                    "parent_id",
                    "Departments can be nested at most 15 levels deep; this move would go deeper.",
                ));
            }
            detail.insert("moved_from".into(), serde_json::json!(Id(old_parent)));
            detail.insert("moved_to".into(), serde_json::json!(p));
            Some(target)
        }
        _ => None,
    };
    let parent = new_parent.or(current.parent);
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .unwrap_or(&current.name)
        .to_string();
    if let Some(parent) = parent {
        if body.name.is_some() || new_parent.is_some() {
            sibling_name_taken(&mut w, actor.org_id, parent, &name, id).await?;
        }
    }
    if let Some(v) = &body.visibility {
        check_visibility(&w, v)?;
        detail.insert(
            "visibility".into(),
            serde_json::to_value(v).unwrap_or_default(),
        );
    }
    sqlx::query(
        "UPDATE departments SET name = $1, parent_id = $2, visibility_mode = COALESCE($3, visibility_mode), \
         visibility_departments = COALESCE($4, visibility_departments), updated_at = $5 WHERE id = $6 AND org_id = $7",
    )
    .bind(&name)
    .bind(parent)
    .bind(body.visibility.as_ref().map(|v| v.mode.as_str()))
    .bind(body.visibility.as_ref().map(|v| serde_json::to_string(&v.department_ids).unwrap_or_default()))
    .bind(now_ms())
    .bind(id)
    .bind(actor.org_id)
    .execute(&mut *w.tx)
    .await?;
    if let Some(parent) = parent {
        if new_parent.is_some() || body.order.is_some() {
            place_among_siblings(&mut w, parent, id, body.order).await?;
        }
    }
    if let Some(leaders) = &body.leader_ids {
        set_leaders(&mut w, actor.org_id, id, leaders).await?;
        detail.insert("leader_ids".into(), serde_json::json!(leaders));
    }
    if body.name.is_some() {
        detail.insert("name".into(), serde_json::json!(name));
    }
    let action = if new_parent.is_some() {
        "department.move"
    } else {
        "department.update"
    };
    w.finish(&state, &actor, action, ("department", id), detail.into())
        .await?;
    fresh(&state, &actor, id).await
}

/// Delete an empty department.
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "directory",
    params(("id" = String, Path, description = "Department id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub async fn delete_department(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id)?;
    let mut w = DirectoryWrite::begin(&state, &actor).await?;
    let current = w.department(Id(id))?.clone();
    w.require_manages(id)?;
    if current.parent.is_none() {
        return Err(ApiError::conflict(
            "department_is_root",
            "The root department cannot be deleted.",
        ));
    }
    if w.tree.children.get(&id).is_some_and(|c| !c.is_empty()) {
        return Err(ApiError::conflict(
            "department_not_empty",
            format!(
                "“{}” still has sub-departments; move or delete them first.",
                current.name
            ),
        ));
    }
    let members: i64 = sqlx::query(
        "SELECT COUNT(*) FROM member_departments WHERE org_id = $1 AND department_id = $2",
    )
    .bind(actor.org_id)
    .bind(id)
    .fetch_one(&mut *w.tx)
    .await?
    .try_get(0)?;
    if members > 0 {
        return Err(ApiError::conflict(
            "department_not_empty",
            format!(
                "“{}” still has {members} member(s); move them to another department first.",
                current.name
            ),
        ));
    }
    for sql in [
        "DELETE FROM admin_scopes WHERE org_id = $1 AND department_id = $2",
        "DELETE FROM departments WHERE org_id = $1 AND id = $2",
    ] {
        sqlx::query(sql)
            .bind(actor.org_id)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
    }
    w.finish(
        &state,
        &actor,
        "department.delete",
        ("department", id),
        serde_json::json!({ "name": current.name }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
