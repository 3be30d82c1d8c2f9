//! Client API reads over real HTTP: entity shapes (snapshots), instance discovery, visibility,
//! pagination with `Link` headers, lookups and Mastodon-style errors.

use crate::api_support::{assert_snapshot, get};
use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;
use social_core::{AccountId, PostId, Role, Visibility};
use social_store::{PostInsert, ProfileUpdate};

async fn post(app: &TestApp, author: AccountId, text: &str, visibility: Visibility) -> PostId {
    post_reply(app, author, text, visibility, None).await
}

async fn post_reply(
    app: &TestApp,
    author: AccountId,
    text: &str,
    visibility: Visibility,
    to: Option<PostId>,
) -> PostId {
    app.store
        .create_post(PostInsert {
            author_id: author,
            text: text.into(),
            visibility,
            in_reply_to_id: to,
            media_ids: Vec::new(),
        })
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn api_instance_nodeinfo_webfinger() {
    each_backend!(|app: TestApp| async move {
        let admin = app.account("admin", Role::Admin).await;
        let alice = app.account("alice", Role::User).await;
        post(&app, alice, "hello", Visibility::Public).await;
        post(&app, admin, "welcome", Visibility::Public).await;

        let v1 = get(&app, "/api/v1/instance", None).await;
        assert_snapshot("instance_v1", v1.ok(), &app.base);
        assert_eq!(v1.json["stats"]["user_count"], 2);
        assert_eq!(v1.json["stats"]["status_count"], 2);
        assert_eq!(v1.json["contact_account"]["id"], admin.to_string());
        let v2 = get(&app, "/api/v2/instance", None).await;
        assert_snapshot("instance_v2", v2.ok(), &app.base);
        assert_eq!(v2.json["configuration"]["statuses"]["max_characters"], 500);
        assert!(
            v2.json["version"]
                .as_str()
                .unwrap()
                .starts_with("4.3.0 (compatible; social ")
        );
        app.set_mode(social_core::RegistrationMode::Open).await;
        let v2 = get(&app, "/api/v2/instance", None).await;
        assert_eq!(v2.json["registrations"]["enabled"], true);
        assert_eq!(v2.json["registrations"]["approval_required"], false);

        let links = get(&app, "/.well-known/nodeinfo", None).await;
        let links = links.ok()["links"].as_array().unwrap().clone();
        assert_eq!(links.len(), 2);
        for link in links {
            let doc = get(&app, link["href"].as_str().unwrap(), None).await;
            let rel = link["rel"].as_str().unwrap();
            assert!(rel.ends_with(doc.ok()["version"].as_str().unwrap()));
            assert_eq!(doc.json["usage"]["users"]["total"], 2);
            assert_eq!(doc.json["openRegistrations"], true);
            assert_eq!(doc.json["software"]["name"], "social");
        }

        let domain = app.base.trim_start_matches("http://").to_owned();
        let wf = get(
            &app,
            &format!("/.well-known/webfinger?resource=acct:ALICE@{domain}"),
            None,
        )
        .await;
        assert_eq!(wf.ok()["subject"], format!("acct:alice@{domain}"));
        assert_eq!(wf.headers["content-type"], "application/jrd+json");
        assert_eq!(wf.json["links"][0]["href"], format!("{}/@alice", app.base));
        for (query, status) in [
            (format!("acct:nobody@{domain}"), StatusCode::NOT_FOUND),
            (
                "acct:alice@elsewhere.example".to_owned(),
                StatusCode::NOT_FOUND,
            ),
            ("acct:alice".to_owned(), StatusCode::BAD_REQUEST),
            ("alice".to_owned(), StatusCode::BAD_REQUEST),
        ] {
            get(
                &app,
                &format!("/.well-known/webfinger?resource={query}"),
                None,
            )
            .await
            .assert_error(status);
        }
        get(&app, "/.well-known/webfinger", None)
            .await
            .assert_error(StatusCode::BAD_REQUEST);
        let meta = get(&app, "/.well-known/host-meta", None).await;
        assert!(
            meta.text.contains("/.well-known/webfinger?resource={uri}"),
            "{}",
            meta.text
        );

        for path in [
            "/api/v1/custom_emojis",
            "/api/v1/announcements",
            "/api/v1/trends",
            "/api/v1/trends/tags",
            "/api/v1/trends/statuses",
            "/api/v1/trends/links",
            "/api/v1/instance/rules",
        ] {
            assert_eq!(
                get(&app, path, None).await.ok(),
                &serde_json::json!([]),
                "{path}"
            );
        }
        // Trailing slashes are tolerated; CORS is open and exposes Link.
        let slash = get(&app, "/api/v1/instance/", None).await;
        assert_eq!(slash.ok()["uri"], v1.json["uri"]);
        assert_eq!(slash.headers["access-control-allow-origin"], "*");
        let avatar = reqwest::get(format!("{}/static/api/avatar.png", app.base))
            .await
            .unwrap();
        assert_eq!(avatar.status(), StatusCode::OK);
        assert_eq!(avatar.headers()["content-type"], "image/png");
    });
}

#[tokio::test]
async fn api_account_and_status_shapes() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", Role::User).await;
        let bob = app.account("bob", Role::User).await;
        let carol = app.account("carol", Role::User).await;
        app.store
            .update_profile(
                alice,
                ProfileUpdate {
                    display_name: "Alice <A>".into(),
                    bio: "I write #Rust.\nSee https://alice.example".into(),
                    locked: false,
                },
            )
            .await
            .unwrap();
        let root = post(
            &app,
            alice,
            "hi @bob & @nobody, #Rust\n\nmore at https://x.example/a?b=1",
            Visibility::Public,
        )
        .await;
        let reply = post_reply(&app, bob, "@alice thanks", Visibility::Unlisted, Some(root)).await;
        app.store.favourite(carol, root).await.unwrap();
        app.store.favourite(bob, root).await.unwrap();
        let boost = app.store.boost(carol, root).await.unwrap().id;

        let account = get(&app, &format!("/api/v1/accounts/{alice}"), None).await;
        assert_snapshot("account", account.ok(), &app.base);
        assert_eq!(account.json["statuses_count"], 1);
        let status = get(&app, &format!("/api/v1/statuses/{root}"), None).await;
        assert_snapshot("status", status.ok(), &app.base);
        assert_eq!(status.json["favourites_count"], 2);
        assert_eq!(status.json["reblogs_count"], 1);
        assert_eq!(status.json["replies_count"], 1);
        let boosted = get(&app, &format!("/api/v1/statuses/{boost}"), None).await;
        assert_snapshot("status_reblog", boosted.ok(), &app.base);
        assert_eq!(boosted.json["reblog"]["id"], root.to_string());

        let context = get(&app, &format!("/api/v1/statuses/{reply}/context"), None).await;
        assert_eq!(context.ok()["ancestors"][0]["id"], root.to_string());
        assert_eq!(context.json["descendants"], serde_json::json!([]));
        let context = get(&app, &format!("/api/v1/statuses/{root}/context"), None).await;
        assert_eq!(context.ok()["descendants"][0]["id"], reply.to_string());

        let favs = get(
            &app,
            &format!("/api/v1/statuses/{root}/favourited_by"),
            None,
        )
        .await;
        assert_eq!(favs.ids(), vec![carol.to_string(), bob.to_string()]);
        let boosts = get(
            &app,
            &format!("/api/v1/statuses/{boost}/reblogged_by"),
            None,
        )
        .await;
        assert_eq!(boosts.ids(), vec![carol.to_string()]);

        let found = get(&app, "/api/v1/accounts/lookup?acct=@Alice", None).await;
        assert_eq!(found.ok()["id"], alice.to_string());
        let domain = app.base.trim_start_matches("http://").to_owned();
        let found = get(
            &app,
            &format!("/api/v1/accounts/lookup?acct=alice@{domain}"),
            None,
        )
        .await;
        assert_eq!(found.ok()["id"], alice.to_string());
        get(
            &app,
            "/api/v1/accounts/lookup?acct=alice@other.example",
            None,
        )
        .await
        .assert_error(StatusCode::NOT_FOUND);
        get(&app, "/api/v1/accounts/lookup", None)
            .await
            .assert_error(StatusCode::BAD_REQUEST);
        let search = get(&app, "/api/v1/accounts/search?q=ali", None).await;
        assert_eq!(search.ids(), vec![alice.to_string()]);
        let search = get(&app, "/api/v2/search?q=%23ru", None).await;
        assert_eq!(search.ok()["hashtags"][0]["name"], "rust");
        assert_eq!(search.json["accounts"], serde_json::json!([]));
        let search = get(&app, "/api/v2/search?q=b&type=accounts", None).await;
        assert_eq!(search.ok()["accounts"][0]["id"], bob.to_string());
        let url = format!("{}/@alice/{root}", app.base);
        let search = get(&app, &format!("/api/v2/search?q={url}"), None).await;
        assert_eq!(search.ok()["statuses"][0]["id"], root.to_string());
        get(&app, "/api/v2/search?q=x&type=lists", None)
            .await
            .assert_error(StatusCode::BAD_REQUEST);

        let statuses = get(&app, &format!("/api/v1/accounts/{carol}/statuses"), None).await;
        assert_eq!(statuses.ids(), vec![boost.to_string()]);
        let statuses = get(
            &app,
            &format!("/api/v1/accounts/{carol}/statuses?exclude_reblogs=true"),
            None,
        )
        .await;
        assert!(statuses.ids().is_empty());
        let statuses = get(
            &app,
            &format!("/api/v1/accounts/{bob}/statuses?exclude_replies=true"),
            None,
        )
        .await;
        assert!(statuses.ids().is_empty());
        let pinned = get(
            &app,
            &format!("/api/v1/accounts/{alice}/statuses?pinned=true"),
            None,
        )
        .await;
        assert!(pinned.ids().is_empty());
        let tagged = get(
            &app,
            &format!("/api/v1/accounts/{alice}/statuses?tagged=rust"),
            None,
        )
        .await;
        assert_eq!(tagged.ids(), vec![root.to_string()]);

        app.store.follow(bob, alice).await.unwrap();
        app.store.follow(carol, alice).await.unwrap();
        let followers = get(&app, &format!("/api/v1/accounts/{alice}/followers"), None).await;
        assert_eq!(followers.ids(), vec![carol.to_string(), bob.to_string()]);
        let following = get(&app, &format!("/api/v1/accounts/{bob}/following"), None).await;
        assert_eq!(following.ids(), vec![alice.to_string()]);
        let tag = get(&app, "/api/v1/timelines/tag/RUST", None).await;
        assert_eq!(tag.ids(), vec![root.to_string()]);
    });
}

#[tokio::test]
async fn api_unknown_and_garbage_ids() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", Role::User).await;
        let p = post(&app, alice, "x", Visibility::Public).await;
        let missing = p.0 + 1_000_000;
        for path in [
            format!("/api/v1/statuses/{missing}"),
            "/api/v1/statuses/abc".to_owned(),
            "/api/v1/statuses/-1".to_owned(),
            format!("/api/v1/statuses/{missing}/context"),
            format!("/api/v1/statuses/{missing}/favourited_by"),
            format!("/api/v1/accounts/{missing}"),
            "/api/v1/accounts/99999999999999999999999".to_owned(),
            format!("/api/v1/accounts/{missing}/statuses"),
            format!("/api/v1/accounts/{missing}/followers"),
            "/api/v1/accounts/lookup?acct=nobody".to_owned(),
        ] {
            get(&app, &path, None)
                .await
                .assert_error(StatusCode::NOT_FOUND);
        }
        for path in [
            "/api/v1/timelines/public?limit=abc",
            "/api/v1/timelines/public?limit=0",
            "/api/v1/timelines/public?max_id=xyz",
            "/api/v1/timelines/public?since_id=1e5",
            "/api/v2/search",
        ] {
            get(&app, path, None)
                .await
                .assert_error(StatusCode::BAD_REQUEST);
        }
        assert_eq!(
            get(&app, "/api/v1/timelines/tag/%21%21", None).await.ids(),
            Vec::<String>::new(),
            "a malformed tag has no posts"
        );
        get(&app, "/api/v1/timelines/home", None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED);
        get(&app, "/api/v1/timelines/home", Some("not-a-token"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED);
        get(&app, "/api/v1/accounts/verify_credentials", None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED);
    });
}

#[tokio::test]
async fn api_pagination_walks_timelines_with_link_headers() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", Role::User).await;
        let mut written = Vec::new();
        for i in 0..45 {
            written.push(
                post(&app, alice, &format!("post {i} #walk"), Visibility::Public)
                    .await
                    .to_string(),
            );
        }
        written.reverse();
        let token = crate::api_support::api_token(&app, alice, "read").await;
        for start in [
            "/api/v1/timelines/home".to_owned(),
            "/api/v1/timelines/public?local=true".to_owned(),
            format!("/api/v1/accounts/{alice}/statuses?limit=20"),
            "/api/v1/timelines/tag/walk".to_owned(),
        ] {
            let mut seen: Vec<String> = Vec::new();
            let mut url = start.clone();
            loop {
                let page = get(&app, &url, Some(&token)).await;
                let ids = page.ids();
                assert!(ids.len() <= 20, "{start}: default limit 20");
                seen.extend(ids);
                match page.link("next") {
                    Some(next) if seen.len() < 100 => {
                        assert!(next.starts_with(&app.base), "absolute URL: {next}");
                        url = next;
                    }
                    _ => break,
                }
            }
            assert_eq!(seen, written, "{start}: every post once, newest first");
            // Back up from the oldest item with min_id / prev: the same pages, reversed.
            let mut back: Vec<String> = Vec::new();
            let sep = if start.contains('?') { '&' } else { '?' };
            let mut url = format!("{start}{sep}min_id={}", written[44]);
            loop {
                let page = get(&app, &url, Some(&token)).await;
                let ids = page.ids();
                if ids.is_empty() {
                    break;
                }
                back.splice(0..0, ids);
                url = page.link("prev").expect("a non-empty page links prev");
                assert!(back.len() < 100);
            }
            assert_eq!(back, written[..44].to_vec(), "{start}: walking back up");
        }
        let url = "/api/v1/timelines/public?local=true&limit=10";
        let first = get(&app, url, None).await;
        assert_eq!(first.ids(), written[..10].to_vec());
        let next = first.link("next").unwrap();
        assert!(
            next.contains("local=true") && next.contains("limit=10"),
            "{next}"
        );
        let second = get(&app, &next, None).await;
        assert_eq!(second.ids(), written[10..20].to_vec());
        // `prev` of the second page is the page just above it: the first page again.
        let prev = get(&app, &second.link("prev").unwrap(), None).await;
        assert_eq!(prev.ids(), written[..10].to_vec());
        // min_id: the items just above; since_id: the newest items above.
        let oldest = &written[44];
        let page = get(&app, &format!("{url}&min_id={oldest}"), None).await;
        assert_eq!(page.ids(), written[34..44].to_vec());
        let page = get(&app, &format!("{url}&since_id={}", written[5]), None).await;
        assert_eq!(page.ids(), written[..5].to_vec());
        let page = get(&app, &format!("{url}&since_id={}", written[30]), None).await;
        assert_eq!(page.ids(), written[..10].to_vec());
        let page = get(
            &app,
            &format!("{url}&max_id={}&since_id={}", written[2], written[6]),
            None,
        )
        .await;
        assert_eq!(page.ids(), written[3..6].to_vec());
        let big = get(&app, "/api/v1/timelines/public?limit=1000", None).await;
        assert_eq!(big.ids().len(), 40, "limit is clamped to 40");
        let last = get(&app, &format!("{url}&max_id={oldest}"), None).await;
        assert!(last.ids().is_empty());
        assert!(
            last.headers.get("link").is_none(),
            "an empty page has no Link"
        );
        assert_eq!(
            get(&app, "/api/v1/timelines/public?remote=true", None)
                .await
                .ids(),
            Vec::<String>::new()
        );
    });
}

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
