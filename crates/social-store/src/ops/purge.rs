//! The purge of accounts suspended for longer than the grace period: their posts (with the
//! boosts of them), favourites, follows, blocks, mutes, notifications, sessions, tokens,
//! second factor and profile text are deleted; the account row, reports, notices and the
//! audit log stay. Each account is one transaction.

use super::common::{Ctx, POST_COLS, Tx, post_from_row};
use super::posts::delete_post_in;
use crate::error::StoreResult;
use social_core::AccountId;

/// Purges up to `limit` accounts suspended before `cutoff`; returns them.
pub(crate) async fn purge_suspended(
    ctx: &Ctx<'_>,
    cutoff: i64,
    limit: i64,
    now: i64,
) -> StoreResult<Vec<AccountId>> {
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT account_id FROM account_moderation WHERE suspended_at IS NOT NULL \
         AND suspended_at < $1 AND purged_at IS NULL ORDER BY suspended_at LIMIT $2",
    )
    .bind(cutoff)
    .bind(limit)
    .fetch_all(ctx.read)
    .await?;
    let mut done = Vec::with_capacity(due.len());
    for account in due {
        let mut tx = ctx.begin().await?;
        // Checked again inside the transaction: an unsuspension may have come in between.
        let claimed = sqlx::query(
            "UPDATE account_moderation SET purged_at = $2 WHERE account_id = $1 \
             AND suspended_at IS NOT NULL AND suspended_at < $3 AND purged_at IS NULL",
        )
        .bind(account)
        .bind(now)
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            continue;
        }
        purge_account(&mut tx, account).await?;
        tx.commit().await?;
        done.push(AccountId(account));
    }
    Ok(done)
}

async fn purge_account(tx: &mut Tx, account: i64) -> StoreResult<()> {
    // Posts newest first, boosts included: each deletion keeps every counter right.
    let rows = sqlx::query(&format!(
        "SELECT {POST_COLS} FROM posts WHERE author_id = $1 ORDER BY id DESC"
    ))
    .bind(account)
    .fetch_all(&mut **tx)
    .await?;
    for row in &rows {
        let post = post_from_row(row)?;
        delete_post_in(tx, &post).await?;
    }
    sqlx::query(
        "UPDATE posts SET favourites_count = favourites_count - 1 WHERE favourites_count > 0 \
         AND id IN (SELECT post_id FROM favourites WHERE account_id = $1)",
    )
    .bind(account)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE accounts SET followers_count = followers_count - 1 WHERE followers_count > 0 \
         AND id IN (SELECT target_id FROM follows WHERE account_id = $1)",
    )
    .bind(account)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE accounts SET following_count = following_count - 1 WHERE following_count > 0 \
         AND id IN (SELECT account_id FROM follows WHERE target_id = $1)",
    )
    .bind(account)
    .execute(&mut **tx)
    .await?;
    // Rows that name the account on either side.
    for (table, columns) in [
        ("favourites", &["account_id"][..]),
        ("follows", &["account_id", "target_id"][..]),
        ("follow_requests", &["account_id", "target_id"][..]),
        ("blocks", &["account_id", "target_id"][..]),
        ("mutes", &["account_id", "target_id"][..]),
        ("notifications", &["account_id", "from_account_id"][..]),
        ("home_feed", &["account_id", "author_id"][..]),
        ("bookmarks", &["account_id"][..]),
        ("markers", &["account_id"][..]),
        ("idempotency_keys", &["account_id"][..]),
        ("sessions", &["account_id"][..]),
        ("oauth_codes", &["account_id"][..]),
        ("oauth_tokens", &["account_id"][..]),
        ("totp_credentials", &["account_id"][..]),
        ("recovery_codes", &["account_id"][..]),
        ("email_tokens", &["account_id"][..]),
        ("held_posts", &["author_id"][..]),
    ] {
        for column in columns {
            sqlx::query(&format!("DELETE FROM {table} WHERE {column} = $1"))
                .bind(account)
                .execute(&mut **tx)
                .await?;
        }
    }
    // Its media rows are unattached now; the hourly sweep removes them and their files.
    sqlx::query(
        "UPDATE accounts SET display_name = '', bio = '', signup_reason = '', email = NULL, \
         email_key = NULL, email_confirmed_at = NULL, locked = FALSE, followers_count = 0, \
         following_count = 0, posts_count = 0 WHERE id = $1",
    )
    .bind(account)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
