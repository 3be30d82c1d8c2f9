//! Accounts: sign-up (with invite consumption), lookups, profile, status and role.

use super::common::{ACCOUNT_COLS, Ctx, account_from_row, bind_page, page_sql};
use crate::error::{StoreError, StoreResult};
use crate::model::{AccountInsert, Page, ProfileUpdate};
use social_core::{Account, AccountId, AccountStatus, Role, ValidationError};
use sqlx::Row;

pub(crate) async fn create_account(
    ctx: &Ctx<'_>,
    insert: &AccountInsert,
    password_hash: &str,
    email: Option<&str>,
    now: i64,
) -> StoreResult<Account> {
    let mut tx = ctx.begin().await?;
    if let Some(code) = &insert.invite_code {
        let used = sqlx::query(
            "UPDATE invites SET uses = uses + 1 WHERE code = $1 \
             AND (max_uses IS NULL OR uses < max_uses) AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(code.trim())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() == 0 {
            return Err(StoreError::Invalid(ValidationError::new(
                "invite",
                "This invite code is unknown, expired or used up.",
            )));
        }
    }
    let id = ctx.next_id();
    let row = sqlx::query(&format!(
        "INSERT INTO accounts (id, username, username_key, password_hash, role, status, \
         signup_reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {ACCOUNT_COLS}"
    ))
    .bind(id)
    .bind(&insert.username)
    .bind(social_core::validate::username_key(&insert.username))
    .bind(password_hash)
    .bind(insert.role.as_str())
    .bind(insert.status.as_str())
    .bind(&insert.signup_reason)
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict { what: "username" }
        }
        _ => e.into(),
    })?;
    let account = account_from_row(&row)?;
    if let Some(email) = email {
        super::email::set_address(&mut tx, id, email).await?;
    }
    tx.commit().await?;
    Ok(account)
}

pub(crate) async fn get_account_by_id(ctx: &Ctx<'_>, id: i64) -> StoreResult<Option<Account>> {
    let row = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLS} FROM accounts WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ctx.read)
    .await?;
    Ok(row.as_ref().map(account_from_row).transpose()?)
}

/// The account and its password hash, by case-folded username.
pub(crate) async fn get_account_with_hash(
    ctx: &Ctx<'_>,
    username_key: &str,
) -> StoreResult<Option<(Account, String)>> {
    let row = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLS}, password_hash FROM accounts WHERE username_key = $1"
    ))
    .bind(username_key)
    .fetch_optional(ctx.read)
    .await?;
    match row {
        Some(r) => Ok(Some((account_from_row(&r)?, r.try_get("password_hash")?))),
        None => Ok(None),
    }
}

pub(crate) async fn set_password_hash(ctx: &Ctx<'_>, id: i64, hash: &str) -> StoreResult<()> {
    let done = sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(ctx.write())
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(crate) async fn update_profile(
    ctx: &Ctx<'_>,
    id: i64,
    update: &ProfileUpdate,
) -> StoreResult<Account> {
    let row = sqlx::query(&format!(
        "UPDATE accounts SET display_name = $2, bio = $3, locked = $4 WHERE id = $1 \
         RETURNING {ACCOUNT_COLS}"
    ))
    .bind(id)
    .bind(&update.display_name)
    .bind(&update.bio)
    .bind(update.locked)
    .fetch_optional(ctx.write())
    .await?;
    match row {
        Some(r) => Ok(account_from_row(&r)?),
        None => Err(StoreError::NotFound),
    }
}

async fn set_text_column(ctx: &Ctx<'_>, id: i64, column: &str, value: &str) -> StoreResult<()> {
    let done = sqlx::query(&format!("UPDATE accounts SET {column} = $2 WHERE id = $1"))
        .bind(id)
        .bind(value)
        .execute(ctx.write())
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(crate) async fn set_status(ctx: &Ctx<'_>, id: i64, status: AccountStatus) -> StoreResult<()> {
    set_text_column(ctx, id, "status", status.as_str()).await
}

pub(crate) async fn set_role(ctx: &Ctx<'_>, id: i64, role: Role) -> StoreResult<()> {
    set_text_column(ctx, id, "role", role.as_str()).await
}

/// Oldest first: `min_id`/`max_id` bound the account ID; rows ascend.
pub(crate) async fn list_pending(ctx: &Ctx<'_>, page: Page) -> StoreResult<Vec<Account>> {
    let (tail, _) = page_sql("id", &page, 2);
    let tail = tail.replace(" DESC ", " ASC ");
    let sql = format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE status = $1{tail}");
    let rows = bind_page(
        sqlx::query(&sql).bind(AccountStatus::Pending.as_str()),
        &page,
    )
    .fetch_all(ctx.read)
    .await?;
    Ok(rows
        .iter()
        .map(account_from_row)
        .collect::<Result<_, _>>()?)
}

pub(crate) async fn count_accounts(ctx: &Ctx<'_>) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(ctx.read)
        .await?)
}

/// Accounts by ID, in no particular order.
pub(crate) async fn accounts_by_ids(ctx: &Ctx<'_>, ids: &[i64]) -> StoreResult<Vec<Account>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {ACCOUNT_COLS} FROM accounts WHERE id IN ({})",
        super::common::placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(ctx.read).await?;
    Ok(rows
        .iter()
        .map(account_from_row)
        .collect::<Result<_, _>>()?)
}

#[allow(dead_code)]
fn _id(a: &Account) -> AccountId {
    a.id
}
