//! `GET /api/v1/bookmarks` and `GET /api/v1/favourites`, and the `bookmarked` flag of Status
//! entities: [`status_json`] and [`statuses_json`] render statuses for a signed-in viewer with
//! the flag set from one store query per page.

use super::auth::ApiUser;
use super::entities::{self, StatusJson, Urls};
use super::error::ApiResult;
use super::pagination::Paging;
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use social_core::{AccountId, PostId};
use social_store::PostView;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/bookmarks", get(list))
        .route("/api/v1/favourites", get(favourites))
}

/// The id a bookmark is on: the original for a boost.
fn bookmark_target(s: &StatusJson) -> PostId {
    s.reblog.as_ref().map_or(s.id, |r| r.id)
}

/// Sets `bookmarked` (on a boost and on its original alike) for the viewer.
pub async fn mark_bookmarks(
    state: &AppState,
    viewer: AccountId,
    statuses: &mut [StatusJson],
) -> ApiResult<()> {
    let ids: Vec<PostId> = statuses.iter().map(bookmark_target).collect();
    let marked = state.store.bookmarked_among(viewer, &ids).await?;
    for s in statuses.iter_mut() {
        let on = marked.contains(&bookmark_target(s));
        s.bookmarked = on;
        if let Some(r) = s.reblog.as_mut() {
            r.bookmarked = on;
        }
    }
    Ok(())
}

/// One status for a signed-in viewer, `bookmarked` included.
pub async fn status_json(
    state: &AppState,
    viewer: AccountId,
    view: &PostView,
    urls: &Urls,
) -> ApiResult<StatusJson> {
    let mut one = [entities::status(view, urls)];
    mark_bookmarks(state, viewer, &mut one).await?;
    let [json] = one;
    Ok(json)
}

/// A page of statuses for a signed-in viewer, `bookmarked` included.
pub async fn statuses_json(
    state: &AppState,
    viewer: AccountId,
    views: &[PostView],
    urls: &Urls,
) -> ApiResult<Vec<StatusJson>> {
    let mut list = entities::statuses(views, urls);
    mark_bookmarks(state, viewer, &mut list).await?;
    Ok(list)
}

/// `GET /api/v1/bookmarks` (scope `read:bookmarks`): most recently bookmarked first, paged by
/// bookmark (not status) id, as Mastodon does; the `Link` header carries those ids.
async fn list(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    paging: Paging,
) -> ApiResult<Response> {
    user.require("read:bookmarks")?;
    let page = state.store.bookmarks(user.id(), paging.page()).await?;
    marked_page(&state, &urls, &user, &paging, page).await
}

/// `GET /api/v1/favourites` (scope `read:favourites`): most recently favourited first, paged by
/// favourite (not status) id, as Mastodon does; the `Link` header carries those ids.
async fn favourites(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    paging: Paging,
) -> ApiResult<Response> {
    user.require("read:favourites")?;
    let page = state.store.favourites(user.id(), paging.page()).await?;
    marked_page(&state, &urls, &user, &paging, page).await
}

/// A page of `(mark id, status)` pairs as a Status list, the `Link` header over the mark ids.
async fn marked_page(
    state: &AppState,
    urls: &Urls,
    user: &ApiUser,
    paging: &Paging,
    mut page: Vec<(i64, PostView)>,
) -> ApiResult<Response> {
    paging.trim(&mut page, |(mark, _)| *mark);
    let ids: Vec<i64> = page.iter().map(|(mark, _)| *mark).collect();
    let views: Vec<PostView> = page.into_iter().map(|(_, v)| v).collect();
    let body = statuses_json(state, user.id(), &views, urls).await?;
    Ok(paging.respond(urls, &ids, &body))
}
