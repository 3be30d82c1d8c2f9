//! The backend-independent half of hydration: which ids a page of posts needs fetched, the SQL
//! of the batch queries, and turning the fetched rows into `PostView`s. The sqlx operations
//! (`ops/hydrate.rs`, once per backend) and the direct SQLite reader (`fast.rs`) share it, so
//! both produce the same views.

use crate::model::{Mention, PostView};
use social_core::{Account, AccountId, MediaAttachment, Post};
use std::collections::{HashMap, HashSet};

/// Per-post data for one viewer: mentions, tags, and the viewer's favourite/boost flags.
#[derive(Default)]
pub(crate) struct Extras {
    mentions: HashMap<i64, Vec<Mention>>,
    tags: HashMap<i64, Vec<String>>,
    favourited: HashSet<i64>,
    reblogged: HashSet<i64>,
    /// Posts with at least one media attachment (fetched afterwards, only when any).
    pub(crate) with_media: HashSet<i64>,
}

impl Extras {
    /// Adds one row of the extras query (`kind, post id, account id, text`).
    pub(crate) fn add(&mut self, kind: i64, post: i64, account: i64, text: String) {
        match kind {
            0 => self.mentions.entry(post).or_default().push(Mention {
                account_id: AccountId(account),
                username: text,
            }),
            1 => self.tags.entry(post).or_default().push(text),
            2 => {
                self.favourited.insert(post);
            }
            3 => {
                self.reblogged.insert(post);
            }
            _ => {
                self.with_media.insert(post);
            }
        }
    }
}

/// The extras query for the viewer `$1`; `list` is the SQL of the post-id set (an `IN` list of
/// placeholders, or a subquery). Rows: `kind` (0 mention, 1 tag, 2 favourited, 3 boosted,
/// 4 has media), post id, account id, text.
pub(crate) fn extras_sql(list: &str) -> String {
    format!(
        "SELECT CAST(0 AS BIGINT) AS k, pm.post_id AS pid, pm.account_id AS aid, a.username AS s \
           FROM post_mentions pm JOIN accounts a ON a.id = pm.account_id WHERE pm.post_id IN ({list}) \
         UNION ALL SELECT CAST(1 AS BIGINT), post_id, CAST(0 AS BIGINT), tag FROM post_tags \
           WHERE post_id IN ({list}) \
         UNION ALL SELECT CAST(2 AS BIGINT), post_id, CAST(0 AS BIGINT), '' FROM favourites \
           WHERE account_id = $1 AND post_id IN ({list}) \
         UNION ALL SELECT CAST(3 AS BIGINT), reblog_of_id, CAST(0 AS BIGINT), '' FROM posts \
           WHERE author_id = $1 AND reblog_of_id IN ({list}) \
         UNION ALL SELECT DISTINCT CAST(4 AS BIGINT), post_id, CAST(0 AS BIGINT), '' \
           FROM media_attachments WHERE post_id IN ({list})"
    )
}

/// Columns of a media row, in the order `media_from_row` (and the SQLite hot path) read them.
pub(crate) const MEDIA_COLS: &str = "id, account_id, post_id, file_name, thumb_name, mime, \
     width, height, size, thumb_width, thumb_height, focus_x, focus_y, description, blurhash, \
     created_at";

/// The attachments of the posts in `list` (an `IN` list of placeholders), by post and position.
pub(crate) fn media_sql(list: &str) -> String {
    format!(
        "SELECT {MEDIA_COLS} FROM media_attachments WHERE post_id IN ({list}) \
         ORDER BY post_id, position"
    )
}

/// Hands fetched attachments to their posts (and to boosted originals) in `views`.
pub(crate) fn attach_media(views: &mut [PostView], media: Vec<MediaAttachment>) {
    if media.is_empty() {
        return;
    }
    let mut by_post: HashMap<i64, Vec<MediaAttachment>> = HashMap::new();
    for m in media {
        if let Some(p) = m.post_id {
            by_post.entry(p.0).or_default().push(m);
        }
    }
    for v in views {
        if let Some(list) = by_post.get(&v.post.id.0) {
            v.media = list.clone();
        }
        if let Some(o) = v.reblog.as_deref_mut()
            && let Some(list) = by_post.get(&o.post.id.0)
        {
            o.media = list.clone();
        }
    }
}

/// Boosted originals that are not on the page themselves: they must be fetched.
pub(crate) fn missing_originals(posts: &[Post]) -> Vec<i64> {
    let have: HashSet<i64> = posts.iter().map(|p| p.id.0).collect();
    let mut ids: Vec<i64> = posts
        .iter()
        .filter_map(|p| p.reblog_of_id.map(|r| r.0))
        .filter(|r| !have.contains(r))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    ids.sort_unstable();
    ids
}

/// The originals of the page's boosts: the fetched ones plus those on the page itself.
pub(crate) fn originals(posts: &[Post], fetched: Vec<Post>) -> HashMap<i64, Post> {
    let mut out: HashMap<i64, Post> = fetched.into_iter().map(|p| (p.id.0, p)).collect();
    for p in posts {
        if let Some(r) = p.reblog_of_id
            && !out.contains_key(&r.0)
            && let Some(o) = posts.iter().find(|o| o.id == r)
        {
            out.insert(r.0, o.clone());
        }
    }
    out
}

/// Authors of the page's posts and of their originals, sorted, without duplicates.
pub(crate) fn author_ids(posts: &[Post], originals: &HashMap<i64, Post>) -> Vec<i64> {
    let mut ids: Vec<i64> = posts
        .iter()
        .chain(originals.values())
        .map(|p| p.author_id.0)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    ids.sort_unstable();
    ids
}

/// Ids of the page's posts and of their originals, sorted, without duplicates.
pub(crate) fn post_ids(posts: &[Post], originals: &HashMap<i64, Post>) -> Vec<i64> {
    let mut ids: Vec<i64> = posts
        .iter()
        .map(|p| p.id.0)
        .chain(originals.keys().copied())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    ids.sort_unstable();
    ids
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
        media: Vec::new(),
        post,
    })
}

/// Views of `posts`, in the same order. Posts whose author (or boosted original) vanished in
/// the meantime are left out.
pub(crate) fn assemble(
    posts: Vec<Post>,
    originals: &HashMap<i64, Post>,
    accounts: &HashMap<i64, Account>,
    extras: &Extras,
) -> Vec<PostView> {
    let mut out = Vec::with_capacity(posts.len());
    for post in posts {
        let reblog = match post.reblog_of_id {
            Some(r) => match originals
                .get(&r.0)
                .and_then(|o| view(o.clone(), accounts, extras))
            {
                Some(v) => Some(Box::new(v)),
                None => continue,
            },
            None => None,
        };
        if let Some(mut v) = view(post, accounts, extras) {
            v.reblog = reblog;
            out.push(v);
        }
    }
    out
}

/// One query for a whole page: the page's post ids come from `ids_sql` (a `SELECT <id> AS id
/// … ORDER BY … LIMIT …` over the timeline, with the viewer as `$1`), and each row carries the
/// post, its author, the boosted original and its author (NULL when not a boost), then for the
/// post and for the original: tags, mentions, and the viewer's favourite and boost flags. The
/// correlated parts run only for the page's rows (the LIMIT applies first). The rows come in
/// no particular order: `sort_newest_first` orders the views (an outer ORDER BY made SQLite
/// copy every wide row through a sorter, 15–20% of the statement). Column layout: see
/// `RICH_*`. SQL that both SQLite (3.44+) and PostgreSQL accept.
pub(crate) fn rich_sql(
    ids_sql: &str,
    post_cols: impl Fn(&str) -> String,
    account_cols: impl Fn(&str) -> String,
) -> String {
    // Tags, mentions and `has_media` live on the post row (migration 0011); for the original
    // (`o`, NULL unless the row is a boost) they are NULL when there is none.
    let extras = |p: &str| {
        format!(
            "{p}.tags, {p}.mentions, {}, {p}.has_media",
            viewer_flags_sql(p)
        )
    };
    let cols = [
        post_cols("p"),
        account_cols("a"),
        post_cols("o"),
        account_cols("oa"),
        extras("p"),
        extras("o"),
    ];
    page_rows_sql(&cols.join(", "), ids_sql)
}

/// `SELECT <cols>` over the posts whose ids `ids_sql` selects (`p`), their authors (`a`), the
/// boosted originals (`o`, NULL unless the post is a boost) and their authors (`oa`).
pub(crate) fn page_rows_sql(cols: &str, ids_sql: &str) -> String {
    format!(
        "SELECT {cols} FROM ({ids_sql}) pg \
         JOIN posts p ON p.id = pg.id JOIN accounts a ON a.id = p.author_id \
         LEFT JOIN posts o ON o.id = p.reblog_of_id LEFT JOIN accounts oa ON oa.id = o.author_id"
    )
}

/// The viewer's (`$1`) favourite and boost flags of the post `p` (a table alias): two boolean
/// columns. For any alias but `p` (the boosted original, NULL unless the row is a boost) they
/// are guarded so that ordinary posts skip the lookups.
pub(crate) fn viewer_flags_sql(p: &str) -> String {
    let guard = |e: String| {
        if p == "p" {
            e
        } else {
            format!("CASE WHEN {p}.id IS NULL THEN NULL ELSE {e} END")
        }
    };
    [
        guard(format!(
            "EXISTS (SELECT 1 FROM favourites f WHERE f.account_id = $1 AND f.post_id = {p}.id)"
        )),
        // `reblog_of_id IS NOT NULL` is implied by the equality, but written out it lets
        // PostgreSQL's hashed subplan read the viewer's boosts from the partial index
        // `posts_one_boost` instead of every post the viewer ever wrote (measured: 104
        // of the home statement's ~190 buffers for a viewer with 100 posts; the cost
        // grew with the viewer's post count).
        guard(format!(
            "EXISTS (SELECT 1 FROM posts r WHERE r.author_id = $1 \
             AND r.reblog_of_id = {p}.id AND r.reblog_of_id IS NOT NULL)"
        )),
    ]
    .join(", ")
}

/// Where the parts of a `rich_sql` row start.
/// How many columns `POST_COLS` and `ACCOUNT_COLS` name.
pub(crate) const POST_N: usize = 13;
const ACCOUNT_N: usize = 12;
pub(crate) const RICH_AUTHOR: usize = POST_N;
pub(crate) const RICH_ORIGINAL: usize = POST_N + ACCOUNT_N;
pub(crate) const RICH_ORIGINAL_AUTHOR: usize = 2 * POST_N + ACCOUNT_N;
pub(crate) const RICH_EXTRAS: usize = 2 * (POST_N + ACCOUNT_N);
pub(crate) const RICH_ORIGINAL_EXTRAS: usize = RICH_EXTRAS + 5;
/// How many columns a `rich_sql` row has (the original's extras are as many as the post's).
pub(crate) const RICH_COLUMNS: usize = RICH_ORIGINAL_EXTRAS + (RICH_ORIGINAL_EXTRAS - RICH_EXTRAS);

/// The per-post extras of a `rich_sql` row, as read.
pub(crate) struct RawExtras {
    pub(crate) tags: Option<String>,
    pub(crate) mentions: Option<String>,
    pub(crate) favourited: bool,
    pub(crate) reblogged: bool,
    /// The post has media attachments (fetched in one query for the page afterwards).
    pub(crate) has_media: bool,
}

fn rich_one(post: Post, author: Account, extras: RawExtras) -> PostView {
    let mut tags: Vec<String> = extras
        .tags
        .as_deref()
        .unwrap_or("")
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    tags.sort();
    let mut mentions: Vec<Mention> = extras
        .mentions
        .as_deref()
        .unwrap_or("")
        .split(' ')
        .filter_map(|m| {
            let (id, name) = m.split_once(':')?;
            Some(Mention {
                account_id: AccountId(id.parse().ok()?),
                username: name.to_owned(),
            })
        })
        .collect();
    mentions.sort_by(|a, b| a.username.cmp(&b.username));
    PostView {
        post,
        author,
        reblog: None,
        mentions,
        tags,
        favourited: extras.favourited,
        reblogged: extras.reblogged,
        media: Vec::new(),
    }
}

/// The view of one `rich_sql` row; `None` for a boost whose original (or its author) is gone.
/// The ids of the row's posts that have media are pushed onto `with_media`.
pub(crate) fn rich_view(
    post: Post,
    author: Account,
    extras: RawExtras,
    original: Option<(Post, Account, RawExtras)>,
    with_media: &mut Vec<i64>,
) -> Option<PostView> {
    if extras.has_media {
        with_media.push(post.id.0);
    }
    if let Some((o, _, oe)) = &original
        && oe.has_media
    {
        with_media.push(o.id.0);
    }
    let reblog = match (post.reblog_of_id, original) {
        (None, _) => None,
        (Some(_), Some((o, oa, oe))) => Some(Box::new(rich_one(o, oa, oe))),
        (Some(_), None) => return None,
    };
    let mut view = rich_one(post, author, extras);
    view.reblog = reblog;
    Some(view)
}

/// Orders a page of views newest first (ids are time-ordered).
pub(crate) fn sort_newest_first(views: &mut [PostView]) {
    views.sort_unstable_by_key(|v| std::cmp::Reverse(v.post.id));
}
