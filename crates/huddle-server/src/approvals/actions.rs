//! What approvers and applicants do to a request: approve, reject, withdraw, return, transfer,
//! add an approver, comment and nudge. Each transition is written only if the request did not
//! change since it was read (its `version`), so racing decisions on one step resolve once.

use super::lang::Lang;
use super::model::{
    AddApproverBody, CommentBody, DecisionBody, RequestDetail, ReturnBody, TransferBody,
};
use super::store::{self, RequestRow};
use super::submit::check_files;
use super::{leave, notify, view};
use crate::accounts::actor::Actor;
use crate::directory::model::MemberStatus;
use crate::directory::snapshot::OrgDirectory;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::ids::{now_ms, Id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use huddle_approvals::request::{self, Action, ActionError, Effect, Policy};
use sqlx::Row;

fn action_error(e: ActionError, lang: Lang) -> ApiError {
    let (status, code, en, zh) = match e {
        ActionError::NotPending => (
            StatusCode::CONFLICT,
            "not_pending",
            "This request has already been decided or withdrawn.",
            "该申请已审批完成或已撤销。",
        ),
        ActionError::NotYourTurn => (
            StatusCode::CONFLICT,
            "not_your_turn",
            "This request is not waiting for your decision (someone may have decided it already).",
            "该申请当前不需要你处理（可能已被他人处理）。",
        ),
        ActionError::NotApplicant => (
            StatusCode::FORBIDDEN,
            "forbidden",
            "Only the applicant can withdraw a request.",
            "只有申请人可以撤销申请。",
        ),
        ActionError::WithdrawNotAllowed => (
            StatusCode::CONFLICT,
            "withdraw_not_allowed",
            "This template does not allow withdrawing an approved request.",
            "该审批模板不允许撤销已通过的申请。",
        ),
        ActionError::BadReturnTarget => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "A request can only be returned to an earlier approval step.",
            "只能退回到之前的审批环节。",
        ),
        ActionError::AlreadyApprover => (
            StatusCode::CONFLICT,
            "already_approver",
            "That person is already an approver of this step.",
            "该成员已是本环节的审批人。",
        ),
        ActionError::CommentRequired => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Give a reason.",
            "请填写理由。",
        ),
    };
    ApiError::new(status, code, lang.pick(en, zh))
}

fn in_current_step(row: &RequestRow, member: i64) -> bool {
    row.state
        .current
        .and_then(|c| row.state.steps.get(c))
        .is_some_and(|s| s.approvers.iter().any(|a| a.member_id.0 == member))
}

pub(super) fn check_comment(comment: &str, lang: Lang) -> ApiResult<()> {
    if comment.chars().count() > 1000 {
        return Err(ApiError::invalid(
            "comment",
            lang.pick(
                "A comment can be at most 1000 characters.",
                "意见最多 1000 字。",
            ),
        ));
    }
    Ok(())
}

/// Someone to hand a decision to: active, and visible to the actor in the directory.
pub(super) fn active_member(
    dir: &OrgDirectory,
    actor: &Actor,
    id: Id,
    lang: Lang,
) -> ApiResult<()> {
    let viewer = dir.viewer(actor.member_id, actor.role);
    let visible = dir.tree.visible_departments(&viewer);
    match dir.member(id.0) {
        Some(m) if m.status == MemberStatus::Active && dir.can_see_member(&viewer, &visible, m) => {
            Ok(())
        }
        _ => Err(ApiError::invalid(
            "member_id",
            lang.pick("Choose an active colleague.", "请选择在职的同事。"),
        )),
    }
}

/// What the timeline records for an action.
pub(super) struct Logged<'a> {
    pub kind: &'a str,
    pub data: serde_json::Value,
    pub file_ids: &'a [Id],
}

/// Reads the request, applies `action` through the engine and writes the result; retried when
/// another decision landed in between.
pub(super) async fn transition(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    id: i64,
    logged: Logged<'_>,
    action: Action,
) -> ApiResult<Json<RequestDetail>> {
    let Logged {
        kind,
        data,
        file_ids,
    } = logged;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    for _ in 0..5 {
        let mut tx = state.db.begin().await?;
        let row = view::visible_request(&mut tx, actor, &dir, id).await?;
        let def =
            store::template_version(&mut tx, actor.org_id, row.template_id, row.template_version)
                .await?;
        if let Action::Reject { comment, .. } = &action {
            if def.settings.require_reject_comment && comment.trim().is_empty() {
                return Err(ApiError::invalid(
                    "comment",
                    lang.pick("Say why you reject the request.", "请填写驳回理由。"),
                ));
            }
        }
        check_files(&mut tx, actor.org_id, actor.member_id, file_ids, lang).await?;
        let policy = Policy {
            allow_withdraw_after_approval: def.settings.allow_withdraw_after_approval,
        };
        let now = now_ms();
        let (next, effects) =
            request::apply(&row.state, &action, policy, now).map_err(|e| match e {
                // Someone of the current step who is too late (or not yet up) hears 409; anyone
                // else has no right to decide here at all.
                ActionError::NotYourTurn if !in_current_step(&row, actor.member_id) => {
                    ApiError::forbidden(lang.pick(
                        "You are not an approver of this request at its current step.",
                        "你不是该申请当前环节的审批人。",
                    ))
                }
                e => action_error(e, lang),
            })?;
        let finished = effects.iter().find_map(|e| match e {
            Effect::Finished { status } => Some(*status),
            _ => None,
        });
        let written = sqlx::query(
            "UPDATE approval_requests SET state = $1, status = $2, version = version + 1, updated_at = $3, \
             finished_at = COALESCE($4, finished_at) WHERE id = $5 AND version = $6",
        )
        .bind(serde_json::to_string(&next).map_err(anyhow::Error::from)?)
        .bind(next.status.as_str())
        .bind(now)
        .bind(finished.map(|_| now))
        .bind(row.id)
        .bind(row.version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if written != 1 {
            tx.rollback().await?;
            continue;
        }
        let new_row = RequestRow {
            status: next.status,
            state: next,
            version: row.version + 1,
            updated_at: now,
            ..row
        };
        store::write_people(&mut tx, &new_row).await?;
        store::add_event(
            &mut tx,
            state.ids.next(),
            actor.org_id,
            id,
            actor.member_id,
            kind,
            data.clone(),
            now,
        )
        .await?;
        store::link_files(&mut tx, id, file_ids).await?;
        if let Some(status) = finished {
            let types = store::leave_types(&mut tx, actor.org_id).await?;
            leave::settle(&mut tx, &state.ids, &new_row, &types, status).await?;
            store::add_event(
                &mut tx,
                state.ids.next(),
                actor.org_id,
                id,
                0,
                "finished",
                serde_json::json!({"status": status}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        notify::after_change(
            state,
            &dir,
            &new_row,
            &def.name.zh,
            &effects,
            actor.member_id,
        )
        .await;
        return view::detail_for(state, actor, &dir, id).await.map(Json);
    }
    Err(ApiError::conflict(
        "request_busy",
        lang.pick(
            "The request is changing right now; try again.",
            "该申请正在被处理，请稍后重试。",
        ),
    ))
}

fn decision_data(body: &DecisionBody) -> serde_json::Value {
    serde_json::json!({"comment": body.comment.trim(), "file_ids": body.file_ids})
}

/// Approve (同意) the step waiting for the caller.
#[utoipa::path(post, path = "/api/v1/approvals/requests/{id}/approve", tag = "approvals", request_body = DecisionBody,
    params(("id" = String, Path)),
    responses((status = 200, body = RequestDetail), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<Id>,
    JsonBody(body): JsonBody<DecisionBody>,
) -> ApiResult<Json<RequestDetail>> {
    check_comment(&body.comment, lang)?;
    let by = Id(actor.member_id);
    transition(
        &state,
        &actor,
        lang,
        id.0,
        Logged {
            kind: "approved",
            data: decision_data(&body),
            file_ids: &body.file_ids,
        },
        Action::Approve {
            by,
            comment: body.comment.trim().into(),
            file_ids: body.file_ids.clone(),
        },
    )
    .await
}

/// Reject (驳回) the request; the template may require a reason.
#[utoipa::path(post, path = "/api/v1/approvals/requests/{id}/reject", tag = "approvals", request_body = DecisionBody,
    params(("id" = String, Path)),
    responses((status = 200, body = RequestDetail), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<Id>,
    JsonBody(body): JsonBody<DecisionBody>,
) -> ApiResult<Json<RequestDetail>> {
    check_comment(&body.comment, lang)?;
    let by = Id(actor.member_id);
    transition(
        &state,
        &actor,
        lang,
        id.0,
        Logged {
            kind: "rejected",
            data: decision_data(&body),
            file_ids: &body.file_ids,
        },
        Action::Reject {
            by,
            comment: body.comment.trim().into(),
            file_ids: body.file_ids.clone(),
        },
    )
    .await
}

/// Withdraw (撤销) one's own request: while pending, or after approval when the template allows.
#[utoipa::path(post, path = "/api/v1/approvals/requests/{id}/withdraw", tag = "approvals",
    params(("id" = String, Path)),
    responses((status = 200, body = RequestDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<Id>,
) -> ApiResult<Json<RequestDetail>> {
    let by = Id(actor.member_id);
    transition(
        &state,
        &actor,
        lang,
        id.0,
        Logged {
            kind: "withdrawn",
            data: serde_json::json!({}),
            file_ids: &[],
        },
        Action::Withdraw { by },
    )
    .await
}

/// Return (退回) the request to an earlier approval step.
#[utoipa::path(post, path = "/api/v1/approvals/requests/{id}/return", tag = "approvals", request_body = ReturnBody,
    params(("id" = String, Path)),
    responses((status = 200, body = RequestDetail), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn return_request(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<Id>,
    JsonBody(body): JsonBody<ReturnBody>,
) -> ApiResult<Json<RequestDetail>> {
    check_comment(&body.comment, lang)?;
    let by = Id(actor.member_id);
    let data = serde_json::json!({"comment": body.comment.trim(), "to_step": body.to_step});
    transition(
        &state,
        &actor,
        lang,
        id.0,
        Logged {
            kind: "returned",
            data,
            file_ids: &[],
        },
        Action::Return {
            by,
            to_step: body.to_step,
            comment: body.comment.trim().into(),
        },
    )
    .await
}

/// Transfer (转审) one's decision to a colleague.
#[utoipa::path(post, path = "/api/v1/approvals/requests/{id}/transfer", tag = "approvals", request_body = TransferBody,
    params(("id" = String, Path)),
    responses((status = 200, body = RequestDetail), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn transfer(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<Id>,
    JsonBody(body): JsonBody<TransferBody>,
) -> ApiResult<Json<RequestDetail>> {
    check_comment(&body.comment, lang)?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    active_member(&dir, &actor, body.to, lang)?;
    let by = Id(actor.member_id);
    let data = serde_json::json!({"comment": body.comment.trim(), "to": body.to});
    transition(
        &state,
        &actor,
        lang,
        id.0,
        Logged {
            kind: "transferred",
            data,
            file_ids: &[],
        },
        Action::Transfer {
            by,
            to: body.to,
            comment: body.comment.trim().into(),
        },
    )
    .await
}

/// Add an approver (加签) before or after oneself.
#[utoipa::path(post, path = "/api/v1/approvals/requests/{id}/add-approver", tag = "approvals", request_body = AddApproverBody,
    params(("id" = String, Path)),
    responses((status = 200, body = RequestDetail), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_approver(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<Id>,
    JsonBody(body): JsonBody<AddApproverBody>,
) -> ApiResult<Json<RequestDetail>> {
    check_comment(&body.comment, lang)?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    active_member(&dir, &actor, body.member_id, lang)?;
    let by = Id(actor.member_id);
    let data = serde_json::json!({"comment": body.comment.trim(), "member_id": body.member_id, "position": body.position});
    transition(
        &state,
        &actor,
        lang,
        id.0,
        Logged {
            kind: "added_approver",
            data,
            file_ids: &[],
        },
        Action::AddApprover {
            by,
            member: body.member_id,
            position: body.position,
            comment: body.comment.trim().into(),
        },
    )
    .await
}

/// Comment on a request (anyone who can see it).
#[utoipa::path(post, path = "/api/v1/approvals/requests/{id}/comments", tag = "approvals", request_body = CommentBody,
    params(("id" = String, Path)),
    responses((status = 200, body = RequestDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn comment(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<Id>,
    JsonBody(body): JsonBody<CommentBody>,
) -> ApiResult<Json<RequestDetail>> {
    let text = body.text.trim();
    if text.is_empty() || text.chars().count() > 1000 {
        return Err(ApiError::invalid(
            "text",
            lang.pick(
                "A comment needs 1 to 1000 characters.",
                "评论需 1 到 1000 字。",
            ),
        ));
    }
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let mut tx = state.db.begin().await?;
    let row = view::visible_request(&mut tx, &actor, &dir, id.0).await?;
    check_files(&mut tx, actor.org_id, actor.member_id, &body.file_ids, lang).await?;
    let now = now_ms();
    let event_id = state.ids.next();
    store::add_event(
        &mut tx,
        event_id,
        actor.org_id,
        row.id,
        actor.member_id,
        "commented",
        serde_json::json!({"comment": text, "file_ids": body.file_ids}),
        now,
    )
    .await?;
    store::link_files(&mut tx, row.id, &body.file_ids).await?;
    tx.commit().await?;
    let def_name = view::template_name(&state, actor.org_id, row.template_id).await?;
    notify::commented(
        &state,
        &dir,
        &row,
        &def_name,
        actor.member_id,
        event_id,
        text,
    )
    .await;
    view::detail_for(&state, &actor, &dir, id.0).await.map(Json)
}

/// Nudge (催办) the people the request waits for; at most once every 10 minutes.
#[utoipa::path(post, path = "/api/v1/approvals/requests/{id}/nudge", tag = "approvals",
    params(("id" = String, Path)),
    responses((status = 200, body = RequestDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn nudge(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<Id>,
) -> ApiResult<Json<RequestDetail>> {
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let mut tx = state.db.begin().await?;
    let row = view::visible_request(&mut tx, &actor, &dir, id.0).await?;
    if row.applicant_id != actor.member_id {
        return Err(ApiError::forbidden(lang.pick(
            "Only the applicant can nudge approvers.",
            "只有申请人可以催办。",
        )));
    }
    if row.status != huddle_approvals::request::RequestStatus::Pending {
        return Err(action_error(ActionError::NotPending, lang));
    }
    let now = now_ms();
    let last: Option<i64> = sqlx::query(
        "SELECT MAX(created_at) FROM approval_events WHERE request_id = $1 AND kind = 'nudged'",
    )
    .bind(row.id)
    .fetch_one(&mut *tx)
    .await?
    .try_get(0)?;
    if last.is_some_and(|t| now - t < 10 * 60 * 1000) {
        return Err(ApiError::conflict(
            "nudged_recently",
            lang.pick(
                "You nudged the approvers less than 10 minutes ago; give them a moment.",
                "10 分钟内已催办过，请稍后再试。",
            ),
        ));
    }
    let event_id = state.ids.next();
    store::add_event(
        &mut tx,
        event_id,
        actor.org_id,
        row.id,
        actor.member_id,
        "nudged",
        serde_json::json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    let name = view::template_name(&state, actor.org_id, row.template_id).await?;
    notify::nudged(&state, &dir, &row, &name, event_id).await;
    view::detail_for(&state, &actor, &dir, id.0).await.map(Json)
}
