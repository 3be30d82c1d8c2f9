//! Posts held for review: holding one (a filter or, later, a spam score decided so), the
//! moderators' queue, approving (posted now, as if just written) and rejecting (deleted, the
//! author told), each decision with its audit row in one transaction.

use super::common::{Ctx, DbRow, Tx, bind_page, page_sql};
use super::moderation::insert_audit;
use crate::error::{StoreError, StoreResult};
use crate::model::{Page, PostInsert};
use crate::moderation::AuditEntry;
use crate::rules::HeldPost;
use social_core::{AccountId, MediaId, ModAction, Post, PostId};
use sqlx::Row;

const HELD_COLS: &str = "id, author_id, text, visibility, in_reply_to_id, spoiler_text, \
     sensitive, reason, created_at";

fn held_from_row(r: &DbRow, media_ids: Vec<MediaId>) -> Result<HeldPost, sqlx::Error> {
    Ok(HeldPost {
        id: r.try_get("id")?,
        insert: PostInsert {
            author_id: AccountId(r.try_get("author_id")?),
            text: r.try_get("text")?,
            visibility: r
                .try_get::<&str, _>("visibility")?
                .parse()
                .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
            in_reply_to_id: r.try_get::<Option<i64>, _>("in_reply_to_id")?.map(PostId),
            spoiler_text: r.try_get("spoiler_text")?,
            sensitive: r.try_get("sensitive")?,
            media_ids,
        },
        reason: r.try_get("reason")?,
        created_at_ms: r.try_get("created_at")?,
    })
}

async fn media_of<'c, E>(exec: E, id: i64) -> StoreResult<Vec<MediaId>>
where
    E: sqlx::Executor<'c, Database = super::DB>,
{
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT media_id FROM held_post_media WHERE held_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(exec)
    .await?;
    Ok(ids.into_iter().map(MediaId).collect())
}

/// Stores the post for review instead of posting it. The media must be the author's and not
/// attached (checked again on approval, when they are attached).
pub(crate) async fn hold_post(
    ctx: &Ctx<'_>,
    ins: &PostInsert,
    reason: &str,
    now: i64,
) -> StoreResult<HeldPost> {
    let mut tx = ctx.begin().await?;
    for m in &ins.media_ids {
        let owner: Option<i64> = sqlx::query_scalar(
            "SELECT account_id FROM media_attachments WHERE id = $1 AND post_id IS NULL",
        )
        .bind(m.0)
        .fetch_optional(&mut *tx)
        .await?;
        if owner != Some(ins.author_id.0) {
            return Err(super::moderation::invalid(
                "media_ids",
                "Unknown or already attached media.",
            ));
        }
    }
    let id = ctx.next_id();
    sqlx::query(&format!(
        "INSERT INTO held_posts ({HELD_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(id)
    .bind(ins.author_id.0)
    .bind(&ins.text)
    .bind(ins.visibility.as_str())
    .bind(ins.in_reply_to_id.map(|p| p.0))
    .bind(&ins.spoiler_text)
    .bind(ins.sensitive || !ins.spoiler_text.is_empty())
    .bind(reason)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for (i, m) in ins.media_ids.iter().enumerate() {
        sqlx::query(
            "INSERT INTO held_post_media (held_id, position, media_id) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(i64::try_from(i).unwrap_or(i64::MAX))
        .bind(m.0)
        .execute(&mut *tx)
        .await?;
    }
    // Recorded now, not again on approval: a held copy counts as one copy.
    super::spam::record(&mut tx, ins, now).await?;
    let held = fetch(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(held)
}

async fn fetch(tx: &mut Tx, id: i64) -> StoreResult<Option<HeldPost>> {
    let row = sqlx::query(&format!("SELECT {HELD_COLS} FROM held_posts WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        Some(r) => {
            let media = media_of(&mut **tx, id).await?;
            Ok(Some(held_from_row(&r, media)?))
        }
        None => Ok(None),
    }
}

/// Held posts, newest first, paged by id; `author`: only theirs.
pub(crate) async fn list_held(
    ctx: &Ctx<'_>,
    author: Option<i64>,
    page: Page,
) -> StoreResult<Vec<HeldPost>> {
    let (filter, next) = match author {
        Some(_) => (" AND author_id = $1", 2),
        None => ("", 1),
    };
    let (tail, reverse) = page_sql("id", &page, next);
    let sql = format!("SELECT {HELD_COLS} FROM held_posts WHERE 1 = 1{filter}{tail}");
    let mut q = sqlx::query(&sql);
    if let Some(a) = author {
        q = q.bind(a);
    }
    let rows = bind_page(q, &page).fetch_all(ctx.read).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        out.push(held_from_row(r, media_of(ctx.read, id).await?)?);
    }
    if reverse {
        out.reverse();
    }
    Ok(out)
}

pub(crate) async fn get_held(ctx: &Ctx<'_>, id: i64) -> StoreResult<Option<HeldPost>> {
    let row = sqlx::query(&format!("SELECT {HELD_COLS} FROM held_posts WHERE id = $1"))
        .bind(id)
        .fetch_optional(ctx.read)
        .await?;
    match row {
        Some(r) => Ok(Some(held_from_row(&r, media_of(ctx.read, id).await?)?)),
        None => Ok(None),
    }
}

/// Takes the held post out of the table (NotFound when it is gone: decided already).
async fn take(tx: &mut Tx, id: i64) -> StoreResult<HeldPost> {
    let held = fetch(tx, id).await?.ok_or(StoreError::NotFound)?;
    sqlx::query("DELETE FROM held_posts WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(held)
}

fn entry(
    ctx: &Ctx<'_>,
    actor: i64,
    action: ModAction,
    held: &HeldPost,
    post: Option<PostId>,
    reason: &str,
    now: i64,
) -> AuditEntry {
    AuditEntry {
        id: ctx.next_id(),
        actor_id: AccountId(actor),
        action,
        target_account_id: Some(held.insert.author_id),
        target_report_id: None,
        target_post_id: post,
        reason: reason.to_owned(),
        created_at_ms: now,
    }
}

/// Publishes a held post now (new id, fan-out, notifications: as if just posted); the spam
/// classifier learns its text as not spam.
pub(crate) async fn approve_held(
    ctx: &Ctx<'_>,
    actor: i64,
    id: i64,
    reason: &str,
    now: i64,
) -> StoreResult<Post> {
    let mut tx = ctx.begin().await?;
    let held = take(&mut tx, id).await?;
    super::spam::train(&mut tx, &held.insert.text, false).await?;
    let post = super::posts::create_post_in(ctx, &mut tx, &held.insert, ctx.next_id(), now).await?;
    let audit = entry(
        ctx,
        actor,
        ModAction::ApprovePost,
        &held,
        Some(post.id),
        reason,
        now,
    );
    insert_audit(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(post)
}

/// Deletes a held post and tells its author (a notice carrying `reason`); the spam classifier
/// learns its text as spam. Its media are left unattached for the orphan sweep.
pub(crate) async fn reject_held(
    ctx: &Ctx<'_>,
    actor: i64,
    id: i64,
    reason: &str,
    now: i64,
) -> StoreResult<AuditEntry> {
    let mut tx = ctx.begin().await?;
    let held = take(&mut tx, id).await?;
    super::spam::train(&mut tx, &held.insert.text, true).await?;
    let audit = entry(ctx, actor, ModAction::RejectPost, &held, None, reason, now);
    insert_audit(&mut tx, &audit).await?;
    sqlx::query(
        "INSERT INTO moderation_notices (id, account_id, audit_id, action, message, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ctx.next_id())
    .bind(held.insert.author_id.0)
    .bind(audit.id)
    .bind(ModAction::RejectPost.as_str())
    .bind(reason)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(audit)
}
