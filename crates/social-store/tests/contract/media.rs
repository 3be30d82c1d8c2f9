//! Media attachments: owner-only reads and updates, attaching inside post creation (with its
//! checks), hydration on every timeline path, detaching on post deletion, the orphan sweep.

use crate::fixtures::{self, post_by};
use social_core::{Account, Focus, MediaAttachment, MediaId, ValidationError};
use social_store::{MediaInsert, MediaUpdate, Page, Store, StoreError};

fn now_ms() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(d.as_millis()).unwrap()
}

pub async fn upload(store: &Store, owner: &Account, name: &str) -> MediaAttachment {
    store
        .create_media(MediaInsert {
            account_id: owner.id,
            file_name: format!("{name}.jpg"),
            thumb_name: format!("{name}-small.jpg"),
            mime: "image/jpeg".into(),
            width: 1920,
            height: 1080,
            size: 123_456,
            thumb_width: 400,
            thumb_height: 225,
            focus: Focus::default(),
            description: format!("alt of {name}"),
            blurhash: Some("LEHV6nWB2yk8pyo0adR*.7kCMdnj".into()),
        })
        .await
        .expect("create media")
}

fn invalid_on_media(err: StoreError) {
    match err {
        StoreError::Invalid(ValidationError { field, .. }) => assert_eq!(field, "media_ids"),
        other => panic!("expected Invalid on media_ids, got {other:?}"),
    }
}

pub async fn owner_only(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let m = upload(store, &alice, "a1").await;
    assert_eq!(m.account_id, alice.id);
    assert_eq!(m.post_id, None);
    assert_eq!(
        (m.width, m.height, m.thumb_width, m.thumb_height),
        (1920, 1080, 400, 225)
    );
    assert_eq!(store.get_media(alice.id, m.id).await.unwrap(), m);
    assert!(matches!(
        store.get_media(bob.id, m.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_media(alice.id, MediaId(m.id.0 + 1)).await,
        Err(StoreError::NotFound)
    ));
    let update = MediaUpdate {
        description: Some("a red door".into()),
        focus: Some(Focus { x: 0.5, y: -0.25 }),
    };
    assert!(matches!(
        store.update_media(bob.id, m.id, update.clone()).await,
        Err(StoreError::NotFound)
    ));
    let updated = store.update_media(alice.id, m.id, update).await.unwrap();
    assert_eq!(updated.description, "a red door");
    assert_eq!(updated.focus, Focus { x: 0.5, y: -0.25 });
    // `None` keeps a field.
    let kept = store
        .update_media(
            alice.id,
            m.id,
            MediaUpdate {
                description: None,
                focus: Some(Focus { x: 0.0, y: 0.0 }),
            },
        )
        .await
        .unwrap();
    assert_eq!(kept.description, "a red door");
    assert_eq!(kept.focus, Focus::default());
}

pub async fn attach_checks(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let ms: Vec<MediaAttachment> = futures_like(store, &alice, 5).await;
    let ids: Vec<MediaId> = ms.iter().map(|m| m.id).collect();
    // Five is one too many; someone else's media; a repeat; an unknown id.
    invalid_on_media(
        store
            .create_post(post_by(&alice).media(&ids).insert())
            .await
            .unwrap_err(),
    );
    invalid_on_media(
        store
            .create_post(post_by(&bob).media(&ids[..1]).insert())
            .await
            .unwrap_err(),
    );
    invalid_on_media(
        store
            .create_post(post_by(&alice).media(&[ids[0], ids[0]]).insert())
            .await
            .unwrap_err(),
    );
    invalid_on_media(
        store
            .create_post(
                post_by(&alice)
                    .media(&[ids[0], MediaId(ids[4].0 + 99)])
                    .insert(),
            )
            .await
            .unwrap_err(),
    );
    // Nothing of the failed posts stayed: no post, no attachment.
    let alice_now = store.get_account_by_id(alice.id).await.unwrap().unwrap();
    assert_eq!(alice_now.posts_count, 0);
    assert!(
        store
            .account_timeline(Some(alice.id), alice.id, Page::first(20))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.get_media(alice.id, ids[0]).await.unwrap().post_id,
        None
    );
    // Four in a given order work; attached media cannot be attached again.
    let post = post_by(&alice)
        .media(&[ids[3], ids[1], ids[0], ids[2]])
        .create(store)
        .await;
    assert_eq!(
        store.get_media(alice.id, ids[0]).await.unwrap().post_id,
        Some(post.id)
    );
    invalid_on_media(
        store
            .create_post(post_by(&alice).media(&ids[..1]).insert())
            .await
            .unwrap_err(),
    );
    let view = store.get_post_view(None, post.id).await.unwrap();
    let got: Vec<MediaId> = view.media.iter().map(|m| m.id).collect();
    assert_eq!(got, vec![ids[3], ids[1], ids[0], ids[2]]);
    // Updating after attaching is allowed (Mastodon lets the owner fix alt text).
    let fixed = store
        .update_media(
            alice.id,
            ids[1],
            MediaUpdate {
                description: Some("fixed".into()),
                focus: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(fixed.post_id, Some(post.id));
}

async fn futures_like(store: &Store, owner: &Account, n: usize) -> Vec<MediaAttachment> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(upload(store, owner, &format!("{}-{i}", owner.username)).await);
    }
    out
}

pub async fn hydrated_everywhere(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    store.follow(bob.id, alice.id).await.unwrap();
    let m1 = upload(store, &alice, "h1").await;
    let m2 = upload(store, &alice, "h2").await;
    let plain = post_by(&alice)
        .text("no pictures #pics")
        .create(store)
        .await;
    let with = post_by(&alice)
        .text("two pictures #pics")
        .media(&[m2.id, m1.id])
        .create(store)
        .await;
    let reply = post_by(&bob)
        .text("nice")
        .reply_to(with.id)
        .create(store)
        .await;
    let boost = store.boost(bob.id, with.id).await.unwrap();
    let want = vec![m2.id, m1.id];
    let ids = |v: &social_store::PostView| v.media.iter().map(|m| m.id).collect::<Vec<_>>();

    let home = store.home_timeline(bob.id, Page::first(20)).await.unwrap();
    let boosted = home.iter().find(|v| v.post.id == boost.id).unwrap();
    assert!(boosted.media.is_empty(), "the boost itself has none");
    assert_eq!(ids(boosted.reblog.as_deref().unwrap()), want);
    let own = store
        .home_timeline(alice.id, Page::first(20))
        .await
        .unwrap();
    let post = own.iter().find(|v| v.post.id == with.id).unwrap();
    assert_eq!(ids(post), want);
    assert_eq!(post.media[0].description, "alt of h2");
    assert!(
        own.iter()
            .find(|v| v.post.id == plain.id)
            .unwrap()
            .media
            .is_empty()
    );

    let local = store.local_timeline(None, Page::first(20)).await.unwrap();
    assert_eq!(
        ids(local.iter().find(|v| v.post.id == with.id).unwrap()),
        want
    );
    let tagged = store
        .tag_timeline(None, "pics", Page::first(20))
        .await
        .unwrap();
    assert_eq!(
        ids(tagged.iter().find(|v| v.post.id == with.id).unwrap()),
        want
    );
    let account = store
        .account_timeline(Some(bob.id), bob.id, Page::first(20))
        .await
        .unwrap();
    let b = account.iter().find(|v| v.post.id == boost.id).unwrap();
    assert_eq!(ids(b.reblog.as_deref().unwrap()), want);
    let thread = store.thread(None, reply.id).await.unwrap();
    assert_eq!(ids(&thread.ancestors[0]), want);
    assert!(thread.focus.media.is_empty());
}

pub async fn deletion_and_orphan_sweep(store: &Store) {
    let alice = fixtures::alice(store).await;
    let kept = upload(store, &alice, "kept").await;
    let used = upload(store, &alice, "used").await;
    let fresh = upload(store, &alice, "fresh").await;
    let post = post_by(&alice).media(&[used.id]).create(store).await;
    let attached = post_by(&alice).media(&[kept.id]).create(store).await;
    store.delete_post(&alice, post.id).await.unwrap();
    // The deleted post's media is unattached again (re-usable, and swept like any orphan).
    assert_eq!(
        store.get_media(alice.id, used.id).await.unwrap().post_id,
        None
    );
    // A day-old cutoff takes nothing uploaded just now.
    let day = 24 * 3600 * 1000;
    assert!(
        store
            .take_orphan_media(now_ms() - day, 100)
            .await
            .unwrap()
            .is_empty()
    );
    // A cutoff in the future takes every unattached row, never an attached one.
    let mut taken: Vec<MediaId> = store
        .take_orphan_media(now_ms() + 1000, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
    taken.sort();
    let mut want = vec![used.id, fresh.id];
    want.sort();
    assert_eq!(taken, want);
    assert!(matches!(
        store.get_media(alice.id, used.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.get_media(alice.id, kept.id).await.unwrap().post_id,
        Some(attached.id)
    );
    assert!(
        store
            .take_orphan_media(now_ms() + 1000, 100)
            .await
            .unwrap()
            .is_empty()
    );
}
