//! `sociald admin` moderation verbs for headless servers: the report queue, actions, the
//! audit log, invites, IP and e-mail blocks. Each change is made as a named moderator or
//! admin (`--as`), whose role is checked as on the web pages, and audit-logged by the store.
//! Listings print a table, or one JSON array with `--json` (what `socialctl admin` reads).

use crate::admin::{load_config, with_store};
use crate::cli::{
    ActArgs, Actor, AdminCommand, BlockAddArgs, CodeArgs, EmailBlockCommand, InviteCommand,
    InviteCreateArgs, IpBlockCommand, ListArgs,
};
use anyhow::{Context as _, anyhow, bail};
use serde_json::{Value, json};
use social_core::{Account, AccountId, ModAction, Role, email, moderation, rules};
use social_store::{Page, Store, StoreError};

const DAY_MS: i64 = 24 * 3600 * 1000;

pub fn run(command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Reports(args) => reports(args),
        AdminCommand::Act(args) => act(args),
        AdminCommand::Audit(args) => audit(args),
        AdminCommand::Invites(InviteCommand::Create(args)) => invite_create(args),
        AdminCommand::Invites(InviteCommand::List(args)) => invite_list(args),
        AdminCommand::Invites(InviteCommand::Delete(args)) => invite_delete(args),
        AdminCommand::IpBlocks(IpBlockCommand::Add(args)) => ip_block_add(args),
        AdminCommand::IpBlocks(IpBlockCommand::List(args)) => ip_block_list(args),
        AdminCommand::IpBlocks(IpBlockCommand::Delete(args)) => ip_block_delete(args),
        AdminCommand::EmailBlocks(EmailBlockCommand::Add(args)) => email_block_add(args),
        AdminCommand::EmailBlocks(EmailBlockCommand::List(args)) => email_block_list(args),
        AdminCommand::EmailBlocks(EmailBlockCommand::Delete(args)) => email_block_delete(args),
        AdminCommand::CreateUser(_) | AdminCommand::SetRegistration(_) => {
            unreachable!("dispatched in main")
        }
    }
}

/// Who may act: staff (moderators and admins), or admins only.
#[derive(Clone, Copy, PartialEq)]
enum Needs {
    Staff,
    Admin,
}

/// The acting account, refused unless its role allows the verb.
async fn actor(store: &Store, who: &Actor, needs: Needs) -> anyhow::Result<Account> {
    let account = store
        .get_account_by_username(who.actor.trim())
        .await
        .context("looking up the acting account")?
        .ok_or_else(|| anyhow!("--as {:?}: no such account", who.actor))?;
    let allowed = match needs {
        Needs::Staff => account.role.is_staff(),
        Needs::Admin => account.role == Role::Admin,
    };
    if !allowed {
        bail!(
            "--as {:?}: this needs {} account, and it is a {} account",
            who.actor,
            if needs == Needs::Admin {
                "an admin"
            } else {
                "a moderator or admin"
            },
            account.role
        );
    }
    Ok(account)
}

fn iso(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Prints a JSON array, or the table rows `line` makes of each item.
fn print_list(json: bool, items: &[Value], header: &str, line: impl Fn(&Value) -> String) {
    if json {
        println!("{}", Value::Array(items.to_vec()));
        return;
    }
    if items.is_empty() {
        println!("(none)");
        return;
    }
    println!("{header}");
    for item in items {
        println!("{}", line(item));
    }
}

fn text(v: &Value, key: &str) -> String {
    match &v[key] {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// Usernames of accounts by ID, for readable listings.
async fn username(store: &Store, id: AccountId) -> anyhow::Result<String> {
    Ok(store
        .get_account_by_id(id)
        .await?
        .map_or_else(|| format!("#{}", id.0), |a| a.username))
}

fn reports(args: ListArgs) -> anyhow::Result<()> {
    let config = load_config(&args.store)?;
    let items = with_store(&config, |store| async move {
        let mut items = Vec::new();
        for r in store.list_open_reports(Page::first(args.limit)).await? {
            items.push(json!({
                "id": r.id,
                "created_at": iso(r.created_at_ms),
                "reporter": username(&store, r.reporter_id).await?,
                "account": username(&store, r.target_id).await?,
                "category": r.category.as_str(),
                "comment": r.comment,
                "post_ids": r.post_ids.iter().map(|p| p.0.to_string()).collect::<Vec<_>>(),
            }));
        }
        Ok(items)
    })?;
    print_list(
        args.json,
        &items,
        "ID\tCREATED\tACCOUNT\tCATEGORY\tREPORTER\tCOMMENT",
        |r| {
            let comment: String = text(r, "comment").chars().take(60).collect();
            format!(
                "{}\t{}\t{}\t{}\t{}\t{comment}",
                r["id"],
                text(r, "created_at"),
                text(r, "account"),
                text(r, "category"),
                text(r, "reporter")
            )
        },
    );
    Ok(())
}

fn act(args: ActArgs) -> anyhow::Result<()> {
    let action: ModAction = args
        .action
        .parse()
        .ok()
        .filter(|a: &ModAction| a.on_account())
        .ok_or_else(|| {
            anyhow!(
                "--action {:?}: choose one of dismiss, delete_posts, mark_sensitive, limit, \
                 unlimit, suspend, unsuspend, warn",
                args.action
            )
        })?;
    let reason = moderation::reason(&args.reason).map_err(|e| anyhow!("--reason: {e}"))?;
    let message = if action == ModAction::Warn {
        moderation::warning_message(&args.message).map_err(|e| anyhow!("--message: {e}"))?
    } else {
        args.message.trim().to_owned()
    };
    if action.needs_report() && args.report.is_none() {
        bail!("--action {action}: name the report it resolves with --report ID");
    }
    let config = load_config(&args.store)?;
    let (entry, target) = with_store(&config, |store| async move {
        let actor = actor(&store, &args.actor, Needs::Staff).await?;
        let target = store
            .get_account_by_username(args.account.trim())
            .await?
            .ok_or_else(|| anyhow!("--account {:?}: no such account", args.account))?;
        let input = social_store::ModerationInput {
            actor: actor.id,
            action,
            target: target.id,
            report_id: args.report,
            reason,
            message,
        };
        match store.moderate(input).await {
            Ok(entry) => Ok((entry, target.username)),
            Err(StoreError::Conflict { what }) => bail!("refused: {what}"),
            Err(StoreError::NotFound) => {
                bail!("refused: the report does not exist or is about another account")
            }
            Err(StoreError::Forbidden { reason }) => bail!("refused: {reason}"),
            Err(StoreError::Invalid(e)) => bail!("refused: {e}"),
            Err(e) => Err(e).context("recording the action"),
        }
    })?;
    if args.json {
        println!(
            "{}",
            json!({"audit_id": entry.id, "action": action.as_str(), "account": target})
        );
    } else {
        println!("{action} on {target}: done (audit entry {})", entry.id);
    }
    Ok(())
}

fn audit(args: ListArgs) -> anyhow::Result<()> {
    let config = load_config(&args.store)?;
    let items = with_store(&config, |store| async move {
        let mut items = Vec::new();
        for e in store.list_audit_log(Page::first(args.limit)).await? {
            let account = match e.target_account_id {
                Some(id) => Some(username(&store, id).await?),
                None => None,
            };
            items.push(json!({
                "id": e.id,
                "created_at": iso(e.created_at_ms),
                "actor": username(&store, e.actor_id).await?,
                "action": e.action.as_str(),
                "account": account,
                "report_id": e.target_report_id,
                "post_id": e.target_post_id.map(|p| p.0.to_string()),
                "reason": e.reason,
            }));
        }
        Ok(items)
    })?;
    print_list(
        args.json,
        &items,
        "ID\tWHEN\tACTOR\tACTION\tACCOUNT\tREASON",
        |e| {
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}",
                e["id"],
                text(e, "created_at"),
                text(e, "actor"),
                text(e, "action"),
                text(e, "account"),
                text(e, "reason")
            )
        },
    );
    Ok(())
}

fn invite_json(i: &social_store::Invite) -> Value {
    json!({
        "code": i.code,
        "uses": i.uses,
        "max_uses": i.max_uses,
        "expires_at": i.expires_at_ms.map(iso),
        "created_at": iso(i.created_at_ms),
    })
}

fn invite_create(args: InviteCreateArgs) -> anyhow::Result<()> {
    if args.max_uses == Some(0) || args.expires_days == Some(0) {
        bail!("--max-uses and --expires-days must be at least 1 (leave them out for no limit)");
    }
    let config = load_config(&args.store)?;
    let invite = with_store(&config, |store| async move {
        let actor = actor(&store, &args.actor, Needs::Staff).await?;
        let expires = args.expires_days.map(|d| now_ms() + i64::from(d) * DAY_MS);
        Ok(store
            .create_invite(actor.id, args.max_uses.map(i64::from), expires)
            .await?)
    })?;
    if args.json {
        println!("{}", invite_json(&invite));
    } else {
        println!("{}", invite.code);
    }
    Ok(())
}

fn invite_list(args: ListArgs) -> anyhow::Result<()> {
    let config = load_config(&args.store)?;
    let invites = with_store(
        &config,
        |store| async move { Ok(store.list_invites().await?) },
    )?;
    let items: Vec<Value> = invites
        .iter()
        .take(args.limit as usize)
        .map(invite_json)
        .collect();
    print_list(args.json, &items, "CODE\tUSES\tMAX\tEXPIRES", |i| {
        format!(
            "{}\t{}\t{}\t{}",
            text(i, "code"),
            i["uses"],
            text(i, "max_uses"),
            text(i, "expires_at")
        )
    });
    Ok(())
}

fn invite_delete(args: CodeArgs) -> anyhow::Result<()> {
    let config = load_config(&args.store)?;
    let code = args.key.trim().to_owned();
    with_store(&config, |store| async move {
        actor(&store, &args.actor, Needs::Staff).await?;
        if !store.list_invites().await?.iter().any(|i| i.code == code) {
            bail!("no invite code {code:?}");
        }
        Ok(store.delete_invite(&code).await?)
    })?;
    println!("invite deleted");
    Ok(())
}

fn ip_block_add(args: BlockAddArgs) -> anyhow::Result<()> {
    let network = rules::ip_network(&args.target).map_err(|e| anyhow!("{e}"))?;
    let note = rules::ip_block_note(&args.note).map_err(|e| anyhow!("--note: {e}"))?;
    if args.expires_days == Some(0) {
        bail!("--expires-days must be at least 1 (leave it out for no end)");
    }
    let config = load_config(&args.store)?;
    let block = with_store(&config, |store| async move {
        let actor = actor(&store, &args.actor, Needs::Admin).await?;
        let expires = args.expires_days.map(|d| now_ms() + i64::from(d) * DAY_MS);
        match store.add_ip_block(actor.id, network, &note, expires).await {
            Ok(block) => Ok(block),
            Err(StoreError::Conflict { .. }) => bail!("{} is blocked already", args.target),
            Err(e) => Err(e).context("adding the block"),
        }
    })?;
    if args.json {
        println!(
            "{}",
            json!({"id": block.id, "network": block.network.to_string()})
        );
    } else {
        println!("blocked {} (ID {})", block.network, block.id);
    }
    Ok(())
}

fn ip_block_list(args: ListArgs) -> anyhow::Result<()> {
    let config = load_config(&args.store)?;
    let blocks = with_store(
        &config,
        |store| async move { Ok(store.list_ip_blocks().await?) },
    )?;
    let items: Vec<Value> = blocks
        .iter()
        .take(args.limit as usize)
        .map(|b| {
            json!({
                "id": b.id,
                "network": b.network.to_string(),
                "note": b.note,
                "expires_at": b.expires_at_ms.map(iso),
                "created_at": iso(b.created_at_ms),
            })
        })
        .collect();
    print_list(args.json, &items, "ID\tNETWORK\tEXPIRES\tNOTE", |b| {
        format!(
            "{}\t{}\t{}\t{}",
            b["id"],
            text(b, "network"),
            text(b, "expires_at"),
            text(b, "note")
        )
    });
    Ok(())
}

fn ip_block_delete(args: CodeArgs) -> anyhow::Result<()> {
    let id: i64 = args
        .key
        .trim()
        .parse()
        .map_err(|_| anyhow!("{:?} is not a block ID (see `ip-blocks list`)", args.key))?;
    let config = load_config(&args.store)?;
    with_store(&config, |store| async move {
        let actor = actor(&store, &args.actor, Needs::Admin).await?;
        match store.delete_ip_block(actor.id, id).await {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound) => bail!("no IP block with ID {id}"),
            Err(e) => Err(e).context("deleting the block"),
        }
    })?;
    println!("IP block {id} lifted");
    Ok(())
}

fn email_block_add(args: BlockAddArgs) -> anyhow::Result<()> {
    let domain = email::domain_name(&args.target).map_err(|e| anyhow!("{e}"))?;
    let note: String = args.note.trim().to_owned();
    if note.chars().count() > 500 {
        bail!("--note: at most 500 characters");
    }
    let config = load_config(&args.store)?;
    let shown = domain.clone();
    with_store(&config, |store| async move {
        let actor = actor(&store, &args.actor, Needs::Admin).await?;
        match store.block_email_domain(actor.id, &domain, &note).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict { .. }) => bail!("{domain} is blocked already"),
            Err(e) => Err(e).context("adding the block"),
        }
    })?;
    if args.json {
        println!("{}", json!({"domain": shown}));
    } else {
        println!("blocked e-mail domain {shown}");
    }
    Ok(())
}

fn email_block_list(args: ListArgs) -> anyhow::Result<()> {
    let config = load_config(&args.store)?;
    let blocks = with_store(&config, |store| async move {
        Ok(store.list_email_domain_blocks().await?)
    })?;
    let items: Vec<Value> = blocks
        .iter()
        .take(args.limit as usize)
        .map(|b| json!({"domain": b.domain, "note": b.note, "created_at": iso(b.created_at_ms)}))
        .collect();
    print_list(args.json, &items, "DOMAIN\tCREATED\tNOTE", |b| {
        format!(
            "{}\t{}\t{}",
            text(b, "domain"),
            text(b, "created_at"),
            text(b, "note")
        )
    });
    Ok(())
}

fn email_block_delete(args: CodeArgs) -> anyhow::Result<()> {
    let domain = email::domain_name(&args.key).map_err(|e| anyhow!("{e}"))?;
    let config = load_config(&args.store)?;
    let shown = domain.clone();
    with_store(&config, |store| async move {
        let actor = actor(&store, &args.actor, Needs::Admin).await?;
        match store.unblock_email_domain(actor.id, &domain).await {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound) => bail!("{domain} is not blocked"),
            Err(e) => Err(e).context("lifting the block"),
        }
    })?;
    println!("e-mail domain {shown} unblocked");
    Ok(())
}
