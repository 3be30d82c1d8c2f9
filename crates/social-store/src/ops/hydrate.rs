//! Turning post rows into `PostView`s for one viewer with a fixed number of batch queries:
//! boosted originals (only when the page holds boosts), authors, then one query for mentions,
//! tags and the viewer's favourite/boost flags together. The backend-independent part is in
//! `crate::assemble`.

use super::accounts::accounts_by_ids;
use super::common::{Ctx, POST_COLS, placeholders, post_from_row};
use crate::assemble::{self, Extras};
use crate::error::StoreResult;
use crate::model::PostView;
use social_core::{Account, Post};
use sqlx::Row;
use std::collections::HashMap;

async fn posts_by_ids(ctx: &Ctx<'_>, ids: &[i64]) -> StoreResult<Vec<Post>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {POST_COLS} FROM posts WHERE id IN ({})",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(ctx.read).await?;
    Ok(rows.iter().map(post_from_row).collect::<Result<_, _>>()?)
}

async fn extras(ctx: &Ctx<'_>, viewer: i64, ids: &[i64]) -> StoreResult<Extras> {
    let mut out = Extras::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = assemble::extras_sql(&placeholders(2, ids.len()));
    let mut q = sqlx::query(&sql).bind(viewer);
    for id in ids {
        q = q.bind(*id);
    }
    for r in q.fetch_all(ctx.read).await? {
        out.add(r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
    }
    Ok(out)
}

/// Views of `posts`, in the same order. Posts whose author (or boosted original) vanished in
/// the meantime are left out.
pub(crate) async fn hydrate(
    ctx: &Ctx<'_>,
    viewer: i64,
    posts: Vec<Post>,
) -> StoreResult<Vec<PostView>> {
    if posts.is_empty() {
        return Ok(Vec::new());
    }
    let fetched = posts_by_ids(ctx, &assemble::missing_originals(&posts)).await?;
    let originals = assemble::originals(&posts, fetched);
    let accounts: HashMap<i64, Account> =
        accounts_by_ids(ctx, &assemble::author_ids(&posts, &originals))
            .await?
            .into_iter()
            .map(|a| (a.id.0, a))
            .collect();
    let extras = extras(ctx, viewer, &assemble::post_ids(&posts, &originals)).await?;
    let mut views = assemble::assemble(posts, &originals, &accounts, &extras);
    if !extras.with_media.is_empty() {
        let mut ids: Vec<i64> = extras.with_media.iter().copied().collect();
        ids.sort_unstable();
        assemble::attach_media(&mut views, super::media::for_posts(ctx, &ids).await?);
    }
    Ok(views)
}
