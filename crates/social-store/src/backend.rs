//! Connecting to the database (SQLite or PostgreSQL), migrations, and the ID generator.

use crate::error::{StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The pools of one backend. SQLite gets a single-connection write pool so writers queue in
/// the process instead of failing with SQLITE_BUSY on a lock upgrade; reads use their own pool
/// (WAL lets them run beside the writer).
pub(crate) enum Backend {
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        /// The hot read path without sqlx (see `fast.rs`).
        fast: crate::fast::FastReader,
    },
    /// Reads and writes use separate pools, and the hottest reads connections of their own
    /// (`pg_pool_sizes`).
    Postgres {
        read: PgPool,
        write: PgPool,
        hot: Box<crate::ops::pg::common::Hot>,
    },
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Time-ordered IDs, strictly increasing within this process. The sequence part of a new
/// millisecond starts at a random value below 2^15 (not 0), so that two processes writing to
/// one database in the same millisecond (sociald and an admin command, or several sociald on
/// PostgreSQL) collide only with odds of about 1 in 32,768 instead of always.
#[derive(Debug, Default)]
pub(crate) struct IdGen {
    last: AtomicI64,
}

impl IdGen {
    pub(crate) fn next(&self) -> i64 {
        let start = rand::random::<u16>() >> 1;
        let candidate = social_core::ids::compose_id(now_ms(), start);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let next = candidate.max(last + 1);
            match self
                .last
                .compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return next,
                Err(actual) => last = actual,
            }
        }
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    if let Some(rest) = url.strip_prefix("sqlite://") {
        Some(rest)
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        Some(rest)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        None
    } else {
        Some(url)
    }
}

pub(crate) async fn connect(url: &str, max_connections: u32) -> StoreResult<Backend> {
    match sqlite_path(url) {
        Some(path) => connect_sqlite(path, max_connections).await,
        None => {
            let options = PgConnectOptions::from_str(url)?;
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            let (hot, reads, writes) = pg_pool_sizes(max_connections, cores);
            let write = pg_pool_options(writes)
                .connect_with(options.clone())
                .await?;
            sqlx::migrate!("migrations/postgres").run(&write).await?;
            let read = pg_pool_options(reads).connect_with(options.clone()).await?;
            let hot = Box::new(crate::ops::pg::common::Hot::new(options, hot));
            Ok(Backend::Postgres { read, write, hot })
        }
    }
}

/// A pooled PostgreSQL connection idle longer than this is pinged before it is handed out
/// (HikariCP, the JVM's usual pool, skips the check for connections used in the last 0.5 s).
const PG_PING_IDLE: Duration = Duration::from_secs(1);

/// The options of either PostgreSQL pool. sqlx pings every connection before handing it out
/// by default: a whole round trip to the server before each statement (3 sends per home
/// page instead of 1; about 6% of the page's throughput). Only a connection that sat idle for
/// `PG_PING_IDLE` is pinged here, which still finds those a server restart closed during a
/// quiet spell (a busy connection that breaks fails its statement, like any query error).
fn pg_pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PG_PING_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// sociald's PostgreSQL connections when `[database] max_connections` is 0.
pub(crate) const PG_DEFAULT_CONNECTIONS: u32 = 10;

/// How `max_connections` (0: `PG_DEFAULT_CONNECTIONS`) is split on PostgreSQL between the
/// connections of the hottest reads (`Hot`: home timeline, single post), the read pool and the
/// write pool: the first two get the CPU cores + 1 each (the hot ones at most a third of the
/// total, the pool at most half of the rest), writes the rest; each at least one.
///
/// Why: a read runs on the CPU from start to end, so more reads at once than cores only make
/// the database server switch between its processes (the home timeline on 2 cores:
/// 3,633–3,796 req/s with 10 connections, 4,293–4,351 with 2–3). A write mostly waits for its
/// commit to reach the disk, and writes waiting together are flushed together, so posting
/// needs more of them at once (911–1,012 posts/s with 3 connections, 1,135–1,142 with 10).
pub(crate) fn pg_pool_sizes(max_connections: u32, cores: usize) -> (u32, u32, u32) {
    let total = if max_connections == 0 {
        PG_DEFAULT_CONNECTIONS
    } else {
        max_connections
    };
    let per_cpu = u32::try_from(cores).unwrap_or(u32::MAX).saturating_add(1);
    let hot = per_cpu.min(total / 3).max(1);
    let reads = per_cpu.min(total.saturating_sub(hot) / 2).max(1);
    let writes = total.saturating_sub(hot + reads).max(1);
    (hot, reads, writes)
}

/// WAL pages after which a committing writer checkpoints by itself (SQLite's default is
/// 1,000): the background checkpointer normally does it long before.
const WRITER_CHECKPOINT_PAGES: &str = "16000";

/// How often the background checkpointer copies the WAL into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Copies committed WAL pages into the SQLite database file every `CHECKPOINT_EVERY`, on a
/// connection of its own, until `stop` fires or is dropped (the store is gone).
///
/// Why: with SQLite's automatic checkpoint (every 1,000 pages) the committing writer copies
/// the pages and waits for the disk, and every other write waits behind it. A posting
/// benchmark spent about a quarter of its time there (1,114–1,190 posts/s with, 1,402–1,510
/// without). A passive checkpoint never blocks the writer or readers; it copies what no
/// reader still needs.
pub(crate) fn spawn_checkpointer(pool: SqlitePool, mut stop: tokio::sync::oneshot::Receiver<()>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = tick.tick() => {
                    if pool.is_closed() {
                        break;
                    }
                    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                        .fetch_optional(&pool)
                        .await
                    {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                }
            }
        }
    });
}

async fn connect_sqlite(path: &str, max_connections: u32) -> StoreResult<Backend> {
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::Internal(
            "SQLite needs a file path (in-memory databases are not shared between pools)".into(),
        ));
    }
    if let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Internal(format!("creating {}: {e}", dir.display())))?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("cache_size", "-16000")
        .pragma("temp_store", "memory")
        // The store's background task checkpoints the WAL (`spawn_checkpointer`); a writer
        // checkpoints itself only when that falls far behind (64 MB of WAL), and the file is
        // cut back to 64 MB after it restarts.
        .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES)
        .pragma("journal_size_limit", "67108864");
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.clone())
        .await?;
    sqlx::migrate!("migrations/sqlite").run(&write).await?;
    let read = SqlitePoolOptions::new()
        .max_connections(if max_connections == 0 {
            8
        } else {
            max_connections
        })
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.read_only(false))
        .await?;
    let fast = crate::fast::FastReader::new(std::path::PathBuf::from(path));
    Ok(Backend::Sqlite { read, write, fast })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A hot connection the server ended (as a restart would) is replaced without failing
    /// the statement; one whose statement failed for another reason is kept out too.
    #[tokio::test]
    async fn hot_connections_outlive_a_server_ending_them() {
        let Ok(url) = std::env::var("SOCIAL_TEST_DATABASE_URL") else {
            eprintln!("SOCIAL_TEST_DATABASE_URL unset: skipped");
            return;
        };
        let options = PgConnectOptions::from_str(&url).unwrap();
        let hot = crate::ops::pg::common::Hot::new(options, 1);
        let pid = || async {
            let rows = hot
                .fetch_all(|| sqlx::query("SELECT pg_backend_pid()"))
                .await
                .unwrap();
            sqlx::Row::get::<i32, _>(&rows[0], 0)
        };
        let first = pid().await;
        assert_eq!(pid().await, first, "the idle connection is reused");
        let admin = PgPool::connect(&url).await.unwrap();
        let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
            .bind(first)
            .fetch_one(&admin)
            .await
            .unwrap();
        assert!(ended);
        // Wait until the server has really gone from that session.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let alive: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)")
                    .bind(first)
                    .fetch_one(&admin)
                    .await
                    .unwrap();
            if !alive {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "backend {first} lingers"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let second = pid().await;
        assert_ne!(second, first, "a new connection replaced the ended one");
        // A statement error (not a lost connection) is returned, and the next statement runs.
        let bad = hot.fetch_all(|| sqlx::query("SELECT 1/0")).await;
        assert!(bad.is_err());
        pid().await;
        hot.close().await;
        assert!(hot.fetch_all(|| sqlx::query("SELECT 1")).await.is_err());
        admin.close().await;
    }

    #[test]
    fn pg_pools_split_the_connections_between_reads_and_writes() {
        // The default on 2 cores: 3 hot readers, 3 pooled readers, 4 writers.
        assert_eq!(pg_pool_sizes(0, 2), (3, 3, 4));
        // Reads never take most of them, however many cores.
        assert_eq!(pg_pool_sizes(0, 16), (3, 3, 4));
        assert_eq!(pg_pool_sizes(60, 16), (17, 17, 26));
        // A tiny setting still gives each a connection.
        assert_eq!(pg_pool_sizes(1, 2), (1, 1, 1));
        assert_eq!(pg_pool_sizes(3, 2), (1, 1, 1));
        assert_eq!(pg_pool_sizes(5, 1), (1, 2, 2));
    }

    /// The background checkpointer copies a commit into the database file well before the
    /// writer's own (64 MB) threshold: the new row shows up in the file read without its WAL
    /// (`immutable=1`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn checkpointer_copies_commits_into_the_database_file() {
        let dir =
            std::env::temp_dir().join(format!("social-ckpt-{}-{}", std::process::id(), now_ms()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.db");
        let store = crate::Store::open(crate::StoreOptions {
            database_url: path.display().to_string(),
            max_connections: 0,
            redis_url: None,
        })
        .await
        .unwrap();
        let Backend::Sqlite { write, .. } = &store.inner_backend_for_tests() else {
            panic!("sqlite expected");
        };
        sqlx::query("INSERT INTO settings (key, value) VALUES ('checkpoint_probe', 'x')")
            .execute(write)
            .await
            .unwrap();
        let uri = format!("file:{}?immutable=1", path.display());
        let in_file = || -> bool {
            let conn = rusqlite::Connection::open_with_flags(
                &uri,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
            )
            .unwrap();
            // Until the first checkpoint the file may not even hold the table.
            conn.query_row(
                "SELECT COUNT(*) FROM settings WHERE key = 'checkpoint_probe'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .is_ok_and(|n| n == 1)
        };
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !in_file() {
            assert!(
                std::time::Instant::now() < deadline,
                "the commit never reached the database file"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        store.close().await;
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn urls() {
        assert_eq!(sqlite_path("sqlite:///var/lib/x.db"), Some("/var/lib/x.db"));
        assert_eq!(sqlite_path("sqlite:x.db"), Some("x.db"));
        assert_eq!(sqlite_path("/tmp/x.db"), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("postgres://u@h/db"), None);
        assert_eq!(sqlite_path("postgresql://u@h/db"), None);
    }

    #[test]
    fn ids_increase() {
        let g = IdGen::default();
        let mut last = g.next();
        for _ in 0..10_000 {
            let next = g.next();
            assert!(next > last);
            last = next;
        }
    }

    #[test]
    fn two_generators_rarely_collide() {
        // Two processes starting in the same millisecond: with sequences from 0 they would
        // hand out the same first id every time.
        let firsts: std::collections::HashSet<i64> =
            (0..64).map(|_| IdGen::default().next() & 0xFFFF).collect();
        assert!(
            firsts.len() > 32,
            "sequence starts are not spread: {firsts:?}"
        );
    }
}
