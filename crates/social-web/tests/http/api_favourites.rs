//! `GET /api/v1/favourites` over real HTTP: newest favourite first, paged both ways by the
//! favourite's own id through the `Link` header, `since_id`, scope and token refusals.

use crate::api_support::{api_token, get};
use crate::api_write_support::{ALL, user};
use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn api_favourites_list_and_pages() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let bob = user(&app, "bob", ALL).await;
        let p1 = alice.status("one", "public").await;
        let p2 = alice.status("two", "public").await;
        let p3 = alice.status("three", "unlisted").await;
        // Favourited out of status order: the list follows the favourites, not the statuses.
        for id in [&p2, &p1, &p3] {
            bob.act("statuses", &id, "favourite").await.ok();
        }
        bob.act("statuses", &p1, "bookmark").await.ok();
        let reader = api_token(&app, bob.id, "read:favourites").await;
        let reader = Some(reader.as_str());

        let all = get(&app, "/api/v1/favourites", reader).await;
        assert_eq!(all.ids(), vec![p3.clone(), p1.clone(), p2.clone()]);
        let list = all.ok().as_array().unwrap();
        assert!(list.iter().all(|s| s["favourited"] == true));
        let marked: Vec<bool> = list
            .iter()
            .map(|s| s["bookmarked"].as_bool().unwrap())
            .collect();
        assert_eq!(marked, vec![false, true, false]);
        assert!(all.link("next").is_none(), "{:?}", all.headers);

        // Older: limit 2, then the `next` link; newer: back through `prev`.
        let first = get(&app, "/api/v1/favourites?limit=2", reader).await;
        assert_eq!(first.ids(), vec![p3.clone(), p1.clone()]);
        let next = first.link("next").expect("a full page links to older ones");
        assert!(
            next.contains("limit=2") && next.contains("max_id="),
            "{next}"
        );
        let older = get(&app, &next, reader).await;
        assert_eq!(older.ids(), vec![p2.clone()]);
        assert!(older.link("next").is_none());
        let prev = older.link("prev").expect("a page links to newer ones");
        assert!(prev.contains("min_id="), "{prev}");
        assert_eq!(
            get(&app, &prev, reader).await.ids(),
            vec![p3.clone(), p1.clone()]
        );

        // The cursors are favourite ids, not status ids: since_id of p2's favourite.
        let fav_of_p2 = prev.rsplit_once("min_id=").unwrap().1.to_owned();
        assert_ne!(fav_of_p2, p2);
        let since = get(
            &app,
            &format!("/api/v1/favourites?since_id={fav_of_p2}&limit=1"),
            reader,
        )
        .await;
        assert_eq!(since.ids(), vec![p3.clone()]);
        let min = get(
            &app,
            &format!("/api/v1/favourites?min_id={fav_of_p2}&limit=1"),
            reader,
        )
        .await;
        assert_eq!(min.ids(), vec![p1.clone()]);

        // Unfavouriting drops it; another viewer has none; a post gone from view drops out.
        bob.act("statuses", &p1, "unfavourite").await.ok();
        let after = get(&app, "/api/v1/favourites", reader).await;
        assert_eq!(after.ids(), vec![p3.clone(), p2.clone()]);
        let alice_reader = api_token(&app, alice.id, "read").await;
        assert!(
            get(&app, "/api/v1/favourites", Some(&alice_reader))
                .await
                .ids()
                .is_empty()
        );
        alice.delete(&format!("/api/v1/statuses/{p3}")).await.ok();
        let after = get(&app, "/api/v1/favourites", reader).await;
        assert_eq!(after.ids(), vec![p2.clone()]);

        // Bad cursors, the wrong scope, no token.
        get(&app, "/api/v1/favourites?max_id=abc", reader)
            .await
            .assert_error(StatusCode::BAD_REQUEST);
        let bookmarks_only = api_token(&app, bob.id, "read:bookmarks").await;
        get(&app, "/api/v1/favourites", Some(&bookmarks_only))
            .await
            .assert_error(StatusCode::FORBIDDEN);
        let writer = api_token(&app, bob.id, "write").await;
        get(&app, "/api/v1/favourites", Some(&writer))
            .await
            .assert_error(StatusCode::FORBIDDEN);
        get(&app, "/api/v1/favourites", None)
            .await
            .assert_error(StatusCode::UNAUTHORIZED);
        get(&app, "/api/v1/favourites", Some("not-a-token"))
            .await
            .assert_error(StatusCode::UNAUTHORIZED);
    });
}
