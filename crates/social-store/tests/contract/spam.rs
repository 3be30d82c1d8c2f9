//! Spam signals the store knows: repeats of a text (by fingerprint) across accounts and by
//! the author, posted or held, within the window; mentioned strangers; posts in the last hour.

use crate::fixtures::{self, post_by};
use social_core::fingerprint::comparable_fingerprint;
use social_store::{SpamContext, Store};

const SPAM: &str = "Win a free cruise today at https://spam.example/claim";

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| (*n).to_owned()).collect()
}

pub async fn spam_context_counts(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    let dave = fixtures::dave(store).await;
    let fp = comparable_fingerprint(SPAM);
    assert!(fp.is_some());
    let quiet = store.spam_context(alice.id, fp, &[], 0).await.unwrap();
    assert_eq!(quiet, SpamContext::default());

    // The same text with other mentions and numbers, posted by bob and carol, held once
    // for dave: three other accounts; alice's own copy counts for her only.
    post_by(&bob)
        .text("@alice Win a FREE cruise today at https://spam.example/claim?id=1")
        .create(store)
        .await;
    post_by(&bob).text(SPAM).create(store).await;
    post_by(&carol).text(SPAM).create(store).await;
    store
        .hold_post(post_by(&dave).text(SPAM).insert(), "test")
        .await
        .unwrap();
    post_by(&alice).text(SPAM).create(store).await;
    // Short texts are not fingerprinted and never count.
    post_by(&carol).text("good morning").create(store).await;
    let c = store.spam_context(alice.id, fp, &[], 0).await.unwrap();
    assert_eq!(c.repeats_across_accounts, 3, "{c:?}");
    assert_eq!(c.repeats_by_author, 1, "{c:?}");
    assert_eq!(c.posts_last_hour, 1, "{c:?}");
    let as_bob = store.spam_context(bob.id, fp, &[], 0).await.unwrap();
    assert_eq!(
        (as_bob.repeats_across_accounts, as_bob.repeats_by_author),
        (3, 2)
    );
    assert_eq!(as_bob.posts_last_hour, 2);
    // Outside the window nothing counts; an unrelated text has no repeats.
    let later = i64::MAX / 2;
    let old = store.spam_context(alice.id, fp, &[], later).await.unwrap();
    assert_eq!((old.repeats_across_accounts, old.repeats_by_author), (0, 0));
    let other = comparable_fingerprint("an entirely different and long enough text");
    let c = store.spam_context(alice.id, other, &[], 0).await.unwrap();
    assert_eq!((c.repeats_across_accounts, c.repeats_by_author), (0, 0));
    // Pruning forgets them.
    assert_eq!(store.prune_post_fingerprints(later).await.unwrap(), 5);
    let c = store.spam_context(alice.id, fp, &[], 0).await.unwrap();
    assert_eq!((c.repeats_across_accounts, c.repeats_by_author), (0, 0));

    // Mentions: carol follows alice, bob does not; unknown names and alice herself are no
    // accounts to count. Following someone does not make them a friend.
    store.follow(carol.id, alice.id).await.unwrap();
    store.follow(alice.id, bob.id).await.unwrap();
    let mentioned = names(&["bob", "carol", "dave", "nobody", "alice"]);
    let c = store
        .spam_context(alice.id, None, &mentioned, 0)
        .await
        .unwrap();
    assert_eq!((c.mentions, c.stranger_mentions), (3, 2), "{c:?}");
    // Boosts are not posts for the rate.
    let bobs = post_by(&bob).text("boost me").create(store).await;
    store.boost(alice.id, bobs.id).await.unwrap();
    let c = store.spam_context(alice.id, None, &[], 0).await.unwrap();
    assert_eq!(c.posts_last_hour, 1);
}

/// Rejecting a held post teaches the classifier spam, approving it ham; it has no opinion
/// until it has seen five of each.
pub async fn classifier_learns_from_held_decisions(store: &Store) {
    let alice = fixtures::alice(store).await;
    let admin = fixtures::account(store, "root").await;
    store
        .set_account_role(admin.id, social_core::Role::Admin)
        .await
        .unwrap();
    let spam = "cheap watches and pills at https://spam.example buy now";
    assert_eq!(store.spam_probability(spam).await.unwrap(), None);
    for i in 0..5 {
        let text = format!("cheap watches {i} buy now https://spam.example/{i}");
        let held = store
            .hold_post(post_by(&alice).text(&text).insert(), "test")
            .await
            .unwrap();
        store
            .reject_held_post(admin.id, held.id, "spam")
            .await
            .unwrap();
        let text = format!("our garden club meets on day {i}, bring tea and cake");
        let held = store
            .hold_post(post_by(&alice).text(&text).insert(), "test")
            .await
            .unwrap();
        if i < 4 {
            assert_eq!(store.spam_probability(spam).await.unwrap(), None);
        }
        store
            .approve_held_post(admin.id, held.id, "fine")
            .await
            .unwrap();
    }
    let p = store.spam_probability(spam).await.unwrap().unwrap();
    assert!(p > 0.9, "{p}");
    let ham = "the garden club meets again, bring cake";
    let p = store.spam_probability(ham).await.unwrap().unwrap();
    assert!(p < 0.1, "{p}");
}
