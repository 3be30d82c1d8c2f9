//! `sociald admin …` on the real binary, checked through the store.

mod common;

use common::{TempDir, run, sociald};
use social_core::{AccountStatus, RegistrationMode, Role};
use social_store::{Store, StoreOptions};
use std::path::Path;

fn admin(dir: &TempDir, args: &[&str]) -> std::process::Command {
    let mut cmd = sociald();
    cmd.arg("admin")
        .args(args)
        .arg("--config")
        .arg(dir.empty_config())
        .arg("--data-dir")
        .arg(dir.path());
    cmd
}

fn with_store<T>(data_dir: &Path, f: impl AsyncFnOnce(&Store) -> T) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = Store::open(StoreOptions {
            database_url: format!("sqlite://{}", data_dir.join("social.db").display()),
            max_connections: 0,
            redis_url: None,
        })
        .await
        .expect("open store");
        let out = f(&store).await;
        store.close().await;
        out
    })
}

#[test]
fn create_user_reads_the_password_from_stdin() {
    let dir = TempDir::new("admin-create");
    let (status, out, err) = run(
        admin(&dir, &["create-user", "--admin", "Alice"]),
        "correct horse battery\n",
    );
    assert!(status.success(), "{err}");
    assert!(out.contains("created admin account Alice"), "{out}");

    let (account, login) = with_store(dir.path(), async |store| {
        let account = store
            .get_account_by_username("alice")
            .await
            .expect("lookup");
        let login = store
            .verify_password("alice", "correct horse battery")
            .await
            .expect("verify");
        (account, login)
    });
    let account = account.expect("the account exists");
    assert_eq!(account.username, "Alice");
    assert_eq!(account.role, Role::Admin);
    assert_eq!(account.status, AccountStatus::Active);
    assert!(login.is_some(), "the password works");

    let (status, _, err) = run(admin(&dir, &["create-user", "alice"]), "another password\n");
    assert!(!status.success(), "a taken name is refused");
    assert!(err.contains("taken"), "{err}");
}

#[test]
fn create_user_validates() {
    let dir = TempDir::new("admin-validate");
    let (status, _, err) = run(admin(&dir, &["create-user", "bob"]), "short\n");
    assert!(!status.success());
    assert!(err.contains("password"), "{err}");
    let (status, _, err) = run(
        admin(&dir, &["create-user", "no spaces!"]),
        "long enough pw\n",
    );
    assert!(!status.success());
    assert!(err.contains("username"), "{err}");
    let (status, _, err) = run(admin(&dir, &["create-user", "carol", "--moderator"]), "");
    assert!(!status.success(), "no password on stdin");
    assert!(err.contains("password"), "{err}");
    let (status, out, err) = run(
        admin(&dir, &["create-user", "carol", "--moderator"]),
        "long enough pw\r\n",
    );
    assert!(status.success(), "{err}");
    assert!(out.contains("moderator"), "{out}");
}

#[test]
fn set_registration_round_trip() {
    let dir = TempDir::new("admin-registration");
    for mode in RegistrationMode::ALL {
        let (status, out, err) = run(admin(&dir, &["set-registration", mode.as_str()]), "");
        assert!(status.success(), "{err}");
        assert!(out.contains(mode.as_str()), "{out}");
        let stored = with_store(dir.path(), async |store| {
            store.get_registration_mode().await.expect("read mode")
        });
        assert_eq!(stored, mode);
    }
    let (status, _, err) = run(admin(&dir, &["set-registration", "sometimes"]), "");
    assert!(!status.success());
    assert!(err.contains("sometimes"), "{err}");
}
