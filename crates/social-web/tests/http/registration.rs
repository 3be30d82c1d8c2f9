//! Each registration mode, end to end through the sign-up form.

use crate::each_backend;
use crate::harness::{Client, TestApp, password_of};
use reqwest::StatusCode;
use social_core::RegistrationMode;

async fn sign_up(client: &Client, username: &str, extra: &[(&str, &str)]) -> crate::harness::Resp {
    let pw = password_of(username);
    let mut form = vec![
        ("username", username),
        ("password", &pw),
        ("password_confirm", &pw),
    ];
    form.extend_from_slice(extra);
    client.post_from("/signup", "/signup", &form).await
}

async fn signed_in(client: &Client) -> bool {
    client.get("/home").await.status == StatusCode::OK
}

#[tokio::test]
async fn open_mode_signs_up_and_logs_in_at_once() {
    each_backend!(|app: TestApp| async move {
        app.set_mode(RegistrationMode::Open).await;
        let client = app.client();
        client
            .get("/signup")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("password_confirm");
        let resp = sign_up(&client, "alice", &[]).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
        assert!(signed_in(&client).await, "signed in right after sign-up");
        // The same name in another case is taken.
        let other = app.client();
        sign_up(&other, "ALICE", &[])
            .await
            .assert_status(StatusCode::CONFLICT);
        assert!(!signed_in(&other).await);
    });
}

#[tokio::test]
async fn approval_mode_waits_for_staff() {
    each_backend!(|app: TestApp| async move {
        app.set_mode(RegistrationMode::Approval).await;
        let admin = app.admin("root").await;
        let client = app.client();
        let resp = sign_up(&client, "bob", &[("reason", "I am Bob, hello")]).await;
        assert!(
            resp.status.is_success() || resp.status == StatusCode::SEE_OTHER,
            "{}",
            resp.body
        );
        assert!(
            !signed_in(&client).await,
            "pending accounts are not signed in"
        );

        // Logging in while pending is refused with a reason.
        let login = app.client().login("bob", &password_of("bob")).await;
        login
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("approv");

        // Staff sees the request with its reason and approves it.
        let queue = admin.get("/admin/registrations").await;
        queue
            .assert_status(StatusCode::OK)
            .assert_contains("bob")
            .assert_contains("I am Bob, hello");
        let bob = app
            .store
            .get_account_by_username("bob")
            .await
            .unwrap()
            .unwrap();
        admin
            .post(&format!("/admin/registrations/{}/approve", bob.id), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        admin
            .get("/admin/registrations")
            .await
            .assert_lacks("I am Bob, hello");
        app.login("bob").await;

        // A rejected sign-up can never log in.
        sign_up(&app.client(), "mallory", &[("reason", "spam")]).await;
        let mallory = app
            .store
            .get_account_by_username("mallory")
            .await
            .unwrap()
            .unwrap();
        admin
            .post(&format!("/admin/registrations/{}/reject", mallory.id), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let login = app.client().login("mallory", &password_of("mallory")).await;
        assert_eq!(login.status, StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn approval_queue_is_staff_only() {
    each_backend!(|app: TestApp| async move {
        let user = app.user("carol").await;
        user.get("/admin/registrations")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        user.get("/admin/settings")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let target = app.account("dave", social_core::Role::User).await;
        user.post(&format!("/admin/registrations/{target}/approve"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let anon = app.client().get("/admin/registrations").await;
        assert!(
            anon.status.is_redirection(),
            "anonymous is sent to log in: {anon:?}"
        );
        assert!(anon.location().starts_with("/login"), "{}", anon.location());
    });
}

#[tokio::test]
async fn invite_mode_needs_a_valid_code() {
    each_backend!(|app: TestApp| async move {
        app.set_mode(RegistrationMode::Invite).await;
        let admin = app.admin("root").await;

        let client = app.client();
        sign_up(&client, "nocode", &[])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        sign_up(&client, "badcode", &[("invite", "not-a-real-code")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            app.store
                .get_account_by_username("badcode")
                .await
                .unwrap()
                .is_none()
        );

        admin
            .post("/admin/invites", &[("max_uses", "1")])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let invites = app.store.list_invites().await.unwrap();
        assert_eq!(invites.len(), 1);
        let code = invites[0].code.clone();
        admin.get("/admin/invites").await.assert_contains(&code);

        let resp = sign_up(&client, "invited", &[("invite", &code)]).await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
        assert!(signed_in(&client).await);

        // Used up: the second sign-up with the same code fails and writes nothing.
        sign_up(&app.client(), "second", &[("invite", &code)])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            app.store
                .get_account_by_username("second")
                .await
                .unwrap()
                .is_none()
        );
    });
}

#[tokio::test]
async fn closed_mode_refuses_sign_up() {
    each_backend!(|app: TestApp| async move {
        app.set_mode(RegistrationMode::Closed).await;
        let client = app.client();
        client
            .get("/signup")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        let resp = client
            .post_from(
                "/login",
                "/signup",
                &[
                    ("username", "eve"),
                    ("password", "long enough pw"),
                    ("password_confirm", "long enough pw"),
                ],
            )
            .await;
        resp.assert_status(StatusCode::FORBIDDEN);
        assert!(
            app.store
                .get_account_by_username("eve")
                .await
                .unwrap()
                .is_none()
        );
    });
}

#[tokio::test]
async fn admin_switches_registration_mode() {
    each_backend!(|app: TestApp| async move {
        let admin = app.admin("root").await;
        admin
            .get("/admin/settings")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("approval");
        admin
            .post("/admin/settings", &[("registration_mode", "closed")])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        assert_eq!(
            app.store.get_registration_mode().await.unwrap(),
            RegistrationMode::Closed
        );
        admin
            .post("/admin/settings", &[("registration_mode", "anarchy")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            app.store.get_registration_mode().await.unwrap(),
            RegistrationMode::Closed
        );
        // Moderators may approve but not change settings.
        app.account("mod", social_core::Role::Moderator).await;
        let moderator = app.login("mod").await;
        moderator
            .get("/admin/registrations")
            .await
            .assert_status(StatusCode::OK);
        moderator
            .post("/admin/settings", &[("registration_mode", "open")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn sign_up_validates_fields_and_keeps_input() {
    each_backend!(|app: TestApp| async move {
        app.set_mode(RegistrationMode::Open).await;
        let client = app.client();
        let resp = client
            .post_from(
                "/signup",
                "/signup",
                &[
                    ("username", "bad name!"),
                    ("password", "long enough pw"),
                    ("password_confirm", "long enough pw"),
                ],
            )
            .await;
        resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("bad name!");
        resp.assert_lacks("long enough pw");
        client
            .post_from(
                "/signup",
                "/signup",
                &[
                    ("username", "frank"),
                    ("password", "long enough pw"),
                    ("password_confirm", "different pw!!"),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        client
            .post_from(
                "/signup",
                "/signup",
                &[
                    ("username", "frank"),
                    ("password", "short"),
                    ("password_confirm", "short"),
                ],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            app.store
                .get_account_by_username("frank")
                .await
                .unwrap()
                .is_none()
        );
    });
}

/// The honeypot: the form carries a field people never see (off-screen, hidden from screen
/// readers, out of the tab order); a sign-up that fills it is refused and nothing is created,
/// while an empty one (as browsers send it) signs up as usual.
#[tokio::test]
async fn honeypot_field_refuses_bots() {
    each_backend!(|app: TestApp| async move {
        app.set_mode(RegistrationMode::Open).await;
        let client = app.client();
        let form = client.get("/signup").await;
        form.assert_status(StatusCode::OK)
            .assert_contains(r#"<div class="trap" aria-hidden="true">"#)
            .assert_contains(r#"name="x_website" value="" tabindex="-1" autocomplete="off""#);
        let bot = sign_up(&client, "botty", &[("x_website", "https://spam.example")]).await;
        bot.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("catch sign-up bots");
        assert!(!signed_in(&client).await);
        assert!(
            app.store
                .get_account_by_username("botty")
                .await
                .unwrap()
                .is_none()
        );
        let person = sign_up(&client, "person", &[("x_website", "")]).await;
        assert_eq!(person.status, StatusCode::SEE_OTHER, "{}", person.body);
        assert!(signed_in(&client).await);
    });
}
