//! The sign-up proof of work over real HTTP: in open mode the page carries a signed challenge
//! and loads `pow.js` (its CSP allows scripts from this origin only); a solved proof signs up
//! at once, no proof (no JavaScript) waits for approval, a wrong, tampered, expired, too easy
//! or replayed proof gets 422 and creates nothing. Approval and invite modes do not ask.

use crate::harness::{Client, Resp, TestApp, backends, password_of};
use reqwest::StatusCode;
use social_core::pow::{self, Challenge};
use social_core::{AccountStatus, RegistrationMode};
use social_web::WebConfig;
use social_web::signup_pow::SignupPow;

/// Low, so solving in the test is instant; the server checks the same way at any level.
const BITS: u8 = 8;

fn config() -> WebConfig {
    WebConfig {
        signup_pow: Some(SignupPow {
            bits: BITS,
            ..SignupPow::default()
        }),
        ..WebConfig::default()
    }
}

fn now_s() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The value of the hidden input `name` on the page; None when there is none.
fn hidden(page: &Resp, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let at = page.body.find(&needle)? + needle.len();
    Some(page.body[at..at + page.body[at..].find('"')?].to_owned())
}

fn csp(resp: &Resp) -> &str {
    resp.headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Signs up from a freshly loaded form with this proof; `None` token: the page's own.
async fn sign_up(client: &Client, username: &str, token: Option<&str>, nonce: &str) -> Resp {
    let page = client.get("/signup").await;
    page.assert_status(StatusCode::OK);
    let own = hidden(&page, "pow_token").unwrap_or_default();
    let pw = password_of(username);
    let form = [
        ("csrf", page.csrf()),
        ("username", username.to_owned()),
        ("password", pw.clone()),
        ("password_confirm", pw),
        ("x_website", String::new()),
        ("pow_token", token.unwrap_or(&own).to_owned()),
        ("pow_nonce", nonce.to_owned()),
    ];
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    client.post_raw("/signup", &fields).await
}

/// A fresh challenge from the page, and its solution.
async fn solved(client: &Client) -> (String, String) {
    let token = hidden(&client.get("/signup").await, "pow_token").expect("a challenge");
    let nonce = pow::solve(&token, BITS);
    (token, nonce)
}

async fn signed_in(client: &Client) -> bool {
    client.get("/home").await.status == StatusCode::OK
}

async fn exists(app: &TestApp, username: &str) -> bool {
    app.store
        .get_account_by_username(username)
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn signup_pow_solved_proof_signs_up_at_once() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let app = TestApp::spawn(&backend, config()).await;
        app.set_mode(RegistrationMode::Open).await;
        let client = app.client();
        let page = client.get("/signup").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("data-pow-bits=\"8\"")
            .assert_contains(r#"name="pow_nonce" value="""#)
            .assert_contains(r#"<p id="pow-status" role="status" aria-live="polite"></p>"#)
            .assert_contains("<noscript>")
            .assert_lacks("<script>");
        assert!(
            csp(&page).contains("script-src 'self';"),
            "sign-up CSP: {}",
            csp(&page)
        );
        // The script is served from this origin under its content hash, cached for a year.
        let at = page.body.find("<script src=\"").unwrap() + 13;
        let src = &page.body[at..at + page.body[at..].find('"').unwrap()];
        assert!(
            src.starts_with("/static/pow-") && src.ends_with(".js"),
            "{src}"
        );
        let js = client.get(src).await;
        js.assert_status(StatusCode::OK)
            .assert_contains("crypto.subtle.digest");
        assert_eq!(js.headers["content-type"], "text/javascript; charset=utf-8");
        assert!(
            js.headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        client
            .get("/static/pow-0000000000000000.js")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Every other page stays script-free.
        for path in ["/", "/login", "/local", "/signup/pending"] {
            let other = client.get(path).await;
            assert!(
                !csp(&other).contains("script-src"),
                "{path}: {}",
                csp(&other)
            );
        }

        let (token, nonce) = solved(&client).await;
        let resp = sign_up(&client, "solver", Some(&token), &nonce).await;
        resp.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(resp.location(), "/home");
        assert!(signed_in(&client).await);
    }
}

#[tokio::test]
async fn signup_pow_missing_proof_waits_for_approval() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let app = TestApp::spawn(&backend, config()).await;
        app.set_mode(RegistrationMode::Open).await;
        let admin = app.admin("root").await;
        let client = app.client();
        // As a browser without JavaScript sends it: the token, an empty nonce.
        let resp = sign_up(&client, "nojs", None, "").await;
        resp.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(resp.location(), "/signup/pending?without_proof=1");
        client
            .get(resp.location())
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("waiting for approval")
            .assert_contains("did not run the sign-up check");
        assert!(!signed_in(&client).await);
        let account = app
            .store
            .get_account_by_username("nojs")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(account.status, AccountStatus::Pending);
        app.client()
            .login("nojs", &password_of("nojs"))
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("waiting for approval");
        admin
            .get("/admin/registrations")
            .await
            .assert_contains("@nojs");
        // Approved, it logs in like any account.
        admin
            .post(&format!("/admin/registrations/{}/approve", account.id), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        app.client()
            .login("nojs", &password_of("nojs"))
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn signup_pow_wrong_proofs_are_refused_and_create_nothing() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let app = TestApp::spawn(&backend, config()).await;
        app.set_mode(RegistrationMode::Open).await;
        let secret = app.store.signup_pow_secret().await.unwrap();
        let client = app.client();
        let refused = |resp: &Resp, message: &str| {
            resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(message)
                .assert_contains("href=\"#pow-status\"")
                // The form comes back with a new challenge and the script.
                .assert_contains("name=\"pow_token\"");
            assert!(csp(resp).contains("script-src 'self';"));
        };

        // A nonce that does not do the work.
        let (token, _) = solved(&client).await;
        let wrong = (0u32..)
            .map(|n| n.to_string())
            .find(|n| pow::verify(&secret, &token, n, now_s(), 3600).is_err())
            .unwrap();
        let resp = sign_up(&client, "wrong", Some(&token), &wrong).await;
        refused(&resp, "was not completed");
        assert_ne!(hidden(&resp, "pow_token").unwrap(), token);

        // The token changed (an easier difficulty claimed): the signature breaks.
        let (token, _) = solved(&client).await;
        let tampered = token.replacen(".8.", ".0.", 1);
        let resp = sign_up(&client, "tampered", Some(&tampered), "0").await;
        refused(&resp, "not issued by this server");

        // Signed by this server two hours ago: expired.
        let old = Challenge::issue(&secret, now_s() - 7200, BITS, [1; 16]);
        let nonce = pow::solve(&old, BITS);
        let resp = sign_up(&client, "expired", Some(&old), &nonce).await;
        refused(&resp, "has expired");

        // Signed by this server, but easier than configured.
        let easy = Challenge::issue(&secret, now_s(), 2, [2; 16]);
        let nonce = pow::solve(&easy, 2);
        let resp = sign_up(&client, "tooeasy", Some(&easy), &nonce).await;
        refused(&resp, "was not completed");

        // Garbage: refused, never a 500.
        let long = "v1.".repeat(5000);
        for (token, nonce) in [
            ("", "1"),
            ("not a token", "1"),
            (long.as_str(), "1"),
            ("v1.1.8.00.00", "ä"),
        ] {
            let resp = sign_up(&client, "garbage", Some(token), nonce).await;
            refused(&resp, "missing or damaged");
        }
        for name in ["wrong", "tampered", "expired", "tooeasy", "garbage"] {
            assert!(!exists(&app, name).await, "{name} was created");
        }

        // A proof works once.
        let (token, nonce) = solved(&client).await;
        sign_up(&client, "first", Some(&token), &nonce)
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let again = app.client();
        let resp = sign_up(&again, "second", Some(&token), &nonce).await;
        refused(&resp, "already used");
        assert!(!exists(&app, "second").await);
        assert!(!signed_in(&again).await);
    }
}

#[tokio::test]
async fn signup_pow_is_not_asked_in_approval_or_invite_mode() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let app = TestApp::spawn(&backend, config()).await;
        let admin = app.admin("root").await;

        app.set_mode(RegistrationMode::Approval).await;
        let client = app.client();
        let page = client.get("/signup").await;
        page.assert_lacks("data-pow-token").assert_lacks("<script");
        assert!(!csp(&page).contains("script-src"), "{}", csp(&page));
        let pw = password_of("waiter");
        let resp = client
            .post_from(
                "/signup",
                "/signup",
                &[
                    ("username", "waiter"),
                    ("password", &pw),
                    ("password_confirm", &pw),
                    ("reason", "I would like to join"),
                ],
            )
            .await;
        resp.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(resp.location(), "/signup/pending");

        app.set_mode(RegistrationMode::Invite).await;
        admin
            .post("/admin/invites", &[("max_uses", "1")])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let code = app.store.list_invites().await.unwrap()[0].code.clone();
        let client = app.client();
        client.get("/signup").await.assert_lacks("data-pow-token");
        let pw = password_of("invited");
        let resp = client
            .post_from(
                "/signup",
                "/signup",
                &[
                    ("username", "invited"),
                    ("password", &pw),
                    ("password_confirm", &pw),
                    ("invite", &code),
                ],
            )
            .await;
        resp.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(resp.location(), "/home");
        assert!(signed_in(&client).await);
    }
}
