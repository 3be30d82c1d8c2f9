//! `GET /api/v1/bookmarks`, and the `bookmarked` flag of Status entities: [`status_json`] and
//! [`statuses_json`] render statuses for a signed-in viewer with the flag set from one store
//! query per page.

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
    axum::Router::new().route("/api/v1/bookmarks", get(list))
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
    let mut page = state.store.bookmarks(user.id(), paging.page()).await?;
    paging.trim(&mut page, |(mark, _)| *mark);
    let ids: Vec<i64> = page.iter().map(|(mark, _)| *mark).collect();
    let views: Vec<PostView> = page.into_iter().map(|(_, v)| v).collect();
    let mut body = entities::statuses(&views, &urls);
    for s in &mut body {
        s.bookmarked = true;
        if let Some(r) = s.reblog.as_mut() {
            r.bookmarked = true;
        }
    }
    Ok(paging.respond(&urls, &ids, &body))
}
