//! The embedded stylesheet, served under a name carrying its content hash so it can be cached
//! for a year.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

use crate::error::WebError;

const CSS: &str = include_str!("assets/style.css");

/// `style-<hash>.css`.
static CSS_NAME: LazyLock<String> = LazyLock::new(|| format!("style-{:016x}.css", fnv1a(CSS)));
/// `/static/style-<hash>.css`, for the `<link>` in the layout.
static CSS_PATH: LazyLock<String> = LazyLock::new(|| format!("/static/{}", *CSS_NAME));

pub fn css_path() -> &'static str {
    &CSS_PATH
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `GET /static/{file}`.
pub async fn get_static(Path(file): Path<String>) -> Result<Response, WebError> {
    if file != *CSS_NAME {
        return Err(WebError::NotFound);
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        CSS,
    )
        .into_response())
}
