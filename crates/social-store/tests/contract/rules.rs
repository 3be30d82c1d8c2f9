//! Instance rules: held posts (hidden, their media kept, approved as if just posted, rejected
//! with a notice), the compiled-filter cache, IP blocks and server rules.

use crate::fixtures::{self, post_by};
use crate::media::upload;
use crate::timelines::ids_home;
use social_core::rules::{Filter, FilterAction, FilterKind};
use social_core::{ModAction, Role};
use social_store::{Page, Store, StoreError};

pub async fn held_posts_lifecycle(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let admin = fixtures::account(store, "root").await;
    store.set_account_role(admin.id, Role::Admin).await.unwrap();
    store.follow(bob.id, alice.id).await.unwrap();
    let image = upload(store, &alice, "held").await;
    let insert = post_by(&alice)
        .text("hello @bob")
        .media(&[image.id])
        .insert();
    let held = store.hold_post(insert, "spam score 0.9").await.unwrap();
    assert_eq!(held.reason, "spam score 0.9");
    assert!(ids_home(store, bob.id).await.is_empty());
    assert!(ids_home(store, alice.id).await.is_empty());
    assert_eq!(store.count_unread_notifications(bob.id).await.unwrap(), 0);
    assert_eq!(
        store
            .held_posts_of(alice.id, Page::first(5))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .held_posts_of(bob.id, Page::first(5))
            .await
            .unwrap()
            .is_empty()
    );
    // Its media survive the orphan sweep while it is held.
    let far = i64::MAX / 2;
    assert!(store.take_orphan_media(far, 100).await.unwrap().is_empty());
    // Someone else's media cannot be held with a post.
    let other = post_by(&bob).media(&[image.id]).insert();
    assert!(matches!(
        store.hold_post(other, "x").await,
        Err(StoreError::Invalid(_))
    ));

    let post = store
        .approve_held_post(admin.id, held.id, "fine")
        .await
        .unwrap();
    assert_ne!(post.id.0, held.id);
    assert_eq!(ids_home(store, bob.id).await, vec![post.id]);
    assert_eq!(store.count_unread_notifications(bob.id).await.unwrap(), 1);
    assert_eq!(
        store.get_media(alice.id, image.id).await.unwrap().post_id,
        Some(post.id)
    );
    assert!(matches!(
        store.approve_held_post(admin.id, held.id, "again").await,
        Err(StoreError::NotFound)
    ));

    let held = store
        .hold_post(post_by(&alice).insert(), "filter 1")
        .await
        .unwrap();
    store
        .reject_held_post(admin.id, held.id, "no ads")
        .await
        .unwrap();
    assert!(
        store
            .list_held_posts(Page::first(5))
            .await
            .unwrap()
            .is_empty()
    );
    let notices = store.list_notices(alice.id).await.unwrap();
    assert_eq!(notices[0].action, ModAction::RejectPost);
    assert_eq!(notices[0].message, "no ads");
    let audit = store.list_audit_log(Page::first(5)).await.unwrap();
    let actions: Vec<_> = audit.iter().map(|e| e.action).collect();
    assert_eq!(actions, [ModAction::RejectPost, ModAction::ApprovePost]);
    assert_eq!(audit[1].target_post_id, Some(post.id));
}

pub async fn filters_cache_and_blocks(store: &Store) {
    let admin = fixtures::alice(store).await;
    assert!(store.compiled_filters().await.unwrap().is_empty());
    let f = Filter {
        id: 0,
        kind: FilterKind::Word,
        pattern: "spam".into(),
        action: FilterAction::Hold,
    };
    let f = store.add_filter(admin.id, f).await.unwrap();
    let compiled = store.compiled_filters().await.unwrap();
    assert_eq!(compiled.check(&["SPAM!"]).unwrap().filter_id, f.id);
    store.delete_filter(admin.id, f.id).await.unwrap();
    assert!(store.compiled_filters().await.unwrap().is_empty());
    assert!(matches!(
        store.delete_filter(admin.id, f.id).await,
        Err(StoreError::NotFound)
    ));

    let net = "2001:db8::/32".parse().unwrap();
    let b = store.add_ip_block(admin.id, net, "", None).await.unwrap();
    assert!(matches!(
        store.add_ip_block(admin.id, net, "", None).await,
        Err(StoreError::Conflict { .. })
    ));
    let ip = "2001:db8::5".parse().unwrap();
    assert_eq!(
        store.ip_block_for(ip).await.unwrap().map(|b| b.id),
        Some(b.id)
    );
    assert_eq!(
        store
            .ip_block_for("2001:db9::5".parse().unwrap())
            .await
            .unwrap(),
        None
    );
    store.delete_ip_block(admin.id, b.id).await.unwrap();
    assert_eq!(store.ip_block_for(ip).await.unwrap(), None);

    let one = store.add_rule(admin.id, "one", "").await.unwrap();
    let two = store.add_rule(admin.id, "two", "why").await.unwrap();
    assert!(two.position > one.position);
    let moved = social_store::ServerRule {
        position: 0,
        ..two.clone()
    };
    store.update_rule(admin.id, &moved).await.unwrap();
    let texts: Vec<_> = store
        .list_rules()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.text)
        .collect();
    assert_eq!(texts, ["two", "one"]);
    store.delete_rule(admin.id, one.id).await.unwrap();
    assert_eq!(store.list_rules().await.unwrap(), vec![moved]);
}
