//! The viewer's block and mute lists (`GET /api/v1/blocks`, `/api/v1/mutes`) and the empty
//! followed-tags list over real HTTP: found missing by toot (`toot blocked`, `toot muted`,
//! `toot tags followed`) in the client tests (tests/api/clients).

use crate::api_write_support::{ALL, token, user};
use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn api_block_and_mute_lists() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let mut others = Vec::new();
        for name in ["bob", "carol", "dave"] {
            others.push(user(&app, name, ALL).await);
        }
        for (verb, list) in [("block", "/api/v1/blocks"), ("mute", "/api/v1/mutes")] {
            assert_eq!(
                alice.get(list).await.ok(),
                json!([]),
                "{list} empty at first"
            );
            for other in &others {
                alice
                    .post(
                        &format!("/api/v1/accounts/{}/{verb}", other.id.0),
                        json!({}),
                    )
                    .await
                    .ok();
            }
            // Newest account first, two a page, with Link.
            let newest_first: Vec<String> =
                others.iter().rev().map(|o| o.id.0.to_string()).collect();
            let first = alice.get(&format!("{list}?limit=2")).await;
            let link = first.link();
            let page = first.ok();
            assert_eq!(ids(&page), newest_first[..2], "{list} first page");
            assert_eq!(page[0]["username"], "dave");
            let next = format!("max_id={}", newest_first[1]);
            assert!(
                link.contains(&next) && link.contains("rel=\"next\""),
                "{link}"
            );
            let rest = alice.get(&format!("{list}?limit=2&{next}")).await.ok();
            assert_eq!(ids(&rest), newest_first[2..], "{list} second page");
            // Only the viewer's own list.
            assert_eq!(others[0].get(list).await.ok(), json!([]), "{list} of bob");
            // Undo empties it again.
            let undo = format!("un{verb}");
            for other in &others {
                alice
                    .post(
                        &format!("/api/v1/accounts/{}/{undo}", other.id.0),
                        json!({}),
                    )
                    .await
                    .ok();
            }
            assert_eq!(alice.get(list).await.ok(), json!([]), "{list} after {undo}");
        }

        // Scopes: read:blocks / read:mutes (or read, or follow); not read:statuses.
        let narrow = token(&app, alice.id, "read:statuses").await;
        for list in ["/api/v1/blocks", "/api/v1/mutes", "/api/v1/followed_tags"] {
            assert_eq!(
                narrow.get(list).await.error(StatusCode::FORBIDDEN),
                "This action is outside the authorized scopes"
            );
        }
        let follow = token(&app, alice.id, "follow").await;
        follow.get("/api/v1/blocks").await.ok();
        follow.get("/api/v1/mutes").await.ok();
        let granular = token(&app, alice.id, "read:blocks read:follows").await;
        granular.get("/api/v1/blocks").await.ok();
        granular
            .get("/api/v1/mutes")
            .await
            .error(StatusCode::FORBIDDEN);
        assert_eq!(granular.get("/api/v1/followed_tags").await.ok(), json!([]));
        let anonymous = reqwest::get(format!("{}/api/v1/blocks", app.base))
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    });
}
