//! INTERIM STUB (the oauth helper owns this file; replaced on merge).
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use social_store::StoreError;

#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized,
    Forbidden(String),
    NotFound,
    Internal(String),
}

impl ApiError {
    pub fn bad_request(m: String) -> Self {
        Self::BadRequest(m)
    }
    pub fn not_found() -> Self {
        Self::NotFound
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Forbidden { reason } => Self::Forbidden(reason.into()),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, msg) = match self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "The access token is invalid".into(),
            ),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            Self::NotFound => (StatusCode::NOT_FOUND, "Record not found".into()),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal".into()),
        };
        let mut r = (status, axum::Json(serde_json::json!({ "error": msg }))).into_response();
        r.extensions_mut().insert(crate::error::KeepBody);
        r
    }
}
