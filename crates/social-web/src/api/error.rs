//! [`ApiError`]: every API failure as a Mastodon-style JSON body `{"error": "…"}` (and the
//! RFC 6749 shape `{"error": "invalid_grant", "error_description": "…"}` at the token
//! endpoint), with the right status. Internal causes are logged, never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use social_core::ValidationError;
use social_store::StoreError;
use std::borrow::Cow;

/// An API error: a status, the `error` text and, for OAuth errors, `error_description`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: Cow<'static, str>,
    pub description: Option<Cow<'static, str>>,
    /// Sent as `WWW-Authenticate` (401 answers).
    pub challenge: Option<&'static str>,
    /// Sent as `Retry-After` (429 answers), in seconds.
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Marks a response whose body is already the API's JSON error (the fallback in
/// [`super::json_errors`] leaves it alone).
#[derive(Clone, Copy, Debug)]
pub struct ApiErrorBody;

impl ApiError {
    pub fn new(status: StatusCode, error: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            error: error.into(),
            description: None,
            challenge: None,
            retry_after: None,
        }
    }
    /// 400.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    /// 401 with `WWW-Authenticate: Bearer`.
    pub fn unauthorized(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            challenge: Some("Bearer realm=\"api\", error=\"invalid_token\""),
            ..Self::new(StatusCode::UNAUTHORIZED, message)
        }
    }
    /// 401 for a request without a token where one is needed.
    pub fn token_required() -> Self {
        Self {
            challenge: Some("Bearer realm=\"api\""),
            ..Self::new(StatusCode::UNAUTHORIZED, "The access token is invalid")
        }
    }
    /// 403.
    pub fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }
    /// 403 for a token whose scopes do not cover the action.
    pub fn scope() -> Self {
        Self {
            challenge: Some("Bearer realm=\"api\", error=\"insufficient_scope\""),
            ..Self::forbidden("This action is outside the authorized scopes")
        }
    }
    /// 404, Mastodon's text.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Record not found")
    }
    /// 422 `Validation failed: …`.
    pub fn invalid(message: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Validation failed: {message}"),
        )
    }
    /// 413.
    pub fn too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "The request is too large")
    }
    /// 429.
    pub fn too_many_requests() -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests")
    }
    /// 429 past a rate limit, with `Retry-After`.
    pub fn rate_limited(quota: crate::ratelimit::Quota) -> Self {
        Self {
            retry_after: Some(quota.retry_after()),
            ..Self::too_many_requests()
        }
    }
    /// 500: logs `cause` (with the request's span) and tells the client nothing more.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "api request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side",
        )
    }
    /// An RFC 6749 error (`invalid_grant`, `invalid_client`, …) with a description.
    pub fn oauth(
        status: StatusCode,
        code: &'static str,
        description: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            description: Some(description.into()),
            challenge: (status == StatusCode::UNAUTHORIZED).then_some("Basic realm=\"oauth\""),
            ..Self::new(status, code)
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.error)
    }
}

impl std::error::Error for ApiError {}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(),
            StoreError::Conflict { what } => Self::invalid(format!("{what} is already taken")),
            StoreError::Forbidden { reason } => Self::forbidden(reason),
            StoreError::Invalid(v) => v.into(),
            other => Self::internal(other),
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(v: ValidationError) -> Self {
        Self::invalid(format_args!("{} {}", v.field, v.message))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match &self.description {
            Some(d) => serde_json::json!({ "error": self.error, "error_description": d }),
            None => serde_json::json!({ "error": self.error }),
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(challenge) = self.challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(ApiErrorBody);
        response
    }
}

/// The JSON error for a bare error response (axum's own 404 / 405 / 413 / rejections).
pub fn generic(status: StatusCode) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::not_found(),
        StatusCode::METHOD_NOT_ALLOWED => {
            ApiError::new(status, "This endpoint does not accept that method")
        }
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(),
        StatusCode::UNAUTHORIZED => ApiError::token_required(),
        StatusCode::FORBIDDEN => ApiError::forbidden("This action is not allowed"),
        StatusCode::TOO_MANY_REQUESTS => ApiError::too_many_requests(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(status, "Unsupported content type"),
        s if s.is_server_error() => ApiError::new(s, "Something went wrong on our side"),
        s => ApiError::new(s, "The request is malformed"),
    }
}
