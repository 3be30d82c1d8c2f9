//! Content filters, sign-up IP blocks and server rules: each change with its audit row, in
//! one transaction.

use super::common::{Ctx, DbRow, Tx};
use super::moderation::{insert_audit, invalid};
use crate::error::{StoreError, StoreResult};
use crate::moderation::AuditEntry;
use crate::rules::{IpBlock, ServerRule};
use social_core::rules::{Filter, IpNet, RULES_MAX};
use social_core::{AccountId, ModAction};
use sqlx::Row;
use std::str::FromStr;

fn parse<T: FromStr<Err = String>>(s: &str) -> Result<T, sqlx::Error> {
    s.parse().map_err(|e: String| sqlx::Error::Decode(e.into()))
}

/// An audit row for an instance-rules change (no account, report or post named).
async fn audit(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    actor: i64,
    action: ModAction,
    reason: String,
    now: i64,
) -> StoreResult<()> {
    let entry = AuditEntry {
        id: ctx.next_id(),
        actor_id: AccountId(actor),
        action,
        target_account_id: None,
        target_report_id: None,
        target_post_id: None,
        reason,
        created_at_ms: now,
    };
    insert_audit(tx, &entry).await
}

fn filter_from_row(r: &DbRow) -> Result<Filter, sqlx::Error> {
    Ok(Filter {
        id: r.try_get("id")?,
        kind: parse(r.try_get::<&str, _>("kind")?)?,
        pattern: r.try_get("pattern")?,
        action: parse(r.try_get::<&str, _>("action")?)?,
    })
}

pub(crate) async fn list_filters(ctx: &Ctx<'_>) -> StoreResult<Vec<Filter>> {
    let rows = sqlx::query("SELECT id, kind, pattern, action FROM content_filters ORDER BY id")
        .fetch_all(ctx.read)
        .await?;
    Ok(rows.iter().map(filter_from_row).collect::<Result<_, _>>()?)
}

/// `filter.id` is ignored; returns the stored filter.
pub(crate) async fn add_filter(
    ctx: &Ctx<'_>,
    actor: i64,
    filter: &Filter,
    now: i64,
) -> StoreResult<Filter> {
    let mut tx = ctx.begin().await?;
    let id = ctx.next_id();
    sqlx::query(
        "INSERT INTO content_filters (id, kind, pattern, action, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(filter.kind.as_str())
    .bind(&filter.pattern)
    .bind(filter.action.as_str())
    .bind(actor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let why = format!(
        "filter {id}: {} {:?} -> {}",
        filter.kind, filter.pattern, filter.action
    );
    audit(ctx, &mut tx, actor, ModAction::AddFilter, why, now).await?;
    tx.commit().await?;
    Ok(Filter {
        id,
        ..filter.clone()
    })
}

pub(crate) async fn delete_filter(ctx: &Ctx<'_>, actor: i64, id: i64, now: i64) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let row = sqlx::query("SELECT id, kind, pattern, action FROM content_filters WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let f = match row {
        Some(r) => filter_from_row(&r)?,
        None => return Err(StoreError::NotFound),
    };
    sqlx::query("DELETE FROM content_filters WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let why = format!("filter {id}: {} {:?} -> {}", f.kind, f.pattern, f.action);
    audit(ctx, &mut tx, actor, ModAction::DeleteFilter, why, now).await?;
    tx.commit().await?;
    Ok(())
}

const BLOCK_COLS: &str = "id, network, note, expires_at, created_by, created_at";

fn block_from_row(r: &DbRow) -> Result<IpBlock, sqlx::Error> {
    Ok(IpBlock {
        id: r.try_get("id")?,
        network: parse(r.try_get::<&str, _>("network")?)?,
        note: r.try_get("note")?,
        expires_at_ms: r.try_get("expires_at")?,
        created_by: AccountId(r.try_get("created_by")?),
        created_at_ms: r.try_get("created_at")?,
    })
}

/// Blocks that have not expired at `now`, newest first.
pub(crate) async fn list_ip_blocks(ctx: &Ctx<'_>, now: i64) -> StoreResult<Vec<IpBlock>> {
    let rows = sqlx::query(&format!(
        "SELECT {BLOCK_COLS} FROM ip_blocks WHERE expires_at IS NULL OR expires_at > $1 \
         ORDER BY id DESC"
    ))
    .bind(now)
    .fetch_all(ctx.read)
    .await?;
    Ok(rows.iter().map(block_from_row).collect::<Result<_, _>>()?)
}

/// Conflict when the network is already blocked (an expired block is replaced).
pub(crate) async fn add_ip_block(
    ctx: &Ctx<'_>,
    actor: i64,
    network: IpNet,
    note: &str,
    expires_at: Option<i64>,
    now: i64,
) -> StoreResult<IpBlock> {
    let mut tx = ctx.begin().await?;
    let text = network.to_string();
    sqlx::query("DELETE FROM ip_blocks WHERE network = $1 AND expires_at <= $2")
        .bind(&text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let id = ctx.next_id();
    let done = sqlx::query(&format!(
        "INSERT INTO ip_blocks ({BLOCK_COLS}) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (network) DO NOTHING"
    ))
    .bind(id)
    .bind(&text)
    .bind(note)
    .bind(expires_at)
    .bind(actor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            what: "this network is already blocked",
        });
    }
    let why = if note.is_empty() {
        text.clone()
    } else {
        format!("{text}: {note}")
    };
    audit(ctx, &mut tx, actor, ModAction::AddIpBlock, why, now).await?;
    tx.commit().await?;
    Ok(IpBlock {
        id,
        network,
        note: note.to_owned(),
        expires_at_ms: expires_at,
        created_by: AccountId(actor),
        created_at_ms: now,
    })
}

pub(crate) async fn delete_ip_block(
    ctx: &Ctx<'_>,
    actor: i64,
    id: i64,
    now: i64,
) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let network: Option<String> = sqlx::query_scalar("SELECT network FROM ip_blocks WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(network) = network else {
        return Err(StoreError::NotFound);
    };
    sqlx::query("DELETE FROM ip_blocks WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit(ctx, &mut tx, actor, ModAction::DeleteIpBlock, network, now).await?;
    tx.commit().await?;
    Ok(())
}

fn rule_from_row(r: &DbRow) -> Result<ServerRule, sqlx::Error> {
    Ok(ServerRule {
        id: r.try_get("id")?,
        position: r.try_get("position")?,
        text: r.try_get("text")?,
        hint: r.try_get("hint")?,
    })
}

pub(crate) async fn list_rules(ctx: &Ctx<'_>) -> StoreResult<Vec<ServerRule>> {
    let rows =
        sqlx::query("SELECT id, position, text, hint FROM server_rules ORDER BY position, id")
            .fetch_all(ctx.read)
            .await?;
    Ok(rows.iter().map(rule_from_row).collect::<Result<_, _>>()?)
}

/// Appends a rule (after the last); Invalid past [`RULES_MAX`] rules.
pub(crate) async fn add_rule(
    ctx: &Ctx<'_>,
    actor: i64,
    text: &str,
    hint: &str,
    now: i64,
) -> StoreResult<ServerRule> {
    let mut tx = ctx.begin().await?;
    let (count, last): (i64, Option<i64>) =
        sqlx::query_as("SELECT COUNT(*), MAX(position) FROM server_rules")
            .fetch_one(&mut *tx)
            .await?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= RULES_MAX {
        return Err(invalid(
            "text",
            "This server already has 50 rules, the most there may be.",
        ));
    }
    let rule = ServerRule {
        id: ctx.next_id(),
        position: last.unwrap_or(0) + 1,
        text: text.to_owned(),
        hint: hint.to_owned(),
    };
    sqlx::query(
        "INSERT INTO server_rules (id, position, text, hint, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(rule.id)
    .bind(rule.position)
    .bind(&rule.text)
    .bind(&rule.hint)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit(
        ctx,
        &mut tx,
        actor,
        ModAction::AddRule,
        text.to_owned(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(rule)
}

/// Changes a rule's text, hint and position; NotFound for an unknown rule.
pub(crate) async fn update_rule(
    ctx: &Ctx<'_>,
    actor: i64,
    rule: &ServerRule,
    now: i64,
) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let done =
        sqlx::query("UPDATE server_rules SET position = $2, text = $3, hint = $4 WHERE id = $1")
            .bind(rule.id)
            .bind(rule.position)
            .bind(&rule.text)
            .bind(&rule.hint)
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    let why = format!("rule {} at {}: {}", rule.id, rule.position, rule.text);
    audit(ctx, &mut tx, actor, ModAction::EditRule, why, now).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn delete_rule(ctx: &Ctx<'_>, actor: i64, id: i64, now: i64) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let text: Option<String> = sqlx::query_scalar("SELECT text FROM server_rules WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(text) = text else {
        return Err(StoreError::NotFound);
    };
    sqlx::query("DELETE FROM server_rules WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit(ctx, &mut tx, actor, ModAction::DeleteRule, text, now).await?;
    tx.commit().await?;
    Ok(())
}
