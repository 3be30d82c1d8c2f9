//! Who sees which post where: each visibility on home, profile, local, tag and thread for the
//! author, a follower, a mentioned account, a stranger and an anonymous viewer; pagination.

use crate::fixtures::{self, post_by};
use social_core::{AccountId, PostId, Visibility, Visibility::*};
use social_store::{Page, Store, StoreError};

pub async fn ids_home(store: &Store, who: AccountId) -> Vec<PostId> {
    store
        .home_timeline(who, Page::first(40))
        .await
        .unwrap()
        .iter()
        .map(|v| v.post.id)
        .collect()
}
pub async fn ids_profile(store: &Store, who: Option<AccountId>, author: AccountId) -> Vec<PostId> {
    store
        .account_timeline(who, author, Page::first(40))
        .await
        .unwrap()
        .iter()
        .map(|v| v.post.id)
        .collect()
}
pub async fn ids_local(store: &Store, who: Option<AccountId>) -> Vec<PostId> {
    store
        .local_timeline(who, Page::first(40))
        .await
        .unwrap()
        .iter()
        .map(|v| v.post.id)
        .collect()
}
pub async fn ids_tag(store: &Store, who: Option<AccountId>, tag: &str) -> Vec<PostId> {
    store
        .tag_timeline(who, tag, Page::first(40))
        .await
        .unwrap()
        .iter()
        .map(|v| v.post.id)
        .collect()
}

pub async fn visibility_matrix(store: &Store) {
    let author = fixtures::alice(store).await;
    let follower = fixtures::bob(store).await;
    let mentioned = fixtures::carol(store).await;
    let stranger = fixtures::dave(store).await;
    store.follow(follower.id, author.id).await.unwrap();
    let mut posts = Vec::new();
    for v in Visibility::ALL {
        let p = post_by(&author)
            .text(&format!("{v} for @carol #Tag"))
            .visibility(v)
            .create(store)
            .await;
        posts.push((v, p.id));
    }
    let id = |v: Visibility| {
        posts
            .iter()
            .find(|(w, _)| *w == v)
            .map(|(_, id)| *id)
            .unwrap()
    };
    let newest_first = |vs: &[Visibility]| vs.iter().rev().map(|v| id(*v)).collect::<Vec<_>>();

    // Home.
    assert_eq!(
        ids_home(store, author.id).await,
        newest_first(&[Public, Unlisted, Private, Direct])
    );
    assert_eq!(
        ids_home(store, follower.id).await,
        newest_first(&[Public, Unlisted, Private])
    );
    assert_eq!(ids_home(store, mentioned.id).await, newest_first(&[Direct]));
    assert_eq!(ids_home(store, stranger.id).await, Vec::<PostId>::new());
    // Profile.
    assert_eq!(
        ids_profile(store, Some(author.id), author.id).await,
        newest_first(&[Public, Unlisted, Private, Direct])
    );
    assert_eq!(
        ids_profile(store, Some(follower.id), author.id).await,
        newest_first(&[Public, Unlisted, Private])
    );
    assert_eq!(
        ids_profile(store, Some(mentioned.id), author.id).await,
        newest_first(&[Public, Unlisted, Private, Direct])
    );
    assert_eq!(
        ids_profile(store, Some(stranger.id), author.id).await,
        newest_first(&[Public, Unlisted])
    );
    assert_eq!(
        ids_profile(store, None, author.id).await,
        newest_first(&[Public, Unlisted])
    );
    // Local and tag: public only, for everyone.
    for who in [Some(author.id), Some(follower.id), Some(stranger.id), None] {
        assert_eq!(ids_local(store, who).await, vec![id(Public)]);
        assert_eq!(ids_tag(store, who, "#TAG").await, vec![id(Public)]);
    }
    // Single post / thread.
    for v in Visibility::ALL {
        let expect = |ok: bool, r: Result<_, StoreError>| match (ok, r) {
            (true, Ok(_)) | (false, Err(StoreError::NotFound)) => {}
            (ok, r) => panic!(
                "{v}: expected visible={ok}, got {:?}",
                r.map(|t: social_store::Thread| t.focus.post.id)
            ),
        };
        expect(true, store.thread(Some(author.id), id(v)).await);
        expect(v != Direct, store.thread(Some(follower.id), id(v)).await);
        expect(true, store.thread(Some(mentioned.id), id(v)).await);
        expect(
            matches!(v, Public | Unlisted),
            store.thread(Some(stranger.id), id(v)).await,
        );
        expect(
            matches!(v, Public | Unlisted),
            store.thread(None, id(v)).await,
        );
    }
}

pub async fn threads(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    let root = post_by(&alice).text("root").create(store).await;
    let r1 = post_by(&bob)
        .text("r1")
        .reply_to(root.id)
        .create(store)
        .await;
    let r2 = post_by(&carol)
        .text("r2")
        .reply_to(root.id)
        .create(store)
        .await;
    let r1a = post_by(&alice)
        .text("r1a")
        .reply_to(r1.id)
        .create(store)
        .await;
    let hidden = post_by(&bob)
        .text("only followers")
        .visibility(Private)
        .reply_to(r2.id)
        .create(store)
        .await;
    let t = store.thread(Some(carol.id), r1.id).await.unwrap();
    assert_eq!(
        t.ancestors.iter().map(|v| v.post.id).collect::<Vec<_>>(),
        vec![root.id]
    );
    assert_eq!(t.focus.post.id, r1.id);
    assert_eq!(
        t.descendants.iter().map(|v| v.post.id).collect::<Vec<_>>(),
        vec![r1a.id]
    );
    let t = store.thread(None, root.id).await.unwrap();
    assert!(t.ancestors.is_empty());
    assert_eq!(
        t.descendants.iter().map(|v| v.post.id).collect::<Vec<_>>(),
        vec![r1.id, r1a.id, r2.id]
    );
    let t = store.thread(Some(bob.id), root.id).await.unwrap();
    assert_eq!(
        t.descendants.iter().map(|v| v.post.id).collect::<Vec<_>>(),
        vec![r1.id, r1a.id, r2.id, hidden.id]
    );
    // Replies count, and notifications for the replied-to author.
    assert_eq!(t.focus.post.replies_count, 2);
    // A block hides the blocker's posts in the thread.
    store.block(carol.id, alice.id).await.unwrap();
    let t = store.thread(Some(bob.id), r2.id).await.unwrap();
    assert_eq!(t.ancestors.len(), 1);
    let t = store.thread(Some(carol.id), r2.id).await.unwrap();
    assert!(t.ancestors.is_empty());
    assert!(matches!(
        store.thread(Some(carol.id), root.id).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn reply_fan_out_like_mastodon(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    let dave = fixtures::dave(store).await;
    // Carol and Dave follow Alice; only Carol also follows Bob.
    for (f, t) in [
        (carol.id, alice.id),
        (dave.id, alice.id),
        (carol.id, bob.id),
    ] {
        store.follow(f, t).await.unwrap();
    }
    let bobs = post_by(&bob).text("question").create(store).await;
    let reply = post_by(&alice)
        .text("answer")
        .reply_to(bobs.id)
        .create(store)
        .await;
    assert!(ids_home(store, carol.id).await.contains(&reply.id));
    assert!(!ids_home(store, dave.id).await.contains(&reply.id));
    assert!(ids_home(store, alice.id).await.contains(&reply.id));
}

pub async fn pagination(store: &Store) {
    let alice = fixtures::alice(store).await;
    let mut all = Vec::new();
    for i in 0..25 {
        all.push(
            post_by(&alice)
                .text(&format!("post {i}"))
                .create(store)
                .await
                .id,
        );
    }
    all.reverse(); // newest first
    for (name, fetch) in [("home", 0), ("local", 1), ("profile", 2)] {
        let get = |page: Page| async move {
            let v = match fetch {
                0 => store.home_timeline(alice.id, page).await,
                1 => store.local_timeline(None, page).await,
                _ => store.account_timeline(None, alice.id, page).await,
            };
            v.unwrap()
                .into_iter()
                .map(|v| v.post.id)
                .collect::<Vec<_>>()
        };
        let p1 = get(Page {
            max_id: None,
            min_id: None,
            limit: 10,
        })
        .await;
        let p2 = get(Page {
            max_id: Some(p1[9].0),
            min_id: None,
            limit: 10,
        })
        .await;
        let p3 = get(Page {
            max_id: Some(p2[9].0),
            min_id: None,
            limit: 10,
        })
        .await;
        let joined: Vec<_> = p1.iter().chain(&p2).chain(&p3).copied().collect();
        assert_eq!(joined, all, "{name}: pages have no gaps or duplicates");
        assert_eq!(p3.len(), 5);
        // min_id: the items right above it, newest first.
        let above = get(Page {
            max_id: None,
            min_id: Some(all[20].0),
            limit: 5,
        })
        .await;
        assert_eq!(above, all[15..20].to_vec(), "{name}: min_id page");
        let between = get(Page {
            max_id: Some(all[2].0),
            min_id: Some(all[6].0),
            limit: 40,
        })
        .await;
        assert_eq!(between, all[3..6].to_vec(), "{name}: max_id and min_id");
    }
}

/// The home timeline shows the rows as they are now, however often it was read before: a
/// post favourited, an original favourited by the viewer, an author renamed, a boosted
/// author's bio changed, a post deleted (PostgreSQL keeps the rows it read in memory, by
/// version; SQLite reads them every time).
pub async fn home_shows_rows_changed_after_they_were_read(store: &Store) {
    let author = fixtures::alice(store).await;
    let viewer = fixtures::bob(store).await;
    let boosted = fixtures::carol(store).await;
    let fan = fixtures::dave(store).await;
    store.follow(viewer.id, author.id).await.unwrap();
    let own = post_by(&author).text("first words").create(store).await;
    let original = post_by(&boosted).text("worth sharing").create(store).await;
    let boost = store.boost(author.id, original.id).await.unwrap();
    let read = || async {
        let (page, _) = store.home_page(viewer.id, Page::first(20)).await.unwrap();
        let again = store
            .home_timeline(viewer.id, Page::first(20))
            .await
            .unwrap();
        assert_eq!(
            page.iter().map(|v| v.post.id).collect::<Vec<_>>(),
            again.iter().map(|v| v.post.id).collect::<Vec<_>>()
        );
        page
    };
    // Twice: the second read is the one a row cache would answer.
    for _ in 0..2 {
        let page = read().await;
        assert_eq!(
            page.iter().map(|v| v.post.id).collect::<Vec<_>>(),
            vec![boost.id, own.id]
        );
        assert_eq!(page[1].post.favourites_count, 0);
        assert_eq!(page[1].author.display_name, author.display_name);
        let shared = page[0].reblog.as_deref().expect("the boost's original");
        assert!(!shared.favourited);
        assert_eq!(shared.post.favourites_count, 0);
    }

    store.favourite(fan.id, own.id).await.unwrap();
    store.favourite(viewer.id, original.id).await.unwrap();
    store
        .update_profile(
            author.id,
            social_store::ProfileUpdate {
                display_name: "Alice Renamed".into(),
                bio: author.bio.clone(),
                locked: false,
            },
        )
        .await
        .unwrap();
    store
        .update_profile(
            boosted.id,
            social_store::ProfileUpdate {
                display_name: boosted.display_name.clone(),
                bio: "a new bio".into(),
                locked: false,
            },
        )
        .await
        .unwrap();
    for _ in 0..2 {
        let page = read().await;
        assert_eq!(page[1].post.favourites_count, 1, "a stale post row");
        assert_eq!(
            page[1].author.display_name, "Alice Renamed",
            "a stale author"
        );
        assert_eq!(page[0].author.display_name, "Alice Renamed");
        let shared = page[0].reblog.as_deref().expect("the boost's original");
        assert!(shared.favourited, "the viewer's favourite is not shown");
        assert_eq!(shared.post.favourites_count, 1, "a stale original");
        assert_eq!(shared.author.bio, "a new bio", "a stale original's author");
    }

    store.delete_post(&author, own.id).await.unwrap();
    let page = read().await;
    assert_eq!(
        page.iter().map(|v| v.post.id).collect::<Vec<_>>(),
        vec![boost.id]
    );
}
