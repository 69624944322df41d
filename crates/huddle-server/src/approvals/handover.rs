//! Handing over a departed approver's decision (离职交接): requests keep the people resolved at
//! submit, so when an approver leaves, an administrator hands their pending decisions over.

use super::actions::{active_member, check_comment, transition, Logged};
use super::lang::Lang;
use super::model::{ReassignBody, RequestDetail};
use super::view;
use crate::accounts::actor::Actor;
use crate::directory::model::MemberStatus;
use crate::error::{ApiError, ApiResult, ErrorBody, JsonBody};
use crate::ids::Id;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::Json;
use huddle_approvals::request::{self, Action};

/// Hand a departed or disabled approver's pending decision to a colleague (administrators over
/// the applicant's department). Recorded in the timeline as `reassigned`.
#[utoipa::path(post, path = "/api/v1/approvals/requests/{id}/reassign", tag = "approvals", request_body = ReassignBody,
    params(("id" = String, Path)),
    responses((status = 200, body = RequestDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reassign(
    State(state): State<AppState>,
    actor: Actor,
    lang: Lang,
    Path(id): Path<Id>,
    JsonBody(body): JsonBody<ReassignBody>,
) -> ApiResult<Json<RequestDetail>> {
    actor.require_admin()?;
    check_comment(&body.comment, lang)?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    active_member(&dir, &actor, body.to, lang)?;
    let row =
        view::visible_request(&mut *state.db.reader().acquire().await?, &actor, &dir, id.0).await?;
    if !request::awaiting(&row.state).contains(&body.from) {
        return Err(ApiError::invalid(
            "from",
            lang.pick(
                "This person has no decision waiting on this request.",
                "该成员在此申请中没有待处理的审批。",
            ),
        ));
    }
    if dir
        .member(body.from.0)
        .is_some_and(|m| m.status == MemberStatus::Active)
    {
        return Err(ApiError::conflict(
            "approver_active",
            lang.pick(
                "This approver is still active; they can decide or transfer it themselves.",
                "该审批人仍在职，可由其本人处理或转审。",
            ),
        ));
    }
    let data =
        serde_json::json!({"comment": body.comment.trim(), "from": body.from, "to": body.to});
    transition(
        &state,
        &actor,
        lang,
        id.0,
        Logged {
            kind: "reassigned",
            data,
            file_ids: &[],
        },
        Action::Transfer {
            by: body.from,
            to: body.to,
            comment: body.comment.trim().into(),
        },
    )
    .await
}
