//! Notifications of each kind and the unread count.

use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;

/// The unread count shown in the page header, read from the store (the page shows the same).
async fn unread(app: &TestApp, name: &str) -> i64 {
    let id = app
        .store
        .get_account_by_username(name)
        .await
        .unwrap()
        .unwrap()
        .id;
    app.store.count_unread_notifications(id).await.unwrap()
}

#[tokio::test]
async fn every_kind_arrives_and_viewing_marks_read() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let post = alice.new_post("notable post", "public").await;
        bob.post("/@alice/follow", &[]).await; // follow
        bob.new_post("hello @alice", "public").await; // mention
        bob.reply("a reply to you", "public", Some(post)).await; // reply
        bob.post(&format!("/posts/{post}/favourite"), &[]).await; // favourite
        bob.post(&format!("/posts/{post}/boost"), &[]).await; // boost
        assert_eq!(unread(&app, "alice").await, 5);
        // The header shows the count on any page.
        alice.get("/local").await.assert_contains("5");

        let page = alice.get("/notifications").await;
        page.assert_status(StatusCode::OK)
            .assert_contains("hello ")
            .assert_contains("a reply to you")
            .assert_contains("notable post");
        for kind in ["follow", "mention", "reply", "favourite", "boost"] {
            assert!(
                page.body.to_lowercase().contains(kind),
                "notification page names the kind {kind}: {}",
                page.body
            );
        }
        assert_eq!(unread(&app, "alice").await, 0, "viewing marks them read");

        // Follow requests notify too.
        let carol = app.user("carol").await;
        carol
            .post(
                "/settings/profile",
                &[("display_name", ""), ("bio", ""), ("locked", "on")],
            )
            .await;
        bob.post("/@carol/follow", &[]).await;
        assert_eq!(unread(&app, "carol").await, 1);
        carol.get("/notifications").await.assert_contains("bob");

        // Own actions never notify oneself.
        alice.post(&format!("/posts/{post}/favourite"), &[]).await;
        alice.reply("talking to myself", "public", Some(post)).await;
        assert_eq!(unread(&app, "alice").await, 0);
        // Anonymous visitors are sent to log in.
        assert!(
            app.client()
                .get("/notifications")
                .await
                .status
                .is_redirection()
        );
    });
}
