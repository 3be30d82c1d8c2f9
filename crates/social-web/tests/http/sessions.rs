//! Sessions and log-in limits over real HTTP: the sessions page lists web sessions and app
//! authorizations; revoking one, or every other, logs it out at once (cache included); a
//! password change logs out the other sessions; failed log-ins per account and per address
//! end in 429 with `Retry-After`.

use crate::api_write_support::token;
use crate::each_backend;
use crate::harness::{Client, TestApp, backends, password_of};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use social_core::Role;
use social_web::WebConfig;
use social_web::ratelimit::{RateLimits, Rule};

/// The session IDs of the revoke buttons on the sessions page.
fn revoke_ids(body: &str) -> Vec<String> {
    body.split("action=\"/settings/sessions/")
        .skip(1)
        .filter_map(|s| s[..s.find('"')?].strip_suffix("/revoke").map(str::to_owned))
        .collect()
}

async fn signed_in(client: &Client) -> bool {
    client.get("/home").await.status == StatusCode::OK
}

#[tokio::test]
async fn sessions_list_and_revoke() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let phone = app.login("alice").await;
        let laptop = app.login("alice").await;
        let page = alice.get("/settings/sessions").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("This session")
            .assert_contains("127.0.0.1")
            .assert_contains("Log out all other sessions");
        let ids = revoke_ids(&page.body);
        assert_eq!(ids.len(), 2, "{}", page.body);
        // Warm the session cache of the phone, then revoke one of the other two sessions.
        assert!(signed_in(&phone).await);
        assert!(signed_in(&laptop).await);
        let done = alice
            .post(&format!("/settings/sessions/{}/revoke", ids[0]), &[])
            .await;
        done.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(done.location(), "/settings/sessions?done=session");
        let still = [signed_in(&phone).await, signed_in(&laptop).await];
        assert_eq!(
            still.iter().filter(|s| **s).count(),
            1,
            "one revoked at once"
        );
        assert!(signed_in(&alice).await);
        // Unknown or malformed IDs, and another account's session: 404.
        let bob = app.user("bob").await;
        let bobs = revoke_ids(&app.login("bob").await.get("/settings/sessions").await.body);
        for id in ["0123456789abcdef", "nope", &bobs[0]] {
            alice
                .post(&format!("/settings/sessions/{id}/revoke"), &[])
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
        assert!(signed_in(&bob).await);
        // Every other session.
        let tablet = app.login("alice").await;
        assert!(signed_in(&tablet).await);
        alice
            .post("/settings/sessions/revoke_others", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        assert!(!signed_in(&tablet).await);
        assert!(!signed_in(&phone).await && !signed_in(&laptop).await);
        assert!(signed_in(&alice).await);
        alice
            .get("/settings/sessions")
            .await
            .assert_lacks("Log out all other sessions");
        // Signed out: no list, no revoking.
        let anon = app.client();
        assert_eq!(
            anon.get("/settings/sessions").await.status,
            StatusCode::SEE_OTHER
        );
        anon.post_raw("/settings/sessions/revoke_others", &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn sessions_list_and_revoke_app_tokens() {
    each_backend!(|app: TestApp| async move {
        let erin = app.user("erin").await;
        let id = app
            .store
            .get_account_by_username("erin")
            .await
            .unwrap()
            .unwrap()
            .id;
        let api = token(&app, id, "read").await;
        api.get("/api/v1/accounts/verify_credentials").await.ok();
        let page = erin.get("/settings/sessions").await;
        page.assert_contains("write tests").assert_contains("read");
        let token_id = page
            .body
            .split("action=\"/settings/authorizations/")
            .nth(1)
            .and_then(|s| s.split_once('/'))
            .map(|(id, _)| id.to_owned())
            .expect("a revoke button");
        // Another account cannot revoke it; a malformed ID is 404.
        let frank = app.user("frank").await;
        for (who, id) in [(&frank, token_id.as_str()), (&erin, "x1")] {
            who.post(&format!("/settings/authorizations/{id}/revoke"), &[])
                .await
                .assert_status(StatusCode::NOT_FOUND);
        }
        erin.post(&format!("/settings/authorizations/{token_id}/revoke"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        api.get("/api/v1/accounts/verify_credentials")
            .await
            .error(StatusCode::UNAUTHORIZED);
        erin.get("/settings/sessions")
            .await
            .assert_contains("None.");
    });
}

#[tokio::test]
async fn password_change_logs_out_other_sessions() {
    each_backend!(|app: TestApp| async move {
        let gina = app.user("gina").await;
        let other = app.login("gina").await;
        let old = password_of("gina");
        let new = "a brand new passphrase";
        let change = |current: &str, new: &str, confirm: &str| {
            let form = [
                ("current_password", current.to_owned()),
                ("new_password", new.to_owned()),
                ("new_password_confirm", confirm.to_owned()),
            ];
            let gina = &gina;
            async move {
                let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                gina.post("/settings/password", &form).await
            }
        };
        change("wrong", new, new)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Wrong password.");
        change(&old, "short", "short")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        change(&old, new, "something else")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("differ");
        assert!(signed_in(&other).await);
        let done = change(&old, new, new).await;
        done.assert_status(StatusCode::SEE_OTHER);
        gina.get(done.location())
            .await
            .assert_contains("Password changed.");
        assert!(!signed_in(&other).await, "the other session is logged out");
        assert!(signed_in(&gina).await, "this one stays");
        app.client()
            .login("gina", &old)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        app.client()
            .login("gina", new)
            .await
            .assert_status(StatusCode::SEE_OTHER);
    });
}

#[tokio::test]
async fn failed_log_ins_are_limited_per_account_and_address() {
    for backend in backends() {
        // The counters live in the cache, which on PostgreSQL is a Redis shared by every test
        // (and kept between runs): this test's address and names are its own.
        let n = std::process::id();
        let addr = format!("2001:db8:5e55:{:x}::{:x}", n >> 16, n & 0xffff);
        let (hana, ivan) = (format!("hana{n}"), format!("ivan{n}"));
        let config = WebConfig {
            rate_limits: RateLimits {
                logins: Some(Rule::new(8, 300)),
                logins_per_account: Some(Rule::new(5, 900)),
                ..RateLimits::off()
            },
            trusted_proxies: vec![("127.0.0.1".parse().unwrap(), 32)],
            ..WebConfig::default()
        };
        let app = TestApp::spawn(&backend, config).await;
        app.account(&hana, Role::User).await;
        app.account(&ivan, Role::User).await;
        let from_addr = || {
            let mut headers = HeaderMap::new();
            headers.insert("x-forwarded-for", HeaderValue::from_str(&addr).unwrap());
            Client::with_headers(&app.base, headers)
        };
        let client = from_addr();
        for _ in 0..5 {
            client
                .login(&hana, "wrong password")
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        }
        // The account is blocked, even with the right password (and the name's case).
        for name in [hana.clone(), hana.to_uppercase()] {
            let refused = client.login(&name, &password_of(&hana)).await;
            refused.assert_status(StatusCode::TOO_MANY_REQUESTS);
            let wait: u64 = refused.headers["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=900).contains(&wait), "{wait}");
        }
        // Another account from the same address still logs in…
        from_addr()
            .login(&ivan, &password_of(&ivan))
            .await
            .assert_status(StatusCode::SEE_OTHER);
        // …until the address has failed 8 times in all.
        for _ in 0..3 {
            client
                .login(&format!("nobody{n}"), "wrong password")
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        }
        let refused = from_addr().login(&ivan, &password_of(&ivan)).await;
        refused.assert_status(StatusCode::TOO_MANY_REQUESTS);
        assert!(refused.headers.contains_key("retry-after"));
    }
}
