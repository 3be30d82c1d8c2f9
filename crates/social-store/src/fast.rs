//! The SQLite hot path: the home timeline and the unread count read through `rusqlite` on the
//! calling thread, with cached prepared statements, instead of through sqlx.
//!
//! Why: sqlx runs each SQLite connection on a worker thread and hands every query and every
//! row across channels, so one page (4–5 queries, ~100 rows) cost dozens of thread wake-ups;
//! the profile of the home timeline showed a third of the CPU in the kernel's task switching.
//! Here a page is a handful of `sqlite3_step` calls on the request's own thread (~0.1 ms on the
//! benchmark data set; SQLite reads in WAL mode never wait for the writer). The SQL is the same
//! text the sqlx operations use (`ops::sqlite`), and the views come from the same
//! `assemble` code, so both paths answer alike (the store contract tests run the home
//! timeline through this path).

use crate::assemble::{self, RawExtras};
use crate::error::{StoreError, StoreResult};
use crate::model::{Page, PostView};
use crate::ops::sqlite::{common, notifications, timelines};
use rusqlite::{Connection, OpenFlags, Row};
use social_core::{Account, AccountId, Focus, MediaAttachment, MediaId, Post, PostId};
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

/// Idle connections kept for reuse; more are opened under load and closed when returned
/// beyond this number.
const MAX_IDLE: usize = 16;

/// Read-only connections to one SQLite file, handed to one caller at a time.
pub(crate) struct FastReader {
    path: PathBuf,
    idle: Mutex<Vec<Reader>>,
    sql: Box<Sql>,
}

/// Unread counts remembered per connection, at most this many accounts.
const MAX_UNREAD_CACHED: usize = 4096;
/// Posts in the home pages a connection remembers (a page of 20 is about 30 KB).
const MAX_PAGE_POSTS_CACHED: usize = 256;

/// A home page: viewer, `max_id`, `min_id`, limit.
type PageKey = (i64, Option<i64>, Option<i64>, i64);

/// One connection and what it remembers between calls.
struct Reader {
    conn: Connection,
    /// `PRAGMA data_version` when `unread` was last valid. SQLite changes it on this
    /// connection whenever another connection (of any process) commits, and this connection
    /// never writes: an unchanged value means the database is unchanged.
    data_version: i64,
    /// Unread notification counts by account, valid for `data_version`.
    unread: HashMap<i64, i64>,
    /// Home pages by viewer, `max_id`, `min_id` and limit, valid for `data_version`, and how
    /// many posts they hold together (at most `MAX_PAGE_POSTS_CACHED`).
    pages: HashMap<PageKey, Vec<PostView>>,
    page_posts: usize,
}

impl Reader {
    /// Forgets what was remembered if the database changed since (`data_version`).
    fn current(&mut self) -> rusqlite::Result<()> {
        let version: i64 = self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        if version != self.data_version {
            self.unread.clear();
            self.pages.clear();
            self.page_posts = 0;
            self.data_version = version;
        }
        Ok(())
    }
}

/// The SQL of the hot path, built once.
struct Sql {
    /// The home timeline for each cursor combination: none, max_id, min_id, both.
    home: [String; 4],
    unread: String,
    /// One post (`timelines::post_view_sql`).
    post: String,
}

impl Sql {
    fn new() -> Self {
        let home = |max, min| {
            // The same statement as the sqlx path (`Page::limit` 1 is inlined there as
            // `LIMIT 1`); here the limit is the parameter `$4` so one statement serves every
            // page size.
            let page = Page {
                max_id: max,
                min_id: min,
                limit: 1,
            };
            let sql = timelines::home_rich_sql_with(&page, common::Hide::Subquery);
            assert!(
                sql.matches(" LIMIT 1) pg ").count() == 1,
                "unexpected home SQL: {sql}"
            );
            sql.replace(" LIMIT 1) pg ", " LIMIT $4) pg ")
        };
        Self {
            home: [
                home(None, None),
                home(Some(0), None),
                home(None, Some(0)),
                home(Some(0), Some(0)),
            ],
            unread: notifications::count_unread_sql(),
            post: timelines::post_view_sql(),
        }
    }
}

/// `?1, ?2, …` for an `IN` list of `n` items.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(format!("sqlite: {e}"))
}

fn parse<T: FromStr<Err = String>>(idx: usize, s: &str) -> rusqlite::Result<T> {
    s.parse().map_err(|e: String| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, e.into())
    })
}

/// A post from the `common::POST_COLS` columns starting at index `at`.
fn post_from(r: &Row<'_>, at: usize) -> rusqlite::Result<Post> {
    Ok(Post {
        id: PostId(r.get(at)?),
        author_id: AccountId(r.get(at + 1)?),
        text: r.get(at + 2)?,
        visibility: parse(at + 3, r.get_ref(at + 3)?.as_str()?)?,
        in_reply_to_id: r.get::<_, Option<i64>>(at + 4)?.map(PostId),
        in_reply_to_account_id: r.get::<_, Option<i64>>(at + 5)?.map(AccountId),
        reblog_of_id: r.get::<_, Option<i64>>(at + 6)?.map(PostId),
        created_at_ms: r.get(at + 7)?,
        replies_count: r.get(at + 8)?,
        favourites_count: r.get(at + 9)?,
        reblogs_count: r.get(at + 10)?,
        spoiler_text: r.get(at + 11)?,
        sensitive: r.get(at + 12)?,
    })
}

/// An account from the `common::ACCOUNT_COLS` columns starting at index `at`.
fn account_from(r: &Row<'_>, at: usize) -> rusqlite::Result<Account> {
    Ok(Account {
        id: AccountId(r.get(at)?),
        username: r.get(at + 1)?,
        display_name: r.get(at + 2)?,
        bio: r.get(at + 3)?,
        role: parse(at + 4, r.get_ref(at + 4)?.as_str()?)?,
        status: parse(at + 5, r.get_ref(at + 5)?.as_str()?)?,
        locked: r.get(at + 6)?,
        signup_reason: r.get(at + 7)?,
        created_at_ms: r.get(at + 8)?,
        followers_count: r.get(at + 9)?,
        following_count: r.get(at + 10)?,
        posts_count: r.get(at + 11)?,
    })
}

fn raw_extras(r: &Row<'_>, at: usize) -> rusqlite::Result<RawExtras> {
    Ok(RawExtras {
        tags: r.get(at)?,
        mentions: r.get(at + 1)?,
        favourited: r.get::<_, Option<bool>>(at + 2)?.unwrap_or(false),
        reblogged: r.get::<_, Option<bool>>(at + 3)?.unwrap_or(false),
        has_media: r.get::<_, Option<bool>>(at + 4)?.unwrap_or(false),
    })
}

/// A media row from the `assemble::MEDIA_COLS` columns.
fn media_from(r: &Row<'_>) -> rusqlite::Result<MediaAttachment> {
    Ok(MediaAttachment {
        id: MediaId(r.get(0)?),
        account_id: AccountId(r.get(1)?),
        post_id: r.get::<_, Option<i64>>(2)?.map(PostId),
        file_name: r.get(3)?,
        thumb_name: r.get(4)?,
        mime: r.get(5)?,
        width: r.get(6)?,
        height: r.get(7)?,
        size: r.get(8)?,
        thumb_width: r.get(9)?,
        thumb_height: r.get(10)?,
        focus: Focus {
            x: r.get(11)?,
            y: r.get(12)?,
        },
        description: r.get(13)?,
        blurhash: r.get(14)?,
        created_at_ms: r.get(15)?,
    })
}

/// One `assemble::rich_sql` row as a view (`None`: a boost whose original vanished); posts
/// with media are noted in `with_media`.
fn rich_row(r: &Row<'_>, with_media: &mut Vec<i64>) -> rusqlite::Result<Option<PostView>> {
    let original = match r.get::<_, Option<i64>>(assemble::RICH_ORIGINAL)? {
        Some(_)
            if r.get::<_, Option<i64>>(assemble::RICH_ORIGINAL_AUTHOR)?
                .is_some() =>
        {
            Some((
                post_from(r, assemble::RICH_ORIGINAL)?,
                account_from(r, assemble::RICH_ORIGINAL_AUTHOR)?,
                raw_extras(r, assemble::RICH_ORIGINAL_EXTRAS)?,
            ))
        }
        _ => None,
    };
    Ok(assemble::rich_view(
        post_from(r, 0)?,
        account_from(r, assemble::RICH_AUTHOR)?,
        raw_extras(r, assemble::RICH_EXTRAS)?,
        original,
        with_media,
    ))
}

/// The views of `rich_sql` rows, newest first, with their media attached.
fn rich_views(conn: &Connection, mut rows: rusqlite::Rows<'_>) -> rusqlite::Result<Vec<PostView>> {
    let mut out = Vec::new();
    let mut with_media = Vec::new();
    while let Some(r) = rows.next()? {
        out.extend(rich_row(r, &mut with_media)?);
    }
    drop(rows);
    assemble::sort_newest_first(&mut out);
    if !with_media.is_empty() {
        with_media.sort_unstable();
        with_media.dedup();
        let sql = assemble::media_sql(&placeholders(with_media.len()));
        let mut stmt = conn.prepare_cached(&sql)?;
        let media = stmt
            .query_map(rusqlite::params_from_iter(&with_media), media_from)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        assemble::attach_media(&mut out, media);
    }
    Ok(out)
}

impl FastReader {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            idle: Mutex::new(Vec::new()),
            sql: Box::new(Sql::new()),
        }
    }

    fn open(&self) -> rusqlite::Result<Reader> {
        // Read-write open (a WAL reader needs to write the shared-memory index), but the
        // connection refuses writes: `query_only`.
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch(
            "PRAGMA query_only = 1; PRAGMA cache_size = -16000; PRAGMA temp_store = memory; \
             PRAGMA mmap_size = 268435456;",
        )?;
        conn.set_prepared_statement_cache_capacity(32);
        Ok(Reader {
            conn,
            data_version: -1,
            unread: HashMap::new(),
            pages: HashMap::new(),
            page_posts: 0,
        })
    }

    /// Runs `f` on an idle connection (opening one when none is idle).
    fn with<T>(&self, f: impl FnOnce(&mut Reader) -> rusqlite::Result<T>) -> StoreResult<T> {
        let taken = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let mut reader = match taken {
            Some(r) => r,
            None => self.open().map_err(db_err)?,
        };
        let out = f(&mut reader).map_err(db_err);
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < MAX_IDLE {
            idle.push(reader);
        }
        out
    }

    /// Closes the idle connections (at shutdown).
    pub(crate) fn close(&self) {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// The home timeline, as `ops::sqlite::timelines::home` answers it; remembered until the
    /// database changes (any commit anywhere), since apps poll it.
    pub(crate) fn home(&self, viewer: i64, page: &Page) -> StoreResult<Vec<PostView>> {
        let which = usize::from(page.max_id.is_some()) + 2 * usize::from(page.min_id.is_some());
        let limit = i64::from(page.limit.clamp(1, Page::MAX_LIMIT));
        let key = (viewer, page.max_id, page.min_id, limit);
        self.with(|reader| {
            reader.current()?;
            if let Some(views) = reader.pages.get(&key) {
                return Ok(views.clone());
            }
            let views = self.read_home(reader, viewer, page, which, limit)?;
            if reader.page_posts + views.len() > MAX_PAGE_POSTS_CACHED {
                reader.pages.clear();
                reader.page_posts = 0;
            }
            reader.page_posts += views.len();
            reader.pages.insert(key, views.clone());
            Ok(views)
        })
    }

    fn read_home(
        &self,
        reader: &mut Reader,
        viewer: i64,
        page: &Page,
        which: usize,
        limit: i64,
    ) -> rusqlite::Result<Vec<PostView>> {
        let mut stmt = reader.conn.prepare_cached(&self.sql.home[which])?;
        let mut params: Vec<(&str, &dyn rusqlite::ToSql)> = vec![("$1", &viewer), ("$4", &limit)];
        // page_sql numbers max_id before min_id, from $2.
        match (&page.max_id, &page.min_id) {
            (Some(max), Some(min)) => params.extend([("$2", max as _), ("$3", min as _)]),
            (Some(max), None) => params.push(("$2", max)),
            (None, Some(min)) => params.push(("$2", min)),
            (None, None) => {}
        }
        let rows = stmt.query(&params[..])?;
        rich_views(&reader.conn, rows)
    }

    /// One post as `viewer` sees it (`ops::timelines::post_view`); NotFound when it does not
    /// exist or is not visible.
    pub(crate) fn post_view(&self, viewer: i64, id: i64) -> StoreResult<PostView> {
        self.with(|reader| {
            let mut stmt = reader.conn.prepare_cached(&self.sql.post)?;
            let params: [(&str, &dyn rusqlite::ToSql); 2] = [("$1", &viewer), ("$2", &id)];
            let rows = stmt.query(&params[..])?;
            rich_views(&reader.conn, rows)
        })?
        .pop()
        .ok_or(StoreError::NotFound)
    }

    /// Unread notifications, as `ops::sqlite::notifications::count_unread` answers it;
    /// remembered until the database changes (any commit anywhere), since the home page asks
    /// for it on every view.
    pub(crate) fn count_unread(&self, account: i64) -> StoreResult<i64> {
        self.with(|reader| {
            reader.current()?;
            if let Some(n) = reader.unread.get(&account) {
                return Ok(*n);
            }
            let n: i64 = reader
                .conn
                .prepare_cached(&self.sql.unread)?
                .query_row(&[("$1", &account)], |r| r.get(0))?;
            if reader.unread.len() >= MAX_UNREAD_CACHED {
                reader.unread.clear();
            }
            reader.unread.insert(account, n);
            Ok(n)
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::print_stdout)]
mod tests {
    use super::*;

    /// Every hot statement reads through indexes: a full scan of a big table would make the
    /// page cost grow with the database.
    #[test]
    fn hot_statements_use_indexes() {
        let dir = std::env::temp_dir().join(format!("social-fast-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("plans.db");
        let _ = std::fs::remove_file(&path);
        let conn = Connection::open(&path).unwrap();
        crate::moderation::tests::apply_sqlite_migrations(&conn);
        let sql = Sql::new();
        for s in sql.home.iter().chain([&sql.unread]) {
            let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {s}")).unwrap();
            let n = st.parameter_count();
            let mut rows = st
                .query(rusqlite::params_from_iter(std::iter::repeat_n(1_i64, n)))
                .unwrap();
            let mut plan = String::new();
            while let Some(r) = rows.next().unwrap() {
                plan.push_str(&r.get::<_, String>(3).unwrap());
                plan.push('\n');
            }
            for line in plan.lines() {
                assert!(
                    !line.starts_with("SCAN ") || line.starts_with("SCAN pg"),
                    "full scan in the plan of\n{s}\n{plan}"
                );
            }
            assert!(
                !plan.contains("USE TEMP B-TREE"),
                "sort in the plan of\n{s}\n{plan}"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
