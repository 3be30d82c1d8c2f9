//! Account reads: verify_credentials, get, statuses, followers, following, relationships,
//! lookup, search. Follow/block/mute and profile updates are in `accounts_write.rs`.

use super::auth::{ApiUser, MaybeApiUser};
use super::entities::{self, Urls};
use super::error::ApiError;
use super::pagination::{Paging, bad_request, not_found, path_id};
use crate::AppState;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use social_core::{Account, AccountId, AccountStatus};
use social_store::Page;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/api/v1/accounts/verify_credentials",
            get(verify_credentials),
        )
        .route("/api/v1/accounts/relationships", get(relationships))
        .route("/api/v1/accounts/lookup", get(lookup))
        .route("/api/v1/accounts/search", get(search))
        .route("/api/v1/accounts/{id}", get(get_account))
        .route("/api/v1/accounts/{id}/statuses", get(statuses))
        .route("/api/v1/accounts/{id}/followers", get(followers))
        .route("/api/v1/accounts/{id}/following", get(following))
}

/// The signed-in viewer's ID, if any.
pub fn viewer_of(user: &MaybeApiUser) -> Option<AccountId> {
    user.0.as_ref().map(|u| u.account.id)
}

/// An active account by path ID; anything else (garbage, unknown, pending, disabled) is 404.
pub async fn active_account(state: &AppState, raw_id: &str) -> Result<Account, ApiError> {
    let id = AccountId(path_id(raw_id)?);
    match state.store.get_account_by_id(id).await? {
        Some(a) if a.status == AccountStatus::Active => Ok(a),
        _ => Err(not_found()),
    }
}

/// The values of `name` and `name[]` in a query string.
pub fn query_values(query: Option<&str>, name: &str) -> Vec<String> {
    let list = format!("{name}[]");
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| *k == name || *k == list)
        .map(|(_, v)| v.into_owned())
        .collect()
}

fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    query_values(query, name).into_iter().next()
}

fn flag(query: Option<&str>, name: &str) -> bool {
    query_value(query, name).is_some_and(|v| matches!(v.as_str(), "true" | "1" | "on"))
}

/// `GET /api/v1/accounts/verify_credentials` (scope `profile` or `read:accounts`).
async fn verify_credentials(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
) -> Result<Response, ApiError> {
    user.require("profile")
        .or_else(|_| user.require("read:accounts"))?;
    // Fresh from the store: the token's cached account may predate a profile change.
    let account = state
        .store
        .get_account_by_id(user.account.id)
        .await?
        .ok_or_else(not_found)?;
    let requests = state
        .store
        .list_follow_requests(account.id, Page::first(Page::MAX_LIMIT))
        .await?;
    let count = i64::try_from(requests.len()).unwrap_or(0);
    Ok(Json(entities::credential_account(&account, count, &urls)).into_response())
}

/// `GET /api/v1/accounts/{id}`.
async fn get_account(
    State(state): State<AppState>,
    urls: Urls,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let account = active_account(&state, &id).await?;
    Ok(Json(entities::account(&account, &urls)).into_response())
}

/// `GET /api/v1/accounts/{id}/statuses`: the posts and boosts the viewer may see. `pinned`
/// and `only_media` give `[]` (no pins, no media here); `exclude_replies`,
/// `exclude_reblogs` and `tagged` filter the page (so a page may hold fewer than `limit`).
async fn statuses(
    State(state): State<AppState>,
    urls: Urls,
    user: MaybeApiUser,
    paging: Paging,
    RawQuery(query): RawQuery,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let account = active_account(&state, &id).await?;
    let q = query.as_deref();
    if flag(q, "pinned") || flag(q, "only_media") {
        return Ok(Json(Vec::<()>::new()).into_response());
    }
    let mut views = state
        .store
        .account_timeline(viewer_of(&user), account.id, paging.page())
        .await?;
    paging.trim(&mut views, |v| v.post.id.0);
    let ids: Vec<i64> = views.iter().map(|v| v.post.id.0).collect();
    let tagged = query_value(q, "tagged").map(|t| social_core::text::normalize_tag(&t));
    let (no_replies, no_reblogs) = (flag(q, "exclude_replies"), flag(q, "exclude_reblogs"));
    views.retain(|v| {
        // Mastodon keeps self-replies (threads) when excluding replies.
        let reply_to_other =
            v.post.in_reply_to_id.is_some() && v.post.in_reply_to_account_id != Some(account.id);
        let keep_reply = !(no_replies && reply_to_other);
        let keep_boost = !(no_reblogs && v.reblog.is_some());
        keep_reply && keep_boost && tagged.as_ref().is_none_or(|t| v.tags.contains(t))
    });
    Ok(paging.respond(&urls, &ids, &entities::statuses(&views, &urls)))
}

async fn follow_list(
    state: AppState,
    urls: Urls,
    paging: Paging,
    id: String,
    followers: bool,
) -> Result<Response, ApiError> {
    let account = active_account(&state, &id).await?;
    let mut list = if followers {
        state.store.followers(account.id, paging.page()).await?
    } else {
        state.store.following(account.id, paging.page()).await?
    };
    paging.trim(&mut list, |a| a.id.0);
    let ids: Vec<i64> = list.iter().map(|a| a.id.0).collect();
    let body: Vec<_> = list
        .iter()
        .filter(|a| a.status == AccountStatus::Active)
        .map(|a| entities::account(a, &urls))
        .collect();
    Ok(paging.respond(&urls, &ids, &body))
}

/// `GET /api/v1/accounts/{id}/followers`, paged by account ID.
async fn followers(
    State(state): State<AppState>,
    urls: Urls,
    paging: Paging,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    follow_list(state, urls, paging, id, true).await
}

/// `GET /api/v1/accounts/{id}/following`, paged by account ID.
async fn following(
    State(state): State<AppState>,
    urls: Urls,
    paging: Paging,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    follow_list(state, urls, paging, id, false).await
}

/// `GET /api/v1/accounts/relationships?id[]=…` (scope `read:follows`): one entry per known
/// account, in the order asked, at most 40.
async fn relationships(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    user.require("read:follows")?;
    let mut out = Vec::new();
    for raw in query_values(query.as_deref(), "id").iter().take(40) {
        let Ok(id) = path_id(raw) else { continue };
        let id = AccountId(id);
        if state.store.get_account_by_id(id).await?.is_none() {
            continue;
        }
        let rel = state.store.relationship(user.account.id, id).await?;
        out.push(entities::relationship(id, &rel));
    }
    Ok(Json(out).into_response())
}

/// A local username from `acct` (`name`, `@name`, `name@this.domain`); None for another
/// domain.
fn local_name<'a>(acct: &'a str, urls: &Urls) -> Option<&'a str> {
    let acct = acct.trim().trim_start_matches('@');
    match acct.split_once('@') {
        None => Some(acct),
        Some((name, domain)) if domain.eq_ignore_ascii_case(&urls.domain) => Some(name),
        Some(_) => None,
    }
}

/// `GET /api/v1/accounts/lookup?acct=name`.
async fn lookup(
    State(state): State<AppState>,
    urls: Urls,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let acct = query_value(query.as_deref(), "acct")
        .filter(|a| !a.trim().is_empty())
        .ok_or_else(|| bad_request("acct is required".into()))?;
    let name = local_name(&acct, &urls).ok_or_else(not_found)?;
    match state.store.get_account_by_username(name).await? {
        Some(a) if a.status == AccountStatus::Active => {
            Ok(Json(entities::account(&a, &urls)).into_response())
        }
        _ => Err(not_found()),
    }
}

/// Accounts matching `q` (a username or display name prefix), for both search endpoints.
pub async fn find_accounts(
    state: &AppState,
    urls: &Urls,
    q: &str,
    limit: u32,
) -> Result<Vec<entities::AccountJson>, ApiError> {
    let Some(name) = local_name(q, urls).filter(|n| !n.is_empty()) else {
        return Ok(Vec::new());
    };
    let found = state.store.search_accounts(name, limit).await?;
    Ok(found.iter().map(|a| entities::account(a, urls)).collect())
}

/// `GET /api/v1/accounts/search?q=…&limit=…`: local accounts by username or display name
/// prefix. `resolve` is ignored (no federation); `following` is not supported (ignored).
async fn search(
    State(state): State<AppState>,
    urls: Urls,
    paging: Paging,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let q =
        query_value(query.as_deref(), "q").ok_or_else(|| bad_request("q is required".into()))?;
    Ok(Json(find_accounts(&state, &urls, &q, paging.limit).await?).into_response())
}
