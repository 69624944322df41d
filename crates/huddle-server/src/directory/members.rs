//! Member endpoints: browse, profile, create, edit, change status, reset password, delete.

use super::departments::path_id;
use super::model::{Member, MemberList, MemberStatus, Role};
use super::validate;
use super::write::{member_department_ids, DirectoryWrite};
use crate::accounts::actor::Actor;
use crate::accounts::{password, session};
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody, QueryParams};
use crate::ids::{now_ms, Id};
use crate::pagination::{Cursor, PageQuery};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Deserializer};
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

/// Distinguishes an absent field (keep) from `null` (clear).
fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMember {
    pub name: String,
    pub employee_id: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub position: Option<String>,
    /// At least one department.
    pub department_ids: Vec<Id>,
    /// One of `department_ids`; default the first.
    pub main_department_id: Option<Id>,
    pub manager_id: Option<Id>,
    pub join_date: Option<String>,
    pub avatar_url: Option<String>,
    /// Initial password; without one the member cannot sign in until an administrator sets it.
    pub password: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    pub name: Option<String>,
    pub employee_id: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub position: Option<Option<String>>,
    pub department_ids: Option<Vec<Id>>,
    pub main_department_id: Option<Id>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Id>)]
    pub manager_id: Option<Option<Id>>,
    pub status: Option<MemberStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub join_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub leave_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub avatar_url: Option<Option<String>>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MemberFilter {
    /// Only members of this department.
    pub department_id: Option<String>,
    /// Include members of sub-departments too (with `department_id`).
    pub recursive: Option<bool>,
    /// `active`, `disabled` or `departed`; default `active` (administrators may ask for any).
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// Browse members visible to the caller, ordered by id.
#[utoipa::path(get, path = "/api/v1/members", tag = "directory", params(MemberFilter),
    responses((status = 200, body = MemberList), (status = 422, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    actor: Actor,
    QueryParams(f): QueryParams<MemberFilter>,
) -> ApiResult<Json<MemberList>> {
    let page = PageQuery {
        cursor: f.cursor.clone(),
        limit: f.limit,
    };
    let limit = page.limit(100, 1000)?;
    let after = page.cursor()?.map(|c| c.0).unwrap_or(0);
    let status = match f.status.as_deref() {
        None | Some("") => Some(MemberStatus::Active),
        Some("all") if actor.is_admin() => None,
        Some(s @ ("active" | "disabled" | "departed")) => {
            let st = MemberStatus::parse(s);
            if st != MemberStatus::Active && !actor.is_admin() {
                return Err(ApiError::forbidden(
                    "Only administrators can list disabled or departed members.",
                ));
            }
            Some(st)
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "status",
                "status must be active, disabled, departed or all.",
            ))
        }
    };
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let viewer = dir.viewer(actor.member_id, actor.role);
    let visible = dir.tree.visible_departments(&viewer);
    let dept_filter: Option<Vec<i64>> = match f.department_id.as_deref() {
        None | Some("") => None,
        Some(raw) => {
            let d = crate::ids::parse_id(raw)
                .filter(|d| dir.tree.get(*d).is_some() && visible.contains(*d))
                .ok_or_else(|| ApiError::not_found("Department"))?;
            Some(if f.recursive.unwrap_or(false) {
                dir.tree.subtree(d)
            } else {
                vec![d]
            })
        }
    };
    let mut items: Vec<Member> = Vec::new();
    let start = dir.members.partition_point(|m| m.id.0 <= after);
    for m in &dir.members[start..] {
        if status.is_some_and(|s| s != m.status) {
            continue;
        }
        if let Some(depts) = &dept_filter {
            if !m.department_ids.iter().any(|d| depts.contains(&d.0)) {
                continue;
            }
        }
        if !dir.can_see_member(&viewer, &visible, m) {
            continue;
        }
        items.push(dir.view_member(&viewer, &visible, m));
        if items.len() > limit {
            break;
        }
    }
    let next_cursor = (items.len() > limit).then(|| {
        items.truncate(limit);
        Cursor(items[limit - 1].id.0).encode()
    });
    Ok(Json(MemberList { items, next_cursor }))
}

/// One member's profile, if visible to the caller.
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "directory",
    params(("id" = String, Path, description = "Member id")),
    responses((status = 200, body = Member), (status = 404, body = ErrorBody)))]
pub async fn get_member(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Member>> {
    let id = path_id(&id)?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let viewer = dir.viewer(actor.member_id, actor.role);
    let visible = dir.tree.visible_departments(&viewer);
    dir.member(id)
        .filter(|m| dir.can_see_member(&viewer, &visible, m))
        .filter(|m| {
            m.status == MemberStatus::Active || actor.is_admin() || m.id.0 == actor.member_id
        })
        .map(|m| Json(dir.view_member(&viewer, &visible, m)))
        .ok_or_else(|| ApiError::not_found("Member"))
}

fn trimmed(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn check_optional(
    value: &Option<String>,
    field: &'static str,
    rule: fn(&str) -> validate::Check,
) -> ApiResult<Option<String>> {
    let v = trimmed(value);
    if let Some(v) = &v {
        rule(v).map_err(|m| ApiError::invalid(field, m))?;
    }
    Ok(v)
}

/// Login names are unique per organization across employee ID, phone and email.
/// Sign-in names are unique per organization across employee ID, phone and email together:
/// sign-in matches any of the three.
async fn ensure_unique(
    w: &mut DirectoryWrite,
    org_id: i64,
    member: i64,
    field: &'static str,
    value: &str,
) -> ApiResult<()> {
    let taken = sqlx::query(
        "SELECT id FROM members WHERE org_id = $1 AND id <> $3 \
         AND (employee_id = $2 OR phone = $2 OR email = lower($2))",
    )
    .bind(org_id)
    .bind(value)
    .bind(member)
    .fetch_optional(&mut *w.tx)
    .await?
    .is_some();
    if taken {
        return Err(ApiError {
            field: Some(field.into()),
            ..ApiError::conflict(
                "already_exists",
                format!(
                    "{value} is already used by another member (as employee ID, phone or email)."
                ),
            )
        });
    }
    Ok(())
}

async fn check_manager(
    w: &mut DirectoryWrite,
    org_id: i64,
    member: i64,
    manager: Id,
) -> ApiResult<()> {
    if manager.0 == member {
        return Err(ApiError::invalid(
            "manager_id",
            "A member cannot be their own manager.",
        ));
    }
    // A manager the administrator cannot see is answered like one that does not exist.
    let manager_depts = member_department_ids(&mut w.tx, org_id, manager.0).await?;
    let visible = w.tree.visible_departments(&w.viewer);
    if !manager_depts.iter().any(|d| visible.contains(*d)) {
        return Err(ApiError::invalid(
            "manager_id",
            "The manager does not exist.",
        ));
    }
    // Walk up the manager chain: the new manager must not report (directly or not) to the member.
    let mut cur = Some(manager.0);
    let mut steps = 0;
    while let Some(m) = cur {
        let row = sqlx::query("SELECT manager_id FROM members WHERE org_id = $1 AND id = $2")
            .bind(org_id)
            .bind(m)
            .fetch_optional(&mut *w.tx)
            .await?;
        let Some(row) = row else {
            return Err(ApiError::invalid(
                "manager_id",
                "The manager does not exist.",
            ));
        };
        cur = row.try_get(0)?;
        steps += 1;
        if cur == Some(member) || steps > 64 {
            return Err(ApiError::invalid(
                "manager_id",
                "That manager reports to this member; choose someone else.",
            ));
        }
    }
    Ok(())
}

fn check_departments(w: &DirectoryWrite, depts: &[Id], main: Option<Id>) -> ApiResult<Id> {
    if depts.is_empty() {
        return Err(ApiError::invalid(
            "department_ids",
            "Choose at least one department.",
        ));
    }
    if depts.len() > 20 {
        return Err(ApiError::invalid(
            "department_ids",
            "A member can be in at most 20 departments.",
        ));
    }
    for d in depts {
        w.department(*d).map_err(|_| {
            ApiError::invalid("department_ids", format!("Department {d} does not exist."))
        })?;
        w.require_manages(d.0)?;
    }
    match main {
        Some(m) if !depts.contains(&m) => Err(ApiError::invalid(
            "main_department_id",
            "The main department must be one of the member's departments.",
        )),
        Some(m) => Ok(m),
        None => Ok(depts[0]),
    }
}

async fn write_departments(
    w: &mut DirectoryWrite,
    org_id: i64,
    member: i64,
    depts: &[Id],
) -> ApiResult<()> {
    // Leadership survives for departments the member stays in.
    let led: Vec<i64> = sqlx::query(
        "SELECT department_id FROM member_departments WHERE org_id = $1 AND member_id = $2 AND is_leader = 1",
    )
    .bind(org_id).bind(member).fetch_all(&mut *w.tx).await?
    .iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
    sqlx::query("DELETE FROM member_departments WHERE org_id = $1 AND member_id = $2")
        .bind(org_id)
        .bind(member)
        .execute(&mut *w.tx)
        .await?;
    let mut seen = Vec::new();
    for d in depts {
        if seen.contains(d) {
            continue;
        }
        seen.push(*d);
        sqlx::query("INSERT INTO member_departments (org_id, member_id, department_id, is_leader) VALUES ($1, $2, $3, $4)")
            .bind(org_id).bind(member).bind(d.0).bind(i64::from(led.contains(&d.0)))
            .execute(&mut *w.tx).await?;
    }
    Ok(())
}

async fn fresh(state: &AppState, actor: &Actor, id: i64) -> ApiResult<Json<Member>> {
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    dir.member(id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found("Member"))
}

/// Create a member in departments the caller administers.
#[utoipa::path(post, path = "/api/v1/members", tag = "directory", request_body = CreateMember,
    responses((status = 201, body = Member), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_member(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<CreateMember>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    validate::member_name(&body.name).map_err(|m| ApiError::invalid("name", m))?;
    validate::employee_id(body.employee_id.trim())
        .map_err(|m| ApiError::invalid("employee_id", m))?;
    let phone = check_optional(&body.phone, "phone", validate::phone)?;
    let email = check_optional(&body.email, "email", validate::email)?.map(|e| e.to_lowercase());
    let position = check_optional(&body.position, "position", validate::position)?;
    let join_date = check_optional(&body.join_date, "join_date", validate::date)?;
    let avatar = check_optional(&body.avatar_url, "avatar_url", validate::avatar_url)?;
    if let Some(p) = &body.password {
        password::check_strength(p).map_err(|m| ApiError::invalid("password", m))?;
    }
    let hash = match &body.password {
        Some(p) => Some(state.passwords.hash(p).await?),
        None => None,
    };
    let mut w = DirectoryWrite::begin(&state, &actor).await?;
    let main = check_departments(&w, &body.department_ids, body.main_department_id)?;
    let employee_id = body.employee_id.trim().to_string();
    ensure_unique(&mut w, actor.org_id, 0, "employee_id", &employee_id).await?;
    if let Some(p) = &phone {
        ensure_unique(&mut w, actor.org_id, 0, "phone", p).await?;
    }
    if let Some(e) = &email {
        ensure_unique(&mut w, actor.org_id, 0, "email", e).await?;
    }
    let id = state.ids.next();
    if let Some(m) = body.manager_id {
        check_manager(&mut w, actor.org_id, id, m).await?;
    }
    let now = now_ms();
    sqlx::query(
        "INSERT INTO members (id, org_id, name, employee_id, phone, email, position, main_department_id, \
         manager_id, status, join_date, avatar_url, role, password_hash, must_change_password, settings, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $11, 'member', $12, 0, '{}', $13, $13)",
    )
    .bind(id).bind(actor.org_id).bind(body.name.trim()).bind(&employee_id).bind(&phone).bind(&email)
    .bind(&position).bind(main.0).bind(body.manager_id.map(|m| m.0)).bind(&join_date).bind(&avatar)
    .bind(hash).bind(now)
    .execute(&mut *w.tx).await?;
    write_departments(&mut w, actor.org_id, id, &body.department_ids).await?;
    w.finish(
        &state,
        &actor,
        "member.create",
        ("member", id),
        serde_json::json!({ "name": body.name.trim(), "employee_id": employee_id }),
    )
    .await?;
    Ok((StatusCode::CREATED, fresh(&state, &actor, id).await?))
}

/// The target member's departments must all be administered by the caller, and only a super
/// administrator may change another super administrator.
async fn load_target(
    w: &mut DirectoryWrite,
    org_id: i64,
    id: i64,
) -> ApiResult<(Vec<i64>, Role, String)> {
    let row = sqlx::query("SELECT role, status FROM members WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(id)
        .fetch_optional(&mut *w.tx)
        .await?
        .ok_or_else(|| ApiError::not_found("Member"))?;
    let role = Role::parse(&row.try_get::<String, _>(0)?);
    let status: String = row.try_get(1)?;
    let depts = member_department_ids(&mut w.tx, org_id, id).await?;
    let visible = w.tree.visible_departments(&w.viewer);
    if !depts.iter().any(|d| visible.contains(*d)) && id != w.viewer.member_id {
        return Err(ApiError::not_found("Member"));
    }
    for d in &depts {
        w.require_manages(*d)?;
    }
    if role == Role::SuperAdmin && !w.is_super_admin() {
        return Err(ApiError::forbidden(
            "Only a super administrator can change a super administrator.",
        ));
    }
    if role == Role::Admin && !w.is_super_admin() && id != w.viewer.member_id {
        // A department administrator may not take over an administrator with a wider reach.
        let scopes: Vec<i64> = sqlx::query(
            "SELECT department_id FROM admin_scopes WHERE org_id = $1 AND member_id = $2",
        )
        .bind(org_id)
        .bind(id)
        .fetch_all(&mut *w.tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        if !scopes.iter().all(|d| w.tree.manages(&w.viewer, *d)) {
            return Err(ApiError::forbidden(
                "This administrator manages departments outside your reach; ask a super administrator.",
            ));
        }
    }
    Ok((depts, role, status))
}

/// Edit a member; disabling or marking departed ends all their sessions at once.
#[utoipa::path(patch, path = "/api/v1/members/{id}", tag = "directory", request_body = UpdateMember,
    params(("id" = String, Path, description = "Member id")),
    responses((status = 200, body = Member), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_member(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UpdateMember>,
) -> ApiResult<Json<Member>> {
    let id = path_id(&id)?;
    if let Some(n) = &body.name {
        validate::member_name(n).map_err(|m| ApiError::invalid("name", m))?;
    }
    if let Some(e) = &body.employee_id {
        validate::employee_id(e.trim()).map_err(|m| ApiError::invalid("employee_id", m))?;
    }
    let phone = body
        .phone
        .as_ref()
        .map(|v| check_optional(v, "phone", validate::phone))
        .transpose()?;
    let email = body
        .email
        .as_ref()
        .map(|v| check_optional(v, "email", validate::email))
        .transpose()?
        .map(|e| e.map(|e| e.to_lowercase()));
    let position = body
        .position
        .as_ref()
        .map(|v| check_optional(v, "position", validate::position))
        .transpose()?;
    let join_date = body
        .join_date
        .as_ref()
        .map(|v| check_optional(v, "join_date", validate::date))
        .transpose()?;
    let leave_date = body
        .leave_date
        .as_ref()
        .map(|v| check_optional(v, "leave_date", validate::date))
        .transpose()?;
    let avatar = body
        .avatar_url
        .as_ref()
        .map(|v| check_optional(v, "avatar_url", validate::avatar_url))
        .transpose()?;

    let mut w = DirectoryWrite::begin(&state, &actor).await?;
    let (current_depts, _role, current_status) = load_target(&mut w, actor.org_id, id).await?;
    if id == actor.member_id && body.status.is_some_and(|s| s != MemberStatus::Active) {
        return Err(ApiError::invalid(
            "status",
            "You cannot disable or mark yourself departed.",
        ));
    }
    let mut sets: Vec<(&str, Option<String>)> = Vec::new();
    if let Some(n) = &body.name {
        sets.push(("name", Some(n.trim().to_string())));
    }
    if let Some(e) = &body.employee_id {
        ensure_unique(&mut w, actor.org_id, id, "employee_id", e.trim()).await?;
        sets.push(("employee_id", Some(e.trim().to_string())));
    }
    if let Some(p) = phone {
        if let Some(p) = &p {
            ensure_unique(&mut w, actor.org_id, id, "phone", p).await?;
        }
        sets.push(("phone", p));
    }
    if let Some(e) = email {
        if let Some(e) = &e {
            ensure_unique(&mut w, actor.org_id, id, "email", e).await?;
        }
        sets.push(("email", e));
    }
    for (col, v) in [
        ("position", position),
        ("join_date", join_date),
        ("avatar_url", avatar),
    ] {
        if let Some(v) = v {
            sets.push((col, v));
        }
    }
    let mut leave = leave_date;
    let mut ends_sessions = false;
    if let Some(s) = body.status {
        if s != MemberStatus::Active && current_status == "active" {
            ends_sessions = true;
        }
        if s == MemberStatus::Departed && leave.is_none() {
            leave = Some(Some(today_utc()));
        }
        sets.push(("status", Some(s.as_str().to_string())));
    }
    if let Some(l) = leave {
        sets.push(("leave_date", l));
    }
    for (col, value) in &sets {
        // Column names come from the fixed list above, never from input.
        sqlx::query(&format!(
            "UPDATE members SET {col} = $1 WHERE org_id = $2 AND id = $3"
        ))
        .bind(value.clone())
        .bind(actor.org_id)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
    }
    if let Some(m) = body.manager_id {
        if let Some(m) = m {
            check_manager(&mut w, actor.org_id, id, m).await?;
        }
        sqlx::query("UPDATE members SET manager_id = $1 WHERE org_id = $2 AND id = $3")
            .bind(m.map(|m| m.0))
            .bind(actor.org_id)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
    }
    if body.department_ids.is_some() || body.main_department_id.is_some() {
        let depts = body
            .department_ids
            .clone()
            .unwrap_or_else(|| current_depts.iter().copied().map(Id).collect());
        let main = check_departments(&w, &depts, body.main_department_id)?;
        if body.department_ids.is_some() {
            write_departments(&mut w, actor.org_id, id, &depts).await?;
        }
        sqlx::query("UPDATE members SET main_department_id = $1 WHERE org_id = $2 AND id = $3")
            .bind(main.0)
            .bind(actor.org_id)
            .bind(id)
            .execute(&mut *w.tx)
            .await?;
    }
    sqlx::query("UPDATE members SET updated_at = $1 WHERE org_id = $2 AND id = $3")
        .bind(now_ms())
        .bind(actor.org_id)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
    if ends_sessions {
        session::revoke_all(&mut w.tx, actor.org_id, id, None).await?;
    }
    let changed: Vec<&str> = sets
        .iter()
        .map(|(c, _)| *c)
        .chain(body.manager_id.map(|_| "manager_id"))
        .chain(body.department_ids.as_ref().map(|_| "department_ids"))
        .collect();
    let action = match body.status {
        Some(MemberStatus::Disabled) => "member.disable",
        Some(MemberStatus::Departed) => "member.depart",
        _ => "member.update",
    };
    w.finish(
        &state,
        &actor,
        action,
        ("member", id),
        serde_json::json!({ "changed": changed }),
    )
    .await?;
    if ends_sessions {
        session::announce_ended(&state, actor.org_id, id, None, None);
    }
    fresh(&state, &actor, id).await
}

pub fn today_utc() -> String {
    let days = now_ms().div_euclid(86_400_000);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Remove a member entirely (their sessions end; reports' manager link is cleared).
#[utoipa::path(delete, path = "/api/v1/members/{id}", tag = "directory",
    params(("id" = String, Path, description = "Member id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_member(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id)?;
    let mut w = DirectoryWrite::begin(&state, &actor).await?;
    if id == actor.member_id {
        return Err(ApiError::invalid(
            "id",
            "You cannot delete your own account.",
        ));
    }
    load_target(&mut w, actor.org_id, id).await?;
    let name: String = sqlx::query("SELECT name FROM members WHERE org_id = $1 AND id = $2")
        .bind(actor.org_id)
        .bind(id)
        .fetch_one(&mut *w.tx)
        .await?
        .try_get(0)?;
    for sql in [
        "UPDATE members SET manager_id = NULL WHERE org_id = $1 AND manager_id = $2",
        "DELETE FROM sessions WHERE org_id = $1 AND member_id = $2",
        "DELETE FROM member_departments WHERE org_id = $1 AND member_id = $2",
        "DELETE FROM admin_scopes WHERE org_id = $1 AND member_id = $2",
        "DELETE FROM members WHERE org_id = $1 AND id = $2",
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
        "member.delete",
        ("member", id),
        serde_json::json!({ "name": name }),
    )
    .await?;
    session::announce_ended(&state, actor.org_id, id, None, None);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// A temporary password the member must change at next sign-in.
    pub password: String,
}

/// Set a temporary password; the member must change it at next sign-in and all their sessions end.
#[utoipa::path(post, path = "/api/v1/members/{id}/reset-password", tag = "directory", request_body = ResetPassword,
    params(("id" = String, Path, description = "Member id")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ResetPassword>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id)?;
    password::check_strength(&body.password).map_err(|m| ApiError::invalid("password", m))?;
    let hash = state.passwords.hash(&body.password).await?;
    let mut w = DirectoryWrite::begin(&state, &actor).await?;
    load_target(&mut w, actor.org_id, id).await?;
    sqlx::query("UPDATE members SET password_hash = $1, must_change_password = 1, updated_at = $2 WHERE org_id = $3 AND id = $4")
        .bind(hash).bind(now_ms()).bind(actor.org_id).bind(id).execute(&mut *w.tx).await?;
    session::revoke_all(&mut w.tx, actor.org_id, id, None).await?;
    w.finish(
        &state,
        &actor,
        "member.reset_password",
        ("member", id),
        serde_json::json!({}),
    )
    .await?;
    session::announce_ended(&state, actor.org_id, id, None, None);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRole {
    pub role: Role,
    /// With role `admin`: the departments (and their sub-departments) the member administers.
    #[serde(default)]
    pub managed_department_ids: Vec<Id>,
}

/// Make a member an administrator (limited to departments), a super administrator, or a member again.
#[utoipa::path(put, path = "/api/v1/members/{id}/role", tag = "directory", request_body = SetRole,
    params(("id" = String, Path, description = "Member id")),
    responses((status = 200, body = Member), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_role(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SetRole>,
) -> ApiResult<Json<Member>> {
    let id = path_id(&id)?;
    actor.require_super_admin()?;
    let mut w = DirectoryWrite::begin(&state, &actor).await?;
    let (_, current_role, _) = load_target(&mut w, actor.org_id, id).await?;
    if body.role == Role::Admin && body.managed_department_ids.is_empty() {
        return Err(ApiError::invalid(
            "managed_department_ids",
            "Choose the departments this administrator manages.",
        ));
    }
    if body.role != Role::Admin && !body.managed_department_ids.is_empty() {
        return Err(ApiError::invalid(
            "managed_department_ids",
            "Only role admin takes managed departments.",
        ));
    }
    for d in &body.managed_department_ids {
        w.department(*d).map_err(|_| {
            ApiError::invalid(
                "managed_department_ids",
                format!("Department {d} does not exist."),
            )
        })?;
    }
    if current_role == Role::SuperAdmin && body.role != Role::SuperAdmin {
        let supers: i64 = sqlx::query("SELECT COUNT(*) FROM members WHERE org_id = $1 AND role = 'super_admin' AND status = 'active'")
            .bind(actor.org_id).fetch_one(&mut *w.tx).await?.try_get(0)?;
        if supers <= 1 {
            return Err(ApiError::conflict(
                "last_super_admin",
                "The organization needs at least one super administrator; appoint another first.",
            ));
        }
    }
    sqlx::query("UPDATE members SET role = $1, updated_at = $2 WHERE org_id = $3 AND id = $4")
        .bind(body.role.as_str())
        .bind(now_ms())
        .bind(actor.org_id)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
    sqlx::query("DELETE FROM admin_scopes WHERE org_id = $1 AND member_id = $2")
        .bind(actor.org_id)
        .bind(id)
        .execute(&mut *w.tx)
        .await?;
    for d in &body.managed_department_ids {
        sqlx::query(
            "INSERT INTO admin_scopes (org_id, member_id, department_id) VALUES ($1, $2, $3)",
        )
        .bind(actor.org_id)
        .bind(id)
        .bind(d.0)
        .execute(&mut *w.tx)
        .await?;
    }
    w.finish(&state, &actor, "member.set_role", ("member", id),
        serde_json::json!({ "role": body.role, "managed_department_ids": body.managed_department_ids })).await?;
    fresh(&state, &actor, id).await
}
