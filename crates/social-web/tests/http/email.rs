//! E-mail over real HTTP, real SMTP and real DNS on loopback: sign-up with confirmation,
//! password reset, the blocked e-mail domains (by domain and by MX host), retries when the
//! relay fails, and the refusals (bad input, used and expired links, non-admins).

use crate::harness::{Backend, Client, Resp, TestApp, backends, password_of};
use crate::mail_support::{DnsResponder, SmtpSink};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use social_core::{RegistrationMode, Role};
use social_web::WebConfig;
use social_web::mail::{MailSettings, SmtpSecurity};
use social_web::ratelimit::{RateLimits, Rule};
use std::time::Duration;

/// A server with e-mail through its own SMTP sink and DNS responder.
struct MailApp {
    app: TestApp,
    sink: SmtpSink,
    dns: DnsResponder,
}

async fn mail_app(backend: &Backend, fail_first: u32, config: WebConfig) -> MailApp {
    let sink = SmtpSink::start(fail_first).await;
    let dns = DnsResponder::start(&[
        ("example.org", &["mx.example.org"]),
        (
            "innocent.example",
            &["mx1.spamhost.example", "mx2.fine.example"],
        ),
    ])
    .await;
    let settings = MailSettings {
        host: sink.addr.ip().to_string(),
        port: sink.addr.port(),
        security: SmtpSecurity::None,
        from: "Social <social@example.org>".into(),
        username: None,
        password: None,
        link_base_url: String::new(),
        dns_resolver: Some(dns.addr),
        retry_base: Duration::from_millis(50),
    };
    let app = TestApp::spawn_with_mail(backend, config, settings).await;
    app.set_mode(RegistrationMode::Open).await;
    MailApp { app, sink, dns }
}

async fn signup(client: &Client, username: &str, email: &str) -> Resp {
    let password = password_of(username);
    client
        .post_from(
            "/signup",
            "/signup",
            &[
                ("username", username),
                ("email", email),
                ("password", &password),
                ("password_confirm", &password),
                ("reason", "I like it here"),
            ],
        )
        .await
}

/// Signs `username` up with `email` and returns the confirmation link from the mail.
async fn signup_and_link(m: &mut MailApp, username: &str, email: &str) -> String {
    let client = m.app.client();
    let resp = signup(&client, username, email).await;
    resp.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(resp.location(), "/signup/check-email");
    let mail = m.sink.next().await;
    assert_eq!(mail.to.join(",").to_lowercase(), email.to_lowercase());
    mail.link(&format!("{}/confirm/", m.app.base))
}

/// Signs `username` up with `email` and confirms it; returns the anonymous client used.
async fn confirmed(m: &mut MailApp, username: &str, email: &str) -> Client {
    let link = signup_and_link(m, username, email).await;
    let anon = m.app.client();
    anon.get(&path_of(&m.app, &link))
        .await
        .assert_status(StatusCode::OK);
    anon
}

fn path_of(app: &TestApp, link: &str) -> String {
    link.strip_prefix(&app.base)
        .expect("link to this server")
        .to_owned()
}

/// Makes every e-mail token of the server expired (time cannot be moved otherwise).
async fn expire_tokens(app: &TestApp) {
    use sqlx::Connection;
    let sql = "UPDATE email_tokens SET expires_at = 1";
    if app.database_url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(&app.database_url)
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    }
}

#[tokio::test]
async fn email_signup_needs_a_confirmed_address() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let mut m = mail_app(&backend, 0, WebConfig::default()).await;
        let anon = m.app.client();
        anon.get("/signup")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("name=\"email\"");
        anon.get("/login").await.assert_contains("/password/reset");
        // Bad addresses, each with a reason.
        for bad in [
            "",
            "ann",
            "ann@localhost",
            "a b@example.org",
            "<ann@example.org>",
        ] {
            signup(&anon, "ann", bad)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("e-mail address");
        }
        let link = signup_and_link(&mut m, "ann", "Ann@Example.org").await;
        anon.get("/signup/check-email")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Check your inbox");
        // The same address in other case is taken.
        signup(&anon, "ann2", "ann@EXAMPLE.org")
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("already used");
        // No log-in before the address is confirmed.
        anon.login("ann", &password_of("ann"))
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("Confirm your e-mail address");
        anon.get(&path_of(&m.app, &link))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Address confirmed");
        anon.get(&path_of(&m.app, &link))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("already used");
        anon.get("/confirm/not-a-token")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("not valid");
        m.app.login("ann").await;

        // Asking again: the same answer for a confirmed, an unknown and a waiting address;
        // only the waiting one gets mail (the next mail the sink sees is bob's).
        let link = signup_and_link(&mut m, "bob", "bob@example.org").await;
        let mut answers = Vec::new();
        for email in ["ann@example.org", "nobody@example.org", "bob@example.org"] {
            let resp = anon
                .post_from("/confirm/resend", "/confirm/resend", &[("email", email)])
                .await;
            resp.assert_status(StatusCode::OK);
            answers.push(resp.body);
        }
        assert_eq!(answers[0], answers[1]);
        assert_eq!(answers[1], answers[2]);
        let again = m.sink.next().await;
        assert_eq!(again.to, ["bob@example.org"]);
        anon.post_from("/confirm/resend", "/confirm/resend", &[("email", "bob")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // Confirming with the new link ends the older one too.
        let new_link = again.link(&format!("{}/confirm/", m.app.base));
        anon.get(&path_of(&m.app, &new_link))
            .await
            .assert_status(StatusCode::OK);
        anon.get(&path_of(&m.app, &link))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

        // An expired link is refused.
        let link = signup_and_link(&mut m, "cleo", "cleo@example.org").await;
        expire_tokens(&m.app).await;
        anon.get(&path_of(&m.app, &link))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("expired");
    }
}

#[tokio::test]
async fn email_approval_needs_confirmation_and_approval() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let mut m = mail_app(&backend, 0, WebConfig::default()).await;
        m.app.set_mode(RegistrationMode::Approval).await;
        let admin = m.app.admin("root").await;
        let link = signup_and_link(&mut m, "dora", "dora@example.org").await;
        let anon = m.app.client();
        anon.login("dora", &password_of("dora"))
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("Confirm your e-mail address");
        anon.get(&path_of(&m.app, &link))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("still has to approve");
        anon.login("dora", &password_of("dora"))
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("waiting for approval");
        let dora = m
            .app
            .store
            .get_account_by_username("dora")
            .await
            .unwrap()
            .unwrap();
        admin
            .post(&format!("/admin/registrations/{}/approve", dora.id), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        m.app.login("dora").await;
    }
}

#[tokio::test]
async fn email_password_reset() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let mut m = mail_app(&backend, 0, WebConfig::default()).await;
        let anon = confirmed(&mut m, "erin", "erin@example.org").await;
        let erin = m.app.login("erin").await;
        erin.get("/home").await.assert_status(StatusCode::OK);

        anon.get("/password/reset")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("name=\"email\"");
        anon.post_from(
            "/password/reset",
            "/password/reset",
            &[("email", "not an address")],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // Unknown and known addresses get the same answer; only the known one gets mail.
        let unknown = anon
            .post_from(
                "/password/reset",
                "/password/reset",
                &[("email", "who@example.org")],
            )
            .await;
        let known = anon
            .post_from(
                "/password/reset",
                "/password/reset",
                &[("email", "ERIN@example.org")],
            )
            .await;
        unknown.assert_status(StatusCode::OK);
        known.assert_status(StatusCode::OK);
        assert_eq!(unknown.body, known.body);
        let mail = m.sink.next().await;
        assert_eq!(mail.to, ["erin@example.org"]);
        let path = path_of(
            &m.app,
            &mail.link(&format!("{}/password/reset/", m.app.base)),
        );
        anon.get(&path)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("name=\"password_confirm\"");
        // Bad new passwords, each with a reason; the link still works after them.
        for (pw, again) in [("short", "short"), ("long enough 1", "long enough 2")] {
            anon.post_from(
                &path,
                &path,
                &[("password", pw), ("password_confirm", again)],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        }
        let new = "a brand new password";
        anon.post_from(
            &path,
            &path,
            &[("password", new), ("password_confirm", new)],
        )
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("Password changed");
        // The old session is gone, the old password too; the new one works.
        assert_eq!(erin.get("/home").await.status, StatusCode::SEE_OTHER);
        anon.login("erin", &password_of("erin"))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        m.app
            .client()
            .login("erin", new)
            .await
            .assert_status(StatusCode::SEE_OTHER);
        // Used: the link is refused, on the form and on submit.
        anon.get(&path)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("already used");
        let token_page = "/password/reset";
        anon.post_from(
            token_page,
            &path,
            &[("password", new), ("password_confirm", new)],
        )
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // Expired.
        anon.post_from(
            "/password/reset",
            "/password/reset",
            &[("email", "erin@example.org")],
        )
        .await
        .assert_status(StatusCode::OK);
        let mail = m.sink.next().await;
        let path = path_of(
            &m.app,
            &mail.link(&format!("{}/password/reset/", m.app.base)),
        );
        expire_tokens(&m.app).await;
        anon.get(&path)
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("expired");
    }
}

#[tokio::test]
async fn email_link_requests_are_rate_limited() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let config = WebConfig {
            rate_limits: RateLimits {
                email_links: Some(Rule::new(2, 3600)),
                ..RateLimits::off()
            },
            trusted_proxies: vec![("127.0.0.1".parse().unwrap(), 32)],
            ..WebConfig::default()
        };
        let m = mail_app(&backend, 0, config).await;
        let pid = std::process::id();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let from = |n: u32| {
            let mut headers = HeaderMap::new();
            let addr = format!("2001:db8:e:{:x}:{:x}::{n:x}", pid & 0xffff, nanos & 0xffff);
            headers.insert("x-forwarded-for", HeaderValue::from_str(&addr).unwrap());
            Client::with_headers(&m.app.base, headers)
        };
        let email = format!("limit-{pid}-{nanos}@example.org");
        // Per e-mail address, from different clients.
        for n in 0..2 {
            from(n)
                .post_from("/password/reset", "/password/reset", &[("email", &email)])
                .await
                .assert_status(StatusCode::OK);
        }
        from(2)
            .post_from("/password/reset", "/password/reset", &[("email", &email)])
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
        // Per client, whatever the addresses.
        let one = from(3);
        for n in 0..2 {
            let other = format!("other-{n}-{pid}-{nanos}@example.org");
            one.post_from("/confirm/resend", "/confirm/resend", &[("email", &other)])
                .await
                .assert_status(StatusCode::OK);
        }
        one.post_from(
            "/confirm/resend",
            "/confirm/resend",
            &[("email", "x@example.org")],
        )
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    }
}

#[tokio::test]
async fn email_domain_blocks() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let mut m = mail_app(&backend, 0, WebConfig::default()).await;
        let admin = m.app.admin("root").await;
        let user = m.app.user("ursula").await;
        m.app.account("mod", Role::Moderator).await;
        let moderator = m.app.login("mod").await;
        for who in [&user, &moderator] {
            who.get("/admin/email-blocks")
                .await
                .assert_status(StatusCode::FORBIDDEN);
            who.post("/admin/email-blocks", &[("domain", "spamhost.example")])
                .await
                .assert_status(StatusCode::FORBIDDEN);
        }
        m.app
            .client()
            .get("/admin/email-blocks")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        admin
            .get("/admin/email-blocks")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("No domain is blocked");
        for bad in ["", "spam host.example", "-x.example", "a..b"] {
            admin
                .post("/admin/email-blocks", &[("domain", bad)])
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("domain name");
        }
        let long_note = "n".repeat(501);
        admin
            .post(
                "/admin/email-blocks",
                &[("domain", "x.example"), ("note", &long_note)],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        admin
            .post(
                "/admin/email-blocks",
                &[("domain", "SpamHost.example."), ("note", "bulk")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        admin
            .post("/admin/email-blocks", &[("domain", "spamhost.example")])
            .await
            .assert_status(StatusCode::CONFLICT)
            .assert_contains("already blocked");
        admin
            .get("/admin/email-blocks")
            .await
            .assert_contains("spamhost.example")
            .assert_contains("bulk");
        admin
            .get("/admin/audit")
            .await
            .assert_contains("block_email_domain")
            .assert_contains("spamhost.example: bulk");

        let anon = m.app.client();
        // The domain, a subdomain, and a domain whose MX host is in it.
        for email in [
            "a@spamhost.example",
            "b@eu.spamhost.example",
            "c@innocent.example",
        ] {
            signup(&anon, "blocked", email)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("are not accepted here");
        }
        assert!(
            m.app
                .store
                .get_account_by_username("blocked")
                .await
                .unwrap()
                .is_none()
        );
        // A failing MX lookup does not block sign-up.
        signup_and_link(&mut m, "fay", "fay@servfail.example").await;

        admin
            .post(
                "/admin/email-blocks/delete",
                &[("domain", "spamhost.example")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        admin
            .post(
                "/admin/email-blocks/delete",
                &[("domain", "spamhost.example")],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
        moderator
            .post("/admin/email-blocks/delete", &[("domain", "x.example")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        admin
            .get("/admin/audit")
            .await
            .assert_contains("unblock_email_domain");
        signup_and_link(&mut m, "gil", "gil@innocent.example").await;
    }
}

#[tokio::test]
async fn email_relay_failures_are_retried_never_an_error_page() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        // The relay refuses the first two attempts: the mail still arrives.
        let mut m = mail_app(&backend, 2, WebConfig::default()).await;
        signup_and_link(&mut m, "hal", "hal@example.org").await;

        // No relay at all: sign-up still succeeds (the mail waits for its retries).
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let settings = MailSettings {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::None,
            from: "social@example.org".into(),
            username: None,
            password: None,
            link_base_url: String::new(),
            dns_resolver: Some(m.dns.addr),
            retry_base: Duration::from_secs(60),
        };
        let app = TestApp::spawn_with_mail(&backend, WebConfig::default(), settings).await;
        app.set_mode(RegistrationMode::Open).await;
        let resp = signup(&app.client(), "ivy", "ivy@example.org").await;
        resp.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(resp.location(), "/signup/check-email");
    }
}

#[tokio::test]
async fn email_pages_are_absent_without_smtp() {
    crate::each_backend!(|app: TestApp| async move {
        let anon = app.client();
        anon.get("/signup").await.assert_lacks("name=\"email\"");
        anon.get("/login").await.assert_lacks("/password/reset");
        for path in [
            "/password/reset",
            "/confirm/resend",
            "/confirm/abc",
            "/password/reset/abc",
        ] {
            anon.get(path).await.assert_status(StatusCode::NOT_FOUND);
        }
        // The blocks page still works for admins (blocks wait for SMTP to be configured).
        app.admin("root")
            .await
            .get("/admin/email-blocks")
            .await
            .assert_status(StatusCode::OK);
    });
}

/// A moderators' action the account may appeal is mailed to its confirmed address (with the
/// message and the link to the notice); a dismissal, and an account without an address, get
/// no mail (the sink receives in order, so the next mail proves what came before it).
#[tokio::test]
async fn email_moderation_notice() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let mut m = mail_app(&backend, 0, WebConfig::default()).await;
        confirmed(&mut m, "erin", "erin@example.org").await;
        let bob = m.app.user("bob").await;
        m.app.account("mod", Role::Moderator).await;
        let moderator = m.app.login("mod").await;
        let report = |who: &'static str| {
            let bob = &bob;
            async move {
                bob.post(
                    "/reports",
                    &[("account", who), ("category", "spam"), ("comment", "ads")],
                )
                .await
                .assert_status(StatusCode::OK);
            }
        };
        let act = |action: &'static str, message: &'static str| {
            let moderator = &moderator;
            let store = &m.app.store;
            async move {
                let id = store
                    .list_open_reports(social_store::Page::first(1))
                    .await
                    .unwrap()[0]
                    .id;
                moderator
                    .post(
                        &format!("/admin/reports/{id}"),
                        &[
                            ("action", action),
                            ("reason", "internal reason"),
                            ("message", message),
                        ],
                    )
                    .await
                    .assert_status(StatusCode::SEE_OTHER);
            }
        };
        // Dismissed: erin is not told. Bob (no address) warned: nothing to send.
        report("erin").await;
        act("dismiss", "").await;
        m.app.account("carl", Role::User).await;
        let carl = m.app.login("carl").await;
        carl.post(
            "/reports",
            &[("account", "bob"), ("category", "spam"), ("comment", "x")],
        )
        .await
        .assert_status(StatusCode::OK);
        act("warn", "Please stop, Bob.").await;
        // Erin warned: one mail, to her, with the message and the notice's link.
        report("erin").await;
        act("warn", "No more ads, please.").await;
        let mail = m.sink.next().await;
        assert_eq!(mail.to, vec!["erin@example.org".to_owned()]);
        assert!(mail.data.contains("sent you a warning"), "{}", mail.data);
        assert!(mail.data.contains("No more ads, please."), "{}", mail.data);
        assert!(!mail.data.contains("internal reason"), "{}", mail.data);
        assert!(!mail.data.contains("Bob"), "{}", mail.data);
        mail.link(&format!("{}/settings/moderation", m.app.base));
    }
}
