//! The embedded stylesheet and the sign-up proof-of-work script, each served under a name
//! carrying its content hash so it can be cached for a year.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;

use crate::error::WebError;

const CSS: &str = include_str!("assets/style.css");
/// The browser half of the sign-up proof of work (`signup_pow`); only the sign-up page in
/// open mode loads it, and only that page's CSP allows scripts (from this origin).
const POW_JS: &str = include_str!("assets/pow.js");

/// `style-<hash>.css`.
static CSS_NAME: LazyLock<String> = LazyLock::new(|| format!("style-{:016x}.css", fnv1a(CSS)));
/// `/static/style-<hash>.css`, for the `<link>` in the layout.
static CSS_PATH: LazyLock<String> = LazyLock::new(|| format!("/static/{}", *CSS_NAME));
/// `pow-<hash>.js`.
static POW_JS_NAME: LazyLock<String> = LazyLock::new(|| format!("pow-{:016x}.js", fnv1a(POW_JS)));
/// `/static/pow-<hash>.js`, for the `<script>` of the sign-up page.
static POW_JS_PATH: LazyLock<String> = LazyLock::new(|| format!("/static/{}", *POW_JS_NAME));

pub fn css_path() -> &'static str {
    &CSS_PATH
}

pub fn pow_js_path() -> &'static str {
    &POW_JS_PATH
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `GET /static/{file}`.
pub async fn get_static(Path(file): Path<String>) -> Result<Response, WebError> {
    let (content_type, body) = if file == *CSS_NAME {
        ("text/css; charset=utf-8", CSS)
    } else if file == *POW_JS_NAME {
        ("text/javascript; charset=utf-8", POW_JS)
    } else {
        return Err(WebError::NotFound);
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        body,
    )
        .into_response())
}
