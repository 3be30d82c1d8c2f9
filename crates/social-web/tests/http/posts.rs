//! Posting: each visibility and who may see it, threads, deletion, favourites, boosts, and
//! rendering of user text.

use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn each_visibility_reaches_exactly_its_audience() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await; // follower
        let carol = app.user("carol").await; // mentioned
        let dave = app.user("dave").await; // stranger
        let anon = app.client();
        bob.post("/@alice/follow", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);

        let public = alice.new_post("public words", "public").await;
        let unlisted = alice.new_post("unlisted words", "unlisted").await;
        let private = alice.new_post("private words @carol", "private").await;
        let direct = alice.new_post("direct words @carol", "direct").await;

        // Thread pages: who may open each post.
        let cases = [
            (public, [true, true, true, true]),
            (unlisted, [true, true, true, true]),
            (private, [true, true, false, false]),
            (direct, [false, true, false, false]),
        ];
        for (id, [for_bob, for_carol, for_dave, for_anon]) in cases {
            let path = format!("/@alice/{id}");
            for (who, client, allowed) in [
                ("bob", &bob, for_bob),
                ("carol", &carol, for_carol),
                ("dave", &dave, for_dave),
                ("anon", &anon, for_anon),
            ] {
                let status = client.get(&path).await.status;
                let expected = if allowed {
                    StatusCode::OK
                } else {
                    StatusCode::NOT_FOUND
                };
                assert_eq!(status, expected, "{who} opening post {id}");
            }
            alice.get(&path).await.assert_status(StatusCode::OK);
        }

        // Profile: anonymous and strangers see public + unlisted; followers also private.
        let seen = |ids: Vec<i64>| [public, unlisted, private, direct].map(|id| ids.contains(&id));
        assert_eq!(
            seen(anon.get("/@alice").await.post_ids()),
            [true, true, false, false]
        );
        assert_eq!(
            seen(dave.get("/@alice").await.post_ids()),
            [true, true, false, false]
        );
        assert_eq!(
            seen(bob.get("/@alice").await.post_ids()),
            [true, true, true, false]
        );
        assert_eq!(
            seen(alice.get("/@alice").await.post_ids()),
            [true, true, true, true]
        );

        // Local timeline: public only, for everyone.
        assert_eq!(
            seen(anon.get("/local").await.post_ids()),
            [true, false, false, false]
        );
        assert_eq!(
            seen(bob.get("/local").await.post_ids()),
            [true, false, false, false]
        );

        // Home: the follower gets public, unlisted and followers-only; the mentioned account
        // gets the direct post; the stranger nothing.
        assert_eq!(
            seen(bob.get("/home").await.post_ids()),
            [true, true, true, false]
        );
        assert!(
            seen(carol.get("/home").await.post_ids())[3],
            "direct post in carol's home"
        );
        assert_eq!(
            seen(dave.get("/home").await.post_ids()),
            [false, false, false, false]
        );
        assert_eq!(
            seen(alice.get("/home").await.post_ids()),
            [true, true, true, true]
        );
    });
}

#[tokio::test]
async fn direct_post_needs_a_recipient() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        alice
            .post("/posts", &[("text", "to nobody"), ("visibility", "direct")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(alice.get("/@alice").await.post_ids().is_empty());
    });
}

#[tokio::test]
async fn threads_show_ancestors_and_replies_in_order() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let carol = app.user("carol").await;
        let root = alice.new_post("root of the thread", "public").await;
        let reply = bob.reply("first reply", "public", Some(root)).await;
        let nested = carol.reply("nested reply", "public", Some(reply)).await;
        let second = carol.reply("second reply", "public", Some(root)).await;

        let page = app.client().get(&format!("/@alice/{root}")).await;
        page.assert_status(StatusCode::OK);
        let pos = |needle: &str| {
            page.body
                .find(needle)
                .unwrap_or_else(|| panic!("{needle} missing"))
        };
        assert!(pos("root of the thread") < pos("first reply"));
        assert!(pos("first reply") < pos("nested reply"));
        assert!(
            pos("nested reply") < pos("second reply"),
            "depth first, oldest first"
        );

        // From the middle: the root above, the nested reply below.
        let middle = app.client().get(&format!("/@bob/{reply}")).await;
        let pos = |needle: &str| {
            middle
                .body
                .find(needle)
                .unwrap_or_else(|| panic!("{needle} missing"))
        };
        assert!(pos("root of the thread") < pos("first reply"));
        assert!(pos("first reply") < pos("nested reply"));
        middle.assert_lacks("second reply");

        // Wrong author in the path, or a missing post: 404.
        app.client()
            .get(&format!("/@carol/{root}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        app.client()
            .get("/@alice/999999999")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        let _ = (nested, second);

        // Replying to a post one cannot see is refused.
        let hidden = alice.new_post("followers only", "private").await;
        bob.post(
            "/posts",
            &[
                ("text", "sneaky reply"),
                ("visibility", "public"),
                ("in_reply_to_id", &hidden.to_string()),
            ],
        )
        .await
        .assert_status(StatusCode::NOT_FOUND);
    });
}

#[tokio::test]
async fn delete_own_post_only() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        bob.post("/@alice/follow", &[]).await;
        let id = alice.new_post("soon gone", "public").await;
        bob.post(&format!("/posts/{id}/boost"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let reply = bob.reply("a reply", "public", Some(id)).await;

        let refused = bob.post(&format!("/posts/{id}/delete"), &[]).await;
        assert!(
            refused.status == StatusCode::FORBIDDEN || refused.status == StatusCode::NOT_FOUND,
            "{refused:?}"
        );
        app.client()
            .get(&format!("/@alice/{id}"))
            .await
            .assert_status(StatusCode::OK);

        alice
            .post(&format!("/posts/{id}/delete"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        app.client()
            .get(&format!("/@alice/{id}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
        bob.get("/home").await.assert_lacks("soon gone");
        app.client().get("/local").await.assert_lacks("soon gone");
        bob.get("/@bob").await.assert_lacks("soon gone");
        // The reply survives on its own.
        app.client()
            .get(&format!("/@bob/{reply}"))
            .await
            .assert_status(StatusCode::OK);
        alice
            .post(&format!("/posts/{id}/delete"), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    });
}

#[tokio::test]
async fn favourite_and_boost_are_idempotent_and_counted() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        let carol = app.user("carol").await;
        carol.post("/@bob/follow", &[]).await;
        let id = alice.new_post("likeable", "public").await;
        for _ in 0..2 {
            bob.post(&format!("/posts/{id}/favourite"), &[])
                .await
                .assert_status(StatusCode::SEE_OTHER);
            bob.post(&format!("/posts/{id}/boost"), &[])
                .await
                .assert_status(StatusCode::SEE_OTHER);
        }
        let post = app
            .store
            .get_post(social_core::PostId(id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((post.favourites_count, post.reblogs_count), (1, 1));
        // The boost reaches bob's followers.
        carol.get("/home").await.assert_contains("likeable");

        bob.post(&format!("/posts/{id}/unfavourite"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        bob.post(&format!("/posts/{id}/unboost"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let post = app
            .store
            .get_post(social_core::PostId(id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((post.favourites_count, post.reblogs_count), (0, 0));
        carol.get("/home").await.assert_lacks("likeable");

        // Followers-only posts cannot be boosted.
        bob.post("/@alice/follow", &[]).await;
        let private = alice.new_post("not boostable", "private").await;
        bob.post(&format!("/posts/{private}/boost"), &[])
            .await
            .assert_status(StatusCode::FORBIDDEN);
        bob.post("/posts/424242/favourite", &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
    });
}

#[tokio::test]
async fn user_text_is_escaped_and_linked() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        app.user("bob").await;
        let id = alice
            .new_post(
                "<script>alert('x')</script> hi @bob see https://example.org/a?b=1&c=2 #Rust \"q\"",
                "public",
            )
            .await;
        let page = app.client().get(&format!("/@alice/{id}")).await;
        page.assert_status(StatusCode::OK)
            .assert_lacks("<script>alert")
            .assert_contains("&lt;script&gt;")
            .assert_contains("href=\"/@bob\"")
            .assert_contains("href=\"/tags/rust\"")
            .assert_contains("href=\"https://example.org/a?b=1&amp;c=2\"");
        // A javascript: URL is never a link.
        let js = alice.new_post("javascript:alert(1) click", "public").await;
        app.client()
            .get(&format!("/@alice/{js}"))
            .await
            .assert_lacks("href=\"javascript:");
    });
}
