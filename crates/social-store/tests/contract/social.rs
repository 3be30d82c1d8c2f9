//! Follows, locked accounts, blocks, mutes, and notifications.

use crate::fixtures::{self, post_by};
use social_core::{NotificationKind, Visibility::*};
use social_store::{FollowOutcome, Page, ProfileUpdate, Store, StoreError};

pub async fn follow_counts_and_backfill(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let old = post_by(&alice)
        .text("before the follow")
        .create(store)
        .await;
    let private = post_by(&alice).visibility(Private).create(store).await;
    assert_eq!(
        store.follow(bob.id, alice.id).await.unwrap(),
        FollowOutcome::Following
    );
    assert_eq!(
        store.follow(bob.id, alice.id).await.unwrap(),
        FollowOutcome::Following
    );
    assert!(matches!(
        store.follow(bob.id, bob.id).await,
        Err(StoreError::Invalid(_))
    ));
    let a = store.get_account_by_id(alice.id).await.unwrap().unwrap();
    let b = store.get_account_by_id(bob.id).await.unwrap().unwrap();
    assert_eq!((a.followers_count, b.following_count), (1, 1));
    let home: Vec<_> = store
        .home_timeline(bob.id, Page::first(20))
        .await
        .unwrap()
        .iter()
        .map(|v| v.post.id)
        .collect();
    assert_eq!(home, vec![private.id, old.id]);
    let rel = store.relationship(bob.id, alice.id).await.unwrap();
    assert!(rel.following && !rel.followed_by && !rel.requested);
    assert!(
        store
            .relationship(alice.id, bob.id)
            .await
            .unwrap()
            .followed_by
    );
    let followers = store.followers(alice.id, Page::first(20)).await.unwrap();
    assert_eq!(
        followers.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![bob.id]
    );
    let following = store.following(bob.id, Page::first(20)).await.unwrap();
    assert_eq!(
        following.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![alice.id]
    );
    let notes = store
        .notifications(alice.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(
        notes.iter().map(|n| n.kind).collect::<Vec<_>>(),
        vec![NotificationKind::Follow]
    );
    store.unfollow(bob.id, alice.id).await.unwrap();
    store.unfollow(bob.id, alice.id).await.unwrap();
    let a = store.get_account_by_id(alice.id).await.unwrap().unwrap();
    assert_eq!(a.followers_count, 0);
    assert!(
        store
            .home_timeline(bob.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn locked_account_requests(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    store
        .update_profile(
            alice.id,
            ProfileUpdate {
                display_name: String::new(),
                bio: String::new(),
                locked: true,
            },
        )
        .await
        .unwrap();
    let p = post_by(&alice).visibility(Private).create(store).await;
    assert_eq!(
        store.follow(bob.id, alice.id).await.unwrap(),
        FollowOutcome::Requested
    );
    assert_eq!(
        store.follow(carol.id, alice.id).await.unwrap(),
        FollowOutcome::Requested
    );
    assert!(
        store
            .relationship(bob.id, alice.id)
            .await
            .unwrap()
            .requested
    );
    let reqs = store
        .list_follow_requests(alice.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(
        reqs.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![bob.id, carol.id]
    );
    let kinds: Vec<_> = store
        .notifications(alice.id, Page::first(20))
        .await
        .unwrap()
        .iter()
        .map(|n| n.kind)
        .collect();
    assert_eq!(kinds, vec![NotificationKind::FollowRequest; 2]);
    assert!(ids(store, bob.id).await.is_empty());
    store
        .authorize_follow_request(alice.id, bob.id)
        .await
        .unwrap();
    assert!(matches!(
        store.authorize_follow_request(alice.id, bob.id).await,
        Err(StoreError::NotFound)
    ));
    store
        .reject_follow_request(alice.id, carol.id)
        .await
        .unwrap();
    assert!(
        store
            .list_follow_requests(alice.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(ids(store, bob.id).await, vec![p.id]);
    assert!(ids(store, carol.id).await.is_empty());
    let rel = store.relationship(carol.id, alice.id).await.unwrap();
    assert!(!rel.following && !rel.requested);
    assert_eq!(
        store
            .get_account_by_id(alice.id)
            .await
            .unwrap()
            .unwrap()
            .followers_count,
        1
    );
}

async fn ids(store: &Store, who: social_core::AccountId) -> Vec<social_core::PostId> {
    store
        .home_timeline(who, Page::first(40))
        .await
        .unwrap()
        .iter()
        .map(|v| v.post.id)
        .collect()
}

pub async fn block_effects(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    store.follow(alice.id, bob.id).await.unwrap();
    store.follow(bob.id, alice.id).await.unwrap();
    store.follow(carol.id, bob.id).await.unwrap();
    let bp = post_by(&bob).text("bob's").create(store).await;
    let ap = post_by(&alice).text("alice's").create(store).await;
    // Carol boosts Alice's post; Carol's follower Bob then blocks Alice.
    store.follow(bob.id, carol.id).await.unwrap();
    store.boost(carol.id, ap.id).await.unwrap();
    store.block(bob.id, alice.id).await.unwrap();
    let rel = store.relationship(bob.id, alice.id).await.unwrap();
    assert!(rel.blocking && !rel.following && !rel.followed_by);
    assert!(
        store
            .relationship(alice.id, bob.id)
            .await
            .unwrap()
            .blocked_by
    );
    assert_eq!(
        store
            .get_account_by_id(alice.id)
            .await
            .unwrap()
            .unwrap()
            .followers_count,
        0
    );
    assert_eq!(
        store
            .get_account_by_id(alice.id)
            .await
            .unwrap()
            .unwrap()
            .following_count,
        0
    );
    assert!(!ids(store, alice.id).await.contains(&bp.id));
    // Neither Alice's posts nor boosts of them reach Bob anywhere.
    let bob_home = store.home_timeline(bob.id, Page::first(40)).await.unwrap();
    assert!(bob_home.iter().all(|v| v.post.author_id != alice.id
        && v.reblog.as_ref().is_none_or(|o| o.author.id != alice.id)));
    assert!(
        store
            .local_timeline(Some(bob.id), Page::first(40))
            .await
            .unwrap()
            .iter()
            .all(|v| v.author.id != alice.id)
    );
    assert!(
        store
            .account_timeline(Some(bob.id), alice.id, Page::first(40))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .account_timeline(Some(alice.id), bob.id, Page::first(40))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .account_timeline(Some(bob.id), carol.id, Page::first(40))
            .await
            .unwrap()
            .is_empty()
    );
    // Alice's older notifications to Bob (her follow) are hidden.
    assert!(
        store
            .notifications(bob.id, Page::first(20))
            .await
            .unwrap()
            .iter()
            .all(|n| n.from.id != alice.id)
    );
    assert!(matches!(
        store.follow(alice.id, bob.id).await,
        Err(StoreError::Forbidden { .. })
    ));
    store.unblock(bob.id, alice.id).await.unwrap();
    assert!(!store.relationship(bob.id, alice.id).await.unwrap().blocking);
    assert_eq!(
        store.follow(alice.id, bob.id).await.unwrap(),
        FollowOutcome::Following
    );
}

pub async fn mute_effects(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    store.follow(bob.id, alice.id).await.unwrap();
    let p = post_by(&alice).text("hi @bob #muted").create(store).await;
    assert_eq!(store.count_unread_notifications(bob.id).await.unwrap(), 1);
    // The home page's combined read agrees with the separate ones (a page with rows).
    let (page, unread) = store.home_page(bob.id, Page::first(20)).await.unwrap();
    assert_eq!(
        page.iter().map(|v| v.post.id).collect::<Vec<_>>(),
        vec![p.id]
    );
    assert_eq!(unread, 1);
    store.mute(bob.id, alice.id).await.unwrap();
    store.mute(bob.id, alice.id).await.unwrap();
    assert!(store.relationship(bob.id, alice.id).await.unwrap().muting);
    assert!(
        store
            .relationship(bob.id, alice.id)
            .await
            .unwrap()
            .following,
        "mute keeps the follow"
    );
    assert!(ids(store, bob.id).await.is_empty());
    assert!(
        store
            .local_timeline(Some(bob.id), Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .tag_timeline(Some(bob.id), "muted", Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .notifications(bob.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.count_unread_notifications(bob.id).await.unwrap(), 0);
    let (page, unread) = store.home_page(bob.id, Page::first(20)).await.unwrap();
    assert!(page.is_empty());
    assert_eq!(unread, 0);
    // The profile and the post itself stay reachable.
    assert_eq!(
        store
            .account_timeline(Some(bob.id), alice.id, Page::first(20))
            .await
            .unwrap()
            .len(),
        1
    );
    store.get_post_view(Some(bob.id), p.id).await.unwrap();
    // In a thread, the muted account's replies are hidden (not its post when it is the focus).
    let q = post_by(&bob).text("question").create(store).await;
    let answer = post_by(&alice)
        .text("answer")
        .reply_to(q.id)
        .create(store)
        .await;
    let thread_ids =
        |t: social_store::Thread| t.descendants.iter().map(|v| v.post.id).collect::<Vec<_>>();
    let t = store.thread(Some(bob.id), q.id).await.unwrap();
    assert!(thread_ids(t).is_empty(), "muted reply shown in the thread");
    let t = store.thread(None, q.id).await.unwrap();
    assert_eq!(thread_ids(t), vec![answer.id], "others still see it");
    let t = store.thread(Some(bob.id), answer.id).await.unwrap();
    assert_eq!(
        t.focus.post.id, answer.id,
        "the muted post itself stays reachable"
    );
    store.delete_post(&alice, answer.id).await.unwrap();
    store.delete_post(&bob, q.id).await.unwrap();
    store.unmute(bob.id, alice.id).await.unwrap();
    assert_eq!(ids(store, bob.id).await, vec![p.id]);
    assert_eq!(store.count_unread_notifications(bob.id).await.unwrap(), 1);
}

pub async fn notifications_and_unread(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    let p = post_by(&alice).text("question").create(store).await;
    post_by(&bob)
        .text("@alice @carol answer")
        .reply_to(p.id)
        .create(store)
        .await;
    post_by(&alice)
        .text("talking to myself @alice")
        .create(store)
        .await;
    let a = store
        .notifications(alice.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(
        a.iter().map(|n| n.kind).collect::<Vec<_>>(),
        vec![NotificationKind::Reply]
    );
    assert_eq!(a[0].from.id, bob.id);
    assert!(a[0].unread);
    let c = store
        .notifications(carol.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(
        c.iter().map(|n| n.kind).collect::<Vec<_>>(),
        vec![NotificationKind::Mention]
    );
    store.favourite(carol.id, p.id).await.unwrap();
    store.follow(carol.id, alice.id).await.unwrap();
    assert_eq!(store.count_unread_notifications(alice.id).await.unwrap(), 3);
    assert_eq!(
        store.home_page(alice.id, Page::first(20)).await.unwrap().1,
        3
    );
    // An empty page (nothing older than the oldest post) still carries the count.
    let oldest = store
        .home_timeline(alice.id, Page::first(20))
        .await
        .unwrap();
    let oldest = oldest.last().expect("alice's home has her post").post.id;
    let (empty, unread) = store
        .home_page(
            alice.id,
            Page {
                max_id: Some(oldest.0),
                min_id: None,
                limit: 20,
            },
        )
        .await
        .unwrap();
    assert!(empty.is_empty());
    assert_eq!(unread, 3);
    let all = store
        .notifications(alice.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|n| n.kind).collect::<Vec<_>>(),
        vec![
            NotificationKind::Follow,
            NotificationKind::Favourite,
            NotificationKind::Reply
        ]
    );
    store
        .mark_notifications_read(alice.id, all[1].id)
        .await
        .unwrap();
    assert_eq!(store.count_unread_notifications(alice.id).await.unwrap(), 1);
    let all = store
        .notifications(alice.id, Page::first(20))
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|n| n.unread).collect::<Vec<_>>(),
        vec![true, false, false]
    );
    // Marking an older id does not move the marker back.
    store
        .mark_notifications_read(alice.id, all[2].id)
        .await
        .unwrap();
    assert_eq!(store.count_unread_notifications(alice.id).await.unwrap(), 1);
    let page = store
        .notifications(
            alice.id,
            Page {
                max_id: Some(all[0].id.0),
                min_id: None,
                limit: 1,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![all[1].id]
    );
    // A direct post mentioning someone notifies; the mentioned sees it.
    let d = post_by(&alice)
        .text("psst @carol")
        .visibility(Direct)
        .create(store)
        .await;
    let c = store.notifications(carol.id, Page::first(1)).await.unwrap();
    assert_eq!(c[0].post.as_ref().map(|v| v.post.id), Some(d.id));
}
