//! Mastodon pagination: `limit` (default 20, at most 40: larger values are clamped as Mastodon
//! does), the `max_id` / `since_id` / `min_id` cursors over IDs, and the `Link` header with
//! absolute `next` (older) and `prev` (newer) URLs that keep the request's other parameters.

use super::entities::Urls;
use super::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use social_store::Page;

/// 400 with Mastodon's `{"error": …}` body.
pub fn bad_request(message: String) -> ApiError {
    ApiError::bad_request(message)
}

/// 404: an unknown ID, or one the viewer may not see.
pub fn not_found() -> ApiError {
    ApiError::not_found()
}

/// An ID from a path: garbage is a 404 (no such record), as on Mastodon.
pub fn path_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(ApiError::not_found)
}

/// The cursor parameters of a list request, and the request's path and other parameters (to
/// build the `Link` header).
#[derive(Clone, Debug)]
pub struct Paging {
    pub max_id: Option<i64>,
    pub min_id: Option<i64>,
    /// Newest items above this ID (Mastodon's `since_id`), unlike `min_id` which gives the
    /// items just above it.
    pub since_id: Option<i64>,
    pub limit: u32,
    path: String,
    /// `(name, value)` pairs of the query other than the cursors, in order.
    rest: Vec<(String, String)>,
}

fn cursor(name: &str, value: &str) -> Result<Option<i64>, ApiError> {
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<i64>() {
        Ok(id) if id >= 0 => Ok(Some(id)),
        _ => Err(bad_request(format!("{name} must be a numeric ID"))),
    }
}

impl Paging {
    /// Parses a query string (without `?`).
    pub fn parse(path: &str, query: &str) -> Result<Paging, ApiError> {
        let mut p = Paging {
            max_id: None,
            min_id: None,
            since_id: None,
            limit: Page::DEFAULT_LIMIT,
            path: path.to_owned(),
            rest: Vec::new(),
        };
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "max_id" => p.max_id = cursor("max_id", &v)?,
                "min_id" => p.min_id = cursor("min_id", &v)?,
                "since_id" => p.since_id = cursor("since_id", &v)?,
                "limit" => {
                    p.limit = match v.parse::<u64>() {
                        Ok(n) if n >= 1 => {
                            u32::try_from(n.min(u64::from(Page::MAX_LIMIT))).unwrap_or(1)
                        }
                        _ => {
                            return Err(bad_request("limit must be a positive number".to_owned()));
                        }
                    };
                    p.rest.push((k.into_owned(), p.limit.to_string()));
                }
                _ => p.rest.push((k.into_owned(), v.into_owned())),
            }
        }
        Ok(p)
    }

    /// The store page: `min_id` wins over `since_id` (which [`Paging::trim`] applies).
    pub fn page(&self) -> Page {
        Page {
            max_id: self.max_id,
            min_id: self.min_id,
            limit: self.limit,
        }
    }

    /// Drops items at or below `since_id` (the page was read from the top).
    pub fn trim<T>(&self, items: &mut Vec<T>, id: impl Fn(&T) -> i64) {
        if let (Some(since), None) = (self.since_id, self.min_id) {
            items.retain(|t| id(t) > since);
        }
    }

    fn url(&self, urls: &Urls, cursor: &str, id: i64) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.rest {
            q.append_pair(k, v);
        }
        q.append_pair(cursor, &id.to_string());
        format!("{}{}?{}", urls.base, self.path, q.finish())
    }

    /// The `Link` header for a page whose items have these IDs (newest first): `next` for
    /// older items when the page is full, `prev` for newer ones when it is not empty.
    pub fn link(&self, urls: &Urls, ids: &[i64]) -> Option<HeaderValue> {
        let (first, last) = (ids.first()?, ids.last()?);
        let mut parts = Vec::new();
        if ids.len() >= self.limit as usize {
            parts.push(format!(
                "<{}>; rel=\"next\"",
                self.url(urls, "max_id", *last)
            ));
        }
        parts.push(format!(
            "<{}>; rel=\"prev\"",
            self.url(urls, "min_id", *first)
        ));
        HeaderValue::from_str(&parts.join(", ")).ok()
    }

    /// A JSON list response with its `Link` header.
    pub fn respond<T: serde::Serialize>(&self, urls: &Urls, ids: &[i64], body: &T) -> Response {
        let mut response = axum::Json(body).into_response();
        if let Some(link) = self.link(urls, ids) {
            response.headers_mut().insert(header::LINK, link);
        }
        response
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Paging::parse(parts.uri.path(), parts.uri.query().unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_links() {
        let urls = Urls::new(true, "s.example");
        let p = Paging::parse("/api/v1/timelines/public", "local=true&limit=2&max_id=9").unwrap();
        assert_eq!((p.max_id, p.limit), (Some(9), 2));
        let link = p.link(&urls, &[8, 5]).unwrap();
        assert_eq!(
            link.to_str().unwrap(),
            "<https://s.example/api/v1/timelines/public?local=true&limit=2&max_id=5>; \
             rel=\"next\", <https://s.example/api/v1/timelines/public?local=true&limit=2&\
             min_id=8>; rel=\"prev\""
        );
        assert!(p.link(&urls, &[]).is_none());
        assert!(
            !p.link(&urls, &[8])
                .unwrap()
                .to_str()
                .unwrap()
                .contains("next")
        );
        assert_eq!(Paging::parse("/", "limit=100").unwrap().limit, 40);
        assert!(Paging::parse("/", "limit=0").is_err());
        assert!(Paging::parse("/", "limit=abc").is_err());
        assert!(Paging::parse("/", "max_id=x1").is_err());
        let mut items = vec![5, 4, 3];
        Paging::parse("/", "since_id=3")
            .unwrap()
            .trim(&mut items, |i| *i);
        assert_eq!(items, vec![5, 4]);
    }
}
