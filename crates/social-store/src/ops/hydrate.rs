//! Turning post rows into `PostView`s for one viewer with a fixed number of batch queries:
//! boosted originals (only when the page holds boosts), authors, then one query for mentions,
//! tags and the viewer's favourite/boost flags together.

use super::accounts::accounts_by_ids;
use super::common::{Ctx, POST_COLS, placeholders, post_from_row};
use crate::error::StoreResult;
use crate::model::{Mention, PostView};
use social_core::{Account, AccountId, Post};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

#[derive(Default)]
struct Extras {
    mentions: HashMap<i64, Vec<Mention>>,
    tags: HashMap<i64, Vec<String>>,
    favourited: HashSet<i64>,
    reblogged: HashSet<i64>,
}

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
    let list = placeholders(2, ids.len());
    let sql = format!(
        "SELECT CAST(0 AS BIGINT) AS k, pm.post_id AS pid, pm.account_id AS aid, a.username AS s \
           FROM post_mentions pm JOIN accounts a ON a.id = pm.account_id WHERE pm.post_id IN ({list}) \
         UNION ALL SELECT CAST(1 AS BIGINT), post_id, CAST(0 AS BIGINT), tag FROM post_tags \
           WHERE post_id IN ({list}) \
         UNION ALL SELECT CAST(2 AS BIGINT), post_id, CAST(0 AS BIGINT), '' FROM favourites \
           WHERE account_id = $1 AND post_id IN ({list}) \
         UNION ALL SELECT CAST(3 AS BIGINT), reblog_of_id, CAST(0 AS BIGINT), '' FROM posts \
           WHERE author_id = $1 AND reblog_of_id IN ({list})"
    );
    let mut q = sqlx::query(&sql).bind(viewer);
    for id in ids {
        q = q.bind(*id);
    }
    for r in q.fetch_all(ctx.read).await? {
        let kind: i64 = r.try_get(0)?;
        let pid: i64 = r.try_get(1)?;
        match kind {
            0 => out.mentions.entry(pid).or_default().push(Mention {
                account_id: AccountId(r.try_get(2)?),
                username: r.try_get(3)?,
            }),
            1 => out.tags.entry(pid).or_default().push(r.try_get(3)?),
            2 => {
                out.favourited.insert(pid);
            }
            _ => {
                out.reblogged.insert(pid);
            }
        }
    }
    Ok(out)
}

fn view(post: Post, accounts: &HashMap<i64, Account>, extras: &Extras) -> Option<PostView> {
    let author = accounts.get(&post.author_id.0)?.clone();
    let id = post.id.0;
    let mut mentions = extras.mentions.get(&id).cloned().unwrap_or_default();
    mentions.sort_by(|a, b| a.username.cmp(&b.username));
    Some(PostView {
        author,
        reblog: None,
        mentions,
        tags: extras.tags.get(&id).cloned().unwrap_or_default(),
        favourited: extras.favourited.contains(&id),
        reblogged: extras.reblogged.contains(&id),
        post,
    })
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
    let have: HashSet<i64> = posts.iter().map(|p| p.id.0).collect();
    let missing: Vec<i64> = posts
        .iter()
        .filter_map(|p| p.reblog_of_id.map(|r| r.0))
        .filter(|r| !have.contains(r))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut originals: HashMap<i64, Post> = posts_by_ids(ctx, &missing)
        .await?
        .into_iter()
        .map(|p| (p.id.0, p))
        .collect();
    for p in &posts {
        if p.reblog_of_id.is_some_and(|r| have.contains(&r.0)) {
            // The original is on the page too: reuse it.
            if let Some(o) = posts.iter().find(|o| Some(o.id) == p.reblog_of_id) {
                originals.insert(o.id.0, o.clone());
            }
        }
    }
    let mut account_ids: Vec<i64> = posts
        .iter()
        .chain(originals.values())
        .map(|p| p.author_id.0)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    account_ids.sort_unstable();
    let accounts: HashMap<i64, Account> = accounts_by_ids(ctx, &account_ids)
        .await?
        .into_iter()
        .map(|a| (a.id.0, a))
        .collect();
    let mut post_ids: Vec<i64> = have
        .iter()
        .copied()
        .chain(originals.keys().copied())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    post_ids.sort_unstable();
    let extras = extras(ctx, viewer, &post_ids).await?;
    let mut out = Vec::with_capacity(posts.len());
    for post in posts {
        let reblog = match post.reblog_of_id {
            Some(r) => match originals.get(&r.0) {
                Some(o) => match view(o.clone(), &accounts, &extras) {
                    Some(v) => Some(Box::new(v)),
                    None => continue,
                },
                None => continue,
            },
            None => None,
        };
        if let Some(mut v) = view(post, &accounts, &extras) {
            v.reblog = reblog;
            out.push(v);
        }
    }
    Ok(out)
}
