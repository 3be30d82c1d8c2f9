//! Account security: TOTP credentials and recovery codes (only their hashes), and the
//! listing and revoking of an account's web sessions and OAuth tokens.

use super::common::Ctx;
use crate::error::StoreResult;
use crate::security::{Authorization, SessionInfo, TotpCredential};
use sqlx::Row;

pub(crate) async fn get_totp(ctx: &Ctx<'_>, account: i64) -> StoreResult<Option<TotpCredential>> {
    let row = sqlx::query(
        "SELECT secret, confirmed_at, last_step FROM totp_credentials WHERE account_id = $1",
    )
    .bind(account)
    .fetch_optional(ctx.read)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(TotpCredential {
        secret: r.try_get("secret")?,
        confirmed_at_ms: r.try_get("confirmed_at")?,
        last_step: r.try_get("last_step")?,
    }))
}

/// Starts (or restarts) enrolment with a new secret; false when 2FA is already on.
pub(crate) async fn put_pending_totp(
    ctx: &Ctx<'_>,
    account: i64,
    secret: &str,
    now: i64,
) -> StoreResult<bool> {
    let mut tx = ctx.begin().await?;
    let confirmed: Option<Option<i64>> =
        sqlx::query_scalar("SELECT confirmed_at FROM totp_credentials WHERE account_id = $1")
            .bind(account)
            .fetch_optional(&mut *tx)
            .await?;
    if matches!(confirmed, Some(Some(_))) {
        return Ok(false);
    }
    sqlx::query("DELETE FROM totp_credentials WHERE account_id = $1")
        .bind(account)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO totp_credentials (account_id, secret, confirmed_at, last_step, created_at) \
         VALUES ($1, $2, NULL, 0, $3)",
    )
    .bind(account)
    .bind(secret)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Confirms a pending enrolment at `step` and replaces the recovery codes, in one
/// transaction; false when there was no pending enrolment.
pub(crate) async fn confirm_totp(
    ctx: &Ctx<'_>,
    account: i64,
    step: i64,
    recovery_hashes: &[String],
    now: i64,
) -> StoreResult<bool> {
    let mut tx = ctx.begin().await?;
    let done = sqlx::query(
        "UPDATE totp_credentials SET confirmed_at = $2, last_step = $3 \
         WHERE account_id = $1 AND confirmed_at IS NULL",
    )
    .bind(account)
    .bind(now)
    .bind(step)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account)
        .execute(&mut *tx)
        .await?;
    for hash in recovery_hashes {
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
            .bind(account)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Records `step` as used if it is later than the last used one: the one atomic check that
/// makes a code single-use, even with two requests racing.
pub(crate) async fn use_totp_step(ctx: &Ctx<'_>, account: i64, step: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE totp_credentials SET last_step = $2 \
         WHERE account_id = $1 AND confirmed_at IS NOT NULL AND last_step < $2",
    )
    .bind(account)
    .bind(step)
    .execute(ctx.write())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks an unused recovery code used; whether there was one.
pub(crate) async fn use_recovery_code(
    ctx: &Ctx<'_>,
    account: i64,
    hash: &str,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $3 \
         WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(account)
    .bind(hash)
    .bind(now)
    .execute(ctx.write())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn count_recovery_codes(ctx: &Ctx<'_>, account: i64) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account)
    .fetch_one(ctx.read)
    .await?)
}

/// Turns 2FA off: the credential and the recovery codes go together.
pub(crate) async fn delete_totp(ctx: &Ctx<'_>, account: i64) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    for sql in [
        "DELETE FROM recovery_codes WHERE account_id = $1",
        "DELETE FROM totp_credentials WHERE account_id = $1",
    ] {
        sqlx::query(sql).bind(account).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The account's unexpired sessions, most recently seen first.
pub(crate) async fn list_sessions(
    ctx: &Ctx<'_>,
    account: i64,
    now: i64,
) -> StoreResult<Vec<SessionInfo>> {
    let rows = sqlx::query(
        "SELECT token_hash, user_agent, client_addr, created_at, last_seen_at FROM sessions \
         WHERE account_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, created_at DESC",
    )
    .bind(account)
    .bind(now)
    .fetch_all(ctx.read)
    .await?;
    rows.iter()
        .map(|r| -> StoreResult<SessionInfo> {
            let hash: String = r.try_get("token_hash")?;
            Ok(SessionInfo {
                id: hash.chars().take(16).collect(),
                user_agent: r.try_get("user_agent")?,
                client_addr: r.try_get("client_addr")?,
                created_at_ms: r.try_get("created_at")?,
                last_seen_at_ms: r.try_get("last_seen_at")?,
            })
        })
        .collect()
}

/// Deletes the account's session named by `id` (a hash prefix); the deleted hashes.
pub(crate) async fn delete_session_by_id(
    ctx: &Ctx<'_>,
    account: i64,
    id: &str,
) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "DELETE FROM sessions WHERE account_id = $1 AND substr(token_hash, 1, 16) = $2 \
         RETURNING token_hash",
    )
    .bind(account)
    .bind(id)
    .fetch_all(ctx.write())
    .await?)
}

/// Deletes every session of the account but `keep` (a token hash); the deleted hashes.
pub(crate) async fn delete_other_sessions(
    ctx: &Ctx<'_>,
    account: i64,
    keep: &str,
) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2 RETURNING token_hash",
    )
    .bind(account)
    .bind(keep)
    .fetch_all(ctx.write())
    .await?)
}

/// The account's live tokens with their apps, newest first.
pub(crate) async fn list_authorizations(
    ctx: &Ctx<'_>,
    account: i64,
    now: i64,
) -> StoreResult<Vec<Authorization>> {
    let rows = sqlx::query(
        "SELECT t.id, a.name, t.scopes, t.created_at, t.last_used_at FROM oauth_tokens t \
         JOIN oauth_apps a ON a.id = t.app_id WHERE t.account_id = $1 \
         AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
         ORDER BY t.id DESC",
    )
    .bind(account)
    .bind(now)
    .fetch_all(ctx.read)
    .await?;
    rows.iter()
        .map(|r| -> StoreResult<Authorization> {
            Ok(Authorization {
                token_id: r.try_get("id")?,
                app_name: r.try_get("name")?,
                scopes: r.try_get("scopes")?,
                created_at_ms: r.try_get("created_at")?,
                last_used_at_ms: r.try_get("last_used_at")?,
            })
        })
        .collect()
}

/// Revokes one of the account's tokens; its hash if it was live.
pub(crate) async fn revoke_token_by_id(
    ctx: &Ctx<'_>,
    account: i64,
    token_id: i64,
    now: i64,
) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "UPDATE oauth_tokens SET revoked_at = $3 WHERE id = $1 AND account_id = $2 \
         AND revoked_at IS NULL RETURNING token_hash",
    )
    .bind(token_id)
    .bind(account)
    .bind(now)
    .fetch_optional(ctx.write())
    .await?)
}
