//! Form and query extractors whose rejections are our error pages (400, or 413 for a body
//! over the limit) instead of axum's plain-text answers.

use crate::error::WebError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// An `application/x-www-form-urlencoded` body.
#[derive(Debug)]
pub struct WebForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for WebForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(Self(value)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(WebError::PayloadTooLarge),
            Err(e) => Err(WebError::BadRequest(
                format!("Malformed form: {}", e.body_text()).into(),
            )),
        }
    }
}

/// A query string.
#[derive(Debug)]
pub struct WebQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for WebQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(e) => Err(WebError::BadRequest(
                format!("Malformed query: {}", e.body_text()).into(),
            )),
        }
    }
}

/// `?max_id=&min_id=` of a timeline.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Cursor {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub max_id: Option<i64>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub min_id: Option<i64>,
}

impl Cursor {
    pub fn page(&self) -> social_store::Page {
        social_store::Page {
            max_id: self.max_id,
            min_id: self.min_id,
            limit: social_store::Page::DEFAULT_LIMIT,
        }
    }
}

/// Deserializes an optional number where an empty string means "absent".
pub fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let raw: Option<String> = serde::Deserialize::deserialize(d)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
    }
}
