//! The directory (通讯录): departments, members, visibility scopes and colleague search.

pub mod departments;
pub mod members;
pub mod model;
pub mod search;
pub mod snapshot;
pub mod tree;
pub mod validate;
pub mod write;

use crate::accounts::actor::Actor;
use crate::error::{ApiError, ApiResult, ErrorBody, QueryParams};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use model::Member;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Name, pinyin (`zhangsan`), initials (`zs`), employee ID, phone, email or department name.
    pub q: String,
    /// At most 100; default 20.
    pub limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<Member>,
}

/// Find colleagues visible to the caller. Best matches first: exact name, then prefixes.
#[utoipa::path(get, path = "/api/v1/directory/search", tag = "directory", params(SearchQuery),
    responses((status = 200, body = SearchResults), (status = 422, body = ErrorBody)))]
pub async fn search_directory(
    State(state): State<AppState>,
    actor: Actor,
    QueryParams(q): QueryParams<SearchQuery>,
) -> ApiResult<Json<SearchResults>> {
    let limit = match q.limit {
        None => 20,
        Some(n @ 1..=100) => n as usize,
        Some(_) => {
            return Err(ApiError::invalid(
                "limit",
                "limit must be between 1 and 100.",
            ))
        }
    };
    if q.q.chars().count() > 100 {
        return Err(ApiError::invalid(
            "q",
            "The search text must be at most 100 characters.",
        ));
    }
    let dir = state.directory.get(&state.db, actor.org_id).await?;
    let viewer = dir.viewer(actor.member_id, actor.role);
    let visible = dir.tree.visible_departments(&viewer);
    let items = dir
        .search(&viewer, &q.q, limit)
        .into_iter()
        .map(|m| dir.view_member(&viewer, &visible, m))
        .collect();
    Ok(Json(SearchResults { items }))
}
