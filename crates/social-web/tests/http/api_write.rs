//! The API's write side over real HTTP: statuses (create with `Idempotency-Key`, delete,
//! favourite, reblog, bookmark), relationships and profile, follow requests, notifications,
//! markers; their effects, bad input and scope refusals.

use crate::api_write_support::{ALL, Api, JResp, ids, posts_count, upload, user};
use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use social_core::{NotificationId, PostId};
use social_store::Page;

#[tokio::test]
async fn api_statuses_create_and_refusals() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let bob = user(&app, "bob", ALL).await;
        let s = alice
            .post(
                "/api/v1/statuses",
                json!({"status": "hello #api world", "visibility": "unlisted",
                       "sensitive": false, "spoiler_text": "", "language": "en"}),
            )
            .await
            .ok();
        assert_eq!(s["visibility"], "unlisted");
        assert_eq!(s["account"]["id"], alice.id.0.to_string());
        assert_eq!(
            (s["bookmarked"].as_bool(), s["favourited"].as_bool()),
            (Some(false), Some(false))
        );
        let id: i64 = s["id"].as_str().unwrap().parse().unwrap();
        let stored = app.store.get_post(PostId(id)).await.unwrap().unwrap();
        assert_eq!(stored.text, "hello #api world");

        // A form body, a reply.
        let r = bob
            .post_form(
                "/api/v1/statuses",
                &[
                    ("status", "@alice a reply"),
                    ("in_reply_to_id", &id.to_string()),
                ],
            )
            .await
            .ok();
        assert_eq!(r["in_reply_to_id"], id.to_string());
        assert_eq!(r["in_reply_to_account_id"], alice.id.0.to_string());

        // Mastodon's validation texts.
        let post = |body: serde_json::Value| alice.post("/api/v1/statuses", body);
        let e = post(json!({"status": "   "}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e, "Validation failed: Text can't be blank");
        let e = post(json!({}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e, "Validation failed: Text can't be blank");
        let e = post(json!({"status": "x".repeat(501)}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e, "Validation failed: Text character limit of 500 exceeded");
        let e = post(json!({"status": "hi", "visibility": "everyone"}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            e,
            "Validation failed: Visibility is not included in the list"
        );
        let e = post(json!({"status": "hi", "visibility": "direct"}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e.starts_with("Validation failed: "), "{e}");
        let e = post(json!({"status": "hi", "media_ids": ["1"]}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e.contains("Media"), "{e}");
        // Replies to unknown, garbage or invisible posts: 404 as on Mastodon.
        post(json!({"status": "hi", "in_reply_to_id": "999999"}))
            .await
            .error(StatusCode::NOT_FOUND);
        post(json!({"status": "hi", "in_reply_to_id": "abc"}))
            .await
            .error(StatusCode::NOT_FOUND);
        let secret = bob.status("followers only", "private").await;
        post(json!({"status": "hi", "in_reply_to_id": secret}))
            .await
            .error(StatusCode::NOT_FOUND);
        // A malformed JSON body is 400.
        let bad = reqwest::Client::new()
            .post(format!("{}/api/v1/statuses", app.base))
            .bearer_auth(alice_token(&app, &alice).await)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            posts_count(&app, alice.id).await,
            1,
            "no refused post was written"
        );

        // Scope: a read-only token cannot post; no token at all is 401.
        let reader = crate::api_write_support::token(&app, alice.id, "read").await;
        reader
            .post("/api/v1/statuses", json!({"status": "nope"}))
            .await
            .error(StatusCode::FORBIDDEN);
        let anon = reqwest::Client::new()
            .post(format!("{}/api/v1/statuses", app.base))
            .json(&json!({"status": "nope"}))
            .send()
            .await
            .unwrap();
        assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
        let granular = crate::api_write_support::token(&app, alice.id, "write:statuses").await;
        granular.status("granular scope", "public").await;
        assert_eq!(posts_count(&app, alice.id).await, 2);
    });
}

/// A fresh token string for raw requests.
async fn alice_token(app: &TestApp, alice: &Api) -> String {
    let c = app
        .store
        .create_app(social_store::AppInsert {
            name: "raw".into(),
            website: None,
            redirect_uris: vec!["urn:ietf:wg:oauth:2.0:oob".into()],
            scopes: ALL.into(),
        })
        .await
        .unwrap();
    app.store
        .create_token(c.app.id, Some(alice.id), ALL)
        .await
        .unwrap()
        .token
}

/// `POST /api/v1/statuses` of `body` with an `Idempotency-Key`.
async fn keyed(who: &Api, body: &serde_json::Value, key: &str) -> JResp {
    who.post_with(
        "/api/v1/statuses",
        body.clone(),
        &[("Idempotency-Key", key)],
    )
    .await
}

#[tokio::test]
async fn api_statuses_idempotency_key() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let body = json!({"status": "exactly once"});
        let first = keyed(&alice, &body, "k1").await.ok();
        let again = keyed(&alice, &body, "k1").await.ok();
        assert_eq!(first["id"], again["id"]);
        assert_eq!(posts_count(&app, alice.id).await, 1);
        let other = keyed(&alice, &body, "k2").await.ok();
        assert_ne!(first["id"], other["id"]);
        assert_eq!(posts_count(&app, alice.id).await, 2);
        // Keys are per account.
        let bob = user(&app, "bob", ALL).await;
        let bobs = keyed(&bob, &body, "k1").await.ok();
        assert_ne!(bobs["id"], first["id"]);

        // Concurrent duplicates: one post.
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let client = crate::api_write_support::token(&app, alice.id, ALL).await;
            let body = body.clone();
            tasks.push(tokio::spawn(async move {
                client
                    .post_with("/api/v1/statuses", body, &[("Idempotency-Key", "raced")])
                    .await
                    .ok()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }));
        }
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.unwrap());
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(posts_count(&app, alice.id).await, 3);
    });
}

#[tokio::test]
async fn api_statuses_delete() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let bob = user(&app, "bob", ALL).await;
        let id = alice.status("to be deleted #gone", "public").await;
        // Someone else's post: 404, and it stays.
        bob.delete(&format!("/api/v1/statuses/{id}"))
            .await
            .error(StatusCode::NOT_FOUND);
        let pid = PostId(id.parse().unwrap());
        assert!(app.store.get_post(pid).await.unwrap().is_some());
        // Scope.
        let reader = crate::api_write_support::token(&app, alice.id, "read").await;
        reader
            .delete(&format!("/api/v1/statuses/{id}"))
            .await
            .error(StatusCode::FORBIDDEN);
        let gone = alice.delete(&format!("/api/v1/statuses/{id}")).await.ok();
        assert_eq!(gone["id"], id);
        assert_eq!(gone["text"], "to be deleted #gone");
        assert!(app.store.get_post(pid).await.unwrap().is_none());
        alice
            .delete(&format!("/api/v1/statuses/{id}"))
            .await
            .error(StatusCode::NOT_FOUND);
        alice
            .delete("/api/v1/statuses/not-an-id")
            .await
            .error(StatusCode::NOT_FOUND);
        assert_eq!(posts_count(&app, alice.id).await, 0);
    });
}

#[tokio::test]
async fn api_statuses_favourite_reblog_bookmark() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let bob = user(&app, "bob", ALL).await;
        let id = alice.status("likeable", "public").await;
        let s = bob.act("statuses", &id, "favourite").await.ok();
        assert_eq!(
            (s["favourited"].as_bool(), s["favourites_count"].as_i64()),
            (Some(true), Some(1))
        );
        let s = bob.act("statuses", &id, "favourite").await.ok();
        assert_eq!(s["favourites_count"], 1, "idempotent");
        let s = bob.act("statuses", &id, "unfavourite").await.ok();
        assert_eq!(
            (s["favourited"].as_bool(), s["favourites_count"].as_i64()),
            (Some(false), Some(0))
        );

        let b = bob.act("statuses", &id, "reblog").await.ok();
        assert_eq!(b["reblog"]["id"], id);
        assert_eq!(b["reblog"]["reblogged"], true);
        assert_eq!(b["reblog"]["reblogs_count"], 1);
        let o = bob.act("statuses", &id, "unreblog").await.ok();
        assert_eq!(
            (o["id"].as_str(), o["reblogged"].as_bool()),
            (Some(id.as_str()), Some(false))
        );
        assert_eq!(o["reblogs_count"], 0);
        let private = alice.status("mine only", "private").await;
        bob.act("statuses", &private, "reblog")
            .await
            .error(StatusCode::NOT_FOUND);
        alice
            .act("statuses", &private, "reblog")
            .await
            .error(StatusCode::FORBIDDEN);
        bob.act("statuses", 424242, "favourite")
            .await
            .error(StatusCode::NOT_FOUND);

        // Bookmarks, paged with a Link header.
        let second = alice.status("second", "public").await;
        let s = bob.act("statuses", &id, "bookmark").await.ok();
        assert_eq!(s["bookmarked"], true);
        bob.act("statuses", &second, "bookmark").await.ok();
        let page = bob.get("/api/v1/bookmarks?limit=1").await;
        assert!(page.link().contains("rel=\"next\""), "{}", page.link());
        assert_eq!(ids(&page.json), vec![second.clone()]);
        let all = bob.get("/api/v1/bookmarks").await.ok();
        assert_eq!(ids(&all), vec![second.clone(), id.clone()]);
        assert!(
            all.as_array()
                .unwrap()
                .iter()
                .all(|s| s["bookmarked"] == true)
        );
        assert!(ids(&alice.get("/api/v1/bookmarks").await.ok()).is_empty());
        let s = bob.act("statuses", &id, "unbookmark").await.ok();
        assert_eq!(s["bookmarked"], false);
        assert_eq!(
            ids(&bob.get("/api/v1/bookmarks").await.ok()),
            vec![second.clone()]
        );

        // Scopes per group.
        let statuses_only =
            crate::api_write_support::token(&app, bob.id, "write:statuses read").await;
        statuses_only
            .act("statuses", &id, "favourite")
            .await
            .error(StatusCode::FORBIDDEN);
        statuses_only
            .act("statuses", &id, "bookmark")
            .await
            .error(StatusCode::FORBIDDEN);
        let favs_only = crate::api_write_support::token(&app, bob.id, "write:favourites").await;
        favs_only
            .act("statuses", &id, "reblog")
            .await
            .error(StatusCode::FORBIDDEN);
        favs_only
            .get("/api/v1/bookmarks")
            .await
            .error(StatusCode::FORBIDDEN);
        favs_only.act("statuses", &id, "favourite").await.ok();
    });
}

#[tokio::test]
async fn api_accounts_relationships_and_profile() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let bob = user(&app, "bob", ALL).await;
        let a = alice.id.0;
        let r = bob.act("accounts", &a, "follow").await.ok();
        assert_eq!(
            (r["id"].as_str(), r["following"].as_bool()),
            (Some(a.to_string().as_str()), Some(true))
        );
        let r = bob.act("accounts", &a, "unfollow").await.ok();
        assert_eq!(r["following"], false);
        let r = bob.act("accounts", &a, "mute").await.ok();
        assert_eq!(r["muting"], true);
        let r = bob.act("accounts", &a, "unmute").await.ok();
        assert_eq!(r["muting"], false);
        bob.act("accounts", 999999, "follow")
            .await
            .error(StatusCode::NOT_FOUND);
        bob.act("accounts", bob.id.0, "follow")
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);

        // Blocks: the follow goes, and the blocked side cannot follow back.
        bob.act("accounts", &a, "follow").await.ok();
        let r = alice.act("accounts", bob.id.0, "block").await.ok();
        assert_eq!(
            (r["blocking"].as_bool(), r["followed_by"].as_bool()),
            (Some(true), Some(false))
        );
        bob.act("accounts", &a, "follow")
            .await
            .error(StatusCode::FORBIDDEN);
        let r = alice.act("accounts", bob.id.0, "unblock").await.ok();
        assert_eq!(r["blocking"], false);

        // Profile, then a locked account's requests.
        let me = alice
            .patch_form(
                "/api/v1/accounts/update_credentials",
                &[
                    ("display_name", "Alice A."),
                    ("note", "hi there"),
                    ("locked", "true"),
                ],
            )
            .await
            .ok();
        assert_eq!(
            (me["display_name"].as_str(), me["locked"].as_bool()),
            (Some("Alice A."), Some(true))
        );
        assert_eq!(me["source"]["note"], "hi there");
        let me = alice
            .patch(
                "/api/v1/accounts/update_credentials",
                json!({"note": "changed"}),
            )
            .await
            .ok();
        assert_eq!(
            (me["display_name"].as_str(), me["source"]["note"].as_str()),
            (Some("Alice A."), Some("changed"))
        );
        let e = alice
            .patch(
                "/api/v1/accounts/update_credentials",
                json!({"display_name": "x".repeat(31)}),
            )
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            e,
            "Validation failed: Display name is too long (maximum is 30 characters)"
        );
        let carol = user(&app, "carol", ALL).await;
        let r = carol.act("accounts", &a, "follow").await.ok();
        assert_eq!(
            (r["following"].as_bool(), r["requested"].as_bool()),
            (Some(false), Some(true))
        );
        let dave = user(&app, "dave", ALL).await;
        dave.act("accounts", &a, "follow").await.ok();
        let reqs = alice.get("/api/v1/follow_requests").await.ok();
        assert_eq!(ids(&reqs).len(), 2);
        let r = alice
            .act("follow_requests", carol.id.0, "authorize")
            .await
            .ok();
        assert_eq!(r["followed_by"], true);
        let r = alice.act("follow_requests", dave.id.0, "reject").await.ok();
        assert_eq!(r["followed_by"], false);
        assert!(ids(&alice.get("/api/v1/follow_requests").await.ok()).is_empty());
        alice
            .act("follow_requests", dave.id.0, "reject")
            .await
            .error(StatusCode::NOT_FOUND);
        alice
            .act("follow_requests", dave.id.0, "authorize")
            .await
            .error(StatusCode::NOT_FOUND);
        assert!(
            app.store
                .relationship(carol.id, alice.id)
                .await
                .unwrap()
                .following
        );
        assert!(
            !app.store
                .relationship(dave.id, alice.id)
                .await
                .unwrap()
                .following
        );

        // Scopes per group.
        let follows = crate::api_write_support::token(&app, bob.id, "write:follows").await;
        follows
            .act("accounts", &a, "block")
            .await
            .error(StatusCode::FORBIDDEN);
        follows
            .act("accounts", &a, "mute")
            .await
            .error(StatusCode::FORBIDDEN);
        follows
            .patch("/api/v1/accounts/update_credentials", json!({"note": "x"}))
            .await
            .error(StatusCode::FORBIDDEN);
        follows
            .get("/api/v1/follow_requests")
            .await
            .error(StatusCode::FORBIDDEN);
        let reader = crate::api_write_support::token(&app, bob.id, "read").await;
        reader
            .act("accounts", &a, "follow")
            .await
            .error(StatusCode::FORBIDDEN);
        let legacy = crate::api_write_support::token(&app, bob.id, "follow").await;
        legacy.act("accounts", &a, "mute").await.ok();
    });
}

#[tokio::test]
async fn api_notifications_list_get_dismiss_clear() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let bob = user(&app, "bob", ALL).await;
        let id = alice.status("notice me", "public").await;
        bob.act("statuses", &id, "favourite").await.ok();
        bob.act("accounts", alice.id.0, "follow").await.ok();
        bob.status("@alice hey there", "public").await;
        alice.status("@bob back at you", "public").await;

        let all = alice.get("/api/v1/notifications").await.ok();
        let types: Vec<_> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, vec!["mention", "follow", "favourite"]);
        assert_eq!(all[2]["status"]["id"], id);
        let only = alice
            .get("/api/v1/notifications?types[]=follow&types[]=favourite")
            .await
            .ok();
        assert_eq!(ids(&only), ids(&all)[1..].to_vec());
        let without = alice
            .get("/api/v1/notifications?exclude_types[]=mention")
            .await
            .ok();
        assert_eq!(ids(&without), ids(&all)[1..].to_vec());
        let page = alice.get("/api/v1/notifications?limit=2").await;
        assert!(page.link().contains("max_id="), "{}", page.link());
        assert_eq!(ids(&page.json), ids(&all)[..2].to_vec());

        let fav = ids(&all)[2].clone();
        let one = alice
            .get(&format!("/api/v1/notifications/{fav}"))
            .await
            .ok();
        assert_eq!(
            (one["id"].as_str(), one["type"].as_str()),
            (Some(fav.as_str()), Some("favourite"))
        );
        // Someone else's notification does not exist for bob.
        bob.get(&format!("/api/v1/notifications/{fav}"))
            .await
            .error(StatusCode::NOT_FOUND);
        bob.act("notifications", &fav, "dismiss")
            .await
            .error(StatusCode::NOT_FOUND);
        assert!(
            app.store
                .get_notification(alice.id, NotificationId(fav.parse().unwrap()))
                .await
                .is_ok()
        );
        assert_eq!(
            alice.act("notifications", &fav, "dismiss").await.ok(),
            json!({})
        );
        alice
            .get(&format!("/api/v1/notifications/{fav}"))
            .await
            .error(StatusCode::NOT_FOUND);
        alice
            .get("/api/v1/notifications/garbage")
            .await
            .error(StatusCode::NOT_FOUND);

        // Scopes.
        let reader = crate::api_write_support::token(&app, alice.id, "read").await;
        reader
            .post("/api/v1/notifications/clear", json!({}))
            .await
            .error(StatusCode::FORBIDDEN);
        let writer = crate::api_write_support::token(&app, alice.id, "write").await;
        writer
            .get("/api/v1/notifications")
            .await
            .error(StatusCode::FORBIDDEN);

        // Clear: only the caller's.
        let bobs = ids(&bob.get("/api/v1/notifications").await.ok());
        assert_eq!(bobs.len(), 1);
        assert_eq!(
            alice
                .post("/api/v1/notifications/clear", json!({}))
                .await
                .ok(),
            json!({})
        );
        assert!(ids(&alice.get("/api/v1/notifications").await.ok()).is_empty());
        assert_eq!(ids(&bob.get("/api/v1/notifications").await.ok()), bobs);
        assert!(
            app.store
                .notifications(alice.id, Page::first(20))
                .await
                .unwrap()
                .is_empty()
        );
    });
}

#[tokio::test]
async fn api_markers() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let bob = user(&app, "bob", ALL).await;
        assert_eq!(
            alice.get("/api/v1/markers?timeline[]=home").await.ok(),
            json!({})
        );
        let m = alice
            .post("/api/v1/markers", json!({"home": {"last_read_id": "1234"}}))
            .await
            .ok();
        assert_eq!(
            (
                m["home"]["last_read_id"].as_str(),
                m["home"]["version"].as_i64()
            ),
            (Some("1234"), Some(1))
        );
        assert!(m["home"]["updated_at"].as_str().unwrap().ends_with('Z'));
        let m = alice
            .post_form("/api/v1/markers", &[("home[last_read_id]", "1300")])
            .await
            .ok();
        assert_eq!(m["home"]["version"], 2);
        let got = alice
            .get("/api/v1/markers?timeline[]=home&timeline[]=notifications")
            .await
            .ok();
        assert_eq!(got["home"]["last_read_id"], "1300");
        assert!(got.get("notifications").is_none());
        assert_eq!(bob.get("/api/v1/markers").await.ok(), json!({}));

        // The notifications marker is the web UI's read mark too.
        bob.status("@alice ping", "public").await;
        assert_eq!(
            app.store
                .count_unread_notifications(alice.id)
                .await
                .unwrap(),
            1
        );
        let n = alice.get("/api/v1/notifications").await.ok();
        let nid = ids(&n)[0].clone();
        alice
            .post(
                "/api/v1/markers",
                json!({"notifications": {"last_read_id": nid}}),
            )
            .await
            .ok();
        assert_eq!(
            app.store
                .count_unread_notifications(alice.id)
                .await
                .unwrap(),
            0
        );

        alice
            .post("/api/v1/markers", json!({"home": {"last_read_id": "abc"}}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        alice
            .post("/api/v1/markers", json!({}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        let follows = crate::api_write_support::token(&app, alice.id, "follow").await;
        follows
            .get("/api/v1/markers")
            .await
            .error(StatusCode::FORBIDDEN);
        follows
            .post("/api/v1/markers", json!({"home": {"last_read_id": "1"}}))
            .await
            .error(StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn api_statuses_with_media_ids() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let bob = user(&app, "bob", ALL).await;
        let m1 = upload(&app, alice.id, "one").await;
        let m2 = upload(&app, alice.id, "two").await;
        let bobs = upload(&app, bob.id, "bobs").await;
        // Someone else's upload, garbage and unknown ids: 422, and nothing is posted.
        for ids in [vec![bobs.clone()], vec!["x".into()], vec!["777".into()]] {
            let e = alice
                .post(
                    "/api/v1/statuses",
                    json!({"status": "pic", "media_ids": ids}),
                )
                .await
                .error(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(e.starts_with("Validation failed: "), "{e}");
        }
        assert_eq!(posts_count(&app, alice.id).await, 0);
        // Blank text is fine with media; form-style `media_ids[]`.
        let s = alice
            .post_form(
                "/api/v1/statuses",
                &[("status", ""), ("media_ids[]", &m1), ("media_ids[]", &m2)],
            )
            .await
            .ok();
        let id = PostId(s["id"].as_str().unwrap().parse().unwrap());
        let view = app.store.get_post_view(Some(alice.id), id).await.unwrap();
        let attached: Vec<String> = view.media.iter().map(|m| m.id.0.to_string()).collect();
        assert_eq!(attached, vec![m1.clone(), m2]);
        // Used once only.
        alice
            .post(
                "/api/v1/statuses",
                json!({"status": "again", "media_ids": [m1]}),
            )
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(posts_count(&app, alice.id).await, 1);
    });
}
