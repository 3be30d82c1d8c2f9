//! E-mail: addresses (unique ignoring case), single-use link tokens (only their hash stored;
//! using one is one transaction with its effect), and blocked e-mail domains (each change
//! with its audit row).

use super::common::{Ctx, DbRow, Tx};
use crate::email::{EmailDomainBlock, EmailState};
use crate::error::{StoreError, StoreResult};
use crate::moderation::AuditEntry;
use social_core::email::{TokenPurpose, address_key};
use social_core::{AccountId, ModAction, ValidationError};
use sqlx::Row;

/// Sets the (unconfirmed) address of a new account, inside its sign-up transaction.
pub(crate) async fn set_address(tx: &mut Tx, account: i64, email: &str) -> StoreResult<()> {
    sqlx::query(
        "UPDATE accounts SET email = $2, email_key = $3, email_confirmed_at = NULL WHERE id = $1",
    )
    .bind(account)
    .bind(email)
    .bind(address_key(email))
    .execute(&mut **tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict { what: "email" }
        }
        _ => e.into(),
    })?;
    Ok(())
}

fn state_from_row(r: &DbRow) -> StoreResult<EmailState> {
    let status: String = r.try_get("status")?;
    Ok(EmailState {
        account_id: AccountId(r.try_get("id")?),
        username: r.try_get("username")?,
        status: status
            .parse()
            .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
        email: r.try_get("email")?,
        confirmed: r.try_get::<Option<i64>, _>("email_confirmed_at")?.is_some(),
    })
}

const STATE_COLS: &str = "id, username, status, email, email_confirmed_at";

/// The account's address; None when it has none.
pub(crate) async fn state_of(ctx: &Ctx<'_>, account: i64) -> StoreResult<Option<EmailState>> {
    let row = sqlx::query(&format!(
        "SELECT {STATE_COLS} FROM accounts WHERE id = $1 AND email IS NOT NULL"
    ))
    .bind(account)
    .fetch_optional(ctx.read)
    .await?;
    row.as_ref().map(state_from_row).transpose()
}

/// The account with this address (ignoring case).
pub(crate) async fn by_address(ctx: &Ctx<'_>, email: &str) -> StoreResult<Option<EmailState>> {
    let row = sqlx::query(&format!(
        "SELECT {STATE_COLS} FROM accounts WHERE email_key = $1"
    ))
    .bind(address_key(email))
    .fetch_optional(ctx.read)
    .await?;
    row.as_ref().map(state_from_row).transpose()
}

pub(crate) async fn insert_token(
    ctx: &Ctx<'_>,
    hash: &str,
    account: i64,
    purpose: TokenPurpose,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO email_tokens (token_hash, account_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash)
    .bind(account)
    .bind(purpose.as_str())
    .bind(now)
    .bind(now + purpose.ttl_ms())
    .execute(ctx.write())
    .await?;
    Ok(())
}

fn bad_token(message: &str) -> StoreError {
    StoreError::Invalid(ValidationError::new("token", message))
}

/// The account a usable token belongs to; Invalid (field `token`) when it is unknown, used
/// or expired. `tx` given: the row is read inside that transaction.
async fn live_token(tx: &mut Tx, hash: &str, purpose: TokenPurpose, now: i64) -> StoreResult<i64> {
    let row = sqlx::query(
        "SELECT account_id, expires_at, used_at FROM email_tokens \
         WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(hash)
    .bind(purpose.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Err(bad_token("This link is not valid."));
    };
    if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
        return Err(bad_token("This link was already used."));
    }
    if row.try_get::<i64, _>("expires_at")? <= now {
        return Err(bad_token("This link has expired."));
    }
    Ok(row.try_get("account_id")?)
}

/// Whether the token could be used now (the reset form checks before showing itself).
pub(crate) async fn check_token(
    ctx: &Ctx<'_>,
    hash: &str,
    purpose: TokenPurpose,
    now: i64,
) -> StoreResult<i64> {
    let mut tx = ctx.begin().await?;
    let account = live_token(&mut tx, hash, purpose, now).await?;
    tx.rollback().await?;
    Ok(account)
}

/// Uses a token: marks it (and every other open token of the account for that purpose) used
/// and applies its effect in one transaction: confirms the address, or sets the new password
/// hash and deletes the account's sessions. Returns the account and the deleted sessions'
/// hashes (for the cache).
pub(crate) async fn use_token(
    ctx: &Ctx<'_>,
    hash: &str,
    purpose: TokenPurpose,
    new_password_hash: Option<&str>,
    now: i64,
) -> StoreResult<(AccountId, Vec<String>)> {
    let mut tx = ctx.begin().await?;
    let account = live_token(&mut tx, hash, purpose, now).await?;
    sqlx::query(
        "UPDATE email_tokens SET used_at = $3 WHERE account_id = $1 AND purpose = $2 \
         AND used_at IS NULL",
    )
    .bind(account)
    .bind(purpose.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let mut sessions = Vec::new();
    match (purpose, new_password_hash) {
        (TokenPurpose::Confirm, _) => {
            sqlx::query("UPDATE accounts SET email_confirmed_at = $2 WHERE id = $1")
                .bind(account)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        (TokenPurpose::Reset, Some(password_hash)) => {
            sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
                .bind(account)
                .bind(password_hash)
                .execute(&mut *tx)
                .await?;
            sessions = sqlx::query_scalar(
                "DELETE FROM sessions WHERE account_id = $1 RETURNING token_hash",
            )
            .bind(account)
            .fetch_all(&mut *tx)
            .await?;
        }
        (TokenPurpose::Reset, None) => {
            return Err(StoreError::Internal(
                "a reset needs the new password".into(),
            ));
        }
    }
    tx.commit().await?;
    Ok((AccountId(account), sessions))
}

fn block_from_row(r: &DbRow) -> StoreResult<EmailDomainBlock> {
    Ok(EmailDomainBlock {
        domain: r.try_get("domain")?,
        note: r.try_get("note")?,
        created_by: r.try_get::<Option<i64>, _>("created_by")?.map(AccountId),
        created_at_ms: r.try_get("created_at")?,
    })
}

pub(crate) async fn list_blocks(ctx: &Ctx<'_>) -> StoreResult<Vec<EmailDomainBlock>> {
    let rows = sqlx::query(
        "SELECT domain, note, created_by, created_at FROM email_domain_blocks ORDER BY domain",
    )
    .fetch_all(ctx.read)
    .await?;
    rows.iter().map(block_from_row).collect()
}

/// The first of `domains` that is blocked.
pub(crate) async fn blocked_among(
    ctx: &Ctx<'_>,
    domains: &[String],
) -> StoreResult<Option<String>> {
    if domains.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT domain FROM email_domain_blocks WHERE domain IN ({}) ORDER BY domain",
        super::common::placeholders(1, domains.len())
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql);
    for d in domains {
        q = q.bind(d);
    }
    Ok(q.fetch_all(ctx.read).await?.into_iter().next())
}

fn audit(ctx: &Ctx<'_>, actor: i64, action: ModAction, reason: String, now: i64) -> AuditEntry {
    AuditEntry {
        id: ctx.next_id(),
        actor_id: AccountId(actor),
        action,
        target_account_id: None,
        target_report_id: None,
        target_post_id: None,
        reason,
        created_at_ms: now,
    }
}

/// Conflict when the domain is already blocked.
pub(crate) async fn add_block(
    ctx: &Ctx<'_>,
    domain: &str,
    note: &str,
    actor: i64,
    now: i64,
) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let done = sqlx::query(
        "INSERT INTO email_domain_blocks (domain, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (domain) DO NOTHING",
    )
    .bind(domain)
    .bind(note)
    .bind(actor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict {
            what: "email domain block",
        });
    }
    let reason = if note.is_empty() {
        domain.to_owned()
    } else {
        format!("{domain}: {note}")
    };
    let entry = audit(ctx, actor, ModAction::BlockEmailDomain, reason, now);
    super::moderation::insert_audit(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}

/// NotFound when the domain is not blocked.
pub(crate) async fn delete_block(
    ctx: &Ctx<'_>,
    domain: &str,
    actor: i64,
    now: i64,
) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let done = sqlx::query("DELETE FROM email_domain_blocks WHERE domain = $1")
        .bind(domain)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    let entry = audit(
        ctx,
        actor,
        ModAction::UnblockEmailDomain,
        domain.to_owned(),
        now,
    );
    super::moderation::insert_audit(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(())
}
