//! Telling people: a card in the 审批 notification channel (durable, synced like any message)
//! and a live `approval.updated` frame for open approval screens. Sent after the change is
//! committed; a failed notification is logged, never undoes the change.

use super::people::person;
use super::store::RequestRow;
use crate::chat::channels;
use crate::chat::model::Content;
use crate::directory::snapshot::OrgDirectory;
use crate::events::Audience;
use crate::ids::Id;
use crate::state::AppState;
use huddle_approvals::request::{self, Effect, RequestStatus};

pub const APP: &str = "approvals";
pub const APP_NAME: &str = "审批";

fn status_text(s: RequestStatus) -> &'static str {
    match s {
        RequestStatus::Pending => "审批中",
        RequestStatus::Approved => "已通过",
        RequestStatus::Rejected => "已驳回",
        RequestStatus::Withdrawn => "已撤销",
        RequestStatus::WithdrawnAfterApproval => "已撤销",
    }
}

async fn card(
    state: &AppState,
    row: &RequestRow,
    member: i64,
    key: &str,
    title: String,
    description: String,
    status: &str,
) {
    let content = Content::Card {
        app: APP.into(),
        title,
        description,
        path: format!("/workbench/approvals/{}", row.id),
        status: status.into(),
    };
    let key = format!("{}:{key}", row.id);
    if let Err(e) = channels::post(state, row.org_id, APP, APP_NAME, member, &key, &content).await {
        tracing::warn!(request = row.id, member, error = ?e.message, "approval notification not delivered");
    }
}

/// Everyone who should see the request change live.
fn audience(row: &RequestRow) -> Vec<i64> {
    let mut ids: Vec<i64> = request::participants(&row.state)
        .into_iter()
        .map(|m| m.0)
        .collect();
    ids.push(row.applicant_id);
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn live(state: &AppState, row: &RequestRow) {
    let frame = serde_json::json!({
        "type": "approval.updated",
        "payload": {"request_id": Id(row.id), "status": row.status, "version": row.version},
    })
    .to_string();
    state
        .events
        .send_frame(row.org_id, Audience::Members(&audience(row)), frame.into());
}

/// Notifications for the effects of a submit or a transition made by `actor`.
pub async fn after_change(
    state: &AppState,
    dir: &OrgDirectory,
    row: &RequestRow,
    template: &str,
    effects: &[Effect],
    actor: i64,
) {
    let applicant = person(dir, Id(row.applicant_id)).name;
    let title = format!("{applicant}提交的{template}");
    let v = row.version;
    for effect in effects {
        match effect {
            Effect::AwaitingApproval { step, members } => {
                for m in members {
                    card(
                        state,
                        row,
                        m.0,
                        &format!("v{v}:await:{step}"),
                        title.clone(),
                        row.summary.clone(),
                        "待你审批",
                    )
                    .await;
                }
            }
            Effect::CcNotified { step, members } => {
                for m in members {
                    card(
                        state,
                        row,
                        m.0,
                        &format!("v{v}:cc:{step}"),
                        title.clone(),
                        row.summary.clone(),
                        "抄送你",
                    )
                    .await;
                }
            }
            Effect::Finished { status } => {
                if actor != row.applicant_id || *status == RequestStatus::Approved {
                    let who = person(dir, Id(actor)).name;
                    let description = match status {
                        RequestStatus::Rejected => format!("{who}驳回了你的申请 · {}", row.summary),
                        _ => row.summary.clone(),
                    };
                    card(
                        state,
                        row,
                        row.applicant_id,
                        &format!("v{v}:done"),
                        format!("你的{template}申请{}", status_text(*status)),
                        description,
                        status_text(*status),
                    )
                    .await;
                }
            }
            Effect::Progress { .. } => {
                if actor != row.applicant_id {
                    let who = person(dir, Id(actor)).name;
                    card(
                        state,
                        row,
                        row.applicant_id,
                        &format!("v{v}:progress"),
                        format!("你的{template}申请有新进展"),
                        format!("{who}已处理 · {}", row.summary),
                        "审批中",
                    )
                    .await;
                }
            }
        }
    }
    live(state, row);
}

pub async fn commented(
    state: &AppState,
    dir: &OrgDirectory,
    row: &RequestRow,
    template: &str,
    actor: i64,
    event: i64,
    text: &str,
) {
    if actor != row.applicant_id {
        let who = person(dir, Id(actor)).name;
        let preview: String = text.chars().take(60).collect();
        card(
            state,
            row,
            row.applicant_id,
            &format!("comment:{event}"),
            format!("{who}评论了你的{template}申请"),
            preview,
            "评论",
        )
        .await;
    }
    live(state, row);
}

pub async fn nudged(
    state: &AppState,
    dir: &OrgDirectory,
    row: &RequestRow,
    template: &str,
    event: i64,
) {
    let applicant = person(dir, Id(row.applicant_id)).name;
    for m in request::awaiting(&row.state) {
        card(
            state,
            row,
            m.0,
            &format!("nudge:{event}"),
            format!("{applicant}催你审批{template}申请"),
            row.summary.clone(),
            "催办",
        )
        .await;
    }
    live(state, row);
}
