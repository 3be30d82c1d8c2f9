//! Media attachments: create, get and update (owner only), attach to a post inside the
//! post-creation transaction, the batch read for hydration, and the orphan sweep.

use super::common::{Ctx, DbRow, Tx, placeholders};
use crate::assemble::MEDIA_COLS;
use crate::error::{StoreError, StoreResult};
use crate::model::{MediaInsert, MediaUpdate};
use social_core::media::MAX_PER_POST;
use social_core::{AccountId, Focus, MediaAttachment, MediaId, PostId, ValidationError};
use sqlx::Row;

fn dim(r: &DbRow, at: usize) -> Result<u32, sqlx::Error> {
    let v: i32 = r.try_get(at)?;
    u32::try_from(v).map_err(|e| sqlx::Error::Decode(e.into()))
}

/// A media row from the `MEDIA_COLS` columns.
pub(crate) fn media_from_row(r: &DbRow) -> Result<MediaAttachment, sqlx::Error> {
    Ok(MediaAttachment {
        id: MediaId(r.try_get(0)?),
        account_id: AccountId(r.try_get(1)?),
        post_id: r.try_get::<Option<i64>, _>(2)?.map(PostId),
        file_name: r.try_get(3)?,
        thumb_name: r.try_get(4)?,
        mime: r.try_get(5)?,
        width: dim(r, 6)?,
        height: dim(r, 7)?,
        size: r.try_get(8)?,
        thumb_width: dim(r, 9)?,
        thumb_height: dim(r, 10)?,
        focus: Focus {
            x: r.try_get(11)?,
            y: r.try_get(12)?,
        },
        description: r.try_get(13)?,
        blurhash: r.try_get(14)?,
        created_at_ms: r.try_get(15)?,
    })
}

fn int(v: u32) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

pub(crate) async fn create(
    ctx: &Ctx<'_>,
    ins: &MediaInsert,
    now: i64,
) -> StoreResult<MediaAttachment> {
    let row = sqlx::query(&format!(
        "INSERT INTO media_attachments (id, account_id, file_name, thumb_name, mime, width, \
         height, size, thumb_width, thumb_height, focus_x, focus_y, description, blurhash, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         RETURNING {MEDIA_COLS}"
    ))
    .bind(ctx.next_id())
    .bind(ins.account_id.0)
    .bind(&ins.file_name)
    .bind(&ins.thumb_name)
    .bind(&ins.mime)
    .bind(int(ins.width))
    .bind(int(ins.height))
    .bind(ins.size)
    .bind(int(ins.thumb_width))
    .bind(int(ins.thumb_height))
    .bind(ins.focus.x)
    .bind(ins.focus.y)
    .bind(&ins.description)
    .bind(&ins.blurhash)
    .bind(now)
    .fetch_one(ctx.write())
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict { what: "media file" }
        }
        _ => e.into(),
    })?;
    Ok(media_from_row(&row)?)
}

pub(crate) async fn get(ctx: &Ctx<'_>, owner: i64, id: i64) -> StoreResult<MediaAttachment> {
    let row = sqlx::query(&format!(
        "SELECT {MEDIA_COLS} FROM media_attachments WHERE id = $1 AND account_id = $2"
    ))
    .bind(id)
    .bind(owner)
    .fetch_optional(ctx.read)
    .await?;
    match row {
        Some(r) => Ok(media_from_row(&r)?),
        None => Err(StoreError::NotFound),
    }
}

pub(crate) async fn update(
    ctx: &Ctx<'_>,
    owner: i64,
    id: i64,
    update: &MediaUpdate,
) -> StoreResult<MediaAttachment> {
    let row = sqlx::query(&format!(
        "UPDATE media_attachments SET description = COALESCE($3, description), \
         focus_x = COALESCE($4, focus_x), focus_y = COALESCE($5, focus_y) \
         WHERE id = $1 AND account_id = $2 RETURNING {MEDIA_COLS}"
    ))
    .bind(id)
    .bind(owner)
    .bind(update.description.as_deref())
    .bind(update.focus.map(|f| f.x))
    .bind(update.focus.map(|f| f.y))
    .fetch_optional(ctx.write())
    .await?;
    match row {
        Some(r) => Ok(media_from_row(&r)?),
        None => Err(StoreError::NotFound),
    }
}

/// Attaches `ids` (in that order) to the new post `post`, inside its creation transaction.
/// Each must belong to `author` and not be attached yet; at most four, no repeats. Any
/// failure is Invalid on `media_ids` and rolls the post back with it.
pub(crate) async fn attach(
    tx: &mut Tx,
    author: i64,
    post: i64,
    ids: &[MediaId],
) -> StoreResult<()> {
    if ids.len() > MAX_PER_POST {
        return Err(ValidationError::new(
            "media_ids",
            format!("A post has at most {MAX_PER_POST} media attachments."),
        )
        .into());
    }
    for (position, id) in ids.iter().enumerate() {
        if ids[..position].contains(id) {
            return Err(
                ValidationError::new("media_ids", format!("Media {id} is given twice.")).into(),
            );
        }
        let done = sqlx::query(
            "UPDATE media_attachments SET post_id = $1, position = $2 \
             WHERE id = $3 AND account_id = $4 AND post_id IS NULL",
        )
        .bind(post)
        .bind(i32::try_from(position).unwrap_or(0))
        .bind(id.0)
        .bind(author)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(ValidationError::new(
                "media_ids",
                format!("Media {id} was not found or is already attached to a post."),
            )
            .into());
        }
    }
    Ok(())
}

/// The attachments of the given posts, by post then position: one query for a page.
pub(crate) async fn for_posts(ctx: &Ctx<'_>, posts: &[i64]) -> StoreResult<Vec<MediaAttachment>> {
    if posts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = crate::assemble::media_sql(&placeholders(1, posts.len()));
    let mut q = sqlx::query(&sql);
    for p in posts {
        q = q.bind(*p);
    }
    let rows = q.fetch_all(ctx.read).await?;
    Ok(rows.iter().map(media_from_row).collect::<Result<_, _>>()?)
}

/// Deletes up to `limit` unattached rows created before `cutoff` (except those a held post
/// will carry) and returns them, so the caller removes their files.
pub(crate) async fn take_orphans(
    ctx: &Ctx<'_>,
    cutoff: i64,
    limit: i64,
) -> StoreResult<Vec<MediaAttachment>> {
    let rows = sqlx::query(&format!(
        "DELETE FROM media_attachments WHERE id IN (SELECT id FROM media_attachments \
         WHERE post_id IS NULL AND created_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM held_post_media h WHERE h.media_id = media_attachments.id) \
         ORDER BY created_at LIMIT $2) \
         RETURNING {MEDIA_COLS}"
    ))
    .bind(cutoff)
    .bind(limit)
    .fetch_all(ctx.write())
    .await?;
    Ok(rows.iter().map(media_from_row).collect::<Result<_, _>>()?)
}
