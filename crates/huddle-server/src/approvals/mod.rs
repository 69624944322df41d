//! Approvals (审批): templates designed by administrators, requests filed by members, decided by
//! the people their flow resolves to, with leave balances and an .xlsx export.
//!
//! The rules live in the `huddle-approvals` engine crate (no I/O); this module stores, checks
//! rights, and notifies. Layout: `templates` (templates and roles), `submit` (preview, submit,
//! drafts), `view` (detail, lists, counts), `actions` (decisions), `handover` (a departed approver's decisions), `leave` (types, balances,
//! ledger), `export`, `notify`, `setup` (built-ins), `store` (rows), `people` (directory view).

pub mod actions;
pub mod export;
pub mod handover;
pub mod lang;
pub mod leave;
pub mod model;
pub mod notify;
pub mod people;
pub mod setup;
pub mod store;
pub mod submit;
pub mod templates;
pub mod view;

use crate::state::AppState;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            templates::list_templates,
            templates::create_template
        ))
        .routes(routes!(
            templates::get_template,
            templates::update_template,
            templates::delete_template
        ))
        .routes(routes!(templates::set_template_enabled))
        .routes(routes!(templates::list_roles, templates::create_role))
        .routes(routes!(templates::update_role, templates::delete_role))
        .routes(routes!(submit::preview))
        .routes(routes!(view::list_requests, submit::submit))
        .routes(routes!(view::get_request))
        .routes(routes!(view::counts))
        .routes(routes!(
            submit::get_draft,
            submit::save_draft,
            submit::delete_draft
        ))
        .routes(routes!(actions::approve))
        .routes(routes!(actions::reject))
        .routes(routes!(actions::withdraw))
        .routes(routes!(actions::return_request))
        .routes(routes!(actions::transfer))
        .routes(routes!(actions::add_approver))
        .routes(routes!(handover::reassign))
        .routes(routes!(actions::comment))
        .routes(routes!(actions::nudge))
        .routes(routes!(leave::list_leave_types, leave::update_leave_types))
        .routes(routes!(leave::leave_balances))
        .routes(routes!(leave::adjust_leave))
        .routes(routes!(leave::leave_ledger))
        .routes(routes!(export::export_requests))
}
