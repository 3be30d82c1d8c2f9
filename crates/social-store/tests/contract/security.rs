//! Contract: TOTP enrolment, single-use codes and recovery codes; listing and revoking an
//! account's sessions and OAuth tokens.

use super::fixtures;
use social_core::totp::{self, SecondFactor};
use social_store::{AppInsert, Store, StoreError};

fn step_now() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp::step_of(secs)
}

fn code(secret: &str, step: i64) -> String {
    totp::code_at(&totp::base32_decode(secret).unwrap(), step)
}

pub async fn totp_enrolment_and_single_use(store: &Store) {
    let alice = fixtures::alice(store).await;
    assert!(store.get_totp(alice.id).await.unwrap().is_none());
    let first = store.begin_totp(alice.id).await.unwrap();
    // Restarting replaces the pending secret.
    let secret = store.begin_totp(alice.id).await.unwrap();
    assert_ne!(first, secret);
    let cred = store.get_totp(alice.id).await.unwrap().unwrap();
    assert!(!cred.confirmed());
    assert!(
        !format!("{cred:?}").contains(&secret),
        "Debug redacts the secret"
    );
    assert!(!store.has_totp(alice.id).await.unwrap());
    // A pending credential accepts no log-in code.
    let step = step_now();
    let now_code = SecondFactor::Code(code(&secret, step));
    assert!(
        !store
            .check_second_factor(alice.id, &now_code)
            .await
            .unwrap()
    );
    assert!(
        store
            .confirm_totp(alice.id, "000000x")
            .await
            .unwrap()
            .is_none()
    );
    let codes = store
        .confirm_totp(alice.id, &code(&secret, step))
        .await
        .unwrap()
        .expect("confirmed");
    assert_eq!(codes.len(), 10);
    assert!(store.has_totp(alice.id).await.unwrap());
    assert!(matches!(
        store.begin_totp(alice.id).await,
        Err(StoreError::Conflict { .. })
    ));
    // The confirming code is used; the next step's works once.
    assert!(
        !store
            .check_second_factor(alice.id, &now_code)
            .await
            .unwrap()
    );
    let next = SecondFactor::Code(code(&secret, step + 1));
    assert!(store.check_second_factor(alice.id, &next).await.unwrap());
    assert!(!store.check_second_factor(alice.id, &next).await.unwrap());
    // Recovery codes: once each.
    let recovery = SecondFactor::parse(&codes[3]).unwrap();
    assert!(
        store
            .check_second_factor(alice.id, &recovery)
            .await
            .unwrap()
    );
    assert!(
        !store
            .check_second_factor(alice.id, &recovery)
            .await
            .unwrap()
    );
    assert_eq!(store.count_recovery_codes(alice.id).await.unwrap(), 9);
    // Another account's code is not alice's.
    let bob = fixtures::bob(store).await;
    let other = SecondFactor::parse(&codes[4]).unwrap();
    assert!(!store.check_second_factor(bob.id, &other).await.unwrap());
    store.delete_totp(alice.id).await.unwrap();
    assert!(store.get_totp(alice.id).await.unwrap().is_none());
    assert_eq!(store.count_recovery_codes(alice.id).await.unwrap(), 0);
}

pub async fn sessions_listed_and_revoked(store: &Store) {
    let alice = fixtures::alice(store).await;
    let bob = fixtures::bob(store).await;
    let a = store
        .create_session_from(alice.id, "Firefox", "192.0.2.1")
        .await
        .unwrap();
    let b = store.create_session(alice.id, "curl").await.unwrap();
    let c = store.create_session(alice.id, "Chromium").await.unwrap();
    let bobs = store.create_session(bob.id, "bob").await.unwrap();
    let list = store.list_sessions(alice.id).await.unwrap();
    assert_eq!(list.len(), 3);
    let firefox = list.iter().find(|s| s.user_agent == "Firefox").unwrap();
    assert_eq!(firefox.client_addr, "192.0.2.1");
    assert_eq!(firefox.id.len(), 16);
    // Cached, then revoked: gone at once.
    assert!(store.get_session(&a.token).await.unwrap().is_some());
    assert!(!store.revoke_session(bob.id, &firefox.id).await.unwrap());
    assert!(!store.revoke_session(alice.id, "zz").await.unwrap());
    assert!(store.revoke_session(alice.id, &firefox.id).await.unwrap());
    assert!(store.get_session(&a.token).await.unwrap().is_none());
    assert!(store.get_session(&b.token).await.unwrap().is_some());
    assert_eq!(
        store
            .revoke_other_sessions(alice.id, &c.token)
            .await
            .unwrap(),
        1
    );
    assert!(store.get_session(&b.token).await.unwrap().is_none());
    assert!(store.get_session(&c.token).await.unwrap().is_some());
    assert!(store.get_session(&bobs.token).await.unwrap().is_some());

    let app = store
        .create_app(AppInsert {
            name: "Tusky".into(),
            website: None,
            redirect_uris: vec!["urn:ietf:wg:oauth:2.0:oob".into()],
            scopes: "read".into(),
        })
        .await
        .unwrap();
    let token = store
        .create_token(app.app.id, Some(alice.id), "read")
        .await
        .unwrap();
    let auths = store.list_authorizations(alice.id).await.unwrap();
    assert_eq!(auths.len(), 1);
    assert_eq!(auths[0].app_name, "Tusky");
    assert!(store.get_token(&token.token).await.unwrap().is_some());
    assert!(
        !store
            .revoke_authorization(bob.id, auths[0].token_id)
            .await
            .unwrap()
    );
    assert!(
        store
            .revoke_authorization(alice.id, auths[0].token_id)
            .await
            .unwrap()
    );
    assert!(store.get_token(&token.token).await.unwrap().is_none());
    assert!(
        store
            .list_authorizations(alice.id)
            .await
            .unwrap()
            .is_empty()
    );
}
