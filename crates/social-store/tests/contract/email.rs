//! E-mail: unique addresses, single-use tokens and their effects, blocked domains with their
//! audit rows.

use crate::fixtures::{self, account_insert};
use social_core::ModAction;
use social_core::email::TokenPurpose;
use social_store::{Page, Store, StoreError};

pub async fn addresses_tokens_and_blocks(store: &Store) {
    let admin = fixtures::alice(store).await;
    let ann = store
        .create_account_with_email(account_insert("ann"), "Ann@example.org")
        .await
        .unwrap();
    let state = store.get_email_state(ann.id).await.unwrap().unwrap();
    assert_eq!(state.email, "Ann@example.org");
    assert!(!state.confirmed);
    assert_eq!(store.get_email_state(admin.id).await.unwrap(), None);
    let by_address = store
        .get_email_state_by_address("ANN@example.ORG")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_address.account_id, ann.id);
    // The address is unique ignoring case; a failed sign-up leaves no account behind.
    let taken = store
        .create_account_with_email(account_insert("ann2"), "ann@EXAMPLE.org")
        .await;
    assert!(matches!(taken, Err(StoreError::Conflict { what: "email" })));
    assert!(
        store
            .get_account_by_username("ann2")
            .await
            .unwrap()
            .is_none()
    );

    // Confirmation: single use; a newer token's use ends the older one.
    let old = store
        .create_email_token(ann.id, TokenPurpose::Confirm)
        .await
        .unwrap();
    let new = store
        .create_email_token(ann.id, TokenPurpose::Confirm)
        .await
        .unwrap();
    // A token is for its purpose only.
    assert!(matches!(
        store.check_email_token(&new, TokenPurpose::Reset).await,
        Err(StoreError::Invalid(e)) if e.message.contains("not valid")
    ));
    assert_eq!(store.confirm_email(&new).await.unwrap(), ann.id);
    assert!(
        store
            .get_email_state(ann.id)
            .await
            .unwrap()
            .unwrap()
            .confirmed
    );
    for used in [&new, &old] {
        assert!(matches!(
            store.confirm_email(used).await,
            Err(StoreError::Invalid(e)) if e.message.contains("already used")
        ));
    }

    // Reset: new password, every session gone.
    let session = store.create_session(ann.id, "test").await.unwrap();
    let reset = store
        .create_email_token(ann.id, TokenPurpose::Reset)
        .await
        .unwrap();
    assert_eq!(
        store
            .check_email_token(&reset, TokenPurpose::Reset)
            .await
            .unwrap(),
        ann.id
    );
    store
        .reset_password(&reset, "another password 1")
        .await
        .unwrap();
    assert!(store.get_session(&session.token).await.unwrap().is_none());
    assert!(
        store
            .verify_password("ann", "another password 1")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .reset_password(&reset, "third password 12")
            .await
            .is_err()
    );

    // Blocks, each change audit-logged.
    store
        .block_email_domain(admin.id, "spam.example", "bulk")
        .await
        .unwrap();
    assert!(matches!(
        store.block_email_domain(admin.id, "spam.example", "").await,
        Err(StoreError::Conflict { .. })
    ));
    let domains = ["mx.spam.example".to_owned(), "spam.example".to_owned()];
    assert_eq!(
        store
            .blocked_email_domain(&domains)
            .await
            .unwrap()
            .as_deref(),
        Some("spam.example")
    );
    assert_eq!(
        store
            .blocked_email_domain(&["ham.example".to_owned()])
            .await
            .unwrap(),
        None
    );
    let listed = store.list_email_domain_blocks().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].note, "bulk");
    assert_eq!(listed[0].created_by, Some(admin.id));
    store
        .unblock_email_domain(admin.id, "spam.example")
        .await
        .unwrap();
    assert!(matches!(
        store.unblock_email_domain(admin.id, "spam.example").await,
        Err(StoreError::NotFound)
    ));
    let audit = store.list_audit_log(Page::first(5)).await.unwrap();
    let actions: Vec<ModAction> = audit.iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [ModAction::UnblockEmailDomain, ModAction::BlockEmailDomain]
    );
    assert_eq!(audit[1].reason, "spam.example: bulk");
}
