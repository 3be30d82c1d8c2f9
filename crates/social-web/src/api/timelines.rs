//! Timelines: home (scope `read:statuses`), public (`local`; `remote` is empty: there is no
//! federation) and hashtag. All paged with `max_id` / `since_id` / `min_id` and `Link`.

use super::accounts::{query_values, viewer_of};
use super::auth::{ApiUser, MaybeApiUser};
use super::entities::{self, Urls};
use super::error::ApiError;
use super::pagination::Paging;
use crate::AppState;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use social_store::PostView;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/timelines/home", get(home))
        .route("/api/v1/timelines/public", get(public))
        .route("/api/v1/timelines/tag/{hashtag}", get(tag))
}

fn respond(paging: &Paging, urls: &Urls, mut views: Vec<PostView>) -> Response {
    paging.trim(&mut views, |v| v.post.id.0);
    let ids: Vec<i64> = views.iter().map(|v| v.post.id.0).collect();
    paging.respond(urls, &ids, &entities::statuses(&views, urls))
}

fn flag(query: Option<&str>, name: &str) -> bool {
    query_values(query, name)
        .first()
        .is_some_and(|v| matches!(v.as_str(), "true" | "1" | "on"))
}

fn empty() -> Response {
    Json(Vec::<()>::new()).into_response()
}

/// `GET /api/v1/timelines/home`.
async fn home(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    paging: Paging,
) -> Result<Response, ApiError> {
    user.require("read:statuses")?;
    let views = state
        .store
        .home_timeline(user.account.id, paging.page())
        .await?;
    Ok(respond(&paging, &urls, views))
}

/// `GET /api/v1/timelines/public`: every public post is local; `remote=true` and
/// `only_media=true` give `[]`.
async fn public(
    State(state): State<AppState>,
    urls: Urls,
    user: MaybeApiUser,
    paging: Paging,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let q = query.as_deref();
    if flag(q, "remote") || flag(q, "only_media") {
        return Ok(empty());
    }
    let views = state
        .store
        .local_timeline(viewer_of(&user), paging.page())
        .await?;
    Ok(respond(&paging, &urls, views))
}

/// `GET /api/v1/timelines/tag/{hashtag}`: public posts with the tag (`any[]`, `all[]`,
/// `none[]` are not supported and ignored; `remote` / `only_media` give `[]`).
async fn tag(
    State(state): State<AppState>,
    urls: Urls,
    user: MaybeApiUser,
    paging: Paging,
    RawQuery(query): RawQuery,
    Path(hashtag): Path<String>,
) -> Result<Response, ApiError> {
    let q = query.as_deref();
    let name = hashtag.trim_start_matches('#');
    if flag(q, "remote") || flag(q, "only_media") || !social_core::text::is_valid_tag(name) {
        return Ok(empty());
    }
    let views = state
        .store
        .tag_timeline(viewer_of(&user), name, paging.page())
        .await?;
    Ok(respond(&paging, &urls, views))
}
