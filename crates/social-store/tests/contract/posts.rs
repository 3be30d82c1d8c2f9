//! Posts: mentions, tags, replies, direct posts, favourites, boosts, deletion, transactions.

use crate::fixtures::{self, post_by};
use social_core::{NotificationKind, PostId, Visibility::*};
use social_store::{Page, Store, StoreError};

pub async fn mentions_tags_and_reply_counts(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let root = post_by(&alice)
        .text("hello @BOB and @nobody #Rust #rust #fun")
        .create(store)
        .await;
    let view = store.get_post_view(Some(bob.id), root.id).await.unwrap();
    assert_eq!(view.mentions.len(), 1);
    assert_eq!(view.mentions[0].account_id, bob.id);
    assert_eq!(view.mentions[0].username, "bob");
    let mut tags = view.tags.clone();
    tags.sort();
    assert_eq!(tags, vec!["fun", "rust"]);
    let reply = post_by(&bob)
        .text("hi back")
        .reply_to(root.id)
        .create(store)
        .await;
    assert_eq!(reply.in_reply_to_id, Some(root.id));
    assert_eq!(reply.in_reply_to_account_id, Some(alice.id));
    assert_eq!(
        store
            .get_post(root.id)
            .await
            .unwrap()
            .unwrap()
            .replies_count,
        1
    );
    assert_eq!(
        store
            .get_account_by_id(alice.id)
            .await
            .unwrap()
            .unwrap()
            .posts_count,
        1
    );
    // Replying to a missing post fails and writes nothing.
    let missing = PostId(reply.id.0 + 1_000_000);
    let err = store
        .create_post(post_by(&bob).reply_to(missing).insert())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
    assert_eq!(
        store
            .get_account_by_id(bob.id)
            .await
            .unwrap()
            .unwrap()
            .posts_count,
        1
    );
}

pub async fn direct_needs_a_mention(store: &Store) {
    let alice = fixtures::alice(store).await;
    let err = store
        .create_post(
            post_by(&alice)
                .text("secret @nobody @alice")
                .visibility(Direct)
                .insert(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(v) if v.field == "text"),
        "{err:?}"
    );
    // The failed transaction left nothing: no post, counters untouched, timelines empty.
    assert_eq!(
        store
            .get_account_by_id(alice.id)
            .await
            .unwrap()
            .unwrap()
            .posts_count,
        0
    );
    assert!(
        store
            .home_timeline(alice.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .account_timeline(Some(alice.id), alice.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn favourites_idempotent(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let p = post_by(&alice).create(store).await;
    store.favourite(bob.id, p.id).await.unwrap();
    store.favourite(bob.id, p.id).await.unwrap();
    assert_eq!(
        store
            .get_post(p.id)
            .await
            .unwrap()
            .unwrap()
            .favourites_count,
        1
    );
    assert!(
        store
            .get_post_view(Some(bob.id), p.id)
            .await
            .unwrap()
            .favourited
    );
    assert!(
        !store
            .get_post_view(Some(alice.id), p.id)
            .await
            .unwrap()
            .favourited
    );
    let notes = store
        .notifications(alice.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].kind, NotificationKind::Favourite);
    assert_eq!(notes[0].post.as_ref().map(|v| v.post.id), Some(p.id));
    store.unfavourite(bob.id, p.id).await.unwrap();
    store.unfavourite(bob.id, p.id).await.unwrap();
    assert_eq!(
        store
            .get_post(p.id)
            .await
            .unwrap()
            .unwrap()
            .favourites_count,
        0
    );
    assert!(
        store
            .notifications(alice.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn boosts_idempotent_and_visibility(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    store.follow(carol.id, bob.id).await.unwrap();
    let p = post_by(&alice).text("boost me").create(store).await;
    let b1 = store.boost(bob.id, p.id).await.unwrap();
    let b2 = store.boost(bob.id, p.id).await.unwrap();
    assert_eq!(b1.id, b2.id);
    assert_eq!(b1.reblog_of_id, Some(p.id));
    assert_eq!(b1.text, "");
    assert_eq!(
        store.get_post(p.id).await.unwrap().unwrap().reblogs_count,
        1
    );
    // Carol follows Bob: she sees the boost, hydrated with the original.
    let home = store
        .home_timeline(carol.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(home.len(), 1);
    let orig = home[0]
        .reblog
        .as_ref()
        .expect("boost view carries the original");
    assert_eq!(orig.post.id, p.id);
    assert_eq!(orig.author.id, alice.id);
    assert!(
        store
            .get_post_view(Some(bob.id), p.id)
            .await
            .unwrap()
            .reblogged
    );
    let kinds: Vec<_> = store
        .notifications(alice.id, Page::first(20))
        .await
        .unwrap()
        .iter()
        .map(|n| n.kind)
        .collect();
    assert_eq!(kinds, vec![NotificationKind::Boost]);
    // Private and direct posts cannot be boosted.
    let private = post_by(&alice).visibility(Private).create(store).await;
    store.follow(bob.id, alice.id).await.unwrap();
    assert!(matches!(
        store.boost(bob.id, private.id).await,
        Err(StoreError::Forbidden { .. })
    ));
    store.unboost(bob.id, p.id).await.unwrap();
    store.unboost(bob.id, p.id).await.unwrap();
    assert_eq!(
        store.get_post(p.id).await.unwrap().unwrap().reblogs_count,
        0
    );
    assert!(store.get_post(b1.id).await.unwrap().is_none());
    assert!(
        store
            .home_timeline(carol.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn deletion_cascades(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    store.follow(bob.id, alice.id).await.unwrap();
    store.follow(carol.id, bob.id).await.unwrap();
    let root = post_by(&bob).text("root").create(store).await;
    let p = post_by(&alice)
        .text("hey @carol #gone")
        .reply_to(root.id)
        .create(store)
        .await;
    store.favourite(bob.id, p.id).await.unwrap();
    let boost = store.boost(bob.id, p.id).await.unwrap();
    assert_eq!(
        store
            .get_post(root.id)
            .await
            .unwrap()
            .unwrap()
            .replies_count,
        1
    );
    // Only the author (or staff) may delete.
    assert!(matches!(
        store.delete_post(&bob, p.id).await,
        Err(StoreError::Forbidden { .. })
    ));
    store.delete_post(&alice, p.id).await.unwrap();
    assert!(store.get_post(p.id).await.unwrap().is_none());
    assert!(store.get_post(boost.id).await.unwrap().is_none());
    assert!(matches!(
        store.get_post_view(Some(alice.id), p.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .get_post(root.id)
            .await
            .unwrap()
            .unwrap()
            .replies_count,
        0
    );
    assert_eq!(
        store
            .get_account_by_id(alice.id)
            .await
            .unwrap()
            .unwrap()
            .posts_count,
        0
    );
    for who in [&alice, &bob, &carol] {
        let home = store.home_timeline(who.id, Page::first(20)).await.unwrap();
        assert!(
            home.iter()
                .all(|v| v.post.id != p.id && v.post.id != boost.id)
        );
    }
    assert!(
        store
            .tag_timeline(None, "gone", Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .notifications(carol.id, Page::first(20))
            .await
            .unwrap()
            .iter()
            .all(|n| n.kind != NotificationKind::Mention)
    );
    assert!(
        store
            .notifications(alice.id, Page::first(20))
            .await
            .unwrap()
            .iter()
            .all(|n| n.kind != NotificationKind::Favourite)
    );
    assert!(matches!(
        store.delete_post(&alice, p.id).await,
        Err(StoreError::NotFound)
    ));
    // Staff may delete someone else's post.
    let mut admin = fixtures::dave(store).await;
    admin.role = social_core::Role::Admin;
    store.delete_post(&admin, root.id).await.unwrap();
    assert!(store.get_post(root.id).await.unwrap().is_none());
}

pub async fn blocked_cannot_interact(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let p = post_by(&alice).create(store).await;
    store.block(alice.id, bob.id).await.unwrap();
    assert!(matches!(
        store.favourite(bob.id, p.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.boost(bob.id, p.id).await,
        Err(StoreError::NotFound)
    ));
    let reply = store
        .create_post(post_by(&bob).reply_to(p.id).insert())
        .await;
    assert!(matches!(reply, Err(StoreError::NotFound)));
    assert!(matches!(
        store.get_post_view(Some(bob.id), p.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.follow(bob.id, alice.id).await,
        Err(StoreError::Forbidden { .. })
    ));
    // Mentions from a blocked account do not notify.
    post_by(&bob).text("@alice hello").create(store).await;
    assert!(
        store
            .notifications(alice.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
    store.unblock(alice.id, bob.id).await.unwrap();
    store.favourite(bob.id, p.id).await.unwrap();
}

/// Posts created at the same moment share a transaction on SQLite (group commit); each must
/// still succeed or fail on its own: the good ones are written and fanned out, the bad ones
/// answer their own error and leave nothing behind, and one idempotency key still makes one
/// post.
pub async fn concurrent_posts_succeed_or_fail_alone(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    store.follow(bob.id, alice.id).await.unwrap();
    let missing = PostId(i64::MAX - 7);
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = store.clone();
        let author = alice.clone();
        tasks.push(tokio::spawn(async move {
            match i % 5 {
                // A reply to a post that does not exist.
                1 => store
                    .create_post(post_by(&author).text("lost").reply_to(missing).insert())
                    .await
                    .map(|_| (i, true)),
                // A direct post that mentions nobody.
                2 => store
                    .create_post(
                        post_by(&author)
                            .text("to nobody")
                            .visibility(Direct)
                            .insert(),
                    )
                    .await
                    .map(|_| (i, true)),
                // Six requests with one key.
                3 => store
                    .create_post_idempotent(post_by(&author).text("keyed").insert(), "same")
                    .await
                    .map(|k| (i, k.created)),
                _ => store
                    .create_post(post_by(&author).text(&format!("good {i}")).insert())
                    .await
                    .map(|_| (i, true)),
            }
        }));
    }
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok((i, new)) => {
                assert!(
                    i % 5 == 0 || i % 5 == 3 || i % 5 == 4,
                    "post {i} should fail"
                );
                created += usize::from(new);
            }
            Err(StoreError::NotFound) | Err(StoreError::Invalid(_)) => {}
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    // 6 × "good" (i % 5 == 0), 6 × "good" (i % 5 == 4), one keyed post.
    assert_eq!(created, 13);
    let a = store.get_account_by_id(alice.id).await.unwrap().unwrap();
    assert_eq!(a.posts_count, 13);
    let home = store.home_timeline(bob.id, Page::first(40)).await.unwrap();
    let mut texts: Vec<&str> = home.iter().map(|v| v.post.text.as_str()).collect();
    texts.sort_unstable();
    let mut want: Vec<String> = (0..30)
        .filter(|i| i % 5 == 0 || i % 5 == 4)
        .map(|i| format!("good {i}"))
        .collect();
    want.push("keyed".into());
    want.sort_unstable();
    assert_eq!(texts, want);
    let own = store
        .account_timeline(Some(alice.id), alice.id, Page::first(40))
        .await
        .unwrap();
    assert_eq!(own.len(), 13, "nothing of the failed posts was written");
}
