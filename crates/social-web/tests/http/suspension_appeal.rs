//! A suspended account's appeal over real HTTP: the right password opens a session that
//! reaches `/settings/moderation`, the appeal and log-out only (after the second factor when
//! the account has one); a wrong password still writes the fail2ban line; a purged account
//! cannot log in; the moderators decide the appeal, and an accepted one gives everything back.

use crate::api_write_support::token;
use crate::each_backend;
use crate::harness::{Client, Resp, TestApp, password_of};
use crate::two_factor::{Captured, code, enrol};
use reqwest::StatusCode;
use social_core::{AccountId, Role};
use social_store::Page;

const APPEAL_PAGE: &str = "/settings/moderation";

async fn id_of(app: &TestApp, name: &str) -> AccountId {
    app.store
        .get_account_by_username(name)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// `moderator` suspends `name` through a report, telling it `message`.
async fn suspend(app: &TestApp, reporter: &Client, moderator: &Client, name: &str, message: &str) {
    reporter
        .post(
            "/reports",
            &[("account", name), ("category", "spam"), ("comment", "ads")],
        )
        .await
        .assert_status(StatusCode::OK);
    let report = app.store.list_open_reports(Page::first(1)).await.unwrap()[0].id;
    moderator
        .post(
            &format!("/admin/reports/{report}"),
            &[
                ("action", "suspend"),
                ("reason", "spam wave"),
                ("message", message),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

/// Logs in with the password only; returns the client and the answer.
async fn log_in(app: &TestApp, name: &str, password: &str) -> (Client, Resp) {
    let client = app.client();
    let resp = client
        .post_from(
            "/login",
            "/login",
            &[
                ("username", name),
                ("password", password),
                ("next", "/home"),
            ],
        )
        .await;
    (client, resp)
}

/// A POST of a restricted session (its CSRF token comes from the one page it reaches).
async fn post(client: &Client, path: &str, form: &[(&str, &str)]) -> Resp {
    client.post_from(APPEAL_PAGE, path, form).await
}

#[tokio::test]
async fn suspension_appeal_from_a_restricted_session() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        alice.new_post("buy my stuff", "public").await;
        let bob = app.user("bob").await;
        app.account("mod", Role::Moderator).await;
        let moderator = app.login("mod").await;
        let alice_id = id_of(&app, "alice").await;
        let api = token(&app, alice_id, "read write").await;
        suspend(&app, &bob, &moderator, "alice", "Selling in every thread.").await;

        // The right password: a session, sent to the notices whatever `next` said.
        let (sam, login) = log_in(&app, "alice", &password_of("alice")).await;
        login.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(login.location(), APPEAL_PAGE);
        let page = sam.get(APPEAL_PAGE).await;
        page.assert_status(StatusCode::OK)
            .assert_contains("Your account was suspended")
            .assert_contains("Selling in every thread.")
            .assert_contains("Your account is suspended by the moderators")
            .assert_contains("Send appeal")
            .assert_lacks("href=\"/home\"");
        // The stylesheet that page loads is served to it.
        let at = page
            .body
            .find("href=\"/static/")
            .expect("a stylesheet link")
            + 6;
        let css = &page.body[at..at + page.body[at..].find('"').unwrap()];
        sam.get(css).await.assert_status(StatusCode::OK);
        // Every other page sends it back there; every other action is refused, unwritten.
        for path in [
            "/",
            "/home",
            "/local",
            "/notifications",
            "/@bob",
            "/settings/profile",
            "/settings/security",
            "/settings/sessions",
            "/reports/new?account=bob",
            "/admin/reports",
            "/login",
            "/oauth/authorize?response_type=code&client_id=x&redirect_uri=urn:ietf:wg:oauth:2.0:oob",
            "/no/such/page",
        ] {
            let resp = sam.get(path).await;
            resp.assert_status(StatusCode::SEE_OTHER);
            assert_eq!(resp.location(), APPEAL_PAGE, "{path}");
        }
        for (path, form) in [
            (
                "/posts",
                &[("text", "still here"), ("visibility", "public")][..],
            ),
            ("/@bob/follow", &[][..]),
            ("/settings/profile", &[("display_name", "Not Alice")][..]),
            ("/reports", &[("account", "bob"), ("category", "spam")][..]),
            ("/settings/sessions/revoke_others", &[][..]),
            (APPEAL_PAGE, &[][..]),
        ] {
            post(&sam, path, form)
                .await
                .assert_status(StatusCode::FORBIDDEN)
                .assert_contains("it may only read their notice, appeal it and log out");
        }
        let account = app
            .store
            .get_account_by_id(alice_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((account.posts_count, account.following_count), (1, 0));
        assert_eq!(account.display_name, "");
        assert_eq!(
            app.store
                .list_open_reports(Page::first(5))
                .await
                .unwrap()
                .len(),
            0,
            "alice's report of bob was not written"
        );
        // The API keeps refusing the account's tokens.
        assert_ne!(
            api.get("/api/v1/accounts/verify_credentials").await.status,
            StatusCode::OK
        );

        // One appeal, then a conflict.
        let notice = app.store.list_notices(alice_id).await.unwrap()[0].id;
        let appeal = format!("{APPEAL_PAGE}/{notice}/appeal");
        post(&sam, &appeal, &[("appeal", " ")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let sent = post(&sam, &appeal, &[("appeal", "My brother used my phone.")]).await;
        sent.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(sent.location(), APPEAL_PAGE);
        post(&sam, &appeal, &[("appeal", "Please!")])
            .await
            .assert_status(StatusCode::CONFLICT);
        sam.get(APPEAL_PAGE)
            .await
            .assert_contains("Your appeal is waiting for a moderator.");

        // Log-out works, and ends that session.
        let (other, _) = log_in(&app, "alice", &password_of("alice")).await;
        post(&other, "/logout", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let after = other.get(APPEAL_PAGE).await;
        after.assert_status(StatusCode::SEE_OTHER);
        assert!(
            after.location().starts_with("/login"),
            "{}",
            after.location()
        );

        // The moderators see it in their queue and accept it: the suspension is lifted, and
        // the same session reaches everything again.
        moderator
            .get("/admin/reports")
            .await
            .assert_contains("My brother used my phone.")
            .assert_contains("@alice");
        moderator
            .post(
                &format!("/admin/appeals/{notice}"),
                &[("decision", "accept"), ("reason", "believable")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        sam.get("/home").await.assert_status(StatusCode::OK);
        sam.post("/@bob/follow", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        sam.get(APPEAL_PAGE)
            .await
            .assert_contains("Your appeal was accepted.")
            .assert_lacks("Your account is suspended by the moderators");
        let (_, fresh) = log_in(&app, "alice", &password_of("alice")).await;
        assert_eq!(fresh.location(), "/home");
        api.get("/api/v1/accounts/verify_credentials").await.ok();
    });
}

#[tokio::test]
async fn suspension_rejected_appeal_keeps_the_restriction() {
    each_backend!(|app: TestApp| async move {
        app.user("alice").await;
        let bob = app.user("bob").await;
        app.account("mod", Role::Moderator).await;
        let moderator = app.login("mod").await;
        // Suspended without a message: the page says so.
        suspend(&app, &bob, &moderator, "alice", "").await;
        let (sam, _) = log_in(&app, "alice", &password_of("alice")).await;
        sam.get(APPEAL_PAGE)
            .await
            .assert_contains("The moderators left no message.");
        let notice = app
            .store
            .list_notices(id_of(&app, "alice").await)
            .await
            .unwrap()[0]
            .id;
        post(
            &sam,
            &format!("{APPEAL_PAGE}/{notice}/appeal"),
            &[("appeal", "Why?")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
        moderator
            .post(
                &format!("/admin/appeals/{notice}"),
                &[("decision", "reject"), ("reason", "spam it was")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        sam.get(APPEAL_PAGE)
            .await
            .assert_contains("Your appeal was rejected.");
        assert_eq!(sam.get("/home").await.location(), APPEAL_PAGE);
        // Unsuspended by hand later: full access.
        let report = app.store.list_audit_log(Page::first(10)).await.unwrap();
        let report = report.iter().find_map(|e| e.target_report_id).unwrap();
        moderator
            .post(
                &format!("/admin/reports/{report}"),
                &[("action", "unsuspend"), ("reason", "second chance")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        sam.get("/home").await.assert_status(StatusCode::OK);
    });
}

#[tokio::test]
async fn suspension_login_keeps_the_second_factor_and_the_failed_login_line() {
    let (captured, _guard) = Captured::install();
    each_backend!(|app: TestApp| async move {
        let carol = app.user("carol").await;
        let (secret, _, step) = enrol(&carol).await;
        let bob = app.user("bob").await;
        app.account("mod", Role::Moderator).await;
        let moderator = app.login("mod").await;
        suspend(&app, &bob, &moderator, "carol", "Bot-like posting.").await;
        // See two_factor.rs: make sure this thread's subscriber hears the log-in callsites.
        tracing::callsite::rebuild_interest_cache();

        // A wrong password: the ordinary failure (422 and the fail2ban line).
        let (_, wrong) = log_in(&app, "carol", "not her password").await;
        wrong
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("Wrong username or password.");
        // The right one: only the second step, which grants nothing yet.
        let (browser, first) = log_in(&app, "carol", &password_of("carol")).await;
        first.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(first.location(), "/login/two-factor");
        assert!(
            browser
                .get(APPEAL_PAGE)
                .await
                .location()
                .starts_with("/login")
        );
        let ok = browser
            .post_from(
                "/login/two-factor",
                "/login/two-factor",
                &[("code", &code(&secret, step + 1))],
            )
            .await;
        ok.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(ok.location(), APPEAL_PAGE);
        browser
            .get(APPEAL_PAGE)
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("Bot-like posting.");
        assert_eq!(browser.get("/home").await.location(), APPEAL_PAGE);
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let failures: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("authentication failure: client=127.0.0.1"))
        .collect();
    assert!(
        failures
            .iter()
            .any(|l| l.contains("reason=bad_password user=\"carol\"")),
        "{log}"
    );
    // Only the wrong password: the right one of a suspended account is no failure.
    assert!(
        failures
            .iter()
            .all(|l| l.contains("reason=bad_password user=\"carol\"")),
        "{log}"
    );
}

#[tokio::test]
async fn suspension_purged_account_cannot_log_in() {
    each_backend!(|app: TestApp| async move {
        app.user("alice").await;
        let bob = app.user("bob").await;
        app.account("mod", Role::Moderator).await;
        let moderator = app.login("mod").await;
        suspend(&app, &bob, &moderator, "alice", "Gone.").await;
        let (sam, _) = log_in(&app, "alice", &password_of("alice")).await;
        sam.get(APPEAL_PAGE).await.assert_status(StatusCode::OK);
        let alice_id = id_of(&app, "alice").await;
        let suspended_at = app
            .store
            .moderation_state(alice_id)
            .await
            .unwrap()
            .suspended_at_ms
            .unwrap();
        let purged = app
            .store
            .purge_suspended_accounts(suspended_at + 1, 10)
            .await
            .unwrap();
        assert_eq!(purged, vec![alice_id]);
        // Its session ended, and the password no longer opens one.
        assert!(sam.get(APPEAL_PAGE).await.location().starts_with("/login"));
        let (again, refused) = log_in(&app, "alice", &password_of("alice")).await;
        refused
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("its content has been removed: it can no longer log in");
        assert!(
            again
                .get(APPEAL_PAGE)
                .await
                .location()
                .starts_with("/login")
        );
    });
}
