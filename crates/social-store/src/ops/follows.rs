//! Follows, follow requests, blocks, mutes and relationships. Counters stay exact: they change
//! only when a row was really inserted or deleted.

use super::common::{
    Ctx, Tx, account_cols, account_from_row, bind_page, blocked_either, notify, page_sql,
};
use crate::error::{StoreError, StoreResult};
use crate::model::{FollowOutcome, Page, Relationship};
use social_core::{Account, NotificationKind, ValidationError};
use sqlx::Row;

/// How many of the target's latest posts a new follower gets in their home feed.
const BACKFILL: i64 = 20;

fn not_self(a: i64, t: i64, what: &str) -> StoreResult<()> {
    if a == t {
        return Err(StoreError::Invalid(ValidationError::new(
            "account",
            format!("You cannot {what} yourself."),
        )));
    }
    Ok(())
}

/// Inserts an accepted follow; on a new row updates counters and backfills the home feed.
/// Returns whether the follow is new.
async fn insert_follow(ctx: &Ctx<'_>, tx: &mut Tx, a: i64, t: i64, now: i64) -> StoreResult<bool> {
    let done = sqlx::query(
        "INSERT INTO follows (id, account_id, target_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, target_id) DO NOTHING",
    )
    .bind(ctx.next_id())
    .bind(a)
    .bind(t)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE accounts SET following_count = following_count + 1 WHERE id = $1")
        .bind(a)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE accounts SET followers_count = followers_count + 1 WHERE id = $1")
        .bind(t)
        .execute(&mut **tx)
        .await?;
    sqlx::query(&format!(
        "INSERT INTO home_feed (account_id, post_id, author_id, reblog_of_id) \
         SELECT $1, p.id, p.author_id, p.reblog_of_id FROM posts p WHERE p.author_id = $2 \
         AND (p.visibility <> 'direct' OR EXISTS (SELECT 1 FROM post_mentions m \
              WHERE m.post_id = p.id AND m.account_id = $1)) \
         ORDER BY p.id DESC LIMIT {BACKFILL} ON CONFLICT DO NOTHING"
    ))
    .bind(a)
    .bind(t)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Deletes a follow; on a real deletion updates counters and clears the home feed.
async fn delete_follow(tx: &mut Tx, a: i64, t: i64) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM follows WHERE account_id = $1 AND target_id = $2")
        .bind(a)
        .bind(t)
        .execute(&mut **tx)
        .await?;
    if done.rows_affected() > 0 {
        sqlx::query("UPDATE accounts SET following_count = following_count - 1 WHERE id = $1 AND following_count > 0")
            .bind(a)
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE accounts SET followers_count = followers_count - 1 WHERE id = $1 AND followers_count > 0")
            .bind(t)
            .execute(&mut **tx)
            .await?;
        // Through the author's posts (index posts_author) and the feed's primary key: the
        // feed has no (account, author) index (migration 0017).
        sqlx::query(
            "DELETE FROM home_feed WHERE account_id = $1 AND author_id = $2 \
             AND post_id IN (SELECT p.id FROM posts p WHERE p.author_id = $2)",
        )
        .bind(a)
        .bind(t)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("DELETE FROM follow_requests WHERE account_id = $1 AND target_id = $2")
        .bind(a)
        .bind(t)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn follow(ctx: &Ctx<'_>, a: i64, t: i64, now: i64) -> StoreResult<FollowOutcome> {
    not_self(a, t, "follow")?;
    let mut tx = ctx.begin().await?;
    let locked: Option<bool> = sqlx::query_scalar("SELECT locked FROM accounts WHERE id = $1")
        .bind(t)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(locked) = locked else {
        return Err(StoreError::NotFound);
    };
    if blocked_either(&mut tx, a, t).await? {
        return Err(StoreError::Forbidden { reason: "blocked" });
    }
    let following: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM follows WHERE account_id = $1 AND target_id = $2")
            .bind(a)
            .bind(t)
            .fetch_one(&mut *tx)
            .await?;
    let outcome = if following > 0 {
        FollowOutcome::Following
    } else if locked {
        let done = sqlx::query(
            "INSERT INTO follow_requests (id, account_id, target_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, target_id) DO NOTHING",
        )
        .bind(ctx.next_id())
        .bind(a)
        .bind(t)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() > 0 {
            notify(
                ctx,
                &mut tx,
                t,
                NotificationKind::FollowRequest,
                a,
                None,
                now,
            )
            .await?;
        }
        FollowOutcome::Requested
    } else {
        if insert_follow(ctx, &mut tx, a, t, now).await? {
            notify(ctx, &mut tx, t, NotificationKind::Follow, a, None, now).await?;
        }
        FollowOutcome::Following
    };
    tx.commit().await?;
    Ok(outcome)
}

pub(crate) async fn unfollow(ctx: &Ctx<'_>, a: i64, t: i64) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    delete_follow(&mut tx, a, t).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn list_requests(ctx: &Ctx<'_>, t: i64, page: Page) -> StoreResult<Vec<Account>> {
    let (tail, _) = page_sql("a.id", &page, 2);
    let tail = tail.replace(" DESC ", " ASC ");
    let sql = format!(
        "SELECT {} FROM follow_requests r JOIN accounts a ON a.id = r.account_id \
         WHERE r.target_id = $1{tail}",
        account_cols("a")
    );
    let rows = bind_page(sqlx::query(&sql).bind(t), &page)
        .fetch_all(ctx.read)
        .await?;
    Ok(rows
        .iter()
        .map(account_from_row)
        .collect::<Result<_, _>>()?)
}

pub(crate) async fn authorize(ctx: &Ctx<'_>, t: i64, r: i64, now: i64) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let done = sqlx::query("DELETE FROM follow_requests WHERE account_id = $1 AND target_id = $2")
        .bind(r)
        .bind(t)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    insert_follow(ctx, &mut tx, r, t, now).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn reject(ctx: &Ctx<'_>, t: i64, r: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM follow_requests WHERE account_id = $1 AND target_id = $2")
        .bind(r)
        .bind(t)
        .execute(ctx.write())
        .await?;
    Ok(())
}

fn fk_to_not_found(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => e.into(),
    }
}

pub(crate) async fn block(ctx: &Ctx<'_>, a: i64, t: i64, now: i64) -> StoreResult<()> {
    not_self(a, t, "block")?;
    let mut tx = ctx.begin().await?;
    sqlx::query(
        "INSERT INTO blocks (account_id, target_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, target_id) DO NOTHING",
    )
    .bind(a)
    .bind(t)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(fk_to_not_found)?;
    delete_follow(&mut tx, a, t).await?;
    delete_follow(&mut tx, t, a).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn unblock(ctx: &Ctx<'_>, a: i64, t: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM blocks WHERE account_id = $1 AND target_id = $2")
        .bind(a)
        .bind(t)
        .execute(ctx.write())
        .await?;
    Ok(())
}

pub(crate) async fn mute(ctx: &Ctx<'_>, a: i64, t: i64, now: i64) -> StoreResult<()> {
    not_self(a, t, "mute")?;
    sqlx::query(
        "INSERT INTO mutes (account_id, target_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, target_id) DO NOTHING",
    )
    .bind(a)
    .bind(t)
    .bind(now)
    .execute(ctx.write())
    .await
    .map_err(fk_to_not_found)?;
    Ok(())
}

pub(crate) async fn unmute(ctx: &Ctx<'_>, a: i64, t: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM mutes WHERE account_id = $1 AND target_id = $2")
        .bind(a)
        .bind(t)
        .execute(ctx.write())
        .await?;
    Ok(())
}

pub(crate) async fn relationship(ctx: &Ctx<'_>, v: i64, o: i64) -> StoreResult<Relationship> {
    let r = sqlx::query(
        "SELECT \
         (SELECT COUNT(*) FROM follows WHERE account_id = $1 AND target_id = $2) AS following, \
         (SELECT COUNT(*) FROM follow_requests WHERE account_id = $1 AND target_id = $2) AS requested, \
         (SELECT COUNT(*) FROM follows WHERE account_id = $2 AND target_id = $1) AS followed_by, \
         (SELECT COUNT(*) FROM blocks WHERE account_id = $1 AND target_id = $2) AS blocking, \
         (SELECT COUNT(*) FROM blocks WHERE account_id = $2 AND target_id = $1) AS blocked_by, \
         (SELECT COUNT(*) FROM mutes WHERE account_id = $1 AND target_id = $2) AS muting",
    )
    .bind(v)
    .bind(o)
    .fetch_one(ctx.read)
    .await?;
    let flag = |name: &str| r.try_get::<i64, _>(name).map(|n| n > 0);
    Ok(Relationship {
        following: flag("following")?,
        requested: flag("requested")?,
        followed_by: flag("followed_by")?,
        blocking: flag("blocking")?,
        blocked_by: flag("blocked_by")?,
        muting: flag("muting")?,
    })
}

/// Followers (`followers`) or followed accounts of `account`, by account ID, newest first.
pub(crate) async fn list_accounts(
    ctx: &Ctx<'_>,
    account: i64,
    page: Page,
    followers: bool,
) -> StoreResult<Vec<Account>> {
    let (join, filter) = if followers {
        ("f.account_id", "f.target_id")
    } else {
        ("f.target_id", "f.account_id")
    };
    let from_where = format!("FROM follows f JOIN accounts a ON a.id = {join} WHERE {filter} = $1");
    account_page(ctx, &from_where, account, page).await
}

/// A page of accounts, by account ID, newest first: `from_where` is the `FROM … WHERE …` of
/// the query, accounts aliased `a`, with `$1` bound to `key`.
pub(crate) async fn account_page(
    ctx: &Ctx<'_>,
    from_where: &str,
    key: i64,
    page: Page,
) -> StoreResult<Vec<Account>> {
    let (tail, reverse) = page_sql("a.id", &page, 2);
    let sql = format!("SELECT {} {from_where}{tail}", account_cols("a"));
    let rows = bind_page(sqlx::query(&sql).bind(key), &page)
        .fetch_all(ctx.read)
        .await?;
    let mut out = rows
        .iter()
        .map(account_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    if reverse {
        out.reverse();
    }
    Ok(out)
}

/// The accounts `account` blocks (`table` = "blocks") or mutes ("mutes"), paged by account ID.
pub(crate) async fn list_targets(
    ctx: &Ctx<'_>,
    account: i64,
    page: Page,
    table: &'static str,
) -> StoreResult<Vec<Account>> {
    debug_assert!(table == "blocks" || table == "mutes");
    let from_where =
        format!("FROM {table} t JOIN accounts a ON a.id = t.target_id WHERE t.account_id = $1");
    account_page(ctx, &from_where, account, page).await
}
