//! OAuth apps, authorization codes (single use, PKCE, expiry-free checks) and access tokens
//! (lookup through the cache, revocation).

use crate::fixtures;
use social_core::AccountStatus;
use social_store::{AppInsert, CodeExchange, CodeInsert, CodeRefusal, Store};

/// RFC 7636 appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const CB: &str = "https://client.example/cb";

fn app_insert(name: &str) -> AppInsert {
    AppInsert {
        name: name.into(),
        website: Some("https://client.example".into()),
        redirect_uris: vec![CB.into(), "urn:ietf:wg:oauth:2.0:oob".into()],
        scopes: "read write".into(),
    }
}

pub async fn apps(store: &Store) {
    let new = store.create_app(app_insert("Client")).await.unwrap();
    assert_eq!(new.client_secret.len(), 43);
    assert_eq!(new.app.redirect_uris.len(), 2);
    let by_id = store
        .get_app_by_client_id(&new.app.client_id)
        .await
        .unwrap();
    assert_eq!(by_id.as_ref(), Some(&new.app));
    assert_eq!(
        store.get_app(new.app.id).await.unwrap(),
        Some(new.app.clone())
    );
    assert_eq!(store.get_app_by_client_id("nope").await.unwrap(), None);
    let ok = store
        .authenticate_app(&new.app.client_id, &new.client_secret)
        .await
        .unwrap();
    assert_eq!(ok.map(|a| a.id), Some(new.app.id));
    assert!(
        store
            .authenticate_app(&new.app.client_id, "wrong")
            .await
            .unwrap()
            .is_none()
    );
    let other = store.create_app(app_insert("Other")).await.unwrap();
    assert_ne!(other.app.client_id, new.app.client_id);
}

pub async fn codes_are_single_use(store: &Store) {
    let alice = fixtures::alice(store).await;
    let client = store.create_app(app_insert("Client")).await.unwrap();
    let insert = CodeInsert {
        app_id: client.app.id,
        account_id: alice.id,
        scopes: "read".into(),
        redirect_uri: CB.into(),
        code_challenge: Some(CHALLENGE.into()),
    };
    let code = store.create_code(insert.clone()).await.unwrap();
    let ok = store
        .exchange_code(CodeExchange {
            code: &code,
            app_id: client.app.id,
            redirect_uri: CB,
            code_verifier: Some(VERIFIER),
            public_client: true,
        })
        .await
        .unwrap()
        .expect("exchanged");
    assert_eq!(ok.info.account_id, Some(alice.id));
    assert_eq!(ok.info.scopes, "read");
    let auth = store.get_token(&ok.token).await.unwrap().expect("live");
    assert_eq!(auth.account.map(|a| a.id), Some(alice.id));
    // A replay is refused and revokes the token (cached a moment ago).
    let again = store
        .exchange_code(CodeExchange {
            code: &code,
            app_id: client.app.id,
            redirect_uri: CB,
            code_verifier: Some(VERIFIER),
            public_client: true,
        })
        .await
        .unwrap();
    assert_eq!(again.err(), Some(CodeRefusal::Replayed));
    assert!(store.get_token(&ok.token).await.unwrap().is_none());

    // Each refusal burns the code.
    for (verifier, redirect, app_id, public, why) in [
        (
            Some("x".repeat(43)),
            CB,
            client.app.id,
            false,
            CodeRefusal::VerifierMismatch,
        ),
        (
            None,
            CB,
            client.app.id,
            false,
            CodeRefusal::VerifierMismatch,
        ),
        (
            Some(VERIFIER.to_owned()),
            "https://other.example/cb",
            client.app.id,
            false,
            CodeRefusal::RedirectMismatch,
        ),
        (
            Some(VERIFIER.to_owned()),
            CB,
            client.app.id + 1,
            false,
            CodeRefusal::Unknown,
        ),
    ] {
        let code = store.create_code(insert.clone()).await.unwrap();
        let got = store
            .exchange_code(CodeExchange {
                code: &code,
                app_id,
                redirect_uri: redirect,
                code_verifier: verifier.as_deref(),
                public_client: public,
            })
            .await
            .unwrap();
        assert_eq!(got.err(), Some(why));
    }
    // Without a challenge: fine for a client with its secret, refused for a public one.
    let plain = CodeInsert {
        code_challenge: None,
        ..insert.clone()
    };
    for (public, outcome) in [(true, Err(CodeRefusal::VerifierMismatch)), (false, Ok(()))] {
        let code = store.create_code(plain.clone()).await.unwrap();
        let got = store
            .exchange_code(CodeExchange {
                code: &code,
                app_id: client.app.id,
                redirect_uri: CB,
                code_verifier: None,
                public_client: public,
            })
            .await
            .unwrap();
        assert_eq!(got.map(|_| ()), outcome);
    }
}

pub async fn tokens_and_revocation(store: &Store) {
    let alice = fixtures::alice(store).await;
    let client = store.create_app(app_insert("Client")).await.unwrap();
    let other = store.create_app(app_insert("Other")).await.unwrap();
    let user = store
        .create_token(client.app.id, Some(alice.id), "read write")
        .await
        .unwrap();
    let app_only = store
        .create_token(client.app.id, None, "read")
        .await
        .unwrap();
    assert_eq!(user.token.len(), 43);
    let got = store.get_token(&user.token).await.unwrap().expect("live");
    assert_eq!(got.info.scopes, "read write");
    assert_eq!(got.info.app_id, client.app.id);
    let got = store
        .get_token(&app_only.token)
        .await
        .unwrap()
        .expect("live");
    assert!(got.account.is_none());
    assert!(store.get_token("unknown").await.unwrap().is_none());
    assert!(store.get_token("").await.unwrap().is_none());

    // Only the app the token was issued to revokes it; revocation beats the cache.
    assert!(!store.revoke_token(&user.token, other.app.id).await.unwrap());
    assert!(store.get_token(&user.token).await.unwrap().is_some());
    assert!(
        store
            .revoke_token(&user.token, client.app.id)
            .await
            .unwrap()
    );
    assert!(store.get_token(&user.token).await.unwrap().is_none());
    assert!(
        !store
            .revoke_token(&user.token, client.app.id)
            .await
            .unwrap()
    );

    // The account's status comes with the token (the API refuses disabled ones).
    let t = store
        .create_token(client.app.id, Some(alice.id), "read")
        .await
        .unwrap();
    store
        .set_account_status(alice.id, AccountStatus::Disabled)
        .await
        .unwrap();
    let got = store.get_token(&t.token).await.unwrap().expect("live");
    assert_eq!(got.account.map(|a| a.status), Some(AccountStatus::Disabled));
    store.revoke_tokens_of_account(alice.id).await.unwrap();
    assert!(store.get_token(&t.token).await.unwrap().is_none());
}
