//! Form and query extractors whose rejections are our error pages (400, or 413 for a body
//! over the limit) instead of axum's plain-text answers.

use crate::error::WebError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// An `application/x-www-form-urlencoded` body. Refuses (400) another content type, invalid
/// UTF-8 after percent-decoding (instead of silently replacing it), and fields that do not
/// deserialize; 413 for a body over the limit.
#[derive(Debug)]
pub struct WebForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for WebForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(WebError::BadRequest(
                "Expected a form (application/x-www-form-urlencoded).".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                WebError::PayloadTooLarge
            } else {
                WebError::BadRequest("The request body could not be read.".into())
            }
        })?;
        parse(&bytes).map(Self)
    }
}

/// A query string, with the same rules as [`WebForm`].
#[derive(Debug)]
pub struct WebQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for WebQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse(parts.uri.query().unwrap_or("").as_bytes()).map(Self)
    }
}

fn parse<T: DeserializeOwned>(raw: &[u8]) -> Result<T, WebError> {
    if !decodes_to_utf8(raw) {
        return Err(WebError::BadRequest("The form is not valid UTF-8.".into()));
    }
    serde_urlencoded::from_bytes(raw)
        .map_err(|e| WebError::BadRequest(format!("Malformed form: {e}").into()))
}

/// Whether every `key=value` pair percent-decodes to valid UTF-8.
fn decodes_to_utf8(raw: &[u8]) -> bool {
    raw.split(|&b| b == b'&')
        .all(|pair| std::str::from_utf8(&percent_decode(pair)).is_ok())
}

/// `%XX` escapes decoded to their bytes; anything else (a lone or malformed `%` included)
/// kept as it is. Shared with the API's form parser.
pub(crate) fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            raw[i],
            raw.get(i + 1).copied().and_then(hex),
            raw.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(0));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_must_be_utf8() {
        assert!(decodes_to_utf8(b"a=%C3%A9&b=x+y"));
        assert!(!decodes_to_utf8(b"text=%FF%FE"));
        assert!(!decodes_to_utf8(&[b'a', b'=', 0xff]));
        let c: Cursor = parse(b"max_id=12&min_id=").expect("valid cursor");
        assert_eq!((c.max_id, c.min_id), (Some(12), None));
        assert!(parse::<Cursor>(b"max_id=abc").is_err());
    }
}
