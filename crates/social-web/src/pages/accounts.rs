//! Profiles, follow / block / mute actions, and follow requests.

use crate::AppState;
use crate::client_addr::ClientIp;
use crate::error::{WebError, WebResult};
use crate::extract::{Cursor, WebForm, WebQuery};
use crate::pages::{NextForm, chrome_for, chrome_maybe};
use crate::ratelimit;
use crate::session::{CurrentUser, MaybeUser};
use crate::util::see_other;
use crate::views::accounts::{self as view, Profile};
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use social_core::{Account, AccountId, AccountStatus};
use social_store::Page;

/// An active account by username, or 404.
pub async fn active_account(state: &AppState, username: &str) -> WebResult<Account> {
    if username.is_empty() || username.len() > 64 {
        return Err(WebError::NotFound);
    }
    match state.store.get_account_by_username(username).await? {
        Some(a) if a.status == AccountStatus::Active => Ok(a),
        _ => Err(WebError::NotFound),
    }
}

/// `GET /@{username}`.
pub async fn profile(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(username): Path<String>,
    uri: Uri,
    WebQuery(cursor): WebQuery<Cursor>,
) -> WebResult<Response> {
    let account = active_account(&state, &username).await?;
    let posts = state
        .store
        .account_timeline(user.id(), account.id, cursor.page())
        .await?;
    let relationship = match user.id() {
        Some(me) if me != account.id => Some(state.store.relationship(me, account.id).await?),
        _ => None,
    };
    let chrome = chrome_maybe(&state, user.0.as_ref()).await?;
    let next = uri.path_and_query().map_or("/", |p| p.as_str());
    let p = Profile {
        account: &account,
        relationship,
        posts: &posts,
        cursor: &cursor,
        next,
    };
    Ok(view::profile(&chrome, &p).into_response())
}

/// `POST /@{username}/{action}`: follow, unfollow, block, unblock, mute, unmute.
pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    Path((username, action)): Path<(String, String)>,
    WebForm(form): WebForm<NextForm>,
) -> WebResult<Response> {
    let target = active_account(&state, &username).await?;
    let (me, other) = (user.account().id, target.id);
    let store = &state.store;
    if action == "follow" {
        let limits = &state.config.rate_limits;
        let address = (limits.follows_per_address, ip);
        ratelimit::check_action(&state, "follows", (limits.follows, me.0), address).await?;
    }
    match action.as_str() {
        "follow" => drop(store.follow(me, other).await?),
        "unfollow" => store.unfollow(me, other).await?,
        "block" => store.block(me, other).await?,
        "unblock" => store.unblock(me, other).await?,
        "mute" => store.mute(me, other).await?,
        "unmute" => store.unmute(me, other).await?,
        _ => return Err(WebError::NotFound),
    }
    let profile = format!("/@{}", target.username);
    Ok(see_other(form.target(&profile)))
}

/// `GET /follow_requests`.
pub async fn follow_requests(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(cursor): WebQuery<Cursor>,
) -> WebResult<Response> {
    let page = Page {
        limit: Page::MAX_LIMIT,
        ..cursor.page()
    };
    let requests = state
        .store
        .list_follow_requests(user.account().id, page)
        .await?;
    let chrome = chrome_for(&state, &user).await?;
    Ok(view::follow_requests(&chrome, &requests).into_response())
}

/// `POST /follow_requests/{account_id}/{authorize|reject}`.
pub async fn answer_follow_request(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((account_id, action)): Path<(String, String)>,
    WebForm(form): WebForm<NextForm>,
) -> WebResult<Response> {
    let requester = account_id
        .parse::<AccountId>()
        .map_err(|_| WebError::NotFound)?;
    let me = user.account().id;
    match action.as_str() {
        "authorize" => state.store.authorize_follow_request(me, requester).await?,
        "reject" => state.store.reject_follow_request(me, requester).await?,
        _ => return Err(WebError::NotFound),
    }
    Ok(see_other(form.target("/follow_requests")))
}
