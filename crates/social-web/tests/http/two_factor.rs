//! Two-factor authentication over real HTTP: enrolment (secret, QR code, confirmation,
//! recovery codes once), the log-in's second step (the half-logged-in state grants nothing,
//! a wrong code writes the fail2ban line, a used code is refused, a recovery code works once),
//! the OAuth log-in through it, and turning it off.

use crate::each_backend;
use crate::harness::{Client, Resp, TestApp, password_of};
use reqwest::StatusCode;
use social_core::totp;
use std::sync::{Arc, Mutex};

/// The current time step, as the test sees it. The server's clock is the same one, read a
/// little later: codes of this step and the next are accepted whichever step it is in.
pub fn now_step() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp::step_of(secs)
}

pub fn code(secret: &str, step: i64) -> String {
    totp::code_at(&totp::base32_decode(secret).unwrap(), step)
}

/// A six-digit code that is not valid around `step`.
fn wrong_code(secret: &str, step: i64) -> String {
    let valid: Vec<String> = (step - 2..=step + 2).map(|s| code(secret, s)).collect();
    (0..)
        .map(|n| format!("{n:06}"))
        .find(|c| !valid.contains(c))
        .unwrap()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let at = body
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in {body}"))
        + start.len();
    &body[at..at + body[at..].find(end).unwrap()]
}

/// Enrols the signed-in `client`: returns the secret, the recovery codes and the step of
/// the code that confirmed it.
pub async fn enrol(client: &Client) -> (String, Vec<String>, i64) {
    client
        .post("/settings/security/totp", &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = client.get("/settings/security").await;
    page.assert_status(StatusCode::OK)
        .assert_contains("<svg")
        .assert_contains("otpauth://totp/social:");
    assert!(!page.body.contains("<script"), "no script: CSP forbids it");
    let secret = between(&page.body, "id=\"totp-secret\">", "<").to_owned();
    assert_eq!(totp::base32_decode(&secret).unwrap().len(), 20);
    let step = now_step();
    let done = client
        .post(
            "/settings/security/totp/confirm",
            &[("code", &code(&secret, step))],
        )
        .await;
    done.assert_status(StatusCode::OK)
        .assert_contains("shown only this once");
    let codes: Vec<String> = done
        .body
        .split("<li><code>")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{}", done.body);
    (secret, codes, step)
}

/// The password step: a redirect to the code form, no session yet.
async fn password_step(app: &TestApp, name: &str, next: Option<&str>) -> Client {
    let client = app.client();
    let password = password_of(name);
    let mut form = vec![("username", name), ("password", password.as_str())];
    if let Some(next) = next {
        form.push(("next", next));
    }
    let resp = client.post_from("/login", "/login", &form).await;
    resp.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(resp.location(), "/login/two-factor");
    client
}

async fn send_code(client: &Client, code: &str) -> Resp {
    client
        .post_from("/login/two-factor", "/login/two-factor", &[("code", code)])
        .await
}

#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Captures this thread's log output (plain text, no timestamps) until the guard drops.
    pub fn install() -> (Self, tracing::subscriber::DefaultGuard) {
        let captured = Self::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time()
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn two_factor_enrol_login_replay_and_recovery() {
    let (captured, _guard) = Captured::install();
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        alice
            .get("/settings/security")
            .await
            .assert_contains("Set up two-factor authentication");
        let (secret, recovery, step) = enrol(&alice).await;
        alice
            .get("/settings/security")
            .await
            .assert_contains("Recovery codes left: 10.")
            .assert_lacks(&secret);
        // Enrolling again while on: 409.
        alice
            .post("/settings/security/totp", &[])
            .await
            .assert_status(StatusCode::CONFLICT);

        // The password alone gives a challenge that grants nothing.
        let browser = password_step(&app, "alice", Some("/notifications")).await;
        for path in ["/home", "/settings/profile", "/settings/sessions"] {
            let resp = browser.get(path).await;
            resp.assert_status(StatusCode::SEE_OTHER);
            assert!(resp.location().starts_with("/login"), "{path}");
        }
        browser
            .post_from(
                "/login/two-factor",
                "/posts",
                &[("text", "hi"), ("visibility", "public")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        // A wrong code: 422 and the fail2ban line. The log line's callsite may have been
        // registered by a test on another thread at the moment this test's subscriber was
        // being registered (a race in tracing's interest cache that can leave it "never"):
        // rebuilding now, with this subscriber registered, makes the interest include it.
        tracing::callsite::rebuild_interest_cache();
        send_code(&browser, &wrong_code(&secret, step))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("not right");
        send_code(&browser, "not a code")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // The code that confirmed enrolment is used: refused.
        send_code(&browser, &code(&secret, step))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // The next one works, once, and goes where the log-in was headed.
        let next_code = code(&secret, step + 1);
        let ok = send_code(&browser, &next_code).await;
        ok.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(ok.location(), "/notifications");
        browser.get("/home").await.assert_status(StatusCode::OK);
        let again = password_step(&app, "alice", None).await;
        send_code(&again, &next_code)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("used already");
        // A recovery code works once (any case, with or without its dash).
        let ok = send_code(&again, &recovery[0].to_uppercase()).await;
        ok.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(ok.location(), "/home");
        again.get("/home").await.assert_status(StatusCode::OK);
        let third = password_step(&app, "alice", None).await;
        send_code(&third, &recovery[0].replace('-', ""))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        third
            .get("/home")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        alice
            .get("/settings/security")
            .await
            .assert_contains("Recovery codes left: 9.");
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("authentication failure: client=127.0.0.1 reason=bad_code user=\"alice\"")
        })
        .collect();
    // The wrong code, the malformed one, the replays and the used recovery code log it (the
    // count is not asserted: tests on other threads may share tracing's callsite cache).
    assert!(!lines.is_empty(), "{log}");
    assert!(lines.iter().all(|l| l.contains(" social::auth: ")), "{log}");
}

#[tokio::test]
async fn two_factor_challenge_expires_and_needs_its_cookie() {
    each_backend!(|app: TestApp| async move {
        let bob = app.user("bob").await;
        enrol(&bob).await;
        // No challenge: back to the log-in, for the page and the form.
        let stranger = app.client();
        let page = stranger.get("/login/two-factor").await;
        page.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(page.location(), "/login");
        let token = stranger.get("/login").await.csrf();
        let resp = stranger
            .post_raw("/login/two-factor", &[("code", "123456"), ("csrf", &token)])
            .await;
        assert_eq!(resp.location(), "/login");
        // Five wrong codes end the challenge: the password must be typed again.
        let browser = password_step(&app, "bob", None).await;
        for _ in 0..4 {
            send_code(&browser, "000000x")
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        }
        let token = browser.get("/login/two-factor").await.csrf();
        let last = browser
            .post_raw("/login/two-factor", &[("code", "x"), ("csrf", &token)])
            .await;
        last.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(last.location(), "/login");
        assert_eq!(browser.get("/login/two-factor").await.location(), "/login");
        // Without its CSRF token the code form is refused.
        let other = password_step(&app, "bob", None).await;
        other
            .post_raw("/login/two-factor", &[("code", "123456")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        // Signed-out visitors cannot enrol.
        app.client()
            .post_raw("/settings/security/totp", &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn two_factor_disable_needs_password_and_code() {
    each_backend!(|app: TestApp| async move {
        let carol = app.user("carol").await;
        // Confirming with nothing pending, or a bad code: 422.
        carol
            .post("/settings/security/totp/confirm", &[("code", "123456")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        carol
            .post("/settings/security/totp", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        carol
            .post("/settings/security/totp/confirm", &[("code", "12")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("not right");
        let (secret, _, step) = enrol(&carol).await;
        let pw = password_of("carol");
        let fresh = code(&secret, step + 1);
        carol
            .post(
                "/settings/security/totp/disable",
                &[("password", "wrong password"), ("code", &fresh)],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Wrong password.");
        carol
            .post(
                "/settings/security/totp/disable",
                &[("password", &pw), ("code", &code(&secret, step))],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let off = carol
            .post(
                "/settings/security/totp/disable",
                &[("password", &pw), ("code", &fresh)],
            )
            .await;
        off.assert_status(StatusCode::SEE_OTHER);
        carol
            .get(off.location())
            .await
            .assert_contains("Two-factor authentication is off.")
            .assert_contains("Set up two-factor authentication");
        // The log-in is one step again.
        let resp = app.client().login("carol", &pw).await;
        resp.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(resp.location(), "/home");
    });
}

#[tokio::test]
async fn two_factor_in_the_oauth_log_in() {
    each_backend!(|app: TestApp| async move {
        let dave = app.user("dave").await;
        let (secret, _, step) = enrol(&dave).await;
        let client = app
            .store
            .create_app(social_store::AppInsert {
                name: "Tusky".into(),
                website: None,
                redirect_uris: vec!["urn:ietf:wg:oauth:2.0:oob".into()],
                scopes: "read".into(),
            })
            .await
            .unwrap();
        let authorize = format!(
            "/oauth/authorize?response_type=code&client_id={}&scope=read",
            client.app.client_id
        );
        let browser = app.client();
        let first = browser.get(&authorize).await;
        first.assert_status(StatusCode::SEE_OTHER);
        assert!(first.location().starts_with("/login?next="));
        let login = password_step(&app, "dave", Some(&authorize)).await;
        login
            .get(&authorize)
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let ok = send_code(&login, &code(&secret, step + 1)).await;
        ok.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(ok.location(), authorize);
        login
            .get(&authorize)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Tusky");
    });
}
