//! Login sessions: only the SHA-256 of the token is stored.

use super::common::Ctx;
pub(crate) use crate::cached::SessionRow;
use crate::error::StoreResult;
use sqlx::Row;

pub(crate) async fn insert(
    ctx: &Ctx<'_>,
    hash: &str,
    row: &SessionRow,
    user_agent: &str,
    client_addr: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, csrf_token, user_agent, created_at, \
         last_seen_at, expires_at, client_addr) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(hash)
    .bind(row.account_id)
    .bind(&row.csrf_token)
    .bind(user_agent)
    .bind(row.created_at)
    .bind(row.last_seen_at)
    .bind(row.expires_at)
    .bind(client_addr)
    .execute(ctx.write())
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => crate::StoreError::NotFound,
        _ => e.into(),
    })?;
    Ok(())
}

pub(crate) async fn get(ctx: &Ctx<'_>, hash: &str) -> StoreResult<Option<SessionRow>> {
    let row = sqlx::query(
        "SELECT account_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions \
         WHERE token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(ctx.read)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(SessionRow {
        account_id: r.try_get("account_id")?,
        csrf_token: r.try_get("csrf_token")?,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        expires_at: r.try_get("expires_at")?,
    }))
}

pub(crate) async fn touch(ctx: &Ctx<'_>, hash: &str, now: i64, expires: i64) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1")
        .bind(hash)
        .bind(now)
        .bind(expires)
        .execute(ctx.write())
        .await?;
    Ok(())
}

pub(crate) async fn delete(ctx: &Ctx<'_>, hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(hash)
        .execute(ctx.write())
        .await?;
    Ok(())
}

/// Deletes every session of the account; returns their hashes (to drop them from the cache).
pub(crate) async fn delete_of_account(ctx: &Ctx<'_>, account: i64) -> StoreResult<Vec<String>> {
    Ok(
        sqlx::query_scalar("DELETE FROM sessions WHERE account_id = $1 RETURNING token_hash")
            .bind(account)
            .fetch_all(ctx.write())
            .await?,
    )
}
