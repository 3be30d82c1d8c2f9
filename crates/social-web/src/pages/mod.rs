//! Request handlers, one module per area. Handlers stay thin: extract, call the store, render.

pub mod accounts;
pub mod admin;
pub mod appeals;
pub mod auth;
pub mod email_blocks;
pub mod email_links;
pub mod health;
pub mod held;
pub mod moderation;
pub mod notifications;
pub mod oauth;
pub mod posts;
pub mod rules;
pub mod security;
pub mod sessions;
pub mod settings;
pub mod timelines;
pub mod two_factor;

use crate::AppState;
use crate::error::{ErrorInfo, WebResult};
use crate::session::CurrentUser;
use crate::views::Chrome;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use social_core::ValidationError;

/// The frame of a signed-in page (fetches the unread count).
pub async fn chrome_for<'a>(state: &'a AppState, user: &'a CurrentUser) -> WebResult<Chrome<'a>> {
    let unread = state
        .store
        .count_unread_notifications(user.account().id)
        .await?;
    Ok(Chrome {
        instance: &state.config.instance_name,
        user: Some(user.ctx()),
        unread,
    })
}

/// The frame of a page that may or may not have a signed-in user.
pub async fn chrome_maybe<'a>(
    state: &'a AppState,
    user: Option<&'a CurrentUser>,
) -> WebResult<Chrome<'a>> {
    match user {
        Some(u) => chrome_for(state, u).await,
        None => Ok(anonymous(state)),
    }
}

pub fn anonymous(state: &AppState) -> Chrome<'_> {
    Chrome {
        instance: &state.config.instance_name,
        user: None,
        unread: 0,
    }
}

/// A form shown again with an error status (409 / 422). JSON clients get the error body instead.
pub fn form_error(status: StatusCode, error: &ValidationError, page: Html<String>) -> Response {
    let code = if status == StatusCode::CONFLICT {
        "conflict"
    } else {
        "validation_failed"
    };
    let info = ErrorInfo {
        code,
        message: format!("{}: {}", error.field, error.message).into(),
        page: false,
    };
    let mut response = (status, page).into_response();
    response.extensions_mut().insert(info);
    response
}

/// Adds a `Set-Cookie` header when there is one.
pub fn with_cookie(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The optional `next` field of action forms.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NextForm {
    pub next: Option<String>,
}

impl NextForm {
    pub fn target<'a>(&'a self, fallback: &'a str) -> &'a str {
        crate::util::local_path(self.next.as_deref(), fallback)
    }
}
