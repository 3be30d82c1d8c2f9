//! What the client API adds: bookmarks, the favourites list, idempotent post creation, markers, notification
//! get / dismiss / clear and kind filters.

use crate::fixtures::{self, post_by};
use social_core::{NotificationKind, PostId, Visibility::*};
use social_store::{NotificationFilter, Page, Store, StoreError};

pub async fn bookmarks(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    let p1 = post_by(&alice).text("one").create(store).await;
    let p2 = post_by(&alice).text("two").create(store).await;
    let private = post_by(&alice).visibility(Private).create(store).await;
    let boost = store.boost(carol.id, p1.id).await.unwrap();

    // A boost bookmarks its original; twice is once.
    assert_eq!(store.bookmark(bob.id, boost.id).await.unwrap(), p1.id);
    assert_eq!(store.bookmark(bob.id, p1.id).await.unwrap(), p1.id);
    store.bookmark(bob.id, p2.id).await.unwrap();
    // A post bob may not see cannot be bookmarked, nor can a missing one.
    assert!(matches!(
        store.bookmark(bob.id, private.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.bookmark(bob.id, PostId(12345)).await,
        Err(StoreError::NotFound)
    ));

    let page = store.bookmarks(bob.id, Page::first(20)).await.unwrap();
    let ids: Vec<_> = page.iter().map(|(_, v)| v.post.id).collect();
    assert_eq!(ids, vec![p2.id, p1.id], "most recently bookmarked first");
    // Pagination by bookmark id.
    let first = store.bookmarks(bob.id, Page::first(1)).await.unwrap();
    assert_eq!(first.len(), 1);
    let older = store
        .bookmarks(
            bob.id,
            Page {
                max_id: Some(first[0].0),
                min_id: None,
                limit: 20,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        older.iter().map(|(_, v)| v.post.id).collect::<Vec<_>>(),
        vec![p1.id]
    );
    let newer = store
        .bookmarks(
            bob.id,
            Page {
                max_id: None,
                min_id: Some(older[0].0),
                limit: 20,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        newer.iter().map(|(_, v)| v.post.id).collect::<Vec<_>>(),
        vec![p2.id]
    );

    let flags = store
        .bookmarked_among(bob.id, &[p1.id, p2.id, private.id, boost.id])
        .await
        .unwrap();
    assert_eq!(flags, [p1.id, p2.id].into_iter().collect());
    assert!(
        store
            .bookmarked_among(carol.id, &[p1.id])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .bookmarked_among(bob.id, &[])
            .await
            .unwrap()
            .is_empty()
    );

    store.unbookmark(bob.id, p2.id).await.unwrap();
    store.unbookmark(bob.id, p2.id).await.unwrap();
    let ids: Vec<_> = store
        .bookmarks(bob.id, Page::first(20))
        .await
        .unwrap()
        .iter()
        .map(|(_, v)| v.post.id)
        .collect();
    assert_eq!(ids, vec![p1.id]);

    // A bookmarked post that becomes invisible (a block) drops out; a deleted one is gone.
    store.block(alice.id, bob.id).await.unwrap();
    assert!(
        store
            .bookmarks(bob.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
    store.unblock(alice.id, bob.id).await.unwrap();
    store.delete_post(&alice, p1.id).await.unwrap();
    assert!(
        store
            .bookmarks(bob.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
}

/// The favourites list: newest favourite first, paged by favourite id, posts out of view
/// left out.
pub async fn favourites_list(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let p1 = post_by(&alice).text("one").create(store).await;
    let p2 = post_by(&alice).text("two").create(store).await;
    let gone = post_by(&alice).text("three").create(store).await;
    for p in [&p2, &p1, &gone] {
        store.favourite(bob.id, p.id).await.unwrap();
    }
    store.delete_post(&alice, gone.id).await.unwrap();
    let ids = |page: &[(i64, social_store::PostView)]| {
        page.iter().map(|(_, v)| v.post.id).collect::<Vec<_>>()
    };
    let all = store.favourites(bob.id, Page::first(20)).await.unwrap();
    assert_eq!(
        ids(&all),
        vec![p1.id, p2.id],
        "most recently favourited first"
    );
    assert!(all.iter().all(|(_, v)| v.favourited));
    assert!(
        all[0].0 > all[1].0,
        "cursors are favourite ids, newest highest"
    );
    let older = Page {
        max_id: Some(all[0].0),
        min_id: None,
        limit: 20,
    };
    assert_eq!(
        ids(&store.favourites(bob.id, older).await.unwrap()),
        vec![p2.id]
    );
    let newer = Page {
        max_id: None,
        min_id: Some(all[1].0),
        limit: 20,
    };
    assert_eq!(
        ids(&store.favourites(bob.id, newer).await.unwrap()),
        vec![p1.id]
    );
    assert!(
        store
            .favourites(alice.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Content warnings and sensitive media are stored and read back on every read path (one
/// post, the batched timelines, the SQLite fast path of home, boosts); a warning implies
/// `sensitive`.
pub async fn content_warnings(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let warned = post_by(&alice).warning("spoilers").create(store).await;
    assert_eq!(
        (warned.spoiler_text.as_str(), warned.sensitive),
        ("spoilers", true)
    );
    let sensitive = post_by(&alice).sensitive().create(store).await;
    assert_eq!(
        (sensitive.spoiler_text.as_str(), sensitive.sensitive),
        ("", true)
    );
    let plain = post_by(&alice).create(store).await;
    assert_eq!((plain.spoiler_text.as_str(), plain.sensitive), ("", false));
    let stored = store.get_post(warned.id).await.unwrap().unwrap();
    assert_eq!(stored, warned);
    let flags = |views: &[social_store::PostView]| {
        views
            .iter()
            .map(|v| (v.post.spoiler_text.clone(), v.post.sensitive))
            .collect::<Vec<_>>()
    };
    let want = vec![
        (String::new(), false),
        (String::new(), true),
        ("spoilers".to_owned(), true),
    ];
    let local = store.local_timeline(None, Page::first(20)).await.unwrap();
    assert_eq!(flags(&local), want);
    let home = store
        .home_timeline(alice.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(flags(&home), want);
    let boost = store.boost(bob.id, warned.id).await.unwrap();
    assert_eq!((boost.spoiler_text.as_str(), boost.sensitive), ("", false));
    let view = store.get_post_view(Some(bob.id), boost.id).await.unwrap();
    let original = view.reblog.expect("a boost shows its original");
    assert_eq!(original.post.spoiler_text, "spoilers");
    let bobs = store
        .account_timeline(None, bob.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(
        bobs[0].reblog.as_ref().unwrap().post.spoiler_text,
        "spoilers"
    );
}

pub async fn idempotent_create(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let first = store
        .create_post_idempotent(post_by(&alice).text("once").insert(), "key-1")
        .await
        .unwrap();
    assert!(first.created);
    let again = store
        .create_post_idempotent(post_by(&alice).text("once").insert(), "key-1")
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.post.id, first.post.id);
    // Another key, or the same key of another account, is another post.
    let other = store
        .create_post_idempotent(post_by(&alice).text("once").insert(), "key-2")
        .await
        .unwrap();
    assert!(other.created);
    assert_ne!(other.post.id, first.post.id);
    let bobs = store
        .create_post_idempotent(post_by(&bob).text("once").insert(), "key-1")
        .await
        .unwrap();
    assert!(bobs.created);
    let a = store.get_account_by_id(alice.id).await.unwrap().unwrap();
    assert_eq!(a.posts_count, 2);

    // A failed create (reply to a missing post) leaves the key unused.
    let bad = post_by(&alice).reply_to(PostId(999)).insert();
    assert!(matches!(
        store.create_post_idempotent(bad, "key-3").await,
        Err(StoreError::NotFound)
    ));
    let ok = store
        .create_post_idempotent(post_by(&alice).insert(), "key-3")
        .await
        .unwrap();
    assert!(ok.created);

    // A deleted post frees its key.
    store.delete_post(&alice, first.post.id).await.unwrap();
    let fresh = store
        .create_post_idempotent(post_by(&alice).text("once").insert(), "key-1")
        .await
        .unwrap();
    assert!(fresh.created);
    assert_ne!(fresh.post.id, first.post.id);

    // Concurrent requests with one key: one post.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let insert = post_by(&bob).text("raced").insert();
        tasks.push(tokio::spawn(async move {
            store.create_post_idempotent(insert, "race").await.unwrap()
        }));
    }
    let mut ids = Vec::new();
    let mut created = 0;
    for t in tasks {
        let r = t.await.unwrap();
        ids.push(r.post.id);
        created += usize::from(r.created);
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 1, "one post for one key: {ids:?}");
    assert_eq!(created, 1);
    let b = store.get_account_by_id(bob.id).await.unwrap().unwrap();
    assert_eq!(b.posts_count, 2);
}

pub async fn markers(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    assert!(
        store
            .get_markers(alice.id, &["home", "notifications"])
            .await
            .unwrap()
            .is_empty()
    );
    let m1 = store.put_marker(alice.id, "home", 100).await.unwrap();
    assert_eq!(
        (m1.timeline.as_str(), m1.last_read_id, m1.version),
        ("home", 100, 1)
    );
    let m2 = store.put_marker(alice.id, "home", 200).await.unwrap();
    assert_eq!((m2.last_read_id, m2.version), (200, 2));
    assert!(m2.updated_at_ms >= m1.updated_at_ms);
    let got = store.get_markers(alice.id, &["home"]).await.unwrap();
    assert_eq!(got, vec![m2.clone()]);
    assert!(
        store
            .get_markers(bob.id, &["home"])
            .await
            .unwrap()
            .is_empty()
    );

    // The notifications marker is the web UI's read position too.
    post_by(&bob).text("@alice hi").create(store).await;
    let n = store
        .notifications(alice.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(store.count_unread_notifications(alice.id).await.unwrap(), 1);
    store
        .put_marker(alice.id, "notifications", n[0].id.0)
        .await
        .unwrap();
    assert_eq!(store.count_unread_notifications(alice.id).await.unwrap(), 0);
    let both = store
        .get_markers(alice.id, &["home", "notifications"])
        .await
        .unwrap();
    assert_eq!(both.len(), 2);
}

pub async fn notification_get_dismiss_clear(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    let p = post_by(&alice).text("hello").create(store).await;
    store.favourite(bob.id, p.id).await.unwrap();
    store.follow(bob.id, alice.id).await.unwrap();
    post_by(&carol).text("@alice @bob hey").create(store).await;
    let all = store
        .notifications(alice.id, Page::first(20))
        .await
        .unwrap();
    let kinds: Vec<_> = all.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        vec![
            NotificationKind::Mention,
            NotificationKind::Follow,
            NotificationKind::Favourite
        ]
    );

    // Filters.
    let only = |kinds: Vec<NotificationKind>| NotificationFilter {
        kinds: Some(kinds),
        ..NotificationFilter::default()
    };
    let f = store
        .notifications_filtered(
            alice.id,
            Page::first(20),
            &only(vec![NotificationKind::Follow, NotificationKind::Favourite]),
        )
        .await
        .unwrap();
    assert_eq!(
        f.iter().map(|n| n.kind).collect::<Vec<_>>(),
        vec![NotificationKind::Follow, NotificationKind::Favourite]
    );
    let ex = NotificationFilter {
        exclude_kinds: vec![NotificationKind::Follow],
        ..NotificationFilter::default()
    };
    let f = store
        .notifications_filtered(alice.id, Page::first(20), &ex)
        .await
        .unwrap();
    assert_eq!(
        f.iter().map(|n| n.kind).collect::<Vec<_>>(),
        vec![NotificationKind::Mention, NotificationKind::Favourite]
    );
    assert!(
        store
            .notifications_filtered(alice.id, Page::first(20), &only(vec![]))
            .await
            .unwrap()
            .is_empty()
    );

    // Get: the owner only.
    let fav = &all[2];
    let got = store.get_notification(alice.id, fav.id).await.unwrap();
    assert_eq!((got.id, got.kind, got.from.id), (fav.id, fav.kind, bob.id));
    assert_eq!(got.post.as_ref().map(|v| v.post.id), Some(p.id));
    assert!(matches!(
        store.get_notification(bob.id, fav.id).await,
        Err(StoreError::NotFound)
    ));

    // Dismiss: not someone else's.
    assert!(matches!(
        store.dismiss_notification(bob.id, fav.id).await,
        Err(StoreError::NotFound)
    ));
    store.dismiss_notification(alice.id, fav.id).await.unwrap();
    assert!(matches!(
        store.dismiss_notification(alice.id, fav.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_notification(alice.id, fav.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .notifications(alice.id, Page::first(20))
            .await
            .unwrap()
            .len(),
        2
    );

    // Clear: only the caller's.
    let bobs_before = store.notifications(bob.id, Page::first(20)).await.unwrap();
    assert_eq!(bobs_before.len(), 1);
    assert_eq!(store.clear_notifications(alice.id).await.unwrap(), 2);
    assert!(
        store
            .notifications(alice.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .notifications(bob.id, Page::first(20))
            .await
            .unwrap()
            .len(),
        1
    );
}
