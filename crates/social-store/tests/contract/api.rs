//! Client API queries: account and hashtag search, favourited_by / reblogged_by.

use crate::fixtures::{self, post_by};
use social_core::{AccountStatus, Visibility::*};
use social_store::{Page, ProfileUpdate, Store};

fn names(accounts: &[social_core::Account]) -> Vec<&str> {
    accounts.iter().map(|a| a.username.as_str()).collect()
}

pub async fn search_accounts_and_tags(store: &Store) {
    let alice = fixtures::alice(store).await;
    let alfred = fixtures::account(store, "Alfred").await;
    let al = fixtures::account(store, "al").await;
    let bob = fixtures::bob(store).await;
    let under = fixtures::account(store, "a_b").await;
    let update = ProfileUpdate {
        display_name: "Alpha Bob".into(),
        bio: String::new(),
        locked: false,
    };
    store.update_profile(bob.id, update).await.unwrap();
    let found = store.search_accounts("AL", 10).await.unwrap();
    assert_eq!(names(&found), vec!["al", "Alfred", "alice", "bob"]);
    assert_eq!(
        names(&store.search_accounts("al", 2).await.unwrap()),
        vec!["al", "Alfred"]
    );
    // LIKE wildcards are literal.
    assert_eq!(
        names(&store.search_accounts("a_", 10).await.unwrap()),
        vec!["a_b"]
    );
    assert!(store.search_accounts("%", 10).await.unwrap().is_empty());
    store
        .set_account_status(alfred.id, AccountStatus::Disabled)
        .await
        .unwrap();
    assert_eq!(
        names(&store.search_accounts("al", 10).await.unwrap()),
        vec!["al", "alice", "bob"],
        "only active accounts"
    );
    let _ = (al, under);

    let stats = store.instance_stats().await.unwrap();
    assert_eq!(stats.user_count, 4, "alfred is disabled");
    assert_eq!(stats.status_count, 0);
    assert!(stats.contact.is_none());
    post_by(&alice).text("#Rustacean #rust").create(store).await;
    post_by(&alice)
        .text("#rusty secret")
        .visibility(Private)
        .create(store)
        .await;
    post_by(&alice).text("#go").create(store).await;
    assert_eq!(
        store.search_tags("#RUS", 10).await.unwrap(),
        vec!["rust", "rustacean"],
        "public posts' tags only, each once"
    );
    assert_eq!(store.search_tags("rust", 1).await.unwrap(), vec!["rust"]);
    store
        .set_account_role(bob.id, social_core::Role::Admin)
        .await
        .unwrap();
    let stats = store.instance_stats().await.unwrap();
    assert_eq!(stats.status_count, 3);
    assert_eq!(stats.contact.map(|a| a.id), Some(bob.id));
}

pub async fn favourited_and_reblogged_by(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let carol = fixtures::carol(store).await;
    let dave = fixtures::dave(store).await;
    let post = post_by(&alice).create(store).await;
    for who in [&bob, &carol, &dave] {
        store.favourite(who.id, post.id).await.unwrap();
    }
    store.boost(carol.id, post.id).await.unwrap();
    let favs = store.favourited_by(post.id, Page::first(20)).await.unwrap();
    assert_eq!(
        names(&favs),
        vec!["dave", "carol", "bob"],
        "newest account first"
    );
    let first = store.favourited_by(post.id, Page::first(2)).await.unwrap();
    assert_eq!(names(&first), vec!["dave", "carol"]);
    let next = Page {
        max_id: Some(first[1].id.0),
        min_id: None,
        limit: 2,
    };
    assert_eq!(
        names(&store.favourited_by(post.id, next).await.unwrap()),
        vec!["bob"]
    );
    let prev = Page {
        max_id: None,
        min_id: Some(bob.id.0),
        limit: 1,
    };
    assert_eq!(
        names(&store.favourited_by(post.id, prev).await.unwrap()),
        vec!["carol"]
    );
    let boosts = store.reblogged_by(post.id, Page::first(20)).await.unwrap();
    assert_eq!(names(&boosts), vec!["carol"]);
    store.unfavourite(carol.id, post.id).await.unwrap();
    store
        .set_account_status(dave.id, AccountStatus::Disabled)
        .await
        .unwrap();
    let favs = store.favourited_by(post.id, Page::first(20)).await.unwrap();
    assert_eq!(names(&favs), vec!["bob"]);
}
