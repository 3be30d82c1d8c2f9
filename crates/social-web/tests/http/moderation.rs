//! Moderation over real HTTP: the report form and API, every moderator action and what others
//! see afterwards, the audit log, appeals, and the refusals (non-moderators, bad input).

use crate::api_write_support::{token, user as api_user};
use crate::each_backend;
use crate::harness::{Client, TestApp, password_of};
use reqwest::StatusCode;
use serde_json::json;
use social_core::{AccountId, Role};
use social_store::Page;

async fn moderator(app: &TestApp, name: &str) -> Client {
    app.account(name, Role::Moderator).await;
    app.login(name).await
}

/// The newest open report's ID.
async fn newest_report(app: &TestApp) -> i64 {
    app.store.list_open_reports(Page::first(1)).await.unwrap()[0].id
}

async fn report(client: &Client, account: &str, posts: &[i64]) {
    let ids: Vec<String> = posts.iter().map(i64::to_string).collect();
    let mut form = vec![
        ("account", account),
        ("category", "spam"),
        ("comment", "ads"),
    ];
    form.extend(ids.iter().map(|id| ("post_id", id.as_str())));
    client
        .post("/reports", &form)
        .await
        .assert_status(StatusCode::OK)
        .assert_contains("was sent to the moderators");
}

async fn act(moderator: &Client, report: i64, action: &str, message: &str) -> crate::harness::Resp {
    let path = format!("/admin/reports/{report}");
    moderator
        .post(
            &path,
            &[
                ("action", action),
                ("reason", &format!("reason for {action}")),
                ("message", message),
            ],
        )
        .await
}

#[tokio::test]
async fn moderation_report_form_and_bad_input() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let post = alice.new_post("cheap watches", "public").await;
        let bobs = bob.new_post("mine", "public").await;
        // The links, and the form with the post checked.
        bob.get(&format!("/@alice/{post}"))
            .await
            .assert_contains(&format!("/reports/new?account=alice&amp;post={post}"));
        bob.get("/@alice")
            .await
            .assert_contains("/reports/new?account=alice");
        bob.get(&format!("/reports/new?account=alice&post={post}"))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&format!("value=\"{post}\" checked"));
        bob.get("/reports/new?account=nobody")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        bob.get("/reports/new?account=bob")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        app.client()
            .get("/reports/new?account=alice")
            .await
            .assert_status(StatusCode::SEE_OTHER);

        let long = "x".repeat(1001);
        let bobs_id = bobs.to_string();
        let cases: [(&[(&str, &str)], &str); 5] = [
            (
                &[("account", "alice"), ("category", "abuse")],
                "Choose a category",
            ),
            (
                &[
                    ("account", "alice"),
                    ("category", "spam"),
                    ("comment", &long),
                ],
                "At most 1000",
            ),
            (
                &[
                    ("account", "alice"),
                    ("category", "spam"),
                    ("post_id", &bobs_id),
                ],
                "must be a post of the reported account",
            ),
            (
                &[
                    ("account", "alice"),
                    ("category", "spam"),
                    ("post_id", "zz"),
                ],
                "Unknown post",
            ),
            (
                &[("account", "bob"), ("category", "spam")],
                "cannot report yourself",
            ),
        ];
        for (form, message) in cases {
            let resp = bob.post("/reports", form).await;
            resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(message);
        }
        bob.post("/reports", &[("account", "nobody"), ("category", "spam")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        bob.post_raw("/reports", &[("account", "alice"), ("category", "spam")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert!(
            app.store
                .list_open_reports(Page::first(5))
                .await
                .unwrap()
                .is_empty()
        );

        report(&bob, "alice", &[post]).await;
        let r = &app.store.list_open_reports(Page::first(5)).await.unwrap()[0];
        assert_eq!(r.post_ids.len(), 1);
        assert_eq!(r.comment, "ads");
    });
}

#[tokio::test]
async fn moderation_routes_refuse_non_moderators() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let moderator = moderator(&app, "mod").await;
        report(&bob, "alice", &[]).await;
        let id = newest_report(&app).await;
        let anon = app.client();
        let gets = [
            "/admin/reports".to_owned(),
            format!("/admin/reports/{id}"),
            "/admin/audit".to_owned(),
        ];
        for path in &gets {
            bob.get(path).await.assert_status(StatusCode::FORBIDDEN);
            let resp = anon.get(path).await;
            resp.assert_status(StatusCode::SEE_OTHER);
            assert!(resp.location().starts_with("/login"), "{path}");
        }
        // The audit log is for admins only.
        moderator
            .get("/admin/audit")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        moderator
            .get("/admin/reports")
            .await
            .assert_status(StatusCode::OK);
        for action in [
            "dismiss",
            "delete_posts",
            "mark_sensitive",
            "limit",
            "unlimit",
            "suspend",
            "unsuspend",
            "warn",
        ] {
            act(&bob, id, action, "m")
                .await
                .assert_status(StatusCode::FORBIDDEN);
            anon.post_raw(
                &format!("/admin/reports/{id}"),
                &[("action", action), ("reason", "r")],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);
        }
        bob.post(
            &format!("/admin/appeals/{id}"),
            &[("decision", "accept"), ("reason", "r")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
        // Nothing happened.
        assert!(
            app.store
                .list_audit_log(Page::first(5))
                .await
                .unwrap()
                .is_empty()
        );
        alice.get("/home").await.assert_status(StatusCode::OK);
        // Bad input from a moderator.
        for (form, message) in [
            (vec![("action", "warn"), ("reason", "r")], "required"),
            (vec![("action", "limit"), ("reason", " ")], "required"),
            (
                vec![("action", "explode"), ("reason", "r")],
                "Choose one of the actions",
            ),
            (
                vec![("action", "accept_appeal"), ("reason", "r")],
                "Choose one of the actions",
            ),
        ] {
            moderator
                .post(&format!("/admin/reports/{id}"), &form)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(message);
        }
        for action in ["delete_posts", "mark_sensitive"] {
            act(&moderator, id, action, "")
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains("names no posts");
        }
        act(&moderator, 12345, "dismiss", "")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        moderator
            .post(
                "/admin/appeals/1",
                &[("decision", "maybe"), ("reason", "r")],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        moderator
            .post(
                "/admin/appeals/1",
                &[("decision", "accept"), ("reason", "r")],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Staff accounts cannot be acted on.
        report(&bob, "mod", &[]).await;
        let on_mod = newest_report(&app).await;
        act(&moderator, on_mod, "suspend", "")
            .await
            .assert_status(StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn moderation_actions_and_what_others_see() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let carol = app.user("carol").await;
        let moderator = moderator(&app, "mod").await;
        let admin = app.admin("root").await;
        carol.post("/@alice/follow", &[]).await;
        let kept = alice.new_post("kept post", "public").await;
        let spam = alice.new_post("spam post", "public").await;
        let anon = app.client();

        // Dismiss: the report leaves the queue, nothing else changes.
        report(&bob, "alice", &[spam]).await;
        let first = newest_report(&app).await;
        moderator
            .get("/admin/reports")
            .await
            .assert_contains(&format!("/admin/reports/{first}"));
        act(&moderator, first, "dismiss", "")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        moderator
            .get("/admin/reports")
            .await
            .assert_lacks(&format!("/admin/reports/{first}"));
        act(&moderator, first, "dismiss", "")
            .await
            .assert_status(StatusCode::CONFLICT);
        anon.get(&format!("/@alice/{spam}"))
            .await
            .assert_status(StatusCode::OK);

        // Delete the reported posts.
        report(&bob, "alice", &[spam]).await;
        let second = newest_report(&app).await;
        act(&moderator, second, "delete_posts", "")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        anon.get(&format!("/@alice/{spam}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        anon.get(&format!("/@alice/{kept}"))
            .await
            .assert_status(StatusCode::OK);

        // Mark the reported posts sensitive.
        report(&bob, "alice", &[kept]).await;
        let third = newest_report(&app).await;
        act(&moderator, third, "mark_sensitive", "")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let viewer = api_user(&app, "erin", "read").await;
        let status = viewer.get(&format!("/api/v1/statuses/{kept}")).await.ok();
        assert_eq!(status["sensitive"], true);
        alice
            .get("/settings/moderation")
            .await
            .assert_contains("marked sensitive");

        // Limit: off the local timeline and strangers' view of the profile; followers keep it.
        act(&moderator, second, "limit", "")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        anon.get("/local").await.assert_lacks("kept post");
        bob.get("/local").await.assert_lacks("kept post");
        bob.get("/@alice").await.assert_lacks("kept post");
        carol.get("/@alice").await.assert_contains("kept post");
        alice.get("/@alice").await.assert_contains("kept post");
        act(&moderator, second, "limit", "")
            .await
            .assert_status(StatusCode::CONFLICT);
        act(&moderator, second, "unlimit", "")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        anon.get("/local").await.assert_contains("kept post");
        bob.get("/@alice").await.assert_contains("kept post");

        // Warn needs a message, then alice sees it.
        act(&moderator, second, "warn", "Stop the ads.")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        alice
            .get("/settings/moderation")
            .await
            .assert_contains("Stop the ads.");

        // Suspend: the API token stops working, the session and a new log-in reach the
        // appeal only (`suspension_appeal.rs`), the profile and posts disappear for everyone;
        // unsuspend brings them back.
        let alice_id = app
            .store
            .get_account_by_username("alice")
            .await
            .unwrap()
            .unwrap()
            .id;
        let api = token(&app, alice_id, "read write").await;
        api.get("/api/v1/accounts/verify_credentials").await.ok();
        act(&moderator, second, "suspend", "")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        assert_eq!(alice.get("/home").await.location(), "/settings/moderation");
        assert_ne!(
            api.get("/api/v1/accounts/verify_credentials").await.status,
            StatusCode::OK
        );
        let restricted = app.client().login("alice", &password_of("alice")).await;
        restricted.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(restricted.location(), "/settings/moderation");
        anon.get("/@alice")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        anon.get(&format!("/@alice/{kept}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        carol.get("/home").await.assert_lacks("kept post");
        anon.get("/local").await.assert_lacks("kept post");
        let bob_api = api_user(&app, "dave", "read").await;
        bob_api
            .get(&format!("/api/v1/statuses/{kept}"))
            .await
            .error(StatusCode::NOT_FOUND);
        bob_api
            .get(&format!("/api/v1/accounts/{}", alice_id.0))
            .await
            .error(StatusCode::NOT_FOUND);
        act(&moderator, second, "unsuspend", "")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        carol.get("/home").await.assert_contains("kept post");
        anon.get("/@alice").await.assert_status(StatusCode::OK);
        app.login("alice").await;

        // The audit log: every action, who, what and why; admins only.
        let log = admin.get("/admin/audit").await;
        log.assert_status(StatusCode::OK);
        for action in [
            "dismiss",
            "delete_posts",
            "mark_sensitive",
            "limit",
            "unlimit",
            "warn",
            "suspend",
            "unsuspend",
        ] {
            log.assert_contains(&format!("reason for {action}"));
        }
        log.assert_contains("@mod").assert_contains("@alice");
        let entries = app.store.list_audit_log(Page::first(40)).await.unwrap();
        assert_eq!(entries.len(), 8);
        assert!(
            entries
                .iter()
                .all(|e| e.target_account_id == Some(alice_id))
        );
    });
}

#[tokio::test]
async fn moderation_appeal_once_and_accept() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let moderator = moderator(&app, "mod").await;
        alice.new_post("limited post", "public").await;
        alice
            .get("/settings/profile")
            .await
            .assert_contains("href=\"/settings/moderation\"");
        alice
            .get("/settings/moderation")
            .await
            .assert_contains("have not acted on your account");
        report(&bob, "alice", &[]).await;
        let id = newest_report(&app).await;
        act(&moderator, id, "limit", "Too loud.")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        bob.get("/local").await.assert_lacks("limited post");

        let notices = alice.get("/settings/moderation").await;
        notices
            .assert_contains("Too loud.")
            .assert_contains("Send appeal");
        let notice = app
            .store
            .list_notices(
                app.store
                    .get_account_by_username("alice")
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            )
            .await
            .unwrap()[0]
            .id;
        let path = format!("/settings/moderation/{notice}/appeal");
        alice
            .post(&path, &[("appeal", "  ")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("required");
        bob.post(&path, &[("appeal", "me too")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        alice
            .post(&path, &[("appeal", "I will be quieter")])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        alice
            .post(&path, &[("appeal", "again")])
            .await
            .assert_status(StatusCode::CONFLICT);
        alice
            .get("/settings/moderation")
            .await
            .assert_contains("waiting for a moderator");

        moderator
            .get("/admin/reports")
            .await
            .assert_contains("I will be quieter");
        let decide = format!("/admin/appeals/{notice}");
        moderator
            .post(&decide, &[("decision", "accept"), ("reason", "")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        moderator
            .post(
                &decide,
                &[("decision", "accept"), ("reason", "fair enough")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        moderator
            .post(
                &decide,
                &[("decision", "reject"), ("reason", "changed mind")],
            )
            .await
            .assert_status(StatusCode::CONFLICT);
        bob.get("/local").await.assert_contains("limited post");
        alice
            .get("/settings/moderation")
            .await
            .assert_contains("appeal was accepted");
        let log = app.store.list_audit_log(Page::first(5)).await.unwrap();
        assert_eq!(log[0].action, social_core::ModAction::AcceptAppeal);
        assert_eq!(log[0].reason, "fair enough");
    });
}

#[tokio::test]
async fn moderation_api_report() {
    each_backend!(|app: TestApp| async move {
        let alice = api_user(&app, "alice", "read write").await;
        let bob = api_user(&app, "bob", "read write:reports").await;
        let reader = token(&app, bob.id, "read").await;
        let post = alice.status("for sale", "public").await;
        let bobs = bob_post(&app, bob.id).await;
        let target = alice.id.0.to_string();
        reader
            .post("/api/v1/reports", json!({"account_id": target}))
            .await
            .error(StatusCode::FORBIDDEN);
        let r = bob
            .post(
                "/api/v1/reports",
                json!({"account_id": target, "status_ids": [post], "comment": "ads", "category": "spam"}),
            )
            .await
            .ok();
        assert_eq!(r["category"], "spam");
        assert_eq!(r["comment"], "ads");
        assert_eq!(r["action_taken"], false);
        assert_eq!(r["status_ids"], json!([post]));
        assert_eq!(r["target_account"]["id"], target);
        assert!(r["id"].as_str().unwrap().parse::<i64>().is_ok());
        // Form bodies with status_ids[] work too.
        bob.post_form(
            "/api/v1/reports",
            &[("account_id", &target), ("status_ids[]", &post)],
        )
        .await
        .ok();
        for (body, status) in [
            (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
            (
                json!({"account_id": target, "category": "abuse"}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"account_id": target, "comment": "x".repeat(1001)}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"account_id": target, "status_ids": [bobs]}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"account_id": target, "status_ids": ["nope"]}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                json!({"account_id": bob.id.0.to_string()}),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (json!({"account_id": "999"}), StatusCode::NOT_FOUND),
        ] {
            bob.post("/api/v1/reports", body).await.error(status);
        }
        assert_eq!(
            app.store
                .list_open_reports(Page::first(10))
                .await
                .unwrap()
                .len(),
            2
        );
    });
}

async fn bob_post(app: &TestApp, bob: AccountId) -> String {
    crate::api_support::post(app, bob, "mine", social_core::Visibility::Public)
        .await
        .0
        .to_string()
}
