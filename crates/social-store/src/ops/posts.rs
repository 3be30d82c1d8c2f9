//! Posts: create (with mentions, tags, fan-out, notifications), delete, favourite, boost.

use super::common::{Ctx, POST_COLS, Tx, notify, placeholders, post_from_row, visible_post};
use crate::error::{StoreError, StoreResult};
use crate::model::{PostInsert, PostJob};
use social_core::{NotificationKind, Post, ValidationError, Visibility};
use sqlx::Row;

/// Resolves `@names` to local accounts (unknown names are ignored): their IDs and usernames.
async fn resolve_mentions(tx: &mut Tx, names: &[String]) -> StoreResult<Vec<(i64, String)>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, username FROM accounts WHERE username_key IN ({})",
        placeholders(1, names.len())
    );
    let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
    for n in names {
        q = q.bind(n);
    }
    Ok(q.fetch_all(&mut **tx).await?)
}

/// The `posts.tags` and `posts.mentions` columns (migration 0011): space-separated, `None` when
/// empty, in the form the timeline queries once aggregated from `post_tags`/`post_mentions`.
fn extras_columns(
    tags: &[String],
    mentioned: &[(i64, String)],
) -> (Option<String>, Option<String>) {
    let tags = (!tags.is_empty()).then(|| tags.join(" "));
    let mentions = (!mentioned.is_empty()).then(|| {
        mentioned
            .iter()
            .map(|(id, name)| format!("{id}:{name}"))
            .collect::<Vec<_>>()
            .join(" ")
    });
    (tags, mentions)
}

/// The post itself, or for a boost its original (which must be visible too).
async fn resolve_original(tx: &mut Tx, viewer: i64, id: i64) -> StoreResult<Post> {
    let post = visible_post(&mut **tx, viewer, id).await?;
    match post.reblog_of_id {
        Some(orig) => visible_post(&mut **tx, viewer, orig.0).await,
        None => Ok(post),
    }
}

/// Creates the posts of `jobs` in one transaction (group commit): each job in its own
/// savepoint, so a job that fails (a reply to an invisible post, say) is undone alone and the
/// others still commit. Returns one answer per job, in order: the post and whether it is new
/// (`false`: an `Idempotency-Key` repeat). When the transaction itself cannot be opened or
/// committed, every job fails.
///
/// Why: each post rewrites one home-feed page per follower; on SQLite every commit writes its
/// dirty pages to the WAL again, so posts that share followers and commit together write those
/// pages once (one post of an account with 50 followers wrote 133 WAL pages; four together
/// wrote 186, not 532). On PostgreSQL the batch shares one WAL flush.
pub(crate) async fn create_posts(
    ctx: &Ctx<'_>,
    jobs: &[PostJob],
) -> Vec<StoreResult<(Post, bool)>> {
    let failed_all = |e: &StoreError| {
        jobs.iter()
            .map(|_| {
                Err(StoreError::Internal(format!(
                    "post transaction failed: {e}"
                )))
            })
            .collect()
    };
    let mut tx = match ctx.begin().await {
        Ok(tx) => tx,
        Err(e) => return failed_all(&e),
    };
    // Each job after a savepoint of its own; a failed job rolls back to it. Savepoints are not
    // released (the commit ends them all): one statement less per post.
    let savepoints = jobs.len() > 1;
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        if savepoints && let Err(e) = execute(&mut tx, "SAVEPOINT post_job").await {
            return failed_all(&e);
        }
        let answer = create_one(ctx, &mut tx, job).await;
        if answer.is_err()
            && savepoints
            && let Err(e) = execute(&mut tx, "ROLLBACK TO SAVEPOINT post_job").await
        {
            return failed_all(&e);
        }
        out.push(answer);
    }
    let created: Vec<&PostJob> = jobs
        .iter()
        .zip(&out)
        .filter(|(_, answer)| matches!(answer, Ok((_, true))))
        .map(|(job, _)| job)
        .collect();
    if created.is_empty() {
        // Nothing to keep (for a single job, its partial writes are undone here).
        let _ = tx.rollback().await;
        return out;
    }
    // Per batch rather than per post: the fingerprints in one statement, each author's count
    // once. Last, because on PostgreSQL the count locks the author's row until the commit:
    // concurrent posts of one account queue there, and coming last only the commit waits
    // behind it (when it came before the fan-out, posting at 16 connections as one account
    // spent most of its time waiting on this lock).
    let inserts: Vec<(&PostInsert, i64)> = created.iter().map(|j| (&j.insert, j.now)).collect();
    if let Err(e) = super::spam::record_many(&mut tx, &inserts).await {
        return failed_all(&e);
    }
    let mut authors: Vec<i64> = created.iter().map(|j| j.insert.author_id.0).collect();
    authors.sort_unstable();
    for run in authors.chunk_by(|a, b| a == b) {
        let n = i64::try_from(run.len()).unwrap_or(i64::MAX);
        if let Err(e) = count_posts(&mut tx, run[0], n).await {
            return failed_all(&e);
        }
    }
    match tx.commit().await {
        Ok(()) => out,
        Err(e) => failed_all(&e.into()),
    }
}

async fn execute(tx: &mut Tx, sql: &str) -> StoreResult<()> {
    sqlx::query(sql).execute(&mut **tx).await?;
    Ok(())
}

/// Adds `n` new posts to the author's count.
async fn count_posts(tx: &mut Tx, author: i64, n: i64) -> StoreResult<()> {
    sqlx::query("UPDATE accounts SET posts_count = posts_count + $2 WHERE id = $1")
        .bind(author)
        .bind(n)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One job of `create_posts`, inside the batch's transaction (its fingerprint and the
/// author's count are written for the batch afterwards).
async fn create_one(ctx: &Ctx<'_>, tx: &mut Tx, job: &PostJob) -> StoreResult<(Post, bool)> {
    let id = match &job.key {
        Some(key) => match super::api_write::claim_key(ctx, tx, &job.insert, key, job.now).await? {
            super::api_write::Claim::Existing(post) => return Ok((post, false)),
            super::api_write::Claim::Claimed(id) => id,
        },
        None => ctx.next_id(),
    };
    let post = write_post(ctx, tx, &job.insert, id, job.now).await?;
    Ok((post, true))
}

/// `create_post_in` and the author's post count.
pub(crate) async fn create_post_in(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    ins: &PostInsert,
    id: i64,
    now: i64,
) -> StoreResult<Post> {
    let post = write_post(ctx, tx, ins, id, now).await?;
    count_posts(tx, ins.author_id.0, 1).await?;
    Ok(post)
}

/// A new post inside the caller's transaction, with its id chosen by the caller (the API's
/// idempotency record is written before the post, in the same transaction); everything but
/// the author's post count.
async fn write_post(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    ins: &PostInsert,
    id: i64,
    now: i64,
) -> StoreResult<Post> {
    let author = ins.author_id.0;
    let parent = match ins.in_reply_to_id {
        Some(pid) => Some(resolve_original(tx, author, pid.0).await?),
        None => None,
    };
    let mentioned = resolve_mentions(tx, &social_core::text::mentions(&ins.text)).await?;
    let others: Vec<i64> = mentioned
        .iter()
        .map(|(m, _)| *m)
        .filter(|&m| m != author)
        .collect();
    let mut tags: Vec<String> = Vec::new();
    for tag in social_core::text::hashtags(&ins.text) {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let (tags_col, mentions_col) = extras_columns(&tags, &mentioned);
    if ins.visibility == Visibility::Direct && others.is_empty() {
        return Err(StoreError::Invalid(ValidationError::new(
            "text",
            "A direct post must mention at least one account.",
        )));
    }
    let row = sqlx::query(&format!(
        "INSERT INTO posts (id, author_id, text, visibility, in_reply_to_id, \
         in_reply_to_account_id, created_at, spoiler_text, sensitive, tags, mentions, has_media) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {POST_COLS}"
    ))
    .bind(id)
    .bind(author)
    .bind(&ins.text)
    .bind(ins.visibility.as_str())
    .bind(parent.as_ref().map(|p| p.id.0))
    .bind(parent.as_ref().map(|p| p.author_id.0))
    .bind(now)
    .bind(&ins.spoiler_text)
    .bind(ins.sensitive || !ins.spoiler_text.is_empty())
    .bind(tags_col)
    .bind(mentions_col)
    .bind(!ins.media_ids.is_empty())
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => e.into(),
    })?;
    let post = post_from_row(&row)?;
    if !ins.media_ids.is_empty() {
        super::media::attach(tx, author, id, &ins.media_ids).await?;
    }
    for (m, _) in &mentioned {
        sqlx::query("INSERT INTO post_mentions (post_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(*m)
            .execute(&mut **tx)
            .await?;
    }
    for tag in tags {
        sqlx::query("INSERT INTO post_tags (post_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(tag)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(p) = &parent {
        sqlx::query("UPDATE posts SET replies_count = replies_count + 1 WHERE id = $1")
            .bind(p.id.0)
            .execute(&mut **tx)
            .await?;
    }
    fan_out(tx, &post, parent.as_ref().map(|p| p.author_id.0)).await?;
    if let Some(p) = &parent {
        notify(
            ctx,
            tx,
            p.author_id.0,
            NotificationKind::Reply,
            author,
            Some(id),
            now,
        )
        .await?;
    }
    for m in others {
        if Some(m) != parent.as_ref().map(|p| p.author_id.0) {
            notify(ctx, tx, m, NotificationKind::Mention, author, Some(id), now).await?;
        }
    }
    Ok(post)
}

/// Writes the post into the home feeds of those who should see it there: the author, accepted
/// followers (for a reply to someone else, only followers who also follow the replied-to
/// account), and for private/direct posts the mentioned accounts allowed to see it.
async fn fan_out(tx: &mut Tx, post: &Post, reply_to_account: Option<i64>) -> StoreResult<()> {
    let (id, author) = (post.id.0, post.author_id.0);
    let reblog_of = post.reblog_of_id.map(|p| p.0);
    // The author's own feed, and (unless direct) the followers', in one statement.
    let followers = if post.visibility == Visibility::Direct {
        String::new()
    } else {
        let reply_filter = match reply_to_account {
            Some(r) if r != author => format!(
                " AND (f.account_id = {r} OR EXISTS (SELECT 1 FROM follows f2 \
                 WHERE f2.account_id = f.account_id AND f2.target_id = {r}))"
            ),
            _ => String::new(),
        };
        format!(
            " UNION ALL SELECT f.account_id, $1, $2, $3 FROM follows f \
             WHERE f.target_id = $2{reply_filter}"
        )
    };
    sqlx::query(&format!(
        "INSERT INTO home_feed (account_id, post_id, author_id, reblog_of_id) \
         SELECT $2, $1, $2, $3 WHERE TRUE{followers} ON CONFLICT DO NOTHING"
    ))
    .bind(id)
    .bind(author)
    .bind(reblog_of)
    .execute(&mut **tx)
    .await?;
    if post.visibility == Visibility::Direct {
        sqlx::query(
            "INSERT INTO home_feed (account_id, post_id, author_id, reblog_of_id) \
             SELECT m.account_id, $1, $2, $3 FROM post_mentions m WHERE m.post_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.account_id = m.account_id AND b.target_id = $2) \
             OR (b.account_id = $2 AND b.target_id = m.account_id)) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(author)
        .bind(reblog_of)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub(crate) async fn get_post(ctx: &Ctx<'_>, id: i64) -> StoreResult<Option<Post>> {
    let row = sqlx::query(&format!("SELECT {POST_COLS} FROM posts WHERE id = $1"))
        .bind(id)
        .fetch_optional(ctx.read)
        .await?;
    Ok(row.as_ref().map(post_from_row).transpose()?)
}

/// Removes a post's dependent rows (feeds, notifications, mentions, tags, favourites).
async fn purge_dependents(tx: &mut Tx, id: i64) -> StoreResult<()> {
    for table in [
        "home_feed",
        "notifications",
        "post_mentions",
        "post_tags",
        "favourites",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE post_id = $1"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

pub(crate) async fn delete_post(
    ctx: &Ctx<'_>,
    actor: i64,
    staff: bool,
    id: i64,
) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let row = sqlx::query(&format!("SELECT {POST_COLS} FROM posts WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let post = match row {
        Some(r) => post_from_row(&r)?,
        None => return Err(StoreError::NotFound),
    };
    if post.author_id.0 != actor && !staff {
        return Err(StoreError::Forbidden {
            reason: "only the author may delete a post",
        });
    }
    delete_post_in(&mut tx, &post).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a post with its boosts, timeline entries and notifications, inside `tx`.
pub(crate) async fn delete_post_in(tx: &mut Tx, post: &Post) -> StoreResult<()> {
    let id = post.id.0;
    let boosts: Vec<i64> = sqlx::query_scalar("SELECT id FROM posts WHERE reblog_of_id = $1")
        .bind(post.id.0)
        .fetch_all(&mut **tx)
        .await?;
    for b in &boosts {
        purge_dependents(tx, *b).await?;
    }
    purge_dependents(tx, id).await?;
    sqlx::query("DELETE FROM posts WHERE reblog_of_id = $1")
        .bind(post.id.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM posts WHERE id = $1")
        .bind(post.id.0)
        .execute(&mut **tx)
        .await?;
    if let Some(parent) = post.in_reply_to_id {
        sqlx::query("UPDATE posts SET replies_count = replies_count - 1 WHERE id = $1 AND replies_count > 0")
            .bind(parent.0)
            .execute(&mut **tx)
            .await?;
    }
    match post.reblog_of_id {
        Some(orig) => {
            sqlx::query("UPDATE posts SET reblogs_count = reblogs_count - 1 WHERE id = $1 AND reblogs_count > 0")
                .bind(orig.0)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM notifications WHERE kind = $1 AND from_account_id = $2 AND post_id = $3")
                .bind(NotificationKind::Boost.as_str())
                .bind(post.author_id.0)
                .bind(orig.0)
                .execute(&mut **tx)
                .await?;
        }
        None => {
            sqlx::query("UPDATE accounts SET posts_count = posts_count - 1 WHERE id = $1 AND posts_count > 0")
                .bind(post.author_id.0)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

pub(crate) async fn favourite(ctx: &Ctx<'_>, actor: i64, id: i64, now: i64) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let post = resolve_original(&mut tx, actor, id).await?;
    let done = sqlx::query(
        "INSERT INTO favourites (id, account_id, post_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, post_id) DO NOTHING",
    )
    .bind(ctx.next_id())
    .bind(actor)
    .bind(post.id.0)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() > 0 {
        sqlx::query("UPDATE posts SET favourites_count = favourites_count + 1 WHERE id = $1")
            .bind(post.id.0)
            .execute(&mut *tx)
            .await?;
        let kind = NotificationKind::Favourite;
        notify(
            ctx,
            &mut tx,
            post.author_id.0,
            kind,
            actor,
            Some(post.id.0),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The original's ID when `id` is a boost, else `id`; NotFound when missing.
async fn original_id(tx: &mut Tx, id: i64) -> StoreResult<i64> {
    let row = sqlx::query("SELECT reblog_of_id FROM posts WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        Some(r) => Ok(r.try_get::<Option<i64>, _>("reblog_of_id")?.unwrap_or(id)),
        None => Err(StoreError::NotFound),
    }
}

pub(crate) async fn unfavourite(ctx: &Ctx<'_>, actor: i64, id: i64) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let id = original_id(&mut tx, id).await?;
    let done = sqlx::query("DELETE FROM favourites WHERE account_id = $1 AND post_id = $2")
        .bind(actor)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() > 0 {
        sqlx::query("UPDATE posts SET favourites_count = favourites_count - 1 WHERE id = $1 AND favourites_count > 0")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "DELETE FROM notifications WHERE kind = $1 AND from_account_id = $2 AND post_id = $3",
        )
        .bind(NotificationKind::Favourite.as_str())
        .bind(actor)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn boost(ctx: &Ctx<'_>, actor: i64, id: i64, now: i64) -> StoreResult<Post> {
    let mut tx = ctx.begin().await?;
    let orig = resolve_original(&mut tx, actor, id).await?;
    if !orig.visibility.boostable() {
        return Err(StoreError::Forbidden {
            reason: "only public and unlisted posts can be boosted",
        });
    }
    let existing = sqlx::query(&format!(
        "SELECT {POST_COLS} FROM posts WHERE author_id = $1 AND reblog_of_id = $2"
    ))
    .bind(actor)
    .bind(orig.id.0)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(r) = existing {
        return Ok(post_from_row(&r)?);
    }
    let row = sqlx::query(&format!(
        "INSERT INTO posts (id, author_id, text, visibility, reblog_of_id, created_at) \
         VALUES ($1, $2, '', $3, $4, $5) RETURNING {POST_COLS}"
    ))
    .bind(ctx.next_id())
    .bind(actor)
    .bind(orig.visibility.as_str())
    .bind(orig.id.0)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let boost = post_from_row(&row)?;
    sqlx::query("UPDATE posts SET reblogs_count = reblogs_count + 1 WHERE id = $1")
        .bind(orig.id.0)
        .execute(&mut *tx)
        .await?;
    fan_out(&mut tx, &boost, None).await?;
    notify(
        ctx,
        &mut tx,
        orig.author_id.0,
        NotificationKind::Boost,
        actor,
        Some(orig.id.0),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(boost)
}

pub(crate) async fn unboost(ctx: &Ctx<'_>, actor: i64, id: i64) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    let orig = original_id(&mut tx, id).await?;
    let boost: Option<i64> =
        sqlx::query_scalar("SELECT id FROM posts WHERE author_id = $1 AND reblog_of_id = $2")
            .bind(actor)
            .bind(orig)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(boost) = boost else {
        return Ok(());
    };
    purge_dependents(&mut tx, boost).await?;
    sqlx::query("DELETE FROM posts WHERE id = $1")
        .bind(boost)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE posts SET reblogs_count = reblogs_count - 1 WHERE id = $1 AND reblogs_count > 0",
    )
    .bind(orig)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM notifications WHERE kind = $1 AND from_account_id = $2 AND post_id = $3",
    )
    .bind(NotificationKind::Boost.as_str())
    .bind(actor)
    .bind(orig)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
