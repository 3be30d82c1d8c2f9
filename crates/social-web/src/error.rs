//! The one error type of the web layer ([`WebError`]) and the middleware that turns every error
//! response (ours, or axum's own rejections) into our HTML page or a JSON body.

use crate::AppState;
use crate::request_id::RequestId;
use crate::session::Viewer;
use crate::views;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use social_core::ValidationError;
use social_store::StoreError;
use std::borrow::Cow;

/// Why a request failed. Each variant's doc names its HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// 400: the request is malformed (bad form or query, wrong content type).
    #[error("bad request: {0}")]
    BadRequest(Cow<'static, str>),
    /// 303 to `/login?next=…`: a GET that needs a signed-in user.
    #[error("sign-in required")]
    LoginRequired { next: String },
    /// 403: not allowed (not signed in for a POST, CSRF, not staff, closed registration …).
    #[error("forbidden: {0}")]
    Forbidden(Cow<'static, str>),
    /// 404: unknown, or not visible to the viewer.
    #[error("not found")]
    NotFound,
    /// 405: the path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: the write collides with existing data (a taken username).
    #[error("conflict: {0}")]
    Conflict(Cow<'static, str>),
    /// 413: the body is larger than `max_body_bytes`.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 422: a field fails validation (used when no form is re-rendered).
    #[error("invalid: {0}")]
    Invalid(ValidationError),
    /// 429: too many attempts (a rate limit); `Retry-After` when the wait is known.
    #[error("too many requests")]
    TooManyRequests { retry_after: Option<u64> },
    /// 500: an internal failure; logged with the request id, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type WebResult<T> = Result<T, WebError>;

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict { what } => {
                Self::Conflict(format!("That {what} is taken.").into())
            }
            StoreError::Forbidden { reason } => Self::Forbidden(reason.into()),
            StoreError::Invalid(v) => Self::Invalid(v),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<ValidationError> for WebError {
    fn from(v: ValidationError) -> Self {
        Self::Invalid(v)
    }
}

/// "3 minutes", "1 hour": a wait in words, rounded up.
fn wait_text(secs: u64) -> String {
    let (n, unit) = match secs {
        0..=59 => (secs.max(1), "second"),
        60..=3599 => (secs.div_ceil(60), "minute"),
        _ => (secs.div_ceil(3600), "hour"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Attached to error responses so [`render_errors`] knows what to show. `page: true` means the
/// body is empty and the error page must be rendered; `false` means the handler rendered its
/// own page (a form shown again) and only JSON clients get the body replaced.
#[derive(Clone, Debug)]
pub struct ErrorInfo {
    pub code: &'static str,
    pub message: Cow<'static, str>,
    pub page: bool,
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::LoginRequired { .. } => StatusCode::SEE_OTHER,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn info(self) -> ErrorInfo {
        let (code, message): (&'static str, Cow<'static, str>) = match self {
            Self::BadRequest(m) => ("bad_request", m),
            Self::LoginRequired { .. } => ("login_required", "Please log in.".into()),
            Self::Forbidden(m) => ("forbidden", m),
            Self::NotFound => (
                "not_found",
                "There is nothing here, or you may not see it.".into(),
            ),
            Self::MethodNotAllowed => (
                "method_not_allowed",
                "This address does not accept that method.".into(),
            ),
            Self::Conflict(m) => ("conflict", m),
            Self::PayloadTooLarge => ("payload_too_large", "The request is too large.".into()),
            Self::Invalid(v) => (
                "validation_failed",
                format!("{}: {}", v.field, v.message).into(),
            ),
            Self::TooManyRequests { retry_after } => (
                "too_many_requests",
                match retry_after {
                    Some(secs) => {
                        format!("Too many attempts. Retry in {}.", wait_text(secs)).into()
                    }
                    None => "Too many attempts. Wait a few minutes and retry.".into(),
                },
            ),
            Self::Internal(_) => ("internal_error", "Something went wrong on our side.".into()),
        };
        ErrorInfo {
            code,
            message,
            page: true,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let Self::LoginRequired { next } = &self {
            let target = format!("/login?next={}", crate::util::percent_encode(next));
            return crate::util::see_other(&target);
        }
        if let Self::Internal(cause) = &self {
            // The span carries the request id; the client only sees the id.
            tracing::error!(%cause, "request failed");
        }
        let status = self.status();
        let mut response = status.into_response();
        if let Self::TooManyRequests {
            retry_after: Some(secs),
        } = self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(self.info());
        response
    }
}

/// Marks an error response whose body must reach the client as is (`/readyz`'s 503 JSON).
#[derive(Clone, Copy, Debug)]
pub struct KeepBody;

/// Generic information for an error response that does not carry [`ErrorInfo`] (axum's own
/// rejections, the 404 fallback, 405).
fn generic_info(status: StatusCode) -> ErrorInfo {
    let err = match status {
        StatusCode::NOT_FOUND => WebError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => WebError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => WebError::PayloadTooLarge,
        StatusCode::FORBIDDEN => WebError::Forbidden("Not allowed.".into()),
        StatusCode::TOO_MANY_REQUESTS => WebError::TooManyRequests { retry_after: None },
        s if s.is_server_error() => {
            return ErrorInfo {
                code: "internal_error",
                message: "Something went wrong on our side.".into(),
                page: true,
            };
        }
        _ => WebError::BadRequest("The request is malformed.".into()),
    };
    err.info()
}

/// Whether the client accepts JSON and not HTML.
fn wants_json(req: &Request) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}

/// Middleware: renders error responses as our page (or JSON), with the request id.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if crate::api::is_api_path(req.uri().path()) {
        // API answers carry their own JSON errors.
        return next.run(req).await;
    }
    let json = wants_json(&req);
    let request_id = req.extensions().get::<RequestId>().cloned();
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<KeepBody>().is_some()
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let viewer = parts.extensions.remove::<Viewer>();
    let info = match parts.extensions.remove::<ErrorInfo>() {
        Some(info) => info,
        None => generic_info(status),
    };
    if !json && !info.page {
        return Response::from_parts(parts, body);
    }
    let body = if json {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        serde_json::json!({ "error": info.code, "message": info.message }).to_string()
    } else {
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        let user = viewer.as_ref().and_then(|v| v.session());
        let rid = request_id
            .as_ref()
            .map(|r| r.0.as_str())
            .filter(|_| status.is_server_error());
        views::error::page(&state, user, status, &info.message, rid)
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}
