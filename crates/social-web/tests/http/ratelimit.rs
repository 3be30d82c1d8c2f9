//! Rate limits over HTTP: the API's `X-RateLimit-*` headers and 429 with `Retry-After`, per
//! token and per client address, and the per-action limits (posts, follows, reports, sign-ups) on the
//! web and API sides. On PostgreSQL the counters live in the Redis every test shares, so each
//! scenario counts under keys of its own: fresh tokens and accounts, and client addresses made
//! unique through a trusted proxy's `X-Forwarded-For`.

use crate::api_write_support::{self as api, ALL};
use crate::harness::{Client, TestApp, backends, password_of};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;
use social_core::RegistrationMode;
use social_web::WebConfig;
use social_web::ratelimit::{RateLimits, Rule};
use std::sync::atomic::{AtomicU32, Ordering};

static NEXT_ADDR: AtomicU32 = AtomicU32::new(1);

/// A client address no other test run uses (documentation prefix, process id, counter).
fn unique_addr() -> String {
    let n = NEXT_ADDR.fetch_add(1, Ordering::Relaxed);
    format!(
        "2001:db8:{:x}:{:x}::{n:x}",
        std::process::id() >> 16,
        std::process::id() & 0xffff
    )
}

/// An app whose only limits are `limits`, behind a trusted proxy on 127.0.0.1.
async fn app_with(backend: &crate::harness::Backend, limits: RateLimits) -> TestApp {
    let config = WebConfig {
        rate_limits: limits,
        trusted_proxies: vec![("127.0.0.1".parse().unwrap(), 32)],
        ..WebConfig::default()
    };
    TestApp::spawn(backend, config).await
}

/// A web client whose requests come from `addr` (through the trusted proxy).
fn client_from(app: &TestApp, addr: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-for", HeaderValue::from_str(addr).unwrap());
    Client::with_headers(&app.base, headers)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
        .to_str()
        .unwrap()
}

fn page() -> social_store::Page {
    social_store::Page {
        max_id: None,
        min_id: None,
        limit: 40,
    }
}

/// `Retry-After` in seconds, checked to lie in `1..=max`.
fn retry_after(headers: &HeaderMap, max: u64) -> u64 {
    let secs: u64 = header(headers, "retry-after").parse().unwrap();
    assert!(
        (1..=max).contains(&secs),
        "Retry-After {secs} not in 1..={max}"
    );
    secs
}

#[tokio::test]
async fn api_answers_carry_the_token_quota_and_429_past_it() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let limits = RateLimits {
            api: Some(Rule::new(3, 60)),
            ..RateLimits::off()
        };
        let app = app_with(&backend, limits).await;
        let alice = api::user(&app, "alice", ALL).await;
        for remaining in ["2", "1", "0"] {
            let resp = alice.get("/api/v1/accounts/verify_credentials").await;
            assert_eq!(header(&resp.headers, "x-ratelimit-limit"), "3");
            assert_eq!(header(&resp.headers, "x-ratelimit-remaining"), remaining);
            let reset = header(&resp.headers, "x-ratelimit-reset").to_owned();
            assert!(reset.len() == 24 && reset.ends_with('Z'), "reset {reset}");
            resp.ok();
        }
        let refused = alice.get("/api/v1/accounts/verify_credentials").await;
        assert_eq!(
            refused.error(StatusCode::TOO_MANY_REQUESTS),
            "Too many requests"
        );
        retry_after(&refused.headers, 60);
        assert_eq!(header(&refused.headers, "x-ratelimit-remaining"), "0");
        // Writes are refused too, and nothing is written.
        let post = alice
            .post("/api/v1/statuses", json!({ "status": "over the limit" }))
            .await;
        post.error(StatusCode::TOO_MANY_REQUESTS);
        let posts = app
            .store
            .account_timeline(Some(alice.id), alice.id, page())
            .await
            .unwrap();
        assert!(posts.is_empty(), "a refused post was written: {posts:?}");
        // Another token of the same account has its own quota.
        let other = api::token(&app, alice.id, ALL).await;
        let resp = other.get("/api/v1/accounts/verify_credentials").await;
        assert_eq!(header(&resp.headers, "x-ratelimit-remaining"), "2");
        resp.ok();
    }
}

#[tokio::test]
async fn anonymous_api_requests_are_counted_per_client_address() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let limits = RateLimits {
            api_anonymous: Some(Rule::new(2, 60)),
            ..RateLimits::off()
        };
        let app = app_with(&backend, limits).await;
        let (first, second) = (unique_addr(), unique_addr());
        let get = |addr: &str| {
            let client = client_from(&app, addr);
            async move { client.get_with("/api/v1/instance", &[]).await }
        };
        for remaining in ["1", "0"] {
            let resp = get(&first).await;
            resp.assert_status(StatusCode::OK);
            assert_eq!(header(&resp.headers, "x-ratelimit-remaining"), remaining);
        }
        let refused = get(&first).await;
        refused.assert_status(StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.body.contains("\"error\""), "{}", refused.body);
        retry_after(&refused.headers, 60);
        get(&second).await.assert_status(StatusCode::OK);
        // CORS preflights are not counted.
        let preflight = reqwest::Client::new()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/instance", app.base),
            )
            .header("x-forwarded-for", &first)
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    }
}

#[tokio::test]
async fn posts_are_limited_per_account_across_web_and_api() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let limits = RateLimits {
            posts: Some(Rule::new(2, 3600)),
            ..RateLimits::off()
        };
        let app = app_with(&backend, limits).await;
        let web = app.user("alice").await;
        web.new_post("one", "public").await;
        let id = app
            .store
            .get_account_by_username("alice")
            .await
            .unwrap()
            .unwrap()
            .id;
        let alice = api::token(&app, id, ALL).await;
        alice
            .post("/api/v1/statuses", json!({ "status": "two" }))
            .await
            .ok();
        let refused = web
            .post("/posts", &[("text", "three"), ("visibility", "public")])
            .await;
        refused.assert_status(StatusCode::TOO_MANY_REQUESTS);
        refused.assert_contains("Too many attempts. Retry in 1 hour.");
        retry_after(&refused.headers, 3600);
        let api_refused = alice
            .post("/api/v1/statuses", json!({ "status": "four" }))
            .await;
        api_refused.error(StatusCode::TOO_MANY_REQUESTS);
        retry_after(&api_refused.headers, 3600);
        let posts = app
            .store
            .account_timeline(Some(id), id, page())
            .await
            .unwrap();
        assert_eq!(posts.len(), 2, "only the two allowed posts exist");
        // Someone else still posts.
        let bob = api::user(&app, "bob", ALL).await;
        bob.post("/api/v1/statuses", json!({ "status": "hi" }))
            .await
            .ok();
    }
}

#[tokio::test]
async fn follows_are_limited_per_account() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let limits = RateLimits {
            follows: Some(Rule::new(1, 3600)),
            ..RateLimits::off()
        };
        let app = app_with(&backend, limits).await;
        let alice = api::user(&app, "alice", ALL).await;
        let bob = api::user(&app, "bob", ALL).await;
        let carol = api::user(&app, "carol", ALL).await;
        let followed = alice
            .post(&format!("/api/v1/accounts/{}/follow", bob.id.0), json!({}))
            .await
            .ok();
        assert_eq!(followed["following"], true);
        let refused = alice
            .post(
                &format!("/api/v1/accounts/{}/follow", carol.id.0),
                json!({}),
            )
            .await;
        refused.error(StatusCode::TOO_MANY_REQUESTS);
        retry_after(&refused.headers, 3600);
        // Unfollowing is not limited; the web form shares the follow quota.
        alice
            .post(
                &format!("/api/v1/accounts/{}/unfollow", bob.id.0),
                json!({}),
            )
            .await
            .ok();
        let web = app.login("alice").await;
        web.post("/@carol/follow", &[])
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
        let rel = alice
            .get(&format!(
                "/api/v1/accounts/relationships?id[]={}",
                carol.id.0
            ))
            .await
            .ok();
        assert_eq!(
            rel[0]["following"], false,
            "the refused follow was not written"
        );
    }
}

#[tokio::test]
async fn sign_up_attempts_are_limited_per_client_address() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let limits = RateLimits {
            signups: Some(Rule::new(2, 1800)),
            ..RateLimits::off()
        };
        let app = app_with(&backend, limits).await;
        app.set_mode(RegistrationMode::Open).await;
        let addr = unique_addr();
        let sign_up = |name: &'static str, from: String| {
            let client = client_from(&app, &from);
            async move {
                let pw = password_of(name);
                client
                    .post_from(
                        "/signup",
                        "/signup",
                        &[
                            ("username", name),
                            ("password", &pw),
                            ("password_confirm", &pw),
                        ],
                    )
                    .await
            }
        };
        // An invalid attempt counts as much as a good one.
        sign_up("bad name", addr.clone())
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        sign_up("dora", addr.clone())
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let refused = sign_up("eve", addr.clone()).await;
        refused.assert_status(StatusCode::TOO_MANY_REQUESTS);
        refused.assert_contains("Too many attempts. Retry in 30 minutes.");
        retry_after(&refused.headers, 1800);
        assert!(
            app.store
                .get_account_by_username("eve")
                .await
                .unwrap()
                .is_none(),
            "the refused sign-up created no account"
        );
        sign_up("frank", unique_addr())
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn reports_are_limited_per_account_across_web_and_api() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let limits = RateLimits {
            reports: Some(Rule::new(2, 3600)),
            ..RateLimits::off()
        };
        let app = app_with(&backend, limits).await;
        let spammer = api::user(&app, "spammer", ALL).await;
        let alice = api::user(&app, "alice", ALL).await;
        let web = app.login("alice").await;
        let open_reports = || async {
            app.store
                .list_open_reports(social_store::Page::first(10))
                .await
                .unwrap()
                .len()
        };
        let form = [
            ("account", "spammer"),
            ("category", "spam"),
            ("comment", "ads"),
        ];
        web.post("/reports", &form)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("was sent to the moderators");
        let account_id = spammer.id.0.to_string();
        let params = json!({ "account_id": account_id, "category": "spam" });
        alice.post("/api/v1/reports", params.clone()).await.ok();
        assert_eq!(open_reports().await, 2);
        let refused = web.post("/reports", &form).await;
        refused.assert_status(StatusCode::TOO_MANY_REQUESTS);
        refused.assert_contains("Too many attempts. Retry in 1 hour.");
        retry_after(&refused.headers, 3600);
        let api_refused = alice.post("/api/v1/reports", params.clone()).await;
        assert_eq!(
            api_refused.error(StatusCode::TOO_MANY_REQUESTS),
            "Too many requests"
        );
        retry_after(&api_refused.headers, 3600);
        assert_eq!(open_reports().await, 2, "no refused report was recorded");
        // Another account still reports.
        let bob = api::user(&app, "bob", ALL).await;
        bob.post("/api/v1/reports", params).await.ok();
        assert_eq!(open_reports().await, 3);
    }
}

/// A web client signed in as a new account `name`, its requests from `addr`.
async fn web_user_from(app: &TestApp, name: &str, addr: &str) -> Client {
    app.account(name, social_core::Role::User).await;
    let mut client = client_from(app, addr);
    client
        .login(name, &password_of(name))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    client.name = name.to_owned();
    client
}

/// Posts, follows and reports are also counted per client address, all accounts behind it
/// together (a farm of fresh accounts on one address), on the web and the API (whose requests
/// here come from the proxy itself, 127.0.0.1); accounts elsewhere are not affected.
#[tokio::test]
async fn actions_are_limited_per_client_address_across_accounts() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let limits = RateLimits {
            posts_per_address: Some(Rule::new(2, 3600)),
            follows_per_address: Some(Rule::new(2, 3600)),
            reports_per_address: Some(Rule::new(2, 3600)),
            ..RateLimits::off()
        };
        let app = app_with(&backend, limits).await;
        let (farm, elsewhere) = (unique_addr(), unique_addr());
        let a = web_user_from(&app, "a", &farm).await;
        let b = web_user_from(&app, "b", &farm).await;
        let c = web_user_from(&app, "c", &farm).await;
        let d = web_user_from(&app, "d", &elsewhere).await;
        for name in ["t1", "t2", "t3", "t4"] {
            app.account(name, social_core::Role::User).await;
        }
        // Posts: two accounts use the address's two, the third is refused; elsewhere is fine.
        a.new_post("one", "public").await;
        b.new_post("two", "public").await;
        let refused = c
            .post("/posts", &[("text", "three"), ("visibility", "public")])
            .await;
        refused.assert_status(StatusCode::TOO_MANY_REQUESTS);
        retry_after(&refused.headers, 3600);
        d.new_post("four", "public").await;
        // Follows, likewise.
        for (client, target) in [(&a, "t1"), (&b, "t2")] {
            client
                .post(&format!("/@{target}/follow"), &[("next", "")])
                .await
                .assert_status(StatusCode::SEE_OTHER);
        }
        c.post("/@t3/follow", &[("next", "")])
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
        d.post("/@t3/follow", &[("next", "")])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let c_now = app
            .store
            .get_account_by_username("c")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c_now.following_count, 0, "the refused follow was not made");
        // Reports, on the web form.
        let form = [("account", "t4"), ("category", "spam"), ("comment", "ads")];
        a.post("/reports", &form)
            .await
            .assert_status(StatusCode::OK);
        b.post("/reports", &form)
            .await
            .assert_status(StatusCode::OK);
        c.post("/reports", &form)
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
        d.post("/reports", &form)
            .await
            .assert_status(StatusCode::OK);
        // The API: two token holders on one address (127.0.0.1) share its post allowance.
        let e = api::user(&app, "e", ALL).await;
        let f = api::user(&app, "f", ALL).await;
        e.post("/api/v1/statuses", json!({ "status": "e1" }))
            .await
            .ok();
        f.post("/api/v1/statuses", json!({ "status": "f1" }))
            .await
            .ok();
        let api_refused = f.post("/api/v1/statuses", json!({ "status": "f2" })).await;
        api_refused.error(StatusCode::TOO_MANY_REQUESTS);
        retry_after(&api_refused.headers, 3600);
    }
}
