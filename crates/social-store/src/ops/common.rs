//! Shared pieces of the per-backend operations: the context, row decoding, SQL fragments.

use super::{DB, IS_SQLITE};
use crate::backend::IdGen;
use crate::error::{StoreError, StoreResult};
use social_core::{Account, AccountId, Post, PostId};
use sqlx::{Pool, Row, Transaction};
use std::str::FromStr;

pub(crate) type Tx = Transaction<'static, DB>;
pub(crate) type DbRow = <DB as sqlx::Database>::Row;

/// What an operation needs: the pools and the ID generator.
pub(crate) struct Ctx<'a> {
    pub(crate) read: &'a Pool<DB>,
    /// Taken through `write()`, which notes that the operation may have written.
    writer: &'a Pool<DB>,
    wrote: std::sync::atomic::AtomicBool,
    pub(crate) ids: &'a IdGen,
    /// Post and account rows by version (PostgreSQL's home timeline; `rows.rs`).
    pub(crate) rows: &'a crate::rows::RowCache,
    /// Connections for the hottest reads (PostgreSQL; `None` on SQLite, whose hot path is
    /// `fast.rs`).
    pub(crate) hot: Option<&'a Hot>,
}

type Conn = <DB as sqlx::Database>::Connection;
type ConnOptions = <Conn as sqlx::Connection>::Options;

/// A connection idle longer than this is pinged before it is used again.
const HOT_PING_IDLE: std::time::Duration = std::time::Duration::from_secs(1);
/// How long a statement waits for a connection (as the pools' acquire timeout).
const HOT_ACQUIRE: std::time::Duration = std::time::Duration::from_secs(10);

/// The error says the connection itself is gone: the socket failed, or the server ended the
/// session (SQLSTATE class 57P: shutdown, crash, or `pg_terminate_backend`).
fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| c.starts_with("57P")),
        _ => false,
    }
}

/// Database connections for the statements run on every page (the home timeline, one post),
/// kept outside sqlx's pool. sqlx's pool pings each connection when it comes back, a round
/// trip to the server after every statement that costs about as much CPU as the statement's
/// own round trip; here a connection goes back to the idle list as it is, and is pinged only
/// when it sat idle for `HOT_PING_IDLE`. A statement that fails or is abandoned halfway (the
/// client hung up) takes its connection with it: it is closed, never reused half-read.
pub(crate) struct Hot {
    options: ConnOptions,
    idle: std::sync::Mutex<Vec<(Conn, std::time::Instant)>>,
    permits: tokio::sync::Semaphore,
}

// The SQLite copy of this module never builds one (its hot path is `fast.rs`).
#[allow(dead_code)]
impl Hot {
    /// At most `size` connections, opened when first needed.
    pub(crate) fn new(options: ConnOptions, size: u32) -> Self {
        Self {
            options,
            idle: std::sync::Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(usize::try_from(size.max(1)).unwrap_or(1)),
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<(Conn, std::time::Instant)>> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An idle connection that still answers (`true`: reused), or a new one.
    async fn connection(&self) -> StoreResult<(Conn, bool)> {
        loop {
            let popped = self.idle().pop();
            let Some((mut conn, since)) = popped else {
                return Ok((self.connect().await?, false));
            };
            if since.elapsed() < HOT_PING_IDLE || sqlx::Connection::ping(&mut conn).await.is_ok() {
                return Ok((conn, true));
            }
            // Closed meanwhile (a database restart): drop it, try the next.
        }
    }

    async fn connect(&self) -> StoreResult<Conn> {
        Ok(<Conn as sqlx::Connection>::connect_with(&self.options).await?)
    }

    /// Runs the query `make` builds and returns its rows. When a reused connection turns out
    /// to be gone (the server restarted, or ended it) the statement runs again once on a new
    /// one: these are reads, and the page should not fail for it.
    pub(crate) async fn fetch_all<'q>(
        &self,
        make: impl Fn() -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    ) -> StoreResult<Vec<DbRow>> {
        let acquired = tokio::time::timeout(HOT_ACQUIRE, async {
            let permit = self
                .permits
                .acquire()
                .await
                .map_err(|_| sqlx::Error::PoolClosed)?;
            Ok::<_, StoreError>((permit, self.connection().await?))
        })
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
        let (_permit, (mut conn, reused)) = acquired;
        let rows = match make().fetch_all(&mut conn).await {
            Ok(rows) => rows,
            Err(e) if reused && connection_lost(&e) => {
                tracing::debug!(error = %e, "a database connection was lost; reconnecting");
                conn = self.connect().await?;
                make().fetch_all(&mut conn).await?
            }
            Err(e) => return Err(e.into()),
        };
        self.idle().push((conn, std::time::Instant::now()));
        Ok(rows)
    }

    /// Closes the idle connections (at shutdown); no new statement starts.
    pub(crate) async fn close(&self) {
        self.permits.close();
        let idle = std::mem::take(&mut *self.idle());
        for (conn, _) in idle {
            // Says goodbye to the server, which otherwise logs a dropped connection.
            let _ = sqlx::Connection::close(conn).await;
        }
    }
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        read: &'a Pool<DB>,
        write: &'a Pool<DB>,
        ids: &'a IdGen,
        rows: &'a crate::rows::RowCache,
        hot: Option<&'a Hot>,
    ) -> Self {
        Self {
            read,
            writer: write,
            wrote: std::sync::atomic::AtomicBool::new(false),
            ids,
            rows,
            hot,
        }
    }

    /// The write pool; the operation then counts as a write (`wrote`).
    pub(crate) fn write(&self) -> &'a Pool<DB> {
        self.wrote.store(true, std::sync::atomic::Ordering::Relaxed);
        self.writer
    }

    /// The operation took a write connection: what it read may have changed.
    // SQLite's store keeps no pages (`pages.rs`).
    #[allow(dead_code)]
    pub(crate) fn wrote(&self) -> bool {
        self.wrote.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A write transaction. SQLite takes the write lock at once (`BEGIN IMMEDIATE`) so the
    /// transaction never fails halfway on a lock upgrade.
    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        if IS_SQLITE {
            Ok(self.write().begin_with("BEGIN IMMEDIATE").await?)
        } else {
            Ok(self.write().begin().await?)
        }
    }

    pub(crate) fn next_id(&self) -> i64 {
        self.ids.next()
    }
}

#[allow(dead_code)]
pub(crate) const ACCOUNT_COLS: &str = "id, username, display_name, bio, role, status, locked, \
     signup_reason, created_at, followers_count, following_count, posts_count";

pub(crate) const POST_COLS: &str = "id, author_id, text, visibility, in_reply_to_id, \
     in_reply_to_account_id, reblog_of_id, created_at, replies_count, favourites_count, \
     reblogs_count, spoiler_text, sensitive";

/// Column list `cols` qualified with a table alias.
fn qualify(cols: &str, alias: &str) -> String {
    cols.split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `POST_COLS` qualified with a table alias.
pub(crate) fn post_cols(alias: &str) -> String {
    qualify(POST_COLS, alias)
}

/// `ACCOUNT_COLS` qualified with a table alias.
pub(crate) fn account_cols(alias: &str) -> String {
    qualify(ACCOUNT_COLS, alias)
}

fn parse<T: FromStr<Err = String>>(s: &str) -> Result<T, sqlx::Error> {
    s.parse().map_err(|e: String| sqlx::Error::Decode(e.into()))
}

pub(crate) fn account_from_row(r: &DbRow) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: AccountId(r.try_get("id")?),
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        bio: r.try_get("bio")?,
        role: parse(r.try_get::<&str, _>("role")?)?,
        status: parse(r.try_get::<&str, _>("status")?)?,
        locked: r.try_get("locked")?,
        signup_reason: r.try_get("signup_reason")?,
        created_at_ms: r.try_get("created_at")?,
        followers_count: r.try_get("followers_count")?,
        following_count: r.try_get("following_count")?,
        posts_count: r.try_get("posts_count")?,
    })
}

pub(crate) fn post_from_row(r: &DbRow) -> Result<Post, sqlx::Error> {
    Ok(Post {
        id: PostId(r.try_get("id")?),
        author_id: AccountId(r.try_get("author_id")?),
        text: r.try_get("text")?,
        visibility: parse(r.try_get::<&str, _>("visibility")?)?,
        in_reply_to_id: r.try_get::<Option<i64>, _>("in_reply_to_id")?.map(PostId),
        in_reply_to_account_id: r
            .try_get::<Option<i64>, _>("in_reply_to_account_id")?
            .map(AccountId),
        reblog_of_id: r.try_get::<Option<i64>, _>("reblog_of_id")?.map(PostId),
        created_at_ms: r.try_get("created_at")?,
        replies_count: r.try_get("replies_count")?,
        favourites_count: r.try_get("favourites_count")?,
        reblogs_count: r.try_get("reblogs_count")?,
        spoiler_text: r.try_get("spoiler_text")?,
        sensitive: r.try_get("sensitive")?,
    })
}

/// An account from the `ACCOUNT_COLS` columns starting at index `at`.
pub(crate) fn account_at(r: &DbRow, at: usize) -> Result<Account, sqlx::Error> {
    Ok(Account {
        id: AccountId(r.try_get(at)?),
        username: r.try_get(at + 1)?,
        display_name: r.try_get(at + 2)?,
        bio: r.try_get(at + 3)?,
        role: parse(r.try_get::<&str, _>(at + 4)?)?,
        status: parse(r.try_get::<&str, _>(at + 5)?)?,
        locked: r.try_get(at + 6)?,
        signup_reason: r.try_get(at + 7)?,
        created_at_ms: r.try_get(at + 8)?,
        followers_count: r.try_get(at + 9)?,
        following_count: r.try_get(at + 10)?,
        posts_count: r.try_get(at + 11)?,
    })
}

/// A post from the `POST_COLS` columns starting at index `at`.
pub(crate) fn post_at(r: &DbRow, at: usize) -> Result<Post, sqlx::Error> {
    Ok(Post {
        id: PostId(r.try_get(at)?),
        author_id: AccountId(r.try_get(at + 1)?),
        text: r.try_get(at + 2)?,
        visibility: parse(r.try_get::<&str, _>(at + 3)?)?,
        in_reply_to_id: r.try_get::<Option<i64>, _>(at + 4)?.map(PostId),
        in_reply_to_account_id: r.try_get::<Option<i64>, _>(at + 5)?.map(AccountId),
        reblog_of_id: r.try_get::<Option<i64>, _>(at + 6)?.map(PostId),
        created_at_ms: r.try_get(at + 7)?,
        replies_count: r.try_get(at + 8)?,
        favourites_count: r.try_get(at + 9)?,
        reblogs_count: r.try_get(at + 10)?,
        spoiler_text: r.try_get(at + 11)?,
        sensitive: r.try_get(at + 12)?,
    })
}

/// `$from, $from+1, …` placeholders for an `IN (…)` list of `n` items.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a statement leaves out the viewer's muted and blocked accounts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hide {
    /// `NOT IN` an uncorrelated subquery at each place (both databases).
    Subquery,
    /// `<> ALL` the arrays of the `hid` CTE (`HIDDEN_CTE`, PostgreSQL only), read once per
    /// statement. The home page names the hidden accounts in six places; as subqueries each
    /// one was a separate plan node that PostgreSQL sets up on every execution.
    Arrays,
}

/// PostgreSQL: the `WITH` clause that `Hide::Arrays` conditions read, for viewer `$1`: `hid.m`
/// the accounts the viewer mutes, `hid.b` those blocked either way. A statement using it joins
/// `hid` (`CROSS JOIN hid`, one row) where the conditions are.
pub(crate) const HIDDEN_CTE: &str = "WITH hid AS MATERIALIZED (SELECT \
     ARRAY(SELECT nm.target_id FROM mutes nm WHERE nm.account_id = $1) AS m, \
     ARRAY(SELECT nb.target_id FROM blocks nb WHERE nb.account_id = $1 \
       UNION ALL SELECT nb.account_id FROM blocks nb WHERE nb.target_id = $1) AS b) ";

/// SQL condition: viewer `v` (a placeholder; 0 for anonymous) may see post `p` (an alias),
/// following `social_core::post::may_view`, including blocks in either direction.
pub(crate) fn visible_sql(p: &str, v: &str) -> String {
    visible_sql_with(p, v, Hide::Subquery)
}

/// `visible_sql`, leaving out blocked accounts as `hide` says.
pub(crate) fn visible_sql_with(p: &str, v: &str, hide: Hide) -> String {
    format!(
        "({p}.author_id = {v} OR (\
           ({p}.visibility IN ('public', 'unlisted') \
            OR ({p}.visibility = 'private' AND EXISTS (SELECT 1 FROM follows vf \
                 WHERE vf.account_id = {v} AND vf.target_id = {p}.author_id)) \
            OR EXISTS (SELECT 1 FROM post_mentions vm WHERE vm.post_id = {p}.id AND vm.account_id = {v})) \
           AND {} AND {}))",
        not_blocked_sql_with(&format!("{p}.author_id"), v, hide),
        not_suspended_sql(&format!("{p}.author_id")),
    )
}

/// SQL condition: account column `col` is not suspended (a suspended account's posts are
/// hidden from everyone). A primary-key probe per row: the table has one row per account ever
/// moderated, and `NOT IN` would scan it.
pub(crate) fn not_suspended_sql(col: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM account_moderation ms WHERE ms.account_id = {col} \
         AND ms.suspended_at IS NOT NULL)"
    )
}

/// SQL condition: account column `col` is not limited (public timelines leave limited
/// accounts out).
pub(crate) fn not_limited_sql(col: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM account_moderation ml WHERE ml.account_id = {col} \
         AND ml.limited)"
    )
}

/// SQL condition: viewer `v` may see posts of account column `col` on its profile: the
/// account is not limited, or `v` is the account or follows it.
pub(crate) fn limited_ok_sql(col: &str, v: &str) -> String {
    format!(
        "({col} = {v} OR {} OR EXISTS (SELECT 1 FROM follows lf \
         WHERE lf.account_id = {v} AND lf.target_id = {col}))",
        not_limited_sql(col)
    )
}

/// SQL condition: `p` is not a boost, or its original is visible to `v` (not blocked either
/// way, and with `muted`, not by a muted author).
pub(crate) fn boost_ok_sql(p: &str, v: &str, muted: bool) -> String {
    boost_ok_sql_with(p, v, muted, Hide::Subquery)
}

/// `boost_ok_sql`, leaving out muted and blocked accounts as `hide` says.
pub(crate) fn boost_ok_sql_with(p: &str, v: &str, muted: bool, hide: Hide) -> String {
    let mute = if muted {
        format!(" AND {}", not_muted_sql_with("bo.author_id", v, hide))
    } else {
        String::new()
    };
    format!(
        "({p}.reblog_of_id IS NULL OR EXISTS (SELECT 1 FROM posts bo WHERE bo.id = {p}.reblog_of_id \
         AND {}{mute}))",
        visible_sql_with("bo", v, hide)
    )
}

/// SQL condition: no block between viewer `v` and account column `col`, in either direction.
/// Written as `NOT IN` an uncorrelated subquery: both databases evaluate the viewer's (short)
/// block list once per statement and probe it per row, instead of opening an index cursor
/// per row (`NOT EXISTS`). The block columns are NOT NULL, so `NOT IN` has no NULL trap.
pub(crate) fn not_blocked_sql(col: &str, v: &str) -> String {
    not_blocked_sql_with(col, v, Hide::Subquery)
}

/// `not_blocked_sql` as `hide` says (with `Hide::Arrays`, `v` must be `$1`: see `HIDDEN_CTE`).
pub(crate) fn not_blocked_sql_with(col: &str, v: &str, hide: Hide) -> String {
    if hide == Hide::Arrays {
        debug_assert_eq!(v, "$1", "the hid CTE is for viewer $1");
        return format!("{col} <> ALL (hid.b)");
    }
    format!(
        "{col} NOT IN (SELECT nb.target_id FROM blocks nb WHERE nb.account_id = {v} \
         UNION ALL SELECT nb.account_id FROM blocks nb WHERE nb.target_id = {v})"
    )
}

/// SQL condition: the viewer `v` does not mute account column `col` (see `not_blocked_sql`).
pub(crate) fn not_muted_sql(col: &str, v: &str) -> String {
    not_muted_sql_with(col, v, Hide::Subquery)
}

/// `not_muted_sql` as `hide` says (see `not_blocked_sql_with`).
pub(crate) fn not_muted_sql_with(col: &str, v: &str, hide: Hide) -> String {
    if hide == Hide::Arrays {
        debug_assert_eq!(v, "$1", "the hid CTE is for viewer $1");
        return format!("{col} <> ALL (hid.m)");
    }
    format!("{col} NOT IN (SELECT nm.target_id FROM mutes nm WHERE nm.account_id = {v})")
}

/// Whether a block exists between two accounts, either way.
pub(crate) async fn blocked_either(tx: &mut Tx, a: i64, b: i64) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM blocks WHERE (account_id = $1 AND target_id = $2) \
         OR (account_id = $2 AND target_id = $1)",
    )
    .bind(a)
    .bind(b)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}

/// The post if it exists and `viewer` may see it. A boost also needs its original to be visible.
pub(crate) async fn visible_post<'c, E>(exec: E, viewer: i64, id: i64) -> StoreResult<Post>
where
    E: sqlx::Executor<'c, Database = DB>,
{
    let sql = format!(
        "SELECT {} FROM posts p WHERE p.id = $2 AND {} AND {}",
        post_cols("p"),
        visible_sql("p", "$1"),
        boost_ok_sql("p", "$1", false)
    );
    let row = sqlx::query(&sql)
        .bind(viewer)
        .bind(id)
        .fetch_optional(exec)
        .await?;
    match row {
        Some(r) => Ok(post_from_row(&r)?),
        None => Err(StoreError::NotFound),
    }
}

/// Inserts a notification unless the recipient is the sender, or blocks or mutes... (mutes
/// only hide at read time; blocks prevent the row).
pub(crate) async fn notify(
    ctx: &Ctx<'_>,
    tx: &mut Tx,
    to: i64,
    kind: social_core::NotificationKind,
    from: i64,
    post: Option<i64>,
    now: i64,
) -> StoreResult<()> {
    if to == from || blocked_either(tx, to, from).await? {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO notifications (id, account_id, kind, from_account_id, post_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ctx.next_id())
    .bind(to)
    .bind(kind.as_str())
    .bind(from)
    .bind(post)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Applies a page (cursor) to a query over `col`, newest first; returns the SQL tail
/// (`AND … ORDER BY … LIMIT …`) and whether the rows come oldest first (min_id) and must be
/// reversed by the caller.
pub(crate) fn page_sql(col: &str, page: &crate::model::Page, next: usize) -> (String, bool) {
    let mut sql = String::new();
    let mut i = next;
    if page.max_id.is_some() {
        sql.push_str(&format!(" AND {col} < ${i}"));
        i += 1;
    }
    if page.min_id.is_some() {
        sql.push_str(&format!(" AND {col} > ${i}"));
        i += 1;
    }
    let _ = i;
    let limit = page.limit.clamp(1, crate::model::Page::MAX_LIMIT);
    if page.min_id.is_some() {
        sql.push_str(&format!(" ORDER BY {col} ASC LIMIT {limit}"));
        (sql, true)
    } else {
        sql.push_str(&format!(" ORDER BY {col} DESC LIMIT {limit}"));
        (sql, false)
    }
}

/// Binds the page cursors in the order `page_sql` numbered them.
pub(crate) fn bind_page<'q>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    page: &crate::model::Page,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>> {
    if let Some(m) = page.max_id {
        q = q.bind(m);
    }
    if let Some(m) = page.min_id {
        q = q.bind(m);
    }
    q
}
