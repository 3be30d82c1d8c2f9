//! Sessions: the middleware that resolves the session cookie once per request (and keeps a
//! suspended account's session to its appeal), the [`CurrentUser`] / [`MaybeUser`]
//! extractors, and the session cookie itself.

use crate::AppState;
use crate::error::WebError;
use crate::util;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use social_core::access::APPEAL_PAGE;
use social_core::{Account, WebAccess};
use social_store::Session;
use std::sync::Arc;

/// A signed-in session and its cookie token.
#[derive(Debug)]
pub struct SessionCtx {
    pub session: Session,
    pub token: String,
}

/// Request extension set by [`load`]: the session, if the cookie names a valid one.
#[derive(Clone, Debug, Default)]
pub struct Viewer(Option<Arc<SessionCtx>>);

impl Viewer {
    pub fn session(&self) -> Option<&SessionCtx> {
        self.0.as_deref()
    }
}

/// Name of the session cookie (`__Host-` prefixed under TLS).
pub fn cookie_name(tls: bool) -> &'static str {
    if tls { "__Host-session" } else { "session" }
}

/// `Set-Cookie` value for a cookie of ours. `max_age` 0 deletes it.
pub fn set_cookie(name: &str, value: &str, max_age: u32, tls: bool) -> HeaderValue {
    let secure = if tls { "; Secure" } else { "" };
    let header =
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&header).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// How long the session cookie lives in the browser (30 days); the store decides validity.
pub const SESSION_COOKIE_MAX_AGE: u32 = 30 * 24 * 3600;

/// Middleware: looks the session cookie up (the store caches it) and stores a [`Viewer`].
pub async fn load(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/static/")
        || path == "/healthz"
        || path == "/readyz"
        || crate::api::is_api_path(path)
    {
        // No page here shows who is signed in: spare the lookup. The API ignores the cookie.
        return next.run(req).await;
    }
    let token = util::cookie(req.headers(), cookie_name(state.config.tls))
        .filter(|t| !t.is_empty() && t.len() <= 256)
        .map(str::to_owned);
    let mut viewer = Viewer::default();
    if let Some(token) = token {
        match state.store.get_session(&token).await {
            Ok(Some(session)) => viewer = Viewer(Some(Arc::new(SessionCtx { session, token }))),
            Ok(None) => {}
            Err(e) => return WebError::from(e).into_response(),
        }
    }
    if let Some(ctx) = viewer.session()
        && ctx.session.access == WebAccess::AppealOnly
        && !appeal_only_allows(req.method(), req.uri().path())
    {
        return appeal_only_refusal(req.method(), viewer);
    }
    req.extensions_mut().insert(viewer.clone());
    let mut response = next.run(req).await;
    // For the error pages rendered further out (they show the signed-in navigation).
    response.extensions_mut().insert(viewer);
    response
}

/// The only requests a suspended account's session may make (`WebAccess::AppealOnly`):
/// read its moderation notices, appeal one, log out. Checked here, before routing, for every
/// page route, so a new route is closed to it unless it is added to this list.
pub fn appeal_only_allows(method: &Method, path: &str) -> bool {
    let read = *method == Method::GET || *method == Method::HEAD;
    match path.strip_prefix(APPEAL_PAGE) {
        Some("") => read,
        Some(rest) if *method == Method::POST => rest
            .strip_prefix('/')
            .and_then(|r| r.strip_suffix("/appeal"))
            .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())),
        _ => *method == Method::POST && path == "/logout",
    }
}

/// Anything else of a suspended account: pages send it to its notices, other requests get
/// 403 saying why.
fn appeal_only_refusal(method: &Method, viewer: Viewer) -> Response {
    let mut response = if *method == Method::GET || *method == Method::HEAD {
        util::see_other(APPEAL_PAGE)
    } else {
        WebError::Forbidden(
            "This account is suspended by the moderators: it may only read their notice, \
             appeal it and log out."
                .into(),
        )
        .into_response()
    };
    // The error page shows the (reduced) navigation of this session.
    response.extensions_mut().insert(viewer);
    response
}

/// A signed-in user. Without one: a GET is redirected to `/login?next=…`, anything else
/// gets 403.
#[derive(Clone, Debug)]
pub struct CurrentUser(Arc<SessionCtx>);

impl CurrentUser {
    pub fn account(&self) -> &Account {
        &self.0.session.account
    }
    pub fn csrf(&self) -> &str {
        &self.0.session.csrf_token
    }
    pub fn token(&self) -> &str {
        &self.0.token
    }
    pub fn ctx(&self) -> &SessionCtx {
        &self.0
    }
    /// 403 unless the user is a moderator or admin.
    pub fn require_staff(&self) -> Result<(), WebError> {
        if self.account().role.is_staff() {
            Ok(())
        } else {
            Err(WebError::Forbidden(
                "Only moderators and admins may do this.".into(),
            ))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(ctx) = parts.extensions.get::<Viewer>().and_then(|v| v.0.clone()) {
            return Ok(Self(ctx));
        }
        if parts.method == Method::GET || parts.method == Method::HEAD {
            let next = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            Err(WebError::LoginRequired { next })
        } else {
            Err(WebError::Forbidden("Please log in first.".into()))
        }
    }
}

/// The signed-in user if there is one.
#[derive(Clone, Debug)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl MaybeUser {
    pub fn account(&self) -> Option<&Account> {
        self.0.as_ref().map(CurrentUser::account)
    }
    pub fn id(&self) -> Option<social_core::AccountId> {
        self.account().map(|a| a.id)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ctx = parts.extensions.get::<Viewer>().and_then(|v| v.0.clone());
        Ok(Self(ctx.map(CurrentUser)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appeal_only_sessions_reach_their_notices_appeals_and_log_out() {
        for (method, path) in [
            (Method::GET, "/settings/moderation"),
            (Method::HEAD, "/settings/moderation"),
            (Method::POST, "/settings/moderation/123/appeal"),
            (Method::POST, "/logout"),
        ] {
            assert!(appeal_only_allows(&method, path), "{method} {path}");
        }
        for (method, path) in [
            (Method::POST, "/settings/moderation"),
            (Method::GET, "/settings/moderation/123/appeal"),
            (Method::POST, "/settings/moderation//appeal"),
            (Method::POST, "/settings/moderation/12x/appeal"),
            (Method::POST, "/settings/moderation/1/appeal/x"),
            (Method::GET, "/settings/moderationx"),
            (Method::GET, "/settings/moderation/"),
            (Method::GET, "/logout"),
            (Method::GET, "/home"),
            (Method::GET, "/"),
            (Method::POST, "/posts"),
            (Method::POST, "/@bob/follow"),
            (Method::GET, "/settings/profile"),
            (Method::GET, "/oauth/authorize"),
            (Method::POST, "/oauth/authorize"),
            (Method::POST, "/reports"),
        ] {
            assert!(!appeal_only_allows(&method, path), "{method} {path}");
        }
    }
}
