//! Home, local and hashtag timelines.

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::extract::{Cursor, WebQuery};
use crate::pages::chrome_maybe;
use crate::session::{CurrentUser, MaybeUser};
use crate::views::Chrome;
use crate::views::forms::Compose;
use crate::views::timelines::{Timeline, timeline};
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use social_core::Visibility;

/// `GET /home`: composer and home timeline. The hot path: one session lookup (cached by the
/// store), then the timeline and the unread count in one read (`Store::home_page`).
pub async fn home(
    State(state): State<AppState>,
    user: CurrentUser,
    uri: Uri,
    WebQuery(cursor): WebQuery<Cursor>,
) -> WebResult<Response> {
    let id = user.account().id;
    let (posts, unread) = state.store.home_page(id, cursor.page()).await?;
    let chrome = Chrome {
        instance: &state.config.instance_name,
        user: Some(user.ctx()),
        unread,
    };
    let compose = Compose {
        csrf: user.csrf(),
        text: "",
        spoiler_text: "",
        visibility: Visibility::Public,
        in_reply_to: None,
        max_chars: state.config.post_max_chars,
    };
    let next = uri.path_and_query().map_or("/home", |p| p.as_str());
    let t = Timeline {
        title: "Home",
        base: "/home",
        posts: &posts,
        cursor: &cursor,
        compose: Some(compose),
        next,
    };
    Ok(timeline(&chrome, &t).into_response())
}

/// `GET /local`: public posts of this server.
pub async fn local(
    State(state): State<AppState>,
    user: MaybeUser,
    uri: Uri,
    WebQuery(cursor): WebQuery<Cursor>,
) -> WebResult<Response> {
    let posts = state.store.local_timeline(user.id(), cursor.page()).await?;
    let chrome = chrome_maybe(&state, user.0.as_ref()).await?;
    let next = uri.path_and_query().map_or("/local", |p| p.as_str());
    let t = Timeline {
        title: "Local timeline",
        base: "/local",
        posts: &posts,
        cursor: &cursor,
        compose: None,
        next,
    };
    Ok(timeline(&chrome, &t).into_response())
}

/// `GET /tags/{tag}`.
pub async fn tag(
    State(state): State<AppState>,
    user: MaybeUser,
    Path(tag): Path<String>,
    uri: Uri,
    WebQuery(cursor): WebQuery<Cursor>,
) -> WebResult<Response> {
    let tag = social_core::text::normalize_tag(&tag);
    if !social_core::text::is_valid_tag(&tag) {
        return Err(WebError::NotFound);
    }
    let posts = state
        .store
        .tag_timeline(user.id(), &tag, cursor.page())
        .await?;
    let chrome = chrome_maybe(&state, user.0.as_ref()).await?;
    let title = format!("#{tag}");
    let base = format!("/tags/{}", crate::util::percent_encode(&tag));
    let next = uri.path_and_query().map_or("/local", |p| p.as_str());
    let t = Timeline {
        title: &title,
        base: &base,
        posts: &posts,
        cursor: &cursor,
        compose: None,
        next,
    };
    Ok(timeline(&chrome, &t).into_response())
}
