//! Posts held for review over real HTTP: a `hold` filter keeps a post out of every timeline,
//! thread, hashtag, lookup and notification; only its author (marked "awaiting review") and
//! staff see it; approving publishes it as if just posted, rejecting deletes it and tells the
//! author; both decisions are audit-logged.

use crate::api_write_support::user as api_user;
use crate::each_backend;
use crate::harness::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use social_core::{ModAction, Role};
use social_store::Page;

async fn setup(app: &TestApp) -> (Client, Client, Client, Client) {
    let admin = app.admin("root").await;
    admin
        .post(
            "/admin/filters",
            &[("kind", "word"), ("pattern", "pills"), ("action", "hold")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let bob = app.user("bob").await;
    let carol = app.user("carol").await;
    carol
        .post("/@bob/follow", &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.account("mod", Role::Moderator).await;
    let moderator = app.login("mod").await;
    (admin, bob, carol, moderator)
}

/// Holds a post of bob's through the web form; returns its held id.
async fn hold(app: &TestApp, bob: &Client, text: &str) -> i64 {
    let resp = bob.post("/posts", &[("text", text)]).await;
    resp.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(resp.location(), "/settings/held?held=1");
    let held = app.store.list_held_posts(Page::first(1)).await.unwrap();
    assert_eq!(held[0].insert.text, text);
    held[0].id
}

#[tokio::test]
async fn held_posts_hidden_until_approved() {
    each_backend!(|app: TestApp| async move {
        let (_admin, bob, carol, moderator) = setup(&app).await;
        let text = "cheap #pills for @carol";
        let id = hold(&app, &bob, text).await;

        // The author sees it, marked; the page says it is awaiting review.
        bob.get("/settings/held?held=1")
            .await
            .assert_contains("Your post is awaiting review")
            .assert_contains("Awaiting review")
            .assert_contains("cheap #pills");
        carol
            .get("/settings/held")
            .await
            .assert_lacks("cheap #pills");
        // Nobody else does: no home feed, timeline, profile, hashtag, notification.
        for path in ["/home", "/local", "/@bob", "/tags/pills", "/notifications"] {
            carol.get(path).await.assert_lacks("cheap #pills");
        }
        for path in ["/home", "/@bob"] {
            bob.get(path).await.assert_lacks("cheap #pills");
        }
        assert_eq!(
            app.store.get_post(social_core::PostId(id)).await.unwrap(),
            None
        );
        let carol_id = app
            .store
            .get_account_by_username("carol")
            .await
            .unwrap()
            .unwrap()
            .id;
        assert_eq!(
            app.store
                .count_unread_notifications(carol_id)
                .await
                .unwrap(),
            0
        );

        // Staff see it in the queue with why.
        moderator
            .get("/admin/held")
            .await
            .assert_contains("cheap #pills")
            .assert_contains("@bob")
            .assert_contains("filter");

        // Bad decisions.
        let path = format!("/admin/held/{id}");
        for (form, message) in [
            (vec![("decision", "approve")], "This field is required"),
            (
                vec![("decision", "maybe"), ("reason", "x")],
                "Choose approve or reject",
            ),
        ] {
            moderator
                .post(&path, &form)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(message);
        }
        moderator
            .post(
                "/admin/held/999",
                &[("decision", "approve"), ("reason", "ok")],
            )
            .await
            .assert_status(StatusCode::NOT_FOUND);

        // Approved: published now, fanned out and notified as if just posted.
        moderator
            .post(
                &path,
                &[("decision", "approve"), ("reason", "a medicine forum")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        carol.get("/home").await.assert_contains("cheap");
        carol.get("/tags/pills").await.assert_contains("cheap");
        assert_eq!(
            app.store
                .count_unread_notifications(carol_id)
                .await
                .unwrap(),
            1
        );
        bob.get("/settings/held").await.assert_lacks("cheap #pills");
        moderator
            .get("/admin/held")
            .await
            .assert_lacks("cheap #pills");
        // Deciding twice is a 404: it is not held any more.
        moderator
            .post(&path, &[("decision", "reject"), ("reason", "late")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let audit = app.store.list_audit_log(Page::first(1)).await.unwrap();
        assert_eq!(audit[0].action, ModAction::ApprovePost);
        assert_eq!(audit[0].reason, "a medicine forum");
        assert!(audit[0].target_post_id.is_some());
    });
}

#[tokio::test]
async fn held_posts_rejected_and_author_told() {
    each_backend!(|app: TestApp| async move {
        let (admin, bob, carol, moderator) = setup(&app).await;
        let id = hold(&app, &bob, "more pills here").await;
        moderator
            .post(
                &format!("/admin/held/{id}"),
                &[("decision", "reject"), ("reason", "pharmacy spam")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        assert!(
            app.store
                .list_held_posts(Page::first(5))
                .await
                .unwrap()
                .is_empty()
        );
        bob.get("/settings/moderation")
            .await
            .assert_contains("was not published")
            .assert_contains("pharmacy spam");
        carol.get("/home").await.assert_lacks("more pills");
        admin
            .get("/admin/audit")
            .await
            .assert_contains("reject_post");
        let audit = app.store.list_audit_log(Page::first(1)).await.unwrap();
        assert_eq!(audit[0].action, ModAction::RejectPost);

        // Through the API: the author gets the status as they see it; nobody can look it up.
        let api = api_user(&app, "dave", "read write").await;
        let s = api
            .post(
                "/api/v1/statuses",
                json!({"status": "pills!", "spoiler_text": "ad"}),
            )
            .await
            .ok();
        assert!(s["content"].as_str().unwrap().contains("pills!"), "{s}");
        assert_eq!(s["spoiler_text"], "ad");
        let held_id = s["id"].as_str().unwrap().to_owned();
        let other = api_user(&app, "erin", "read").await;
        other
            .get(&format!("/api/v1/statuses/{held_id}"))
            .await
            .error(StatusCode::NOT_FOUND);
        let dave_id = app
            .store
            .get_account_by_username("dave")
            .await
            .unwrap()
            .unwrap()
            .id;
        let timeline = other
            .get(&format!("/api/v1/accounts/{}/statuses", dave_id.0))
            .await
            .ok();
        assert_eq!(timeline, json!([]));
        // Staff posts are never held.
        admin.new_post("about pills", "public").await;
        assert_eq!(
            app.store
                .list_held_posts(Page::first(5))
                .await
                .unwrap()
                .len(),
            1
        );
    });
}
