//! The Mastodon-compatible client API: JSON in and out, bearer tokens only (no cookies, hence
//! no CSRF), CORS open to every origin, trailing slashes tolerated. See `docs/api.md`.
//!
//! [`routes`] holds every API route; `crate::router` gives them their own middleware
//! ([`json_errors`], a body limit) apart from the HTML pages' stack, and runs [`edge`] (CORS,
//! preflight, trailing slash) in front of routing.

pub mod accounts;
pub mod accounts_write;
pub mod apps;
pub mod auth;
pub mod blocks;
pub mod bookmarks;
pub mod entities;
pub mod error;
pub mod extract;
pub mod follow_requests;
pub mod instance;
pub mod markers;
pub mod media;
pub mod notifications;
pub mod oauth;
pub mod pagination;
pub mod reports;
pub mod search;
pub mod statuses;
pub mod statuses_write;
pub mod timelines;

pub use auth::{ApiUser, AppToken, MaybeApiUser};
pub use error::{ApiError, ApiResult};
pub use extract::{ApiForm, ApiQuery};

use crate::AppState;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// Every API route (the OAuth consent page `/oauth/authorize` is an HTML page, not here).
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/apps", post(apps::create))
        .route(
            "/api/v1/apps/verify_credentials",
            get(apps::verify_credentials),
        )
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/revoke", post(oauth::revoke))
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth::metadata),
        )
        .merge(accounts::routes())
        .merge(instance::routes())
        .merge(statuses::routes())
        .merge(timelines::routes())
        .merge(search::routes())
        .merge(statuses_write::routes())
        .merge(accounts_write::routes())
        .merge(bookmarks::routes())
        .merge(blocks::routes())
        .merge(notifications::routes())
        .merge(follow_requests::routes())
        .merge(markers::routes())
        .merge(reports::routes())
}

/// Paths served as API: JSON errors, CORS, no session, no CSRF.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/")
        || path == "/oauth/token"
        || path == "/oauth/revoke"
        || path.starts_with("/.well-known/")
        || path.starts_with("/nodeinfo/")
}

const ALLOW_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Accept, Idempotency-Key";
const EXPOSE_HEADERS: &str = "Link, X-RateLimit-Limit, X-RateLimit-Remaining, \
                              X-RateLimit-Reset, X-Request-Id, Idempotency-Key";

/// Middleware in front of routing, for API paths: answers CORS preflights, strips a trailing
/// slash (`/api/v1/apps/` is `/api/v1/apps`), and adds the CORS headers to the response.
/// Any origin may call the API: it authenticates by bearer token only, never by cookie.
pub async fn edge(mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !is_api_path(path) {
        // The consent page is HTML, but clients build its URL themselves: toot asks for
        // `/oauth/authorize/?…`, which Mastodon (Rails) serves as `/oauth/authorize`.
        if path == "/oauth/authorize/" {
            strip_trailing_slash(&mut req);
        }
        return next.run(req).await;
    }
    if req.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        cors_headers(response.headers_mut());
        let headers = response.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        let asked = req
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
            .filter(|v| v.len() <= 1000)
            .cloned();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            asked.unwrap_or_else(|| HeaderValue::from_static(ALLOW_HEADERS)),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        return response;
    }
    strip_trailing_slash(&mut req);
    let mut response = next.run(req).await;
    cors_headers(response.headers_mut());
    response
}

/// Rewrites `/a/b/?q` to `/a/b?q` (the query is kept; `/` stays `/`).
fn strip_trailing_slash(req: &mut Request) {
    let path = req.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let rebuilt = match req.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_owned(),
        };
        if let Ok(uri) = rebuilt.parse::<Uri>() {
            *req.uri_mut() = uri;
        }
    }
}

fn cors_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
}

/// Middleware on the API routes: an error response that is not already our JSON (axum's 405,
/// a rejection of its own extractors, 413 from the body limit) gets the JSON error body.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<error::ApiErrorBody>().is_some()
    {
        return response;
    }
    let (parts, _) = response.into_parts();
    let mut fresh = error::generic(status).into_response();
    // Keep headers such as `Allow` on a 405.
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fresh.headers_mut().insert(name.clone(), value.clone());
        }
    }
    let (mut fresh_parts, body): (_, Body) = fresh.into_parts();
    fresh_parts.status = status;
    Response::from_parts(fresh_parts, body)
}
