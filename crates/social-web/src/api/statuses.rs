//! Status reads: get, context, favourited_by, reblogged_by. Every read goes through the
//! store's visibility rules (the web UI's): an invisible post is a 404, like a missing one.
//! Writes (create, delete, favourite, boost …) are in `statuses_write.rs`.

use super::accounts::viewer_of;
use super::auth::MaybeApiUser;
use super::entities::{self, Urls};
use super::error::ApiError;
use super::pagination::{Paging, path_id};
use crate::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use social_core::PostId;
use social_store::PostView;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/statuses/{id}", get(get_status))
        .route("/api/v1/statuses/{id}/context", get(context))
        .route("/api/v1/statuses/{id}/favourited_by", get(favourited_by))
        .route("/api/v1/statuses/{id}/reblogged_by", get(reblogged_by))
}

/// The post as the viewer sees it; 404 for garbage, unknown or invisible IDs.
pub async fn visible(
    state: &AppState,
    user: &MaybeApiUser,
    raw_id: &str,
) -> Result<PostView, ApiError> {
    let id = PostId(path_id(raw_id)?);
    Ok(state.store.get_post_view(viewer_of(user), id).await?)
}

/// `GET /api/v1/statuses/{id}`.
async fn get_status(
    State(state): State<AppState>,
    urls: Urls,
    user: MaybeApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = visible(&state, &user, &id).await?;
    Ok(Json(entities::status(&view, &urls)).into_response())
}

#[derive(Serialize)]
struct Context {
    ancestors: Vec<entities::StatusJson>,
    descendants: Vec<entities::StatusJson>,
}

/// `GET /api/v1/statuses/{id}/context`: ancestors oldest first, descendants depth-first, only
/// those the viewer may see (a boost's context is its original's).
async fn context(
    State(state): State<AppState>,
    urls: Urls,
    user: MaybeApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = PostId(path_id(&id)?);
    let thread = state.store.thread(viewer_of(&user), id).await?;
    Ok(Json(Context {
        ancestors: entities::statuses(&thread.ancestors, &urls),
        descendants: entities::statuses(&thread.descendants, &urls),
    })
    .into_response())
}

async fn interacted(
    state: AppState,
    urls: Urls,
    user: MaybeApiUser,
    paging: Paging,
    id: String,
    boosts: bool,
) -> Result<Response, ApiError> {
    let view = visible(&state, &user, &id).await?;
    // For a boost, the people who interacted with the boosted post.
    let target = view.reblog.as_ref().map_or(view.post.id, |r| r.post.id);
    let mut list = if boosts {
        state.store.reblogged_by(target, paging.page()).await?
    } else {
        state.store.favourited_by(target, paging.page()).await?
    };
    paging.trim(&mut list, |a| a.id.0);
    let ids: Vec<i64> = list.iter().map(|a| a.id.0).collect();
    let body: Vec<_> = list.iter().map(|a| entities::account(a, &urls)).collect();
    Ok(paging.respond(&urls, &ids, &body))
}

/// `GET /api/v1/statuses/{id}/favourited_by`, paged by account ID.
async fn favourited_by(
    State(state): State<AppState>,
    urls: Urls,
    user: MaybeApiUser,
    paging: Paging,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    interacted(state, urls, user, paging, id, false).await
}

/// `GET /api/v1/statuses/{id}/reblogged_by`, paged by account ID.
async fn reblogged_by(
    State(state): State<AppState>,
    urls: Urls,
    user: MaybeApiUser,
    paging: Paging,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    interacted(state, urls, user, paging, id, true).await
}
