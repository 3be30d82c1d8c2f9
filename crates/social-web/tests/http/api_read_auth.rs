//! Client API reads that depend on who asks: tokens and scopes, and the visibility matrix
//! (anonymous, follower, stranger, mentioned, author) through the API, plus the Notification
//! shape.

use crate::api_support::{assert_snapshot, get, post, post_reply};
use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;
use social_core::{AccountId, PostId, Role, Visibility};

#[tokio::test]
async fn api_anonymous_visibility() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", Role::User).await;
        let bob = app.account("bob", Role::User).await;
        let mut ids = Vec::new();
        for v in Visibility::ALL {
            ids.push(post(&app, alice, &format!("{} for @bob", v.as_str()), v).await);
        }
        let [public, unlisted, private, direct] = ids[..] else {
            unreachable!()
        };
        get(&app, &format!("/api/v1/statuses/{public}"), None)
            .await
            .ok();
        let u = get(&app, &format!("/api/v1/statuses/{unlisted}"), None).await;
        assert_eq!(u.ok()["visibility"], "unlisted");
        for hidden in [private, direct] {
            for path in ["", "/context", "/favourited_by", "/reblogged_by"] {
                get(&app, &format!("/api/v1/statuses/{hidden}{path}"), None)
                    .await
                    .assert_error(StatusCode::NOT_FOUND);
            }
        }
        let local = get(&app, "/api/v1/timelines/public", None).await;
        assert_eq!(local.ids(), vec![public.to_string()]);
        let profile = get(&app, &format!("/api/v1/accounts/{alice}/statuses"), None).await;
        assert_eq!(
            profile.ids(),
            vec![unlisted.to_string(), public.to_string()]
        );
        let _ = bob;
    });
}

/// The Notification entity, built from the store's notifications (the notifications endpoints
/// serve exactly these).
#[tokio::test]
async fn api_notification_shapes() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", Role::User).await;
        let bob = app.account("bob", Role::User).await;
        let p = post(&app, alice, "hello", Visibility::Public).await;
        post_reply(&app, bob, "@alice hi", Visibility::Public, Some(p)).await;
        app.store.favourite(bob, p).await.unwrap();
        app.store.boost(bob, p).await.unwrap();
        app.store.follow(bob, alice).await.unwrap();
        let list = app
            .store
            .notifications(alice, social_store::Page::first(20))
            .await
            .unwrap();
        let urls =
            social_web::api::entities::Urls::new(false, app.base.trim_start_matches("http://"));
        let json: Vec<_> = list
            .iter()
            .map(|n| social_web::api::entities::notification(n, &urls))
            .collect();
        let json = serde_json::to_value(&json).unwrap();
        let types: Vec<&str> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, vec!["follow", "reblog", "favourite", "mention"]);
        assert_snapshot("notifications", &json, &app.base);
    });
}

/// A user token with these scopes, issued directly through the store (the OAuth flow has its
/// own tests).
async fn token(app: &TestApp, account: AccountId, scopes: &str) -> String {
    crate::api_support::api_token(app, account, scopes).await
}

#[tokio::test]
async fn api_tokens_and_scopes() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", Role::User).await;
        let bob = app.account("bob", Role::Admin).await;
        app.store.follow(alice, bob).await.unwrap();
        let p = post(&app, bob, "for followers", Visibility::Private).await;
        let read = token(&app, alice, "read").await;
        let granular = token(&app, alice, "read:statuses").await;
        let write = token(&app, alice, "write").await;
        let profile = token(&app, bob, "profile").await;

        let home = get(&app, "/api/v1/timelines/home", Some(&read)).await;
        assert_eq!(home.ids(), vec![p.to_string()]);
        let home = get(&app, "/api/v1/timelines/home", Some(&granular)).await;
        assert_eq!(home.ids(), vec![p.to_string()]);
        get(&app, "/api/v1/timelines/home", Some(&write))
            .await
            .assert_error(StatusCode::FORBIDDEN);
        get(&app, "/api/v1/timelines/home", None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED);
        get(&app, "/api/v1/timelines/home", Some("garbage"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED);
        // A followers-only post through the public endpoints with the follower's token.
        get(&app, &format!("/api/v1/statuses/{p}"), Some(&read))
            .await
            .ok();
        get(&app, &format!("/api/v1/statuses/{p}"), None)
            .await
            .assert_error(StatusCode::NOT_FOUND);

        let me = get(&app, "/api/v1/accounts/verify_credentials", Some(&profile)).await;
        assert_snapshot("credential_account", me.ok(), &app.base);
        assert_eq!(me.json["source"]["privacy"], "public");
        assert_eq!(me.json["role"]["name"], "Admin");
        get(&app, "/api/v1/accounts/verify_credentials", Some(&write))
            .await
            .assert_error(StatusCode::FORBIDDEN);
        let me = get(&app, "/api/v1/accounts/verify_credentials", Some(&read)).await;
        assert_eq!(me.ok()["id"], alice.to_string());

        let rel = get(
            &app,
            &format!("/api/v1/accounts/relationships?id[]={bob}&id[]=junk&id[]=12345"),
            Some(&read),
        )
        .await;
        assert_snapshot("relationships", rel.ok(), &app.base);
        assert_eq!(rel.json.as_array().unwrap().len(), 1);
        assert_eq!(rel.json[0]["following"], true);
        get(
            &app,
            &format!("/api/v1/accounts/relationships?id={bob}"),
            Some(&write),
        )
        .await
        .assert_error(StatusCode::FORBIDDEN);
        get(
            &app,
            &format!("/api/v1/accounts/relationships?id={bob}"),
            None,
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED);

        let prefs = get(&app, "/api/v1/preferences", Some(&read)).await;
        assert_eq!(prefs.ok()["posting:default:visibility"], "public");
        for path in ["/api/v1/filters", "/api/v2/filters", "/api/v1/lists"] {
            assert_eq!(
                get(&app, path, Some(&read)).await.ok(),
                &serde_json::json!([])
            );
            get(&app, path, None)
                .await
                .assert_error(StatusCode::UNAUTHORIZED);
        }
    });
}

/// Who sees which post through the API: exactly the web UI's rules (the store's).
#[tokio::test]
async fn api_visibility_matrix() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", Role::User).await;
        let follower = app.account("follower", Role::User).await;
        let stranger = app.account("stranger", Role::User).await;
        let mentioned = app.account("mentioned", Role::User).await;
        app.store.follow(follower, alice).await.unwrap();
        let mut posts = Vec::new();
        for v in Visibility::ALL {
            posts.push(post(&app, alice, &format!("{} hi @mentioned", v.as_str()), v).await);
        }
        let [public, unlisted, private, direct] = posts[..] else {
            unreachable!()
        };
        let tokens = [
            ("anonymous", None),
            ("follower", Some(token(&app, follower, "read").await)),
            ("stranger", Some(token(&app, stranger, "read").await)),
            ("mentioned", Some(token(&app, mentioned, "read").await)),
            ("author", Some(token(&app, alice, "read").await)),
        ];
        let expect = |who: &str| -> Vec<PostId> {
            match who {
                "anonymous" | "stranger" => vec![unlisted, public],
                "follower" => vec![private, unlisted, public],
                _ => vec![direct, private, unlisted, public],
            }
        };
        for (who, token) in &tokens {
            let token = token.as_deref();
            let want = expect(who);
            for id in [public, unlisted, private, direct] {
                let resp = get(&app, &format!("/api/v1/statuses/{id}"), token).await;
                if want.contains(&id) {
                    resp.ok();
                } else {
                    resp.assert_error(StatusCode::NOT_FOUND);
                    get(&app, &format!("/api/v1/statuses/{id}/context"), token)
                        .await
                        .assert_error(StatusCode::NOT_FOUND);
                }
            }
            let profile = get(&app, &format!("/api/v1/accounts/{alice}/statuses"), token).await;
            let want: Vec<String> = want.iter().map(ToString::to_string).collect();
            assert_eq!(profile.ids(), want, "{who}: profile");
            let local = get(&app, "/api/v1/timelines/public", token).await;
            assert_eq!(
                local.ids(),
                vec![public.to_string()],
                "{who}: local timeline"
            );
        }
        let home = |t: usize| get(&app, "/api/v1/timelines/home", tokens[t].1.as_deref());
        let ids = home(1).await.ids();
        assert_eq!(
            ids,
            vec![
                private.to_string(),
                unlisted.to_string(),
                public.to_string()
            ],
            "follower's home"
        );
        let ids = home(3).await.ids();
        assert!(
            ids.contains(&direct.to_string()),
            "direct post on the mentioned home"
        );
        assert!(
            !ids.contains(&public.to_string()),
            "not following: no public post"
        );
        assert!(home(2).await.ids().is_empty(), "stranger's home");

        // A block hides everything from the blocked account.
        app.store.block(alice, stranger).await.unwrap();
        get(
            &app,
            &format!("/api/v1/statuses/{public}"),
            tokens[2].1.as_deref(),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND);
    });
}
