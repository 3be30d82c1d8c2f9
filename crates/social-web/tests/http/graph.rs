//! Follows, locked accounts with follow requests, blocks and mutes.

use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn follow_and_unfollow_shape_the_home_timeline() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let before = alice.new_post("written before the follow", "public").await;
        bob.post("/@alice/follow", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let after = alice.new_post("written after the follow", "public").await;
        let home = bob.get("/home").await.post_ids();
        assert!(home.contains(&after), "new posts arrive");
        assert!(
            home.contains(&before),
            "recent posts are filled in on follow"
        );
        bob.post("/@alice/unfollow", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let home = bob.get("/home").await.post_ids();
        assert!(!home.contains(&after) && !home.contains(&before));
        // Following oneself or nobody.
        bob.post("/@bob/follow", &[])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        bob.post("/@nobody/follow", &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    });
}

#[tokio::test]
async fn locked_account_approves_follow_requests() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let carol = app.user("carol").await;
        alice
            .post(
                "/settings/profile",
                &[("display_name", "Alice"), ("bio", ""), ("locked", "on")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let secret = alice.new_post("for approved followers", "private").await;

        bob.post("/@alice/follow", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        carol
            .post("/@alice/follow", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        // Requested, not following: the private post stays hidden.
        bob.get(&format!("/@alice/{secret}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let alice_account = app
            .store
            .get_account_by_username("alice")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(alice_account.followers_count, 0);

        let requests = alice.get("/follow_requests").await;
        requests
            .assert_status(StatusCode::OK)
            .assert_contains("bob")
            .assert_contains("carol");
        let bob_id = app
            .store
            .get_account_by_username("bob")
            .await
            .unwrap()
            .unwrap()
            .id;
        let carol_id = app
            .store
            .get_account_by_username("carol")
            .await
            .unwrap()
            .unwrap()
            .id;
        alice
            .post(&format!("/follow_requests/{bob_id}/authorize"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        alice
            .post(&format!("/follow_requests/{carol_id}/reject"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        alice.get("/follow_requests").await.assert_lacks("carol");
        // Authorizing twice, or someone who never asked: 404.
        alice
            .post(&format!("/follow_requests/{carol_id}/authorize"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);

        bob.get(&format!("/@alice/{secret}"))
            .await
            .assert_status(StatusCode::OK);
        assert!(bob.get("/home").await.post_ids().contains(&secret));
        carol
            .get(&format!("/@alice/{secret}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let alice_account = app
            .store
            .get_account_by_username("alice")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(alice_account.followers_count, 1);
        // Only the target may answer requests.
        carol
            .post(&format!("/follow_requests/{bob_id}/authorize"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    });
}

#[tokio::test]
async fn block_cuts_both_ways() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        bob.post("/@alice/follow", &[]).await;
        alice.post("/@bob/follow", &[]).await;
        let bobs = bob.new_post("bob speaking", "public").await;
        let alices = alice.new_post("alice speaking", "public").await;
        assert!(alice.get("/home").await.post_ids().contains(&bobs));

        alice
            .post("/@bob/block", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        // Follows are gone both ways; home timelines no longer mix.
        assert!(!alice.get("/home").await.post_ids().contains(&bobs));
        assert!(!bob.get("/home").await.post_ids().contains(&alices));
        let alice_account = app
            .store
            .get_account_by_username("alice")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (alice_account.followers_count, alice_account.following_count),
            (0, 0)
        );
        // Bob cannot follow back, see alice's posts, reply or favourite.
        bob.post("/@alice/follow", &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        bob.get(&format!("/@alice/{alices}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        bob.post(&format!("/posts/{alices}/favourite"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // Bob's posts stay out of alice's local timeline view; others still see them.
        assert!(!alice.get("/local").await.post_ids().contains(&bobs));
        assert!(app.client().get("/local").await.post_ids().contains(&bobs));
        // A mention from the blocked account does not notify.
        let alice_id = app
            .store
            .get_account_by_username("alice")
            .await
            .unwrap()
            .unwrap()
            .id;
        let unread_before = app
            .store
            .count_unread_notifications(alice_id)
            .await
            .unwrap();
        bob.new_post("hey @alice", "public").await;
        assert_eq!(
            app.store
                .count_unread_notifications(alice_id)
                .await
                .unwrap(),
            unread_before
        );
        alice.get("/notifications").await.assert_lacks("hey ");

        alice
            .post("/@bob/unblock", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        bob.post("/@alice/follow", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        bob.get(&format!("/@alice/{alices}"))
            .await
            .assert_status(StatusCode::OK);
    });
}

#[tokio::test]
async fn mute_hides_without_telling() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        alice.post("/@bob/follow", &[]).await;
        let before = bob.new_post("muted later", "public").await;
        alice
            .post("/@bob/mute", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let after = bob.new_post("still muted @alice", "public").await;
        let home = alice.get("/home").await.post_ids();
        assert!(!home.contains(&before) && !home.contains(&after));
        alice
            .get("/notifications")
            .await
            .assert_lacks("still muted");
        // Bob notices nothing: he still follows nobody new, and can see alice's posts.
        let alices = alice.new_post("alice public", "public").await;
        bob.get(&format!("/@alice/{alices}"))
            .await
            .assert_status(StatusCode::OK);
        // Still following: unmute brings the posts back.
        alice
            .post("/@bob/unmute", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let home = alice.get("/home").await.post_ids();
        assert!(home.contains(&before) && home.contains(&after));
    });
}
