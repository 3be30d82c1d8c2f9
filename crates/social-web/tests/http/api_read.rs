//! Client API reads over real HTTP: entity shapes (snapshots), instance discovery,
//! pagination with `Link` headers, lookups and Mastodon-style errors. Token-dependent reads
//! (scopes, the visibility matrix) are in `api_read_auth.rs`.

use crate::api_support::{assert_snapshot, get, post, post_reply, post_warned};
use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;
use social_core::{Role, Visibility};
use social_store::ProfileUpdate;

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
        let root = post_warned(
            &app,
            alice,
            "hi @bob & @nobody, #Rust\n\nmore at https://x.example/a?b=1",
            "Rust <talk>",
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
        let first = get(
            &app,
            &format!("/api/v1/accounts/{alice}/followers?limit=1"),
            None,
        )
        .await;
        assert_eq!(first.ids(), vec![carol.to_string()]);
        let rest = get(&app, &first.link("next").unwrap(), None).await;
        assert_eq!(rest.ids(), vec![bob.to_string()]);
        let back = get(&app, &rest.link("prev").unwrap(), None).await;
        assert_eq!(back.ids(), vec![carol.to_string()]);
        let favs = get(
            &app,
            &format!("/api/v1/statuses/{root}/favourited_by?limit=1"),
            None,
        )
        .await;
        let more = get(&app, &favs.link("next").unwrap(), None).await;
        assert_eq!(more.ids(), vec![bob.to_string()]);
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
