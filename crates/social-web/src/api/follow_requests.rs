//! Follow requests to the signed-in (locked) account: list, authorize, reject.

use super::accounts::active_account;
use super::auth::ApiUser;
use super::entities::{self, RelationshipJson, Urls};
use super::error::{ApiError, ApiResult};
use super::pagination::Paging;
use crate::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use social_store::Page;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/follow_requests", get(list))
        .route("/api/v1/follow_requests/{id}/authorize", post(authorize))
        .route("/api/v1/follow_requests/{id}/reject", post(reject))
}

/// `GET /api/v1/follow_requests` (scope `read:follows`): the accounts waiting, oldest first,
/// up to `limit`. The store orders requests by account, not by a request id, so there is no
/// `Link` paging yet: one page of up to 40 is all a client gets.
async fn list(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    paging: Paging,
) -> ApiResult<Response> {
    user.require("read:follows")?;
    let accounts = state
        .store
        .list_follow_requests(user.id(), Page::first(paging.limit))
        .await?;
    let body: Vec<_> = accounts
        .iter()
        .map(|a| entities::account(a, &urls))
        .collect();
    Ok(axum::response::IntoResponse::into_response(Json(body)))
}

/// `POST /api/v1/follow_requests/{id}/authorize` (scope `write:follows`): the relationship
/// with the requester, who now follows. No such request: 404.
async fn authorize(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<RelationshipJson>> {
    user.require("write:follows")?;
    let requester = active_account(&state, &id).await?;
    state
        .store
        .authorize_follow_request(user.id(), requester.id)
        .await?;
    let rel = state.store.relationship(user.id(), requester.id).await?;
    Ok(Json(entities::relationship(requester.id, &rel)))
}

/// `POST /api/v1/follow_requests/{id}/reject` (scope `write:follows`). No such request: 404.
async fn reject(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<RelationshipJson>> {
    user.require("write:follows")?;
    let requester = active_account(&state, &id).await?;
    // Seen from the requester's side, a pending request is `requested`; none is a 404.
    let pending = state.store.relationship(requester.id, user.id()).await?;
    if !pending.requested {
        return Err(ApiError::not_found());
    }
    state
        .store
        .reject_follow_request(user.id(), requester.id)
        .await?;
    let rel = state.store.relationship(user.id(), requester.id).await?;
    Ok(Json(entities::relationship(requester.id, &rel)))
}
