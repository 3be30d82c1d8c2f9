//! CSRF protection for every state-changing request: the body limit (413), a cross-site
//! `Origin` check, and the `csrf` form field — the session's synchronizer token when signed in,
//! a double-submit cookie on anonymous forms (sign-up, log-in).

use crate::AppState;
use crate::error::WebError;
use crate::session::{self, Viewer};
use crate::util;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Name of the double-submit cookie (`__Host-` prefixed under TLS).
pub fn cookie_name(tls: bool) -> &'static str {
    if tls { "__Host-csrf" } else { "csrf" }
}

/// The anonymous visitor's double-submit token, and the `Set-Cookie` to send when it is new.
pub fn anon_token(headers: &HeaderMap, tls: bool) -> (String, Option<HeaderValue>) {
    match util::cookie(headers, cookie_name(tls)) {
        Some(t) if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (t.to_owned(), None)
        }
        _ => {
            let token = util::random_token();
            let cookie = session::set_cookie(cookie_name(tls), &token, 86400, tls);
            (token, Some(cookie))
        }
    }
}

const REFUSED: &str = "This form expired or came from another site. Reload the page and try again.";

/// Middleware guarding every method but GET / HEAD / OPTIONS.
pub async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The API authenticates by bearer token only (it ignores cookies): nothing to forge.
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || crate::api::is_api_path(req.uri().path())
    {
        return next.run(req).await;
    }
    match check(&state, req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

async fn check(state: &AppState, req: Request) -> Result<Request, WebError> {
    let limit = state.config.max_body_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(WebError::PayloadTooLarge);
    }
    if cross_site(req.headers()) {
        return Err(WebError::Forbidden(REFUSED.into()));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| WebError::PayloadTooLarge)?;
    let sent = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v);
    let expected = match parts.extensions.get::<Viewer>().and_then(Viewer::session) {
        Some(ctx) => Some(ctx.session.csrf_token.as_str()),
        None => util::cookie(&parts.headers, cookie_name(state.config.tls)),
    };
    let ok = match (sent, expected) {
        (Some(sent), Some(expected)) if !expected.is_empty() => {
            util::constant_time_eq(sent.as_bytes(), expected.as_bytes())
        }
        _ => false,
    };
    if !ok {
        return Err(WebError::Forbidden(REFUSED.into()));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// A request whose `Origin` names another host than `Host`, or that the browser marks as
/// cross-site.
fn cross_site(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return false;
    };
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin_host, host) {
        (Some(o), Some(h)) => !o.eq_ignore_ascii_case(h),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_must_match_host() {
        assert!(!cross_site(&headers(&[("host", "a.example")])));
        assert!(!cross_site(&headers(&[
            ("host", "a.example"),
            ("origin", "https://a.example")
        ])));
        assert!(cross_site(&headers(&[
            ("host", "a.example"),
            ("origin", "https://b.example")
        ])));
        assert!(cross_site(&headers(&[
            ("host", "a.example"),
            ("origin", "null")
        ])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
    }
}
