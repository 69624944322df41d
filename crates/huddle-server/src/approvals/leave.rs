//! Leave types, balances and the ledger: granted each year by the type's quota rule, held by
//! pending requests, debited on approval, credited back on withdrawal after approval.

use super::model::{
    LeaveAdjustment, LeaveBalance, LeaveBalances, LeaveTypeList, Ledger, LedgerEntry, MemberQuery,
};
use super::store::{self, RequestRow};
use super::{lang::Lang, setup};
use crate::accounts::actor::Actor;
use crate::db::Backend;
use crate::directory::snapshot::OrgDirectory;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody, QueryParams};
use crate::ids::{now_ms, Id, IdGen};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use huddle_approvals::form::{FormValues, Value};
use huddle_approvals::leave::{self, LeaveRange, LeaveType, QuotaRule};
use huddle_approvals::request::RequestStatus;
use sqlx::{AnyConnection, Row};

/// Amounts are stored in thousandths of a day or an hour.
pub fn to_milli(x: f64) -> i64 {
    (x * 1000.0).round() as i64
}
pub fn from_milli(x: i64) -> f64 {
    x as f64 / 1000.0
}

/// The leave a request asks for, if its form has a leave control.
pub struct LeaveAsk<'a> {
    pub leave_type: &'a LeaveType,
    pub range: LeaveRange,
    pub duration: f64,
}

pub fn leave_in<'a>(values: &FormValues, types: &'a [LeaveType]) -> Option<LeaveAsk<'a>> {
    values.values().find_map(|v| match v {
        Value::Leave {
            leave_type,
            start,
            end,
            start_half,
            end_half,
            duration,
            ..
        } => Some(LeaveAsk {
            leave_type: types.iter().find(|t| &t.key == leave_type)?,
            range: LeaveRange {
                start: start.clone(),
                end: end.clone(),
                start_half: *start_half,
                end_half: *end_half,
            },
            duration: *duration,
        }),
        _ => None,
    })
}

fn keeps_balance(t: &LeaveType) -> bool {
    !matches!(t.quota, QuotaRule::Unlimited)
}

/// One ledger entry. `entry_key` is unique per organization: writing the same entry twice
/// (a retried grant, debit or credit) leaves one.
struct Entry<'a> {
    org_id: i64,
    member: i64,
    leave_type: &'a str,
    amount_milli: i64,
    kind: &'a str,
    request_id: Option<i64>,
    note: &'a str,
    actor_id: i64,
    entry_key: &'a str,
}

async fn write_entry(conn: &mut AnyConnection, ids: &IdGen, e: Entry<'_>) -> ApiResult<()> {
    sqlx::query(
        "INSERT INTO leave_ledger (id, org_id, member_id, leave_type, amount_milli, kind, request_id, note, actor_id, entry_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (org_id, entry_key) DO NOTHING",
    )
    .bind(ids.next())
    .bind(e.org_id)
    .bind(e.member)
    .bind(e.leave_type)
    .bind(e.amount_milli)
    .bind(e.kind)
    .bind(e.request_id)
    .bind(e.note)
    .bind(e.actor_id)
    .bind(e.entry_key)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Writes this year's grant for the member unless it is there already.
async fn ensure_grant(
    conn: &mut AnyConnection,
    ids: &IdGen,
    org_id: i64,
    member: i64,
    join_date: Option<&str>,
    t: &LeaveType,
    year: i32,
) -> ApiResult<()> {
    let Some(amount) = leave::annual_grant(&t.quota, join_date, year) else {
        return Ok(());
    };
    let note = format!("{year} 年度额度");
    let key = format!("grant:{}:{year}:{member}", t.key);
    write_entry(
        conn,
        ids,
        Entry {
            org_id,
            member,
            leave_type: &t.key,
            amount_milli: to_milli(amount),
            kind: "grant",
            request_id: None,
            note: &note,
            actor_id: 0,
            entry_key: &key,
        },
    )
    .await?;
    Ok(())
}

fn current_year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year()
}

async fn sums(conn: &mut AnyConnection, member: i64, t: &str) -> ApiResult<(i64, i64)> {
    let balance: i64 = sqlx::query(
        "SELECT CAST(COALESCE(SUM(amount_milli), 0) AS BIGINT) FROM leave_ledger WHERE member_id = $1 AND leave_type = $2",
    )
    .bind(member)
    .bind(t)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    let reserved: i64 = sqlx::query(
        "SELECT CAST(COALESCE(SUM(s.amount_milli), 0) AS BIGINT) FROM leave_spans s JOIN approval_requests r ON r.id = s.request_id \
         WHERE s.member_id = $1 AND s.leave_type = $2 AND s.active = 1 AND r.status = 'pending'",
    )
    .bind(member)
    .bind(t)
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    Ok((balance, reserved))
}

/// Refuses overlapping leave and leave beyond the balance, then holds the time and amount for
/// the new request. Runs in the submitting transaction.
#[allow(clippy::too_many_arguments)]
pub async fn hold(
    conn: &mut AnyConnection,
    backend: Backend,
    ids: &IdGen,
    dir: &OrgDirectory,
    org_id: i64,
    member: i64,
    request_id: i64,
    ask: &LeaveAsk<'_>,
    lang: Lang,
) -> ApiResult<()> {
    if backend == Backend::Postgres {
        // Two submissions of one member must not both pass the overlap check.
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS held")
            .bind(member)
            .execute(&mut *conn)
            .await?;
    }
    let span = leave::occupied_span(ask.leave_type, &ask.range)
        .map_err(|e| ApiError::invalid("values", e.to_string()))?;
    let clash = sqlx::query(
        "SELECT r.sp_no FROM leave_spans s JOIN approval_requests r ON r.id = s.request_id \
         WHERE s.member_id = $1 AND s.active = 1 AND s.start_min < $2 AND s.end_min > $3 LIMIT 1",
    )
    .bind(member)
    .bind(span.1)
    .bind(span.0)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(r) = clash {
        let sp_no: String = r.try_get(0)?;
        return Err(ApiError::conflict(
            "leave_overlap",
            lang.pick(
                &format!("This leave overlaps your leave request {sp_no}, which is pending or approved. Change the dates, or withdraw that request first."),
                &format!("所选时间与你的请假申请 {sp_no}（审批中或已通过）重叠。请修改时间，或先撤销那条申请。"),
            ),
        ));
    }
    let t = ask.leave_type;
    if keeps_balance(t) {
        let join = dir.member(member).and_then(|m| m.join_date.clone());
        ensure_grant(
            conn,
            ids,
            org_id,
            member,
            join.as_deref(),
            t,
            current_year(),
        )
        .await?;
        let (balance, reserved) = sums(conn, member, &t.key).await?;
        let available = balance - reserved;
        if to_milli(ask.duration) > available {
            let unit_en = if t.unit == leave::LeaveUnit::Hour {
                "hours"
            } else {
                "days"
            };
            let unit_zh = if t.unit == leave::LeaveUnit::Hour {
                "小时"
            } else {
                "天"
            };
            return Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "insufficient_balance",
                lang.pick(
                    &format!(
                        "Not enough {} left: {} {unit_en} available, {} requested.",
                        t.name.en,
                        from_milli(available),
                        ask.duration
                    ),
                    &format!(
                        "{}余额不足：可用 {} {unit_zh}，本次申请 {} {unit_zh}。",
                        t.name.zh,
                        from_milli(available),
                        ask.duration
                    ),
                ),
            ));
        }
    }
    sqlx::query(
        "INSERT INTO leave_spans (request_id, org_id, member_id, leave_type, start_min, end_min, amount_milli, active) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
    )
    .bind(request_id)
    .bind(org_id)
    .bind(member)
    .bind(&t.key)
    .bind(span.0)
    .bind(span.1)
    .bind(to_milli(ask.duration))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Applies a request's final status to the ledger: approval debits, withdrawal after approval
/// credits back, rejection and withdrawal release the hold.
pub async fn settle(
    conn: &mut AnyConnection,
    ids: &IdGen,
    req: &RequestRow,
    types: &[LeaveType],
    status: RequestStatus,
) -> ApiResult<()> {
    let Some(ask) = leave_in(&req.values, types) else {
        return Ok(());
    };
    let t = ask.leave_type;
    let entry = |kind: &'static str, amount: i64, note: String| (kind, amount, note);
    let ledger = match status {
        RequestStatus::Approved => Some(entry(
            "debit",
            -to_milli(ask.duration),
            format!("审批单 {} 已通过", req.sp_no),
        )),
        RequestStatus::WithdrawnAfterApproval => Some(entry(
            "credit",
            to_milli(ask.duration),
            format!("审批单 {} 通过后撤销", req.sp_no),
        )),
        _ => None,
    };
    if status != RequestStatus::Approved {
        sqlx::query("UPDATE leave_spans SET active = 0 WHERE request_id = $1")
            .bind(req.id)
            .execute(&mut *conn)
            .await?;
    }
    if let (Some((kind, amount, note)), true) = (ledger, keeps_balance(t)) {
        let key = format!("{kind}:{}", req.id);
        write_entry(
            conn,
            ids,
            Entry {
                org_id: req.org_id,
                member: req.applicant_id,
                leave_type: &t.key,
                amount_milli: amount,
                kind,
                request_id: Some(req.id),
                note: &note,
                actor_id: 0,
                entry_key: &key,
            },
        )
        .await?;
    }
    Ok(())
}

/// The member whose leave the caller asks about; others than oneself need an administrator
/// who manages one of their departments.
fn target_member(actor: &Actor, dir: &OrgDirectory, member: Option<Id>) -> ApiResult<i64> {
    let Some(member) = member.filter(|m| m.0 != actor.member_id) else {
        return Ok(actor.member_id);
    };
    let m = dir
        .member(member.0)
        .ok_or_else(|| ApiError::not_found("Member"))?;
    let viewer = dir.viewer(actor.member_id, actor.role);
    let manages = m
        .department_ids
        .iter()
        .any(|d| dir.tree.manages(&viewer, d.0))
        || (m.department_ids.is_empty() && actor.role == crate::directory::model::Role::SuperAdmin);
    if !manages {
        return Err(if actor.is_admin() {
            ApiError::forbidden(
                "You can only see and change the leave of members in departments you administer.",
            )
        } else {
            ApiError::not_found("Member")
        });
    }
    Ok(member.0)
}

/// The organization's leave types.
#[utoipa::path(get, path = "/api/v1/approvals/leave-types", tag = "approvals",
    responses((status = 200, body = LeaveTypeList)))]
pub async fn list_leave_types(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Json<LeaveTypeList>> {
    let mut conn = state.db.reader().acquire().await?;
    let items = store::leave_types(&mut conn, actor.org_id).await?;
    Ok(Json(LeaveTypeList { items }))
}

/// Replace the leave types (super administrators). A type with ledger entries cannot be removed;
/// switch it off with `enabled: false` instead.
#[utoipa::path(put, path = "/api/v1/approvals/leave-types", tag = "approvals", request_body = LeaveTypeList,
    responses((status = 200, body = LeaveTypeList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_leave_types(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<LeaveTypeList>,
) -> ApiResult<Json<LeaveTypeList>> {
    actor.require_super_admin()?;
    let mut keys = std::collections::BTreeSet::new();
    for t in &body.items {
        let key_ok = (1..=32).contains(&t.key.len())
            && t.key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            return Err(ApiError::invalid(
                "items",
                format!(
                    "Leave type key \"{}\" must be 1 to 32 lowercase letters, digits or _.",
                    t.key
                ),
            ));
        }
        if !keys.insert(t.key.clone()) {
            return Err(ApiError::invalid(
                "items",
                format!("Leave type key \"{}\" is used twice.", t.key),
            ));
        }
        if t.name.zh.trim().is_empty() || t.name.zh.chars().count() > 30 {
            return Err(ApiError::invalid(
                "items",
                format!(
                    "Leave type \"{}\" needs a name of 1 to 30 characters.",
                    t.key
                ),
            ));
        }
        if !(1.0..=24.0).contains(&t.hours_per_day) {
            return Err(ApiError::invalid(
                "items",
                format!(
                    "Leave type \"{}\": hours per day must be between 1 and 24.",
                    t.key
                ),
            ));
        }
        let amounts: Vec<f64> = match &t.quota {
            QuotaRule::Fixed { per_year } => vec![*per_year],
            QuotaRule::BySeniority { tiers } => tiers.iter().map(|x| x.amount).collect(),
            _ => vec![],
        };
        if amounts
            .iter()
            .any(|a| !(0.0..=3660.0).contains(a) || (a * 2.0).fract() != 0.0)
        {
            return Err(ApiError::invalid(
                "items",
                format!(
                    "Leave type \"{}\": yearly amounts must be between 0 and 3660 in steps of 0.5.",
                    t.key
                ),
            ));
        }
    }
    let mut tx = state.db.begin().await?;
    setup::ensure(&mut tx, &state.ids, actor.org_id, actor.member_id).await?;
    let old = store::leave_types(&mut tx, actor.org_id).await?;
    for gone in old.iter().filter(|o| !keys.contains(&o.key)) {
        let used =
            sqlx::query("SELECT 1 FROM leave_ledger WHERE org_id = $1 AND leave_type = $2 LIMIT 1")
                .bind(actor.org_id)
                .bind(&gone.key)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
        if used {
            return Err(ApiError::conflict(
                "leave_type_in_use",
                format!("Leave type \"{}\" has balance records and cannot be removed; switch it off instead.", gone.name.zh),
            ));
        }
    }
    sqlx::query("UPDATE approval_settings SET leave_types = $1, updated_at = $2 WHERE org_id = $3")
        .bind(serde_json::to_string(&body.items).unwrap_or_default())
        .bind(now_ms())
        .bind(actor.org_id)
        .execute(&mut *tx)
        .await?;
    crate::audit::record(
        &mut tx,
        &state,
        &actor,
        "approvals.leave_types.update",
        "approvals",
        None,
        serde_json::json!({"count": body.items.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(body))
}

/// Leave balances of the caller (or of a member an administrator manages).
#[utoipa::path(get, path = "/api/v1/approvals/leave/balances", tag = "approvals", params(MemberQuery),
    responses((status = 200, body = LeaveBalances), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn leave_balances(
    State(state): State<AppState>,
    actor: Actor,
    QueryParams(q): QueryParams<MemberQuery>,
) -> ApiResult<Json<LeaveBalances>> {
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let member = target_member(&actor, &dir, q.member_id)?;
    let join = dir.member(member).and_then(|m| m.join_date.clone());
    let mut tx = state.db.begin().await?;
    setup::ensure(&mut tx, &state.ids, actor.org_id, actor.member_id).await?;
    let types = store::leave_types(&mut tx, actor.org_id).await?;
    let mut items = Vec::new();
    for t in types.iter().filter(|t| t.enabled) {
        if !keeps_balance(t) {
            items.push(LeaveBalance {
                leave_type: t.key.clone(),
                name: t.name.clone(),
                unit: t.unit,
                unlimited: true,
                balance: 0.0,
                reserved: 0.0,
                available: 0.0,
            });
            continue;
        }
        ensure_grant(
            &mut tx,
            &state.ids,
            actor.org_id,
            member,
            join.as_deref(),
            t,
            current_year(),
        )
        .await?;
        let (balance, reserved) = sums(&mut tx, member, &t.key).await?;
        items.push(LeaveBalance {
            leave_type: t.key.clone(),
            name: t.name.clone(),
            unit: t.unit,
            unlimited: false,
            balance: from_milli(balance),
            reserved: from_milli(reserved),
            available: from_milli(balance - reserved),
        });
    }
    tx.commit().await?;
    Ok(Json(LeaveBalances {
        member_id: Id(member),
        items,
    }))
}

/// Add to or take from a member's balance (administrators of the member's department).
#[utoipa::path(post, path = "/api/v1/approvals/leave/adjustments", tag = "approvals", request_body = LeaveAdjustment,
    responses((status = 200, body = LeaveBalances), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn adjust_leave(
    State(state): State<AppState>,
    actor: Actor,
    JsonBody(body): JsonBody<LeaveAdjustment>,
) -> ApiResult<Json<LeaveBalances>> {
    actor.require_admin()?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let member = target_member(&actor, &dir, Some(body.member_id))?;
    if body.amount == 0.0
        || !body.amount.is_finite()
        || body.amount.abs() > 3660.0
        || (body.amount * 2.0).fract() != 0.0
    {
        return Err(ApiError::invalid(
            "amount",
            "The adjustment must be a non-zero amount of at most 3660, in steps of 0.5.",
        ));
    }
    let note = body.note.trim();
    if note.is_empty() || note.chars().count() > 200 {
        return Err(ApiError::invalid(
            "note",
            "Say why the balance changes (1 to 200 characters).",
        ));
    }
    let mut tx = state.db.begin().await?;
    setup::ensure(&mut tx, &state.ids, actor.org_id, actor.member_id).await?;
    let types = store::leave_types(&mut tx, actor.org_id).await?;
    let t = types
        .iter()
        .find(|t| t.key == body.leave_type)
        .filter(|t| keeps_balance(t))
        .ok_or_else(|| {
            ApiError::invalid("leave_type", "No leave type with a balance has this key.")
        })?;
    // Every adjustment is its own entry.
    let key = format!("adjust:{}", state.ids.next());
    write_entry(
        &mut tx,
        &state.ids,
        Entry {
            org_id: actor.org_id,
            member,
            leave_type: &t.key,
            amount_milli: to_milli(body.amount),
            kind: "adjust",
            request_id: None,
            note,
            actor_id: actor.member_id,
            entry_key: &key,
        },
    )
    .await?;
    crate::audit::record(
        &mut tx,
        &state,
        &actor,
        "approvals.leave.adjust",
        "member",
        Some(member),
        serde_json::json!({"leave_type": t.key, "amount": body.amount, "note": note}),
    )
    .await?;
    tx.commit().await?;
    leave_balances(
        State(state),
        actor,
        QueryParams(MemberQuery {
            member_id: Some(Id(member)),
            leave_type: None,
        }),
    )
    .await
}

/// The ledger behind a balance: grants, adjustments, debits and credits, newest first.
#[utoipa::path(get, path = "/api/v1/approvals/leave/ledger", tag = "approvals", params(MemberQuery),
    responses((status = 200, body = Ledger), (status = 403, body = ErrorBody)))]
pub async fn leave_ledger(
    State(state): State<AppState>,
    actor: Actor,
    QueryParams(q): QueryParams<MemberQuery>,
) -> ApiResult<Json<Ledger>> {
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let member = target_member(&actor, &dir, q.member_id)?;
    let rows = sqlx::query(
        "SELECT id, leave_type, amount_milli, kind, request_id, note, actor_id, created_at FROM leave_ledger \
         WHERE org_id = $1 AND member_id = $2 AND ($3 = '' OR leave_type = $3) ORDER BY id DESC LIMIT 500",
    )
    .bind(actor.org_id)
    .bind(member)
    .bind(q.leave_type.unwrap_or_default())
    .fetch_all(state.db.reader())
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(LedgerEntry {
                id: Id(r.try_get(0)?),
                leave_type: r.try_get(1)?,
                amount: from_milli(r.try_get(2)?),
                kind: r.try_get(3)?,
                request_id: r.try_get::<Option<i64>, _>(4)?.map(Id),
                note: r.try_get(5)?,
                actor_id: Id(r.try_get(6)?),
                created_at: r.try_get(7)?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(Ledger { items }))
}
