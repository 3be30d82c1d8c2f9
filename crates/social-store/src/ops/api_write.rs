//! What the client API adds to the store: bookmarks (and the favourites list), `Idempotency-Key` records for new posts,
//! read markers, and per-notification reads and deletes.

use super::common::{Ctx, Tx, post_cols, post_from_row, visible_post, visible_sql};
use super::hydrate::hydrate;
use crate::error::{StoreError, StoreResult};
use crate::model::{
    IdempotencyKey, Marker, NotificationFilter, NotificationView, Page, PostInsert, PostView,
};
use social_core::Post;
use sqlx::Row;

// ---- bookmarks ---------------------------------------------------------------------------

/// The original of a boost (a bookmark is on what the boost shows), visible to `viewer`.
async fn visible_original(tx: &mut Tx, viewer: i64, id: i64) -> StoreResult<Post> {
    let post = visible_post(&mut **tx, viewer, id).await?;
    match post.reblog_of_id {
        Some(orig) => visible_post(&mut **tx, viewer, orig.0).await,
        None => Ok(post),
    }
}

pub(crate) async fn bookmark(ctx: &Ctx<'_>, actor: i64, id: i64, now: i64) -> StoreResult<i64> {
    let mut tx = ctx.begin().await?;
    let post = visible_original(&mut tx, actor, id).await?;
    sqlx::query(
        "INSERT INTO bookmarks (id, account_id, post_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, post_id) DO NOTHING",
    )
    .bind(ctx.next_id())
    .bind(actor)
    .bind(post.id.0)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(post.id.0)
}

/// Removes the bookmark on `id` (or on its original when `id` is a boost). NotFound when the
/// post does not exist or is not visible to the actor.
pub(crate) async fn unbookmark(ctx: &Ctx<'_>, actor: i64, id: i64) -> StoreResult<i64> {
    let mut tx = ctx.begin().await?;
    let post = visible_original(&mut tx, actor, id).await?;
    sqlx::query("DELETE FROM bookmarks WHERE account_id = $1 AND post_id = $2")
        .bind(actor)
        .bind(post.id.0)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(post.id.0)
}

/// The viewer's bookmarks, newest bookmark first, paginated by bookmark id.
pub(crate) async fn list_bookmarks(
    ctx: &Ctx<'_>,
    viewer: i64,
    page: Page,
) -> StoreResult<Vec<(i64, PostView)>> {
    list_marked(ctx, "bookmarks", viewer, page).await
}

/// The viewer's favourites, newest favourite first, paginated by favourite id.
pub(crate) async fn list_favourites(
    ctx: &Ctx<'_>,
    viewer: i64,
    page: Page,
) -> StoreResult<Vec<(i64, PostView)>> {
    list_marked(ctx, "favourites", viewer, page).await
}

/// The viewer's marks in `table` (`bookmarks` or `favourites`: both have `id`, `account_id`
/// and `post_id`), newest mark first, paginated by the mark's id; each
/// with that id (the cursor for `Link` headers). Posts no longer visible are left out.
async fn list_marked(
    ctx: &Ctx<'_>,
    table: &'static str,
    viewer: i64,
    page: Page,
) -> StoreResult<Vec<(i64, PostView)>> {
    let (tail, reverse) = super::common::page_sql("b.id", &page, 2);
    let sql = format!(
        "SELECT b.id AS bookmark_id, {} FROM {} b JOIN posts p ON p.id = b.post_id \
         WHERE b.account_id = $1 AND {}{tail}",
        post_cols("p"),
        table,
        visible_sql("p", "$1"),
    );
    let mut rows = super::common::bind_page(sqlx::query(&sql).bind(viewer), &page)
        .fetch_all(ctx.read)
        .await?;
    if reverse {
        rows.reverse();
    }
    let mut marks = Vec::with_capacity(rows.len());
    let mut posts = Vec::with_capacity(rows.len());
    for r in &rows {
        marks.push((
            r.try_get::<i64, _>("bookmark_id")?,
            r.try_get::<i64, _>("id")?,
        ));
        posts.push(post_from_row_at(r)?);
    }
    let views = hydrate(ctx, viewer, posts).await?;
    let mut out = Vec::with_capacity(views.len());
    for v in views {
        if let Some((mark, _)) = marks.iter().find(|(_, p)| *p == v.post.id.0) {
            out.push((*mark, v));
        }
    }
    Ok(out)
}

/// Decodes the post columns that follow the leading mark id column.
fn post_from_row_at(r: &super::common::DbRow) -> Result<Post, sqlx::Error> {
    super::common::post_at(r, 1)
}

/// Which of `ids` the viewer has bookmarked, in one query.
pub(crate) async fn bookmarked_among(
    ctx: &Ctx<'_>,
    viewer: i64,
    ids: &[i64],
) -> StoreResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT post_id FROM bookmarks WHERE account_id = $1 AND post_id IN ({})",
        super::common::placeholders(2, ids.len())
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(viewer);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(ctx.read).await?)
}

// ---- idempotent post creation ------------------------------------------------------------

/// Looks up (account, key) inside `tx`: the post it created, if the record is younger than
/// `fresh_since` and the post still exists.
async fn keyed_post(
    tx: &mut Tx,
    account: i64,
    key: &str,
    fresh_since: i64,
) -> StoreResult<Option<Post>> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM idempotency_keys k JOIN posts p ON p.id = k.post_id \
         WHERE k.account_id = $1 AND k.key = $2 AND k.created_at >= $3",
        post_cols("p")
    ))
    .bind(account)
    .bind(key)
    .bind(fresh_since)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.as_ref().map(post_from_row).transpose()?)
}

/// What `claim_key` found: the post an earlier request with the key created, or the key is
/// now this request's, for the post id given.
pub(crate) enum Claim {
    Existing(Post),
    Claimed(i64),
}

/// Claims `Idempotency-Key` `key.hash` for the post about to be created in `tx`, unless this
/// account already created one with it since `key.fresh_since`. The key row is written first,
/// in the post's transaction: a concurrent request with the same key waits on the primary key
/// (PostgreSQL) or the write lock (SQLite) and then finds the winner's post.
pub(crate) async fn claim_key(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    ins: &PostInsert,
    key: &IdempotencyKey,
    now: i64,
) -> StoreResult<Claim> {
    let author = ins.author_id.0;
    if let Some(post) = keyed_post(tx, author, &key.hash, key.fresh_since).await? {
        return Ok(Claim::Existing(post));
    }
    // Expired records of this account, and this key's record if its post was deleted (never
    // a live one: a concurrent winner's committed row must survive).
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE account_id = $1 AND (created_at < $2 \
         OR (key = $3 AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = post_id)))",
    )
    .bind(author)
    .bind(key.fresh_since)
    .bind(&key.hash)
    .execute(&mut **tx)
    .await?;
    let id = ctx.next_id();
    let claimed = sqlx::query(
        "INSERT INTO idempotency_keys (account_id, key, post_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, key) DO NOTHING",
    )
    .bind(author)
    .bind(&key.hash)
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if claimed.rows_affected() > 0 {
        return Ok(Claim::Claimed(id));
    }
    // Another transaction committed this key while we waited (READ COMMITTED: this statement
    // sees it).
    match keyed_post(tx, author, &key.hash, key.fresh_since).await? {
        Some(p) => Ok(Claim::Existing(p)),
        None => Err(StoreError::Conflict {
            what: "idempotency_key",
        }),
    }
}

// ---- markers -----------------------------------------------------------------------------

fn marker_from_row(r: &super::common::DbRow) -> Result<Marker, sqlx::Error> {
    Ok(Marker {
        timeline: r.try_get("timeline")?,
        last_read_id: r.try_get("last_read_id")?,
        version: r.try_get("version")?,
        updated_at_ms: r.try_get("updated_at")?,
    })
}

pub(crate) async fn get_markers(
    ctx: &Ctx<'_>,
    account: i64,
    timelines: &[&str],
) -> StoreResult<Vec<Marker>> {
    if timelines.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT timeline, last_read_id, version, updated_at FROM markers \
         WHERE account_id = $1 AND timeline IN ({}) ORDER BY timeline",
        super::common::placeholders(2, timelines.len())
    );
    let mut q = sqlx::query(&sql).bind(account);
    for t in timelines {
        q = q.bind(*t);
    }
    let rows = q.fetch_all(ctx.read).await?;
    Ok(rows.iter().map(marker_from_row).collect::<Result<_, _>>()?)
}

/// Sets a marker (version + 1 on each write). The `notifications` marker also moves the web
/// UI's read position, so both faces agree on what is unread.
pub(crate) async fn put_marker(
    ctx: &Ctx<'_>,
    account: i64,
    timeline: &str,
    last_read_id: i64,
    now: i64,
) -> StoreResult<Marker> {
    let mut tx = ctx.begin().await?;
    let row = sqlx::query(
        "INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) \
         VALUES ($1, $2, $3, 1, $4) ON CONFLICT (account_id, timeline) DO UPDATE SET \
         last_read_id = excluded.last_read_id, version = markers.version + 1, \
         updated_at = excluded.updated_at \
         RETURNING timeline, last_read_id, version, updated_at",
    )
    .bind(account)
    .bind(timeline)
    .bind(last_read_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if timeline == "notifications" {
        sqlx::query(
            "UPDATE accounts SET notifications_read_id = $2 \
             WHERE id = $1 AND notifications_read_id < $2",
        )
        .bind(account)
        .bind(last_read_id)
        .execute(&mut *tx)
        .await?;
    }
    let marker = marker_from_row(&row)?;
    tx.commit().await?;
    Ok(marker)
}

// ---- notifications -----------------------------------------------------------------------

/// One notification of `account` (NotFound when it is not theirs, or is hidden by a mute or
/// block).
pub(crate) async fn get_notification(
    ctx: &Ctx<'_>,
    account: i64,
    id: i64,
) -> StoreResult<NotificationView> {
    let filter = NotificationFilter {
        only_id: Some(id),
        ..NotificationFilter::default()
    };
    let page = Page::first(1);
    super::notifications::list_filtered(ctx, account, page, &filter)
        .await?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound)
}

/// Deletes one notification of `account`; NotFound when `account` has no such notification.
pub(crate) async fn dismiss_notification(ctx: &Ctx<'_>, account: i64, id: i64) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM notifications WHERE id = $1 AND account_id = $2")
        .bind(id)
        .bind(account)
        .execute(ctx.write())
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes every notification of `account`.
pub(crate) async fn clear_notifications(ctx: &Ctx<'_>, account: i64) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM notifications WHERE account_id = $1")
        .bind(account)
        .execute(ctx.write())
        .await?;
    Ok(done.rows_affected())
}
