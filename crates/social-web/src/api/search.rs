//! `GET /api/v2/search`: local accounts by username or display name prefix, hashtags of public
//! posts by prefix, and statuses only by their URL on this site (no full-text search: it
//! would need an index we do not keep; text queries give no statuses).

use super::accounts::{find_accounts, query_values, viewer_of};
use super::auth::MaybeApiUser;
use super::entities::{self, Urls};
use super::error::ApiError;
use super::pagination::{Paging, bad_request};
use crate::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use social_core::PostId;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/api/v2/search", get(search))
}

#[derive(Serialize)]
struct Results {
    accounts: Vec<entities::AccountJson>,
    statuses: Vec<entities::StatusJson>,
    hashtags: Vec<entities::TagJson>,
}

/// The post ID in a URL of a post on this site (`{base}/@name/ID`).
fn post_url_id(q: &str, urls: &Urls) -> Option<PostId> {
    let path = q.strip_prefix(&urls.base)?.strip_prefix("/@")?;
    let (_, id) = path.split_once('/')?;
    id.parse::<i64>().ok().filter(|id| *id > 0).map(PostId)
}

async fn search(
    State(state): State<AppState>,
    urls: Urls,
    user: MaybeApiUser,
    paging: Paging,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = query.as_deref();
    let q = query_values(query, "q")
        .into_iter()
        .next()
        .map(|q| q.trim().to_owned())
        .filter(|q| !q.is_empty())
        .ok_or_else(|| bad_request("q is required".into()))?;
    let kind = query_values(query, "type").into_iter().next();
    let want = |k: &str| kind.as_deref().is_none_or(|t| t == k);
    if let Some(t) = kind.as_deref()
        && !matches!(t, "accounts" | "hashtags" | "statuses")
    {
        return Err(bad_request(
            "type must be accounts, hashtags or statuses".into(),
        ));
    }
    // Only the first page: we do not page search results (`offset` > 0 gives nothing).
    let offset = query_values(query, "offset").into_iter().next();
    let mut results = Results {
        accounts: Vec::new(),
        statuses: Vec::new(),
        hashtags: Vec::new(),
    };
    if offset.is_some_and(|o| o != "0") {
        return Ok(Json(results).into_response());
    }
    if let Some(id) = post_url_id(&q, &urls) {
        if want("statuses")
            && let Ok(view) = state.store.get_post_view(viewer_of(&user), id).await
        {
            results.statuses.push(entities::status(&view, &urls));
        }
        return Ok(Json(results).into_response());
    }
    let profile = q
        .strip_prefix(&urls.base)
        .and_then(|p| p.strip_prefix("/@"));
    if want("accounts") {
        results.accounts =
            find_accounts(&state, &urls, profile.unwrap_or(&q), paging.limit).await?;
    }
    let tag = q.trim_start_matches('#');
    if want("hashtags") && profile.is_none() && social_core::text::is_valid_tag(tag) {
        let tags = state.store.search_tags(tag, paging.limit).await?;
        results.hashtags = tags.iter().map(|t| entities::tag(t, &urls)).collect();
    }
    Ok(Json(results).into_response())
}
