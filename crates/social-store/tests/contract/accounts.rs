//! Accounts, sessions, registration mode and invites.

use crate::fixtures::{self, PASSWORD, account_insert};
use social_core::{AccountStatus, RegistrationMode, Role};
use social_store::{Page, ProfileUpdate, Store, StoreError};

pub async fn usernames_unique_ignoring_case(store: &Store) {
    let alice = fixtures::alice(store).await;
    let err = store
        .create_account(account_insert("ALICE"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { what: "username" }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "conflict: username");
    let found = store
        .get_account_by_username("aLiCe")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, alice.id);
    assert_eq!(found.username, "alice");
    assert_eq!(
        store.get_account_by_id(alice.id).await.unwrap(),
        Some(alice)
    );
    assert_eq!(store.get_account_by_username("nobody").await.unwrap(), None);
    assert_eq!(store.count_accounts().await.unwrap(), 1);
}

pub async fn password_verification(store: &Store) {
    let alice = fixtures::alice(store).await;
    let ok = store.verify_password("Alice", PASSWORD).await.unwrap();
    assert_eq!(ok.map(|a| a.id), Some(alice.id));
    assert!(
        store
            .verify_password("alice", "wrong password")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .verify_password("nobody", PASSWORD)
            .await
            .unwrap()
            .is_none()
    );
    store
        .set_password(alice.id, "another password")
        .await
        .unwrap();
    assert!(
        store
            .verify_password("alice", PASSWORD)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .verify_password("alice", "another password")
            .await
            .unwrap()
            .is_some()
    );
    // Status does not matter for the password check.
    store
        .set_account_status(alice.id, AccountStatus::Disabled)
        .await
        .unwrap();
    assert!(
        store
            .verify_password("alice", "another password")
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn statuses_roles_profile(store: &Store) {
    let mut pending = account_insert("pat");
    pending.status = AccountStatus::Pending;
    pending.signup_reason = "I like it here".into();
    let pat = store.create_account(pending).await.unwrap();
    let mut second = account_insert("quinn");
    second.status = AccountStatus::Pending;
    let quinn = store.create_account(second).await.unwrap();
    let _alice = fixtures::alice(store).await;
    let list = store.list_pending_accounts(Page::first(20)).await.unwrap();
    assert_eq!(
        list.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![pat.id, quinn.id]
    );
    assert_eq!(list[0].signup_reason, "I like it here");
    store
        .set_account_status(pat.id, AccountStatus::Active)
        .await
        .unwrap();
    let list = store.list_pending_accounts(Page::first(20)).await.unwrap();
    assert_eq!(list.len(), 1);
    store
        .set_account_role(pat.id, Role::Moderator)
        .await
        .unwrap();
    let updated = store
        .update_profile(
            pat.id,
            ProfileUpdate {
                display_name: "Pat".into(),
                bio: "hi".into(),
                locked: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (updated.role, updated.status),
        (Role::Moderator, AccountStatus::Active)
    );
    assert_eq!(
        (
            updated.display_name.as_str(),
            updated.bio.as_str(),
            updated.locked
        ),
        ("Pat", "hi", true)
    );
    let missing = social_core::AccountId(1);
    assert!(matches!(
        store.set_account_role(missing, Role::Admin).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn sessions(store: &Store) {
    let alice = fixtures::alice(store).await;
    let s = store.create_session(alice.id, "test-agent").await.unwrap();
    assert_eq!(s.token.len(), 43);
    let got = store.get_session(&s.token).await.unwrap().expect("session");
    assert_eq!(got.account.id, alice.id);
    assert_eq!(got.csrf_token, s.csrf_token);
    // Served again (from the cache this time) with the same answer.
    assert_eq!(
        store
            .get_session(&s.token)
            .await
            .unwrap()
            .unwrap()
            .account
            .id,
        alice.id
    );
    assert!(store.get_session("not-a-token").await.unwrap().is_none());
    assert!(store.get_session("").await.unwrap().is_none());
    store.delete_session(&s.token).await.unwrap();
    assert!(store.get_session(&s.token).await.unwrap().is_none());

    let a = store.create_session(alice.id, "a").await.unwrap();
    let b = store.create_session(alice.id, "b").await.unwrap();
    assert!(store.get_session(&a.token).await.unwrap().is_some());
    store.delete_sessions_of_account(alice.id).await.unwrap();
    assert!(store.get_session(&a.token).await.unwrap().is_none());
    assert!(store.get_session(&b.token).await.unwrap().is_none());
}

pub async fn session_of_disabled_account(store: &Store) {
    let alice = fixtures::alice(store).await;
    let s = store.create_session(alice.id, "ua").await.unwrap();
    assert!(store.get_session(&s.token).await.unwrap().is_some());
    store
        .set_account_status(alice.id, AccountStatus::Disabled)
        .await
        .unwrap();
    assert!(store.get_session(&s.token).await.unwrap().is_none());
    store
        .set_account_status(alice.id, AccountStatus::Active)
        .await
        .unwrap();
    assert!(store.get_session(&s.token).await.unwrap().is_some());
}

pub async fn registration_mode(store: &Store) {
    assert_eq!(
        store.get_registration_mode().await.unwrap(),
        RegistrationMode::Approval
    );
    for mode in RegistrationMode::ALL {
        store.put_registration_mode(mode).await.unwrap();
        assert_eq!(store.get_registration_mode().await.unwrap(), mode);
    }
}

pub async fn invites(store: &Store) {
    let admin = fixtures::alice(store).await;
    let once = store.create_invite(admin.id, Some(1), None).await.unwrap();
    assert_eq!(once.code.len(), 12);
    let expired = store
        .create_invite(admin.id, None, Some(1_000))
        .await
        .unwrap();
    let unlimited = store.create_invite(admin.id, None, None).await.unwrap();
    let listed = store.list_invites().await.unwrap();
    assert_eq!(listed.len(), 3);

    let mut ins = account_insert("bob");
    ins.invite_code = Some(once.code.clone());
    store.create_account(ins).await.unwrap();
    // Used up: the whole sign-up fails and nothing is written.
    let mut ins = account_insert("carol");
    ins.invite_code = Some(once.code.clone());
    let err = store.create_account(ins).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(v) if v.field == "invite"),
        "{err:?}"
    );
    assert!(
        store
            .get_account_by_username("carol")
            .await
            .unwrap()
            .is_none()
    );
    let mut ins = account_insert("carol");
    ins.invite_code = Some(expired.code.clone());
    assert!(matches!(
        store.create_account(ins).await,
        Err(StoreError::Invalid(_))
    ));
    let mut ins = account_insert("carol");
    ins.invite_code = Some("nonexistent".into());
    assert!(matches!(
        store.create_account(ins).await,
        Err(StoreError::Invalid(_))
    ));
    for name in ["carol", "dave"] {
        let mut ins = account_insert(name);
        ins.invite_code = Some(unlimited.code.clone());
        store.create_account(ins).await.unwrap();
    }
    // A username conflict does not consume the invite.
    let mut ins = account_insert("DAVE");
    ins.invite_code = Some(unlimited.code.clone());
    assert!(matches!(
        store.create_account(ins).await,
        Err(StoreError::Conflict { .. })
    ));
    let after = store.list_invites().await.unwrap();
    let uses = |code: &str| after.iter().find(|i| i.code == code).map(|i| i.uses);
    assert_eq!(uses(&once.code), Some(1));
    assert_eq!(uses(&unlimited.code), Some(2));
    assert_eq!(uses(&expired.code), Some(0));
    store.delete_invite(&once.code).await.unwrap();
    assert_eq!(store.list_invites().await.unwrap().len(), 2);
}
