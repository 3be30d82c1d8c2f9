//! The viewer's own block and mute lists: `GET /api/v1/blocks` and `GET /api/v1/mutes`, paged by
//! account ID with `Link` headers (clients such as toot's `blocked` and `muted` read them).

use super::auth::ApiUser;
use super::entities::{self, Urls};
use super::error::ApiError;
use super::pagination::Paging;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use social_core::{Account, AccountStatus};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/blocks", get(blocks))
        .route("/api/v1/mutes", get(mutes))
}

/// `GET /api/v1/blocks` (scope `read:blocks`): the accounts the viewer blocks.
async fn blocks(
    State(state): State<AppState>,
    user: ApiUser,
    urls: Urls,
    paging: Paging,
) -> Result<Response, ApiError> {
    user.require("read:blocks")?;
    let list = state
        .store
        .blocked_accounts(user.id(), paging.page())
        .await?;
    Ok(respond(list, &paging, &urls))
}

/// `GET /api/v1/mutes` (scope `read:mutes`): the accounts the viewer mutes.
async fn mutes(
    State(state): State<AppState>,
    user: ApiUser,
    urls: Urls,
    paging: Paging,
) -> Result<Response, ApiError> {
    user.require("read:mutes")?;
    let list = state.store.muted_accounts(user.id(), paging.page()).await?;
    Ok(respond(list, &paging, &urls))
}

/// The page with its `Link` header; accounts that are no longer active are left out of the
/// body (as in the follower lists) but still move the cursor.
fn respond(mut list: Vec<Account>, paging: &Paging, urls: &Urls) -> Response {
    paging.trim(&mut list, |a| a.id.0);
    let ids: Vec<i64> = list.iter().map(|a| a.id.0).collect();
    let body: Vec<_> = list
        .iter()
        .filter(|a| a.status == AccountStatus::Active)
        .map(|a| entities::account(a, urls))
        .collect();
    paging.respond(urls, &ids, &body)
}
