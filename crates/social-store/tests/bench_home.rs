//! A quick measurement of `home_timeline` on SQLite over a seeded data set (1,000 accounts,
//! 100,000 posts, 20 follows each). Ignored by default; run with
//! `cargo test -p social-store --test bench_home -- --ignored --nocapture`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use social_core::AccountId;
use social_store::{Page, Store, StoreOptions};
use std::time::{Duration, Instant};

const ACCOUNTS: i64 = 1_000;
const POSTS: i64 = 100_000;
const FOLLOWS: i64 = 20;

async fn seed(path: &str) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    let base: i64 = 1_700_000_000_000 << 16;
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {ACCOUNTS}) \
         INSERT INTO accounts (id, username, username_key, password_hash, role, status, created_at, \
         followers_count, following_count, posts_count) \
         SELECT {base} + i, 'user' || i, 'user' || i, 'x', 'user', 'active', 0, {FOLLOWS}, {FOLLOWS}, {p} FROM n",
        p = POSTS / ACCOUNTS
    ))
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {ACCOUNTS}), \
         k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j + 1 <= {FOLLOWS}) \
         INSERT INTO follows (id, account_id, target_id, created_at) \
         SELECT {base} + i * 100 + j, {base} + i, {base} + ((i + j * 37) % {ACCOUNTS}), 0 FROM n, k"
    ))
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < {POSTS}) \
         INSERT INTO posts (id, author_id, text, visibility, created_at) \
         SELECT {base} + 1000000 + i * 4, {base} + (i % {ACCOUNTS}), \
           'post number ' || i || ' about #topic' || (i % 50) || ' with some more words', \
           CASE WHEN i % 10 = 0 THEN 'private' ELSE 'public' END, i FROM n"
    ))
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO post_tags (post_id, tag) SELECT id, 'topic' || ((id - (SELECT MIN(id) FROM posts)) / 4 % 50) FROM posts WHERE true",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO home_feed (account_id, post_id, author_id) \
         SELECT f.account_id, p.id, p.author_id FROM posts p JOIN follows f ON f.target_id = p.author_id WHERE true \
         UNION ALL SELECT p.author_id, p.id, p.author_id FROM posts p WHERE true",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // STAT4 samples make SQLite re-prepare statements on every bind: keep stat1 only.
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM sqlite_stat4")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run explicitly"]
async fn home_timeline_latency() {
    // SOCIAL_BENCH_DIR reuses (or keeps) a seeded database between runs.
    let dir = match std::env::var_os("SOCIAL_BENCH_DIR") {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir().join(format!("social-bench-{}", std::process::id())),
    };
    let seeded = dir.join("bench.db").exists();
    let path = format!("{}/bench.db", dir.display());
    let conns: u32 = std::env::var("SOCIAL_BENCH_CONNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let open = || {
        Store::open(StoreOptions {
            database_url: path.clone(),
            max_connections: conns,
            redis_url: None,
        })
    };
    if !seeded {
        let store = open().await.unwrap();
        store.close().await;
        let t = Instant::now();
        seed(&path).await;
        println!("seeded in {:?}", t.elapsed());
    }
    let store = open().await.unwrap();
    let base: i64 = 1_700_000_000_000 << 16;
    let per_task: usize = std::env::var("SOCIAL_BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let tasks = 16;
    let t = Instant::now();
    let mut handles = Vec::new();
    for w in 0..tasks {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per_task);
            for i in 0..per_task {
                let viewer = AccountId(base + ((w * 61 + i as i64 * 7) % ACCOUNTS));
                let s = Instant::now();
                let page = store.home_timeline(viewer, Page::first(20)).await.unwrap();
                lat.push(s.elapsed());
                assert_eq!(page.len(), 20);
            }
            lat
        }));
    }
    let mut all: Vec<Duration> = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let elapsed = t.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    println!(
        "home_timeline (20 posts, hydrated), 16 concurrent: {:.0} calls/s, p50 {:?}, p99 {:?}",
        all.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99)
    );
    store.close().await;
    if std::env::var_os("SOCIAL_BENCH_DIR").is_some() {
        println!("kept {path}");
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
