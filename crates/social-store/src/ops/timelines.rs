//! Timelines: home, local, account, tag, thread, and single post views. Each reads one page of
//! post rows with one indexed query, then hydrates them in batch.

use super::IS_SQLITE;
use super::common::{
    Ctx, DbRow, HIDDEN_CTE, Hide, account_at, account_cols, bind_page, boost_ok_sql,
    boost_ok_sql_with, limited_ok_sql, not_blocked_sql, not_blocked_sql_with, not_limited_sql,
    not_muted_sql, not_muted_sql_with, not_suspended_sql, page_sql, placeholders, post_at,
    post_cols, post_from_row, visible_post, visible_sql,
};
use super::hydrate::hydrate;
use crate::assemble;
use crate::error::{StoreError, StoreResult};
use crate::model::{Page, PostView, Thread};
use crate::rows::PostRow;
use social_core::{Account, Post};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

fn rows_to_posts(rows: Vec<DbRow>, reverse: bool) -> StoreResult<Vec<Post>> {
    let mut posts = rows
        .iter()
        .map(post_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    if reverse {
        posts.reverse();
    }
    Ok(posts)
}

/// Runs `SELECT <post cols of p> <from_where> <page>` with `$1` = viewer and `extra` binds.
async fn page_of_posts(
    ctx: &Ctx<'_>,
    viewer: i64,
    from_where: &str,
    cursor_col: &str,
    extra: Option<Bind<'_>>,
    page: &Page,
) -> StoreResult<Vec<PostView>> {
    let next = if extra.is_some() { 3 } else { 2 };
    let (tail, reverse) = page_sql(cursor_col, page, next);
    let sql = format!("SELECT {} {from_where}{tail}", post_cols("p"));
    let mut q = sqlx::query(&sql).bind(viewer);
    match extra {
        Some(Bind::Int(v)) => q = q.bind(v),
        Some(Bind::Text(v)) => q = q.bind(v),
        None => {}
    }
    let rows = bind_page(q, page).fetch_all(ctx.read).await?;
    hydrate(ctx, viewer, rows_to_posts(rows, reverse)?).await
}

enum Bind<'a> {
    Int(i64),
    Text(&'a str),
}

/// `FROM … WHERE …` of the home timeline of viewer `$1`; its cursor column is `HOME_CURSOR`.
/// With `Hide::Arrays` the statement must start with `HIDDEN_CTE`.
pub(crate) fn home_from_where(hide: Hide) -> String {
    let hid = if hide == Hide::Arrays {
        " CROSS JOIN hid"
    } else {
        ""
    };
    format!(
        "FROM home_feed h{hid} WHERE h.account_id = $1 AND {} AND {} AND {} AND {}",
        not_muted_sql_with("h.author_id", "$1", hide),
        not_blocked_sql_with("h.author_id", "$1", hide),
        not_suspended_sql("h.author_id"),
        // The entry's own `reblog_of_id` (migration 0011): no read of the boost's row here.
        boost_ok_sql_with("h", "$1", true, hide),
    )
}

/// How this backend's home statements leave out muted and blocked accounts: PostgreSQL reads
/// them once per statement (`Hide::Arrays`); SQLite has no arrays.
const HOME_HIDE: Hide = if IS_SQLITE {
    Hide::Subquery
} else {
    Hide::Arrays
};

/// The `WITH` clause `HOME_HIDE` needs in front of a home statement.
fn home_prefix() -> &'static str {
    if HOME_HIDE == Hide::Arrays {
        HIDDEN_CTE
    } else {
        ""
    }
}

pub(crate) const HOME_CURSOR: &str = "h.post_id";

/// The home timeline's page query as one `assemble::rich_sql` statement; `$1` viewer, the
/// cursors from `$2` (as `page_sql` numbers them), the limit inline.
/// With the hidden accounts left out as `hide` says (SQLite's direct reader, `fast.rs`, runs
/// it with `Hide::Subquery`).
pub(crate) fn home_rich_sql_with(page: &Page, hide: Hide) -> String {
    let (tail, _) = page_sql(HOME_CURSOR, page, 2);
    let ids = format!("SELECT {HOME_CURSOR} AS id {}{tail}", home_from_where(hide));
    assemble::rich_sql(&ids, post_cols, account_cols)
}

/// One `rich_sql` row as a view (`None`: a boost whose original vanished); posts with media
/// are noted in `with_media`.
fn rich_row(r: &DbRow, with_media: &mut Vec<i64>) -> Result<Option<PostView>, sqlx::Error> {
    let extras = |at: usize| -> Result<assemble::RawExtras, sqlx::Error> {
        Ok(assemble::RawExtras {
            tags: r.try_get(at)?,
            mentions: r.try_get(at + 1)?,
            favourited: r.try_get::<Option<bool>, _>(at + 2)?.unwrap_or(false),
            reblogged: r.try_get::<Option<bool>, _>(at + 3)?.unwrap_or(false),
            has_media: r.try_get::<Option<bool>, _>(at + 4)?.unwrap_or(false),
        })
    };
    let original = match r.try_get::<Option<i64>, _>(assemble::RICH_ORIGINAL)? {
        Some(_)
            if r.try_get::<Option<i64>, _>(assemble::RICH_ORIGINAL_AUTHOR)?
                .is_some() =>
        {
            Some((
                post_at(r, assemble::RICH_ORIGINAL)?,
                account_at(r, assemble::RICH_ORIGINAL_AUTHOR)?,
                extras(assemble::RICH_ORIGINAL_EXTRAS)?,
            ))
        }
        _ => None,
    };
    Ok(assemble::rich_view(
        post_at(r, 0)?,
        account_at(r, assemble::RICH_AUTHOR)?,
        extras(assemble::RICH_EXTRAS)?,
        original,
        with_media,
    ))
}

/// PostgreSQL's home page statement (`lean_sql` over the home timeline's ids; `$1` viewer,
/// cursors from `$2`), to be run after `HIDDEN_CTE`.
fn home_lean_sql(page: &Page) -> String {
    let (tail, _) = page_sql(HOME_CURSOR, page, 2);
    let ids = format!(
        "SELECT {HOME_CURSOR} AS id {}{tail}",
        home_from_where(HOME_HIDE)
    );
    lean_sql(&ids)
}

/// Like `assemble::rich_sql`, but each row carries only the ids and row versions (`xmin`) of
/// the post, its author, the boosted original and its author (NULL when not a boost), then
/// the viewer's favourite and boost flags of the post and of the original: the rows
/// themselves come from `rows::RowCache` when it holds them at that version (`lean_views`).
/// PostgreSQL only. Column layout: `LEAN_*`.
fn lean_sql(ids_sql: &str) -> String {
    let version = |t: &str| format!("{t}.id, {t}.xmin::text::bigint");
    let cols = [
        version("p"),
        version("a"),
        version("o"),
        version("oa"),
        assemble::viewer_flags_sql("p"),
        assemble::viewer_flags_sql("o"),
    ];
    assemble::page_rows_sql(&cols.join(", "), ids_sql)
}

/// Where the parts of a `lean_sql` row start: post, author, original, original's author (id
/// and version each), the post's flags, the original's flags.
const LEAN_AUTHOR: usize = 2;
const LEAN_ORIGINAL: usize = 4;
const LEAN_ORIGINAL_AUTHOR: usize = 6;
const LEAN_FLAGS: usize = 8;
const LEAN_ORIGINAL_FLAGS: usize = 10;
/// How many columns a `lean_sql` row has.
const LEAN_COLUMNS: usize = 12;

/// One `lean_sql` row.
struct LeanRow {
    post: (i64, i64),
    author: (i64, i64),
    /// The original and its author, when the row is a boost whose original is still there.
    original: Option<((i64, i64), (i64, i64))>,
    flags: (bool, bool),
    original_flags: (bool, bool),
}

fn lean_row(r: &DbRow) -> Result<LeanRow, sqlx::Error> {
    let pair = |at: usize| -> Result<Option<(i64, i64)>, sqlx::Error> {
        Ok(r.try_get::<Option<i64>, _>(at)?
            .zip(r.try_get::<Option<i64>, _>(at + 1)?))
    };
    let flags = |at: usize| -> Result<(bool, bool), sqlx::Error> {
        Ok((
            r.try_get::<Option<bool>, _>(at)?.unwrap_or(false),
            r.try_get::<Option<bool>, _>(at + 1)?.unwrap_or(false),
        ))
    };
    let missing = || sqlx::Error::Decode("a home row without its post or author".into());
    Ok(LeanRow {
        post: pair(0)?.ok_or_else(missing)?,
        author: pair(LEAN_AUTHOR)?.ok_or_else(missing)?,
        original: pair(LEAN_ORIGINAL)?.zip(pair(LEAN_ORIGINAL_AUTHOR)?),
        flags: flags(LEAN_FLAGS)?,
        original_flags: flags(LEAN_ORIGINAL_FLAGS)?,
    })
}

/// The views of a page of `lean_sql` rows: the post and account rows come from the row
/// cache when it holds them at the version the statement read, the others from the database
/// (one query per table) and into the cache.
async fn lean_views(ctx: &Ctx<'_>, rows: &[DbRow]) -> StoreResult<Vec<PostView>> {
    let lean = rows.iter().map(lean_row).collect::<Result<Vec<_>, _>>()?;
    let mut posts: HashMap<i64, Arc<PostRow>> = HashMap::with_capacity(lean.len() * 2);
    let mut accounts: HashMap<i64, Arc<Account>> = HashMap::with_capacity(lean.len() * 2);
    let mut want_posts = Vec::new();
    let mut want_accounts = Vec::new();
    for l in &lean {
        let mut wanted = vec![(l.post, l.author)];
        wanted.extend(l.original);
        for ((post, post_version), (author, author_version)) in wanted {
            match ctx.rows.post(post, post_version) {
                Some(row) => {
                    posts.insert(post, row);
                }
                None => want_posts.push(post),
            }
            match ctx.rows.account(author, author_version) {
                Some(row) => {
                    accounts.insert(author, row);
                }
                None => want_accounts.push(author),
            }
        }
    }
    if !want_posts.is_empty() {
        want_posts.sort_unstable();
        want_posts.dedup();
        let sql = format!(
            "SELECT p.xmin::text::bigint, {}, p.tags, p.mentions, p.has_media FROM posts p \
             WHERE p.id IN ({})",
            post_cols("p"),
            placeholders(1, want_posts.len())
        );
        let mut q = sqlx::query(&sql);
        for id in &want_posts {
            q = q.bind(id);
        }
        for r in q.fetch_all(ctx.read).await? {
            let at = 1 + assemble::POST_N;
            let row = PostRow {
                post: post_at(&r, 1)?,
                tags: r.try_get(at)?,
                mentions: r.try_get(at + 1)?,
                has_media: r.try_get(at + 2)?,
            };
            let id = row.post.id.0;
            posts.insert(id, ctx.rows.put_post(r.try_get(0)?, row));
        }
    }
    if !want_accounts.is_empty() {
        want_accounts.sort_unstable();
        want_accounts.dedup();
        let sql = format!(
            "SELECT a.xmin::text::bigint, {} FROM accounts a WHERE a.id IN ({})",
            account_cols("a"),
            placeholders(1, want_accounts.len())
        );
        let mut q = sqlx::query(&sql);
        for id in &want_accounts {
            q = q.bind(id);
        }
        for r in q.fetch_all(ctx.read).await? {
            let row = account_at(&r, 1)?;
            let id = row.id.0;
            accounts.insert(id, ctx.rows.put_account(r.try_get(0)?, row));
        }
    }
    let extras = |row: &PostRow, (favourited, reblogged): (bool, bool)| assemble::RawExtras {
        tags: row.tags.clone(),
        mentions: row.mentions.clone(),
        favourited,
        reblogged,
        has_media: row.has_media,
    };
    let mut out = Vec::with_capacity(lean.len());
    let mut with_media = Vec::new();
    for l in &lean {
        // A row deleted between the two statements leaves its post out, as a vanished
        // original leaves out its boost.
        let (Some(post), Some(author)) = (posts.get(&l.post.0), accounts.get(&l.author.0)) else {
            continue;
        };
        let original = l.original.and_then(|((o, _), (oa, _))| {
            let (o, oa) = (posts.get(&o)?, accounts.get(&oa)?);
            Some((
                o.post.clone(),
                Account::clone(oa),
                extras(o, l.original_flags),
            ))
        });
        out.extend(assemble::rich_view(
            post.post.clone(),
            Account::clone(author),
            extras(post, l.flags),
            original,
            &mut with_media,
        ));
    }
    finish_views(ctx, out, with_media).await
}

/// Runs one of the statements of every page on the hot connections when the backend has them.
async fn fetch_hot<'q>(
    ctx: &Ctx<'_>,
    make: impl Fn() -> sqlx::query::Query<'q, super::DB, <super::DB as sqlx::Database>::Arguments<'q>>,
) -> StoreResult<Vec<DbRow>> {
    match ctx.hot {
        Some(hot) => hot.fetch_all(make).await,
        None => Ok(make().fetch_all(ctx.read).await?),
    }
}

/// The home statement for `page`'s shape (which cursors, the limit), with or without the
/// unread count: built once per shape and kept, since the SQL is about 5 KB and formatting it
/// on every request cost about 5% of sociald's CPU per page (PostgreSQL; SQLite's hot path,
/// `fast.rs`, keeps its own).
fn home_statement(page: &Page, with_unread: bool) -> Arc<str> {
    type Shapes = Mutex<HashMap<(bool, bool, u32, bool), Arc<str>>>;
    static BUILT: OnceLock<Shapes> = OnceLock::new();
    let key = (
        page.max_id.is_some(),
        page.min_id.is_some(),
        page.limit.clamp(1, Page::MAX_LIMIT),
        with_unread,
    );
    let mut built = BUILT
        .get_or_init(Shapes::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // At most 2 × 2 × 40 × 2 shapes.
    built
        .entry(key)
        .or_insert_with(|| {
            let page_sql = if IS_SQLITE {
                home_rich_sql_with(page, HOME_HIDE)
            } else {
                home_lean_sql(page)
            };
            let sql = if with_unread {
                format!(
                    "{}SELECT r.*, ({}) AS unread FROM ({page_sql}) r",
                    home_prefix(),
                    super::notifications::count_unread_sql_with(HOME_HIDE),
                )
            } else {
                format!("{}{page_sql}", home_prefix())
            };
            Arc::from(sql)
        })
        .clone()
}

pub(crate) async fn home(ctx: &Ctx<'_>, viewer: i64, page: Page) -> StoreResult<Vec<PostView>> {
    let sql = home_statement(&page, false);
    let rows = fetch_hot(ctx, || bind_page(sqlx::query(&sql).bind(viewer), &page)).await?;
    if IS_SQLITE {
        rich_views(ctx, &rows).await
    } else {
        lean_views(ctx, &rows).await
    }
}

/// The views of a page of `rich_sql` rows, newest first, with their media attached.
async fn rich_views(ctx: &Ctx<'_>, rows: &[DbRow]) -> StoreResult<Vec<PostView>> {
    let mut out = Vec::with_capacity(rows.len());
    let mut with_media = Vec::new();
    for r in rows {
        out.extend(rich_row(r, &mut with_media)?);
    }
    finish_views(ctx, out, with_media).await
}

/// Orders the views of a page newest first and attaches the media of `with_media`.
async fn finish_views(
    ctx: &Ctx<'_>,
    mut out: Vec<PostView>,
    mut with_media: Vec<i64>,
) -> StoreResult<Vec<PostView>> {
    assemble::sort_newest_first(&mut out);
    if !with_media.is_empty() {
        with_media.sort_unstable();
        with_media.dedup();
        assemble::attach_media(&mut out, super::media::for_posts(ctx, &with_media).await?);
    }
    Ok(out)
}

/// The home timeline and the viewer's unread notification count in one round trip: the count
/// rides on every row as an uncorrelated subquery, which PostgreSQL evaluates once. (Two
/// concurrent queries cost two pool checkouts and twice the socket traffic; on the benchmark
/// that was a third of sociald's CPU per page.) An empty page carries no row, so then the count
/// is asked separately.
pub(crate) async fn home_with_unread(
    ctx: &Ctx<'_>,
    viewer: i64,
    page: Page,
) -> StoreResult<(Vec<PostView>, i64)> {
    let sql = home_statement(&page, true);
    let rows = fetch_hot(ctx, || bind_page(sqlx::query(&sql).bind(viewer), &page)).await?;
    let Some(first) = rows.first() else {
        return Ok((
            Vec::new(),
            super::notifications::count_unread(ctx, viewer).await?,
        ));
    };
    if IS_SQLITE {
        let unread: i64 = first.try_get(assemble::RICH_COLUMNS)?;
        Ok((rich_views(ctx, &rows).await?, unread))
    } else {
        let unread: i64 = first.try_get(LEAN_COLUMNS)?;
        Ok((lean_views(ctx, &rows).await?, unread))
    }
}

pub(crate) async fn local(ctx: &Ctx<'_>, viewer: i64, page: Page) -> StoreResult<Vec<PostView>> {
    let from_where = format!(
        "FROM posts p WHERE p.visibility = 'public' AND p.reblog_of_id IS NULL AND {} AND {} \
         AND {} AND {}",
        not_muted_sql("p.author_id", "$1"),
        not_blocked_sql("p.author_id", "$1"),
        not_suspended_sql("p.author_id"),
        not_limited_sql("p.author_id"),
    );
    page_of_posts(ctx, viewer, &from_where, "p.id", None, &page).await
}

pub(crate) async fn account(
    ctx: &Ctx<'_>,
    viewer: i64,
    author: i64,
    page: Page,
) -> StoreResult<Vec<PostView>> {
    let from_where = format!(
        "FROM posts p WHERE p.author_id = $2 AND {} AND {} AND {}",
        visible_sql("p", "$1"),
        boost_ok_sql("p", "$1", false),
        limited_ok_sql("p.author_id", "$1"),
    );
    page_of_posts(
        ctx,
        viewer,
        &from_where,
        "p.id",
        Some(Bind::Int(author)),
        &page,
    )
    .await
}

pub(crate) async fn tag(
    ctx: &Ctx<'_>,
    viewer: i64,
    tag: &str,
    page: Page,
) -> StoreResult<Vec<PostView>> {
    let from_where = format!(
        "FROM post_tags t JOIN posts p ON p.id = t.post_id WHERE t.tag = $2 \
         AND p.visibility = 'public' AND {} AND {} AND {} AND {}",
        not_muted_sql("p.author_id", "$1"),
        not_blocked_sql("p.author_id", "$1"),
        not_suspended_sql("p.author_id"),
        not_limited_sql("p.author_id"),
    );
    page_of_posts(
        ctx,
        viewer,
        &from_where,
        "t.post_id",
        Some(Bind::Text(tag)),
        &page,
    )
    .await
}

/// The `rich_sql` statement of one post, `$2`, for viewer `$1` (no row when not visible).
pub(crate) fn post_view_sql() -> String {
    let ids = format!(
        "SELECT p.id AS id FROM posts p WHERE p.id = $2 AND {} AND {}",
        visible_sql("p", "$1"),
        boost_ok_sql("p", "$1", false)
    );
    assemble::rich_sql(&ids, post_cols, account_cols)
}

/// One post as the viewer sees it, in one statement (`rich_sql`, as the home timeline) rather
/// than a visibility check and a hydration: every post the API creates is answered with this.
pub(crate) async fn post_view(ctx: &Ctx<'_>, viewer: i64, id: i64) -> StoreResult<PostView> {
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = SQL.get_or_init(post_view_sql);
    let rows = fetch_hot(ctx, || sqlx::query(sql).bind(viewer).bind(id)).await?;
    rich_views(ctx, &rows)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

const THREAD_MAX: i64 = 1000;

pub(crate) async fn thread(ctx: &Ctx<'_>, viewer: i64, id: i64) -> StoreResult<Thread> {
    let mut focus = visible_post(ctx.read, viewer, id).await?;
    if let Some(orig) = focus.reblog_of_id {
        focus = visible_post(ctx.read, viewer, orig.0).await?;
    }
    let fid = focus.id.0;
    let ancestors_sql = format!(
        "WITH RECURSIVE anc(id, depth) AS ( \
           SELECT in_reply_to_id, 1 FROM posts WHERE id = $2 AND in_reply_to_id IS NOT NULL \
           UNION ALL SELECT q.in_reply_to_id, anc.depth + 1 FROM posts q JOIN anc ON q.id = anc.id \
             WHERE q.in_reply_to_id IS NOT NULL AND anc.depth < {THREAD_MAX}) \
         SELECT {} FROM posts p JOIN anc ON p.id = anc.id WHERE {} ORDER BY anc.depth DESC",
        post_cols("p"),
        visible_sql("p", "$1"),
    );
    let rows = sqlx::query(&ancestors_sql)
        .bind(viewer)
        .bind(fid)
        .fetch_all(ctx.read)
        .await?;
    let ancestors = rows_to_posts(rows, false)?;
    let descendants_sql = format!(
        "WITH RECURSIVE d(id, depth) AS ( \
           SELECT id, 1 FROM posts WHERE in_reply_to_id = $2 \
           UNION ALL SELECT q.id, d.depth + 1 FROM posts q JOIN d ON q.in_reply_to_id = d.id \
             WHERE d.depth < {THREAD_MAX}) \
         SELECT {} FROM posts p JOIN d ON p.id = d.id WHERE {} AND (p.author_id = $1 OR {}) \
         ORDER BY p.id LIMIT {THREAD_MAX}",
        post_cols("p"),
        visible_sql("p", "$1"),
        not_muted_sql("p.author_id", "$1"),
    );
    let rows = sqlx::query(&descendants_sql)
        .bind(viewer)
        .bind(fid)
        .fetch_all(ctx.read)
        .await?;
    let descendants = depth_first(fid, rows_to_posts(rows, false)?);
    let n_anc = ancestors.len();
    let mut all = ancestors;
    all.push(focus);
    all.extend(descendants);
    let mut views = hydrate(ctx, viewer, all).await?;
    // Hydration keeps order; it drops only posts whose author vanished mid-request.
    let focus_at = views
        .iter()
        .position(|v| v.post.id.0 == fid)
        .ok_or(StoreError::NotFound)?;
    let descendants = views.split_off(focus_at + 1);
    let focus = views.pop().ok_or(StoreError::NotFound)?;
    let _ = n_anc;
    Ok(Thread {
        ancestors: views,
        focus,
        descendants,
    })
}

/// Orders replies depth-first from `root`, oldest first among siblings; replies whose parent
/// is not visible are left out.
fn depth_first(root: i64, posts: Vec<Post>) -> Vec<Post> {
    let mut children: HashMap<i64, Vec<Post>> = HashMap::new();
    for p in posts {
        if let Some(parent) = p.in_reply_to_id {
            children.entry(parent.0).or_default().push(p);
        }
    }
    for list in children.values_mut() {
        list.sort_by_key(|p| p.id);
        list.reverse(); // popped from the end below
    }
    let mut out = Vec::new();
    let mut stack: Vec<Post> = children.remove(&root).unwrap_or_default();
    while let Some(p) = stack.pop() {
        let id = p.id.0;
        out.push(p);
        if let Some(kids) = children.remove(&id) {
            stack.extend(kids);
        }
    }
    out
}
