//! Instance settings (key/value) and invite codes.

use super::common::Ctx;
use crate::error::{StoreError, StoreResult};
use crate::model::Invite;
use social_core::AccountId;
use sqlx::Row;

pub(crate) async fn get_setting(ctx: &Ctx<'_>, key: &str) -> StoreResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(ctx.read)
            .await?,
    )
}

pub(crate) async fn put_setting(ctx: &Ctx<'_>, key: &str, value: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(ctx.write())
    .await?;
    Ok(())
}

/// Writes the setting unless it exists (a concurrent start keeps the first value).
pub(crate) async fn insert_setting_if_absent(
    ctx: &Ctx<'_>,
    key: &str,
    value: &str,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(ctx.write())
        .await?;
    Ok(())
}

/// The newest sign of a moderator or admin at work: an account made staff (its creation), a
/// staff web session's last use, a staff audit entry. None without any staff account.
pub(crate) async fn last_staff_activity(ctx: &Ctx<'_>) -> StoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(t) FROM ( \
           SELECT MAX(created_at) AS t FROM accounts WHERE role IN ('moderator', 'admin') \
           UNION ALL \
           SELECT MAX(s.last_seen_at) FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE a.role IN ('moderator', 'admin') \
           UNION ALL \
           SELECT MAX(l.created_at) FROM audit_log l JOIN accounts a ON a.id = l.actor_id \
             WHERE a.role IN ('moderator', 'admin') \
         ) AS activity",
    )
    .fetch_one(ctx.read)
    .await?)
}

const INVITE_COLS: &str = "code, created_by, max_uses, uses, expires_at, created_at";

fn invite_from_row(r: &super::common::DbRow) -> Result<Invite, sqlx::Error> {
    Ok(Invite {
        code: r.try_get("code")?,
        created_by: AccountId(r.try_get("created_by")?),
        max_uses: r.try_get("max_uses")?,
        uses: r.try_get("uses")?,
        expires_at_ms: r.try_get("expires_at")?,
        created_at_ms: r.try_get("created_at")?,
    })
}

pub(crate) async fn create_invite(ctx: &Ctx<'_>, invite: &Invite) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO invites ({INVITE_COLS}) VALUES ($1, $2, $3, $4, $5, $6)"
    ))
    .bind(&invite.code)
    .bind(invite.created_by.0)
    .bind(invite.max_uses)
    .bind(invite.uses)
    .bind(invite.expires_at_ms)
    .bind(invite.created_at_ms)
    .execute(ctx.write())
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => e.into(),
    })?;
    Ok(())
}

pub(crate) async fn list_invites(ctx: &Ctx<'_>) -> StoreResult<Vec<Invite>> {
    let rows = sqlx::query(&format!(
        "SELECT {INVITE_COLS} FROM invites ORDER BY created_at DESC, code DESC"
    ))
    .fetch_all(ctx.read)
    .await?;
    Ok(rows.iter().map(invite_from_row).collect::<Result<_, _>>()?)
}

pub(crate) async fn delete_invite(ctx: &Ctx<'_>, code: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM invites WHERE code = $1")
        .bind(code)
        .execute(ctx.write())
        .await?;
    Ok(())
}
