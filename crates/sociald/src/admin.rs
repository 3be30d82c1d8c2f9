//! `sociald admin …`: account and instance tasks run on the server against the database.

use crate::cli::{CreateUserArgs, SetRegistrationArgs, StoreArgs};
use crate::config::{self, Config};
use crate::{logging, serve};
use anyhow::{Context as _, bail};
use social_core::{AccountStatus, Role, validate};
use social_store::{AccountInsert, Store, StoreError};
use std::io::{BufRead as _, IsTerminal as _};

/// Creates an active account with the given role; the password comes from a prompt or stdin.
pub fn create_user(args: CreateUserArgs) -> anyhow::Result<()> {
    let username = validate::username(&args.name).map_err(|e| anyhow::anyhow!("{e}"))?;
    let role = if args.admin {
        Role::Admin
    } else if args.moderator {
        Role::Moderator
    } else {
        Role::User
    };
    let config = load_config(&args.store)?;
    let password = read_password(args.password_stdin)?;
    validate::new_password(&password, &username).map_err(|e| anyhow::anyhow!("{e}"))?;
    let insert = AccountInsert {
        username: username.clone(),
        password,
        role,
        status: AccountStatus::Active,
        signup_reason: String::new(),
        invite_code: None,
    };
    with_store(&config, |store| async move {
        match store.create_account(insert).await {
            Ok(account) => Ok(account),
            Err(StoreError::Conflict { .. }) => bail!("the username {username:?} is taken"),
            Err(e) => Err(e).context("creating the account"),
        }
    })?;
    println!("created {role} account {} (active)", args.name.trim());
    Ok(())
}

/// Stores the instance's registration mode.
pub fn set_registration(args: SetRegistrationArgs) -> anyhow::Result<()> {
    let config = load_config(&args.store)?;
    let mode = args.mode;
    with_store(&config, |store| async move {
        store
            .put_registration_mode(mode)
            .await
            .context("storing the registration mode")
    })?;
    println!("registration mode: {mode}");
    Ok(())
}

pub(crate) fn load_config(args: &StoreArgs) -> anyhow::Result<Config> {
    let (config, _) = config::load(args.config.as_deref(), &args.overrides())?;
    logging::init(&config.log, true)?;
    Ok(config)
}

/// Runs one task against the store on a small runtime, closing the store afterwards.
pub(crate) fn with_store<T, F, Fut>(config: &Config, task: F) -> anyhow::Result<T>
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let store = serve::open_store_for_admin(config).await?;
        let result = task(store.clone()).await;
        store.close().await;
        result
    })
}

/// Prompts twice without echo on a terminal (unless `force_stdin`); otherwise reads one line.
fn read_password(force_stdin: bool) -> anyhow::Result<String> {
    if !force_stdin && std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("reading the password")?;
        let second =
            rpassword::prompt_password("Repeat password: ").context("reading the password")?;
        if first != second {
            bail!("the passwords differ");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from stdin")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        bail!("no password on standard input (give it as one line)");
    }
    Ok(password.to_owned())
}
