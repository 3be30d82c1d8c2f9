//! Log in / log out, session cookies, CSRF, profile editing, security headers.

use crate::each_backend;
use crate::harness::{TestApp, backends, password_of};
use reqwest::StatusCode;
use social_web::WebConfig;

#[tokio::test]
async fn login_and_logout() {
    each_backend!(|app: TestApp| async move {
        app.account("alice", social_core::Role::User).await;
        let client = app.client();
        // Anonymous: home sends to the login page.
        let home = client.get("/home").await;
        assert!(home.status.is_redirection());
        assert!(home.location().starts_with("/login"), "{}", home.location());

        // Wrong password and unknown user fail alike, and leave the client anonymous.
        let bad = client.login("alice", "wrong password").await;
        assert!(bad.status.is_client_error(), "{bad:?}");
        assert!(
            bad.headers
                .get("set-cookie")
                .is_none_or(|c| !c.to_str().unwrap().starts_with("session="))
        );
        let unknown = client.login("nobody", "whatever pw").await;
        assert_eq!(unknown.status, bad.status);
        assert!(client.get("/home").await.status.is_redirection());

        // Right password: a session cookie with safe attributes.
        let ok = client.login("ALICE", &password_of("alice")).await;
        ok.assert_status(StatusCode::SEE_OTHER);
        let cookie = ok
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|c| c.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("session="))
            .expect("session cookie set");
        let lower = cookie.to_ascii_lowercase();
        assert!(lower.contains("httponly"), "{cookie}");
        assert!(lower.contains("samesite=lax"), "{cookie}");
        assert!(lower.contains("path=/"), "{cookie}");
        assert!(
            !lower.contains("secure"),
            "no Secure on plain HTTP: {cookie}"
        );
        client.get("/home").await.assert_status(StatusCode::OK);

        // Logging out ends the session on the server, not just in the browser.
        let token = cookie
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("session=")
            .to_owned();
        assert!(app.store.get_session(&token).await.unwrap().is_some());
        client
            .post("/logout", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        assert!(client.get("/home").await.status.is_redirection());
        assert!(app.store.get_session(&token).await.unwrap().is_none());
    });
}

#[tokio::test]
async fn tls_cookies_are_secure_and_host_prefixed() {
    let backend = backends().remove(0);
    let config = WebConfig {
        tls: true,
        ..WebConfig::default()
    };
    let app = TestApp::spawn(&backend, config).await;
    app.account("alice", social_core::Role::User).await;
    let client = app.client();
    let login_page = client.get("/login").await;
    let csrf_cookie = login_page
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.contains("csrf="))
        .expect("anonymous csrf cookie");
    assert!(csrf_cookie.starts_with("__Host-csrf="), "{csrf_cookie}");
    assert!(csrf_cookie.to_ascii_lowercase().contains("secure"));
    assert!(
        login_page
            .headers
            .get("strict-transport-security")
            .is_some()
    );
    // reqwest does not send Secure cookies over http, so pass the cookie by hand.
    let csrf = login_page.csrf();
    let pair = csrf_cookie.split(';').next().unwrap().to_owned();
    let body = format!(
        "username=alice&password={}&csrf={csrf}",
        password_of("alice")
    );
    let resp = client
        .post_body(
            "/login",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            &[("cookie", &pair)],
        )
        .await;
    resp.assert_status(StatusCode::SEE_OTHER);
    let session = resp
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.contains("session="))
        .expect("session cookie");
    assert!(session.starts_with("__Host-session="), "{session}");
    let lower = session.to_ascii_lowercase();
    assert!(
        lower.contains("secure") && lower.contains("httponly") && lower.contains("samesite=lax")
    );
}

#[tokio::test]
async fn csrf_is_required_on_every_state_change() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        // No token, a wrong token, and a cross-site Origin are all refused and write nothing.
        alice
            .post_raw("/posts", &[("text", "no token"), ("visibility", "public")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        alice
            .post_raw(
                "/posts",
                &[
                    ("text", "bad token"),
                    ("visibility", "public"),
                    ("csrf", "x"),
                ],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let token = alice.get("/home").await.csrf();
        let body = format!("text=cross+site&visibility=public&csrf={token}");
        alice
            .post_body(
                "/posts",
                "application/x-www-form-urlencoded",
                body.into_bytes(),
                &[("origin", "https://evil.example")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        alice
            .post_raw("/logout", &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        alice.get("/home").await.assert_status(StatusCode::OK);
        let profile = alice.get("/@alice").await;
        assert!(
            profile.post_ids().is_empty(),
            "nothing was posted: {}",
            profile.body
        );

        // Anonymous forms use the double-submit cookie: a token from another browser fails.
        let other = app.client();
        let foreign_token = other.get("/login").await.csrf();
        let fresh = app.client();
        fresh.get("/login").await;
        fresh
            .post_raw(
                "/login",
                &[
                    ("username", "alice"),
                    ("password", &password_of("alice")),
                    ("csrf", &foreign_token),
                ],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert!(fresh.get("/home").await.status.is_redirection());
    });
}

#[tokio::test]
async fn profile_edit_is_escaped_and_validated() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        alice
            .post(
                "/settings/profile",
                &[
                    ("display_name", "<b>Al</b>"),
                    ("bio", "I <script>alert(1)</script> like #rust"),
                ],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let page = app.client().get("/@alice").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("&lt;b&gt;Al&lt;/b&gt;")
            .assert_lacks("<script>alert(1)")
            .assert_lacks("<b>Al</b>");
        let too_long = "x".repeat(31);
        alice
            .post(
                "/settings/profile",
                &[("display_name", &too_long), ("bio", "")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(&too_long);
        let account = app
            .store
            .get_account_by_username("alice")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            account.display_name, "<b>Al</b>",
            "failed edit changed nothing"
        );
    });
}

#[tokio::test]
async fn pages_carry_security_headers_and_stay_small() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        for _ in 0..25 {
            alice
                .new_post(
                    &"a long post with #tags and @alice mentions ".repeat(11),
                    "public",
                )
                .await;
        }
        for path in [
            "/",
            "/login",
            "/signup",
            "/local",
            "/@alice",
            "/home",
            "/notifications",
        ] {
            let client = if path == "/home" || path == "/notifications" {
                &alice
            } else {
                &app.client()
            };
            let resp = client.get(path).await;
            assert!(
                resp.status.is_success() || resp.status.is_redirection(),
                "{path}: {resp:?}"
            );
            let csp = resp
                .headers
                .get("content-security-policy")
                .expect("CSP")
                .to_str()
                .unwrap();
            assert!(
                csp.contains("default-src 'none'") || csp.contains("default-src 'self'"),
                "{csp}"
            );
            assert!(!csp.contains("unsafe-inline"), "{csp}");
            assert_eq!(
                resp.headers.get("x-content-type-options").unwrap(),
                "nosniff"
            );
            assert!(resp.headers.get("referrer-policy").is_some());
            assert!(
                resp.body.len() < 50 * 1024,
                "{path} is {} bytes",
                resp.body.len()
            );
            assert!(!resp.body.contains("<script"), "{path} has a script tag");
            assert!(
                !resp.body.contains("src=\"http"),
                "{path} loads a remote resource"
            );
            assert!(
                !resp.body.contains("<link rel=\"stylesheet\" href=\"http"),
                "{path}: remote CSS"
            );
        }
        let home = alice.get("/home").await;
        let cc = home
            .headers
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned());
        assert!(
            cc.is_some_and(|v| v.contains("no-store")),
            "signed-in pages are not cached"
        );
    });
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_client_address() {
    for backend in backends() {
        // Behind a trusted proxy the client address comes from X-Forwarded-For, which also
        // keeps this test's counter apart from other tests sharing the same Redis.
        let config = WebConfig {
            trusted_proxies: vec![("127.0.0.1".parse().unwrap(), 32)],
            // The default per-address limit; the per-account one is tested in `sessions`.
            rate_limits: social_web::ratelimit::RateLimits {
                logins: Some(social_web::ratelimit::Rule::new(20, 300)),
                ..social_web::ratelimit::RateLimits::off()
            },
            ..WebConfig::default()
        };
        let app = TestApp::spawn(&backend, config).await;
        app.account("alice", social_core::Role::User).await;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let attacker = format!("198.51.{}.{}", nanos % 250, nanos / 7 % 250);
        let bystander = format!("203.0.{}.{}", nanos % 250, nanos / 7 % 250);
        let attempt = |ip: String, password: String| {
            let client = app.client();
            async move {
                let token = client.get("/login").await.csrf();
                let body = format!("username=alice&password={password}&csrf={token}");
                client
                    .post_body(
                        "/login",
                        "application/x-www-form-urlencoded",
                        body.into_bytes(),
                        &[("x-forwarded-for", &ip)],
                    )
                    .await
                    .status
            }
        };
        // Successful log-ins never count.
        for _ in 0..25 {
            assert_eq!(
                attempt(attacker.clone(), password_of("alice")).await,
                StatusCode::SEE_OTHER
            );
        }
        for _ in 0..20 {
            assert_eq!(
                attempt(attacker.clone(), "wrong".into()).await,
                StatusCode::UNPROCESSABLE_ENTITY
            );
        }
        assert_eq!(
            attempt(attacker.clone(), "wrong".into()).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // Blocked now, even with the right password; other addresses are unaffected.
        assert_eq!(
            attempt(attacker.clone(), password_of("alice")).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            attempt(bystander, password_of("alice")).await,
            StatusCode::SEE_OTHER
        );
    }
}
