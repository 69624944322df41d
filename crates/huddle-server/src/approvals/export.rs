//! Export of requests to .xlsx for administrators (opens in Excel and LibreOffice).

use super::model::{ExportQuery, RequestBox};
use super::people::person;
use super::store;
use super::submit::show;
use super::view::{template_names, RequestFilter};
use crate::accounts::actor::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, QueryParams};
use crate::ids::Id;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use huddle_approvals::request::RequestStatus;
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;

/// Most rows one export holds.
const MAX_ROWS: usize = 50_000;

fn status_zh(s: RequestStatus) -> &'static str {
    match s {
        RequestStatus::Pending => "审批中",
        RequestStatus::Approved => "已通过",
        RequestStatus::Rejected => "已驳回",
        RequestStatus::Withdrawn => "已撤销",
        RequestStatus::WithdrawnAfterApproval => "通过后撤销",
    }
}

fn utc(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> ApiError {
    tracing::error!(error = %e, "writing the approvals export");
    ApiError::internal()
}

/// Export requests in the administrator's scope (filter by template, status, filing date and
/// department). With a template chosen, every form control gets its own column.
#[utoipa::path(get, path = "/api/v1/approvals/export", tag = "approvals", params(ExportQuery),
    responses((status = 200, description = "An .xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn export_requests(
    State(state): State<AppState>,
    actor: Actor,
    QueryParams(q): QueryParams<ExportQuery>,
) -> ApiResult<Response> {
    actor.require_admin()?;
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let filter = RequestFilter::new(
        &actor,
        &dir,
        RequestBox::All,
        q.status.as_deref(),
        q.template_id,
        q.from,
        q.to,
        q.department_id,
        None,
    )?;
    let mut conn = state.db.reader().acquire().await?;
    let rows = filter.fetch(&mut conn, None, MAX_ROWS).await?;
    let names = template_names(&mut conn, actor.org_id).await?;
    let leave_types = store::leave_types(&mut conn, actor.org_id).await?;
    // With one template, its current form decides the extra columns; each request is read
    // with its own version's controls, matched by control id.
    let columns = match q.template_id {
        Some(t) => {
            store::template(&mut conn, actor.org_id, t.0)
                .await?
                .definition
                .form
                .controls
        }
        None => vec![],
    };
    let mut forms = HashMap::new();
    for r in &rows {
        if !columns.is_empty() && !forms.contains_key(&(r.template_id, r.template_version)) {
            let def =
                store::template_version(&mut conn, actor.org_id, r.template_id, r.template_version)
                    .await?;
            forms.insert((r.template_id, r.template_version), def.form);
        }
    }
    drop(conn);

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("审批").map_err(xlsx_error)?;
    let bold = Format::new().set_bold();
    let mut headers: Vec<String> = [
        "审批单号",
        "审批类型",
        "申请人",
        "部门",
        "状态",
        "提交时间 (UTC)",
        "更新时间 (UTC)",
        "当前审批人",
        "摘要",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    headers.extend(columns.iter().map(|c| c.title.zh.clone()));
    for (i, h) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, i as u16, h, &bold)
            .map_err(xlsx_error)?;
        sheet
            .set_column_width(i as u16, if i < 9 { 16 } else { 22 })
            .map_err(xlsx_error)?;
    }
    for (n, r) in rows.iter().enumerate() {
        let line = (n + 1) as u32;
        let department = r
            .department_id
            .and_then(|d| dir.department(d))
            .map(|d| d.name.clone())
            .unwrap_or_default();
        let awaiting: Vec<String> = huddle_approvals::request::awaiting(&r.state)
            .into_iter()
            .map(|m| person(&dir, m).name)
            .collect();
        let cells = [
            r.sp_no.clone(),
            names
                .get(&r.template_id)
                .map(|(n, _)| n.zh.clone())
                .unwrap_or_default(),
            person(&dir, Id(r.applicant_id)).name,
            department,
            status_zh(r.status).to_string(),
            utc(r.created_at),
            utc(r.updated_at),
            awaiting.join("、"),
            r.summary.clone(),
        ];
        for (i, c) in cells.iter().enumerate() {
            sheet.write_string(line, i as u16, c).map_err(xlsx_error)?;
        }
        if let Some(form) = forms.get(&(r.template_id, r.template_version)) {
            for (i, col) in columns.iter().enumerate() {
                let own = form.controls.iter().find(|c| c.id == col.id);
                let text = match (own, r.values.get(&col.id)) {
                    (Some(control), Some(value)) => show(control, value, &leave_types),
                    _ => String::new(),
                };
                sheet
                    .write_string(line, (9 + i) as u16, &text)
                    .map_err(xlsx_error)?;
            }
        }
    }
    let bytes = book.save_to_buffer().map_err(xlsx_error)?;
    let filename = format!(
        "approvals-{}.xlsx",
        chrono::Utc::now().format("%Y%m%d-%H%M")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
