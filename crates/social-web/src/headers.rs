//! Security headers on every response (CSP, nosniff, frame denial, …), HSTS under TLS, and
//! `Cache-Control: no-store` on pages shown to a signed-in user.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub(crate) const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// The sign-up page's policy when it carries the proof of work: [`CSP`] plus scripts from our
/// own origin (`pow.js`), still nothing inline.
pub(crate) const CSP_SCRIPT_SELF: &str = "default-src 'none'; script-src 'self'; \
                   style-src 'self'; img-src 'self' data:; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";
const PERMISSIONS: &str = "accelerometer=(), ambient-light-sensor=(), autoplay=(), \
     battery=(), bluetooth=(), camera=(), display-capture=(), document-domain=(), \
     encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), hid=(), \
     idle-detection=(), interest-cohort=(), magnetometer=(), microphone=(), midi=(), \
     payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), \
     serial=(), sync-xhr=(), usb=(), web-share=(), xr-spatial-tracking=()";
const HSTS: &str = "max-age=63072000; includeSubDomains";

static FIXED: [(HeaderName, &str); 6] = [
    (header::CONTENT_SECURITY_POLICY, CSP),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (HeaderName::from_static("permissions-policy"), PERMISSIONS),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

/// Middleware adding the headers.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    for (name, value) in &FIXED {
        // A page may send a stricter or wider CSP of its own (the OAuth consent page lets
        // its form redirect to the client's redirect URI).
        if name == header::CONTENT_SECURITY_POLICY && headers.contains_key(name) {
            continue;
        }
        headers.insert(name.clone(), HeaderValue::from_static(value));
    }
    if state.config.tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if !is_static(headers) {
        // Pages are personal (signed in) or carry a per-visitor CSRF token (log-in and
        // sign-up forms): no shared cache may keep them. Only the hashed stylesheet is cached.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn is_static(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CACHE_CONTROL)
        .is_some_and(|v| v.as_bytes().starts_with(b"public"))
}
