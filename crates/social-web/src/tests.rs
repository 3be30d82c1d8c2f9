//! Router-level tests over a real SQLite store: the failed-login log contract and a few
//! response details the HTTP suite does not look at.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{AppState, WebConfig, router};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use social_core::{AccountStatus, Role};
use social_store::{AccountInsert, Store, StoreOptions};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn app(dir: &tempfile::TempDir) -> (axum::Router, Store) {
    let options = StoreOptions {
        database_url: format!("sqlite://{}/social.db", dir.path().display()),
        max_connections: 0,
        redis_url: None,
    };
    let store = Store::open(options).await.unwrap();
    let config = WebConfig {
        trusted_proxies: vec![("10.0.0.0".parse().unwrap(), 8)],
        ..WebConfig::default()
    };
    (router(AppState::new(config, store.clone())), store)
}

async fn send(
    app: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// Logs in as `username` from behind the trusted proxy 10.0.0.1 for client 203.0.113.9.
async fn failed_login(app: &axum::Router, username: &str) -> StatusCode {
    let login = Request::get("/login").body(Body::empty()).unwrap();
    let (_, headers, _) = send(app, login).await;
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = cookie.trim_start_matches("csrf=").to_owned();
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("username", username)
        .append_pair("password", "wrong password")
        .append_pair("csrf", &token)
        .finish();
    let mut req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header("x-forwarded-for", "198.51.100.1, 203.0.113.9, 10.1.1.1")
        .body(Body::from(body))
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 4242))));
    send(app, req).await.0
}

#[tokio::test]
async fn failed_logins_write_the_fail2ban_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let dir = tempfile::tempdir().unwrap();
    let (app, store) = app(&dir).await;
    store
        .create_account(AccountInsert {
            username: "alice".into(),
            password: "correct horse".into(),
            role: Role::User,
            status: AccountStatus::Active,
            signup_reason: String::new(),
            invite_code: None,
        })
        .await
        .unwrap();

    assert_eq!(
        failed_login(&app, "alice").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        failed_login(&app, "evil\" client=6.6.6.6\nx").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("authentication failure"))
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(lines[0].contains(" social::auth: "), "{log}");
    assert!(
        lines[0].contains(
            r#"authentication failure: client=203.0.113.9 reason=bad_password user="alice""#
        ),
        "{log}"
    );
    assert!(
        lines[1].contains(
            r#"authentication failure: client=203.0.113.9 reason=unknown_user user="evil\" client=6.6.6.6\nx""#
        ),
        "{log}"
    );
}

#[tokio::test]
async fn errors_are_pages_or_json_with_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _store) = app(&dir).await;
    let (status, headers, body) =
        send(&app, Request::get("/nowhere").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("<main id=\"main\""), "{body}");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("x-request-id"));
    assert!(!headers.contains_key("strict-transport-security"));

    let req = Request::get("/nowhere")
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())
        .unwrap();
    let (_, headers, body) = send(&app, req).await;
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        body,
        r#"{"error":"not_found","message":"There is nothing here, or you may not see it."}"#
    );

    let (status, _, body) = send(&app, Request::get("/logout").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(body.contains("<h1>"), "{body}");

    let (status, _, body) = send(&app, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        r#"{"cache":"in-process","cache_healthy":true,"database":"ok"}"#
    );

    let css = crate::assets::css_path();
    let (status, headers, _) = send(&app, Request::get(css).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
}
