//! The Redis cache against a real `redis-server` (skipped when it is not installed): works,
//! degrades to fast misses while Redis is down, and recovers when it is back.
#![allow(clippy::unwrap_used)]

use rand::Rng;
use social_store::{Cache, Store, StoreOptions};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REDIS: &str = "/usr/bin/redis-server";

struct Redis {
    child: Child,
}

impl Redis {
    fn start(port: u16, dir: &std::path::Path) -> Redis {
        let child = Command::new(REDIS)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis did not start");
            std::thread::sleep(Duration::from_millis(10)); // poll interval, bounded by the deadline
        }
        Redis { child }
    }
    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `f` until it is true, with a deadline (the breaker keeps Redis skipped for 5 s).
async fn eventually(deadline: Duration, mut f: impl AsyncFnMut() -> bool) {
    let end = Instant::now() + deadline;
    while !f().await {
        assert!(
            Instant::now() < end,
            "condition not met within {deadline:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_cache_survives_an_outage() {
    if !std::path::Path::new(REDIS).exists() {
        eprintln!("skipped: {REDIS} not installed");
        return;
    }
    let port: u16 = rand::thread_rng().gen_range(56100..56900);
    let dir = std::env::temp_dir().join(format!("social-redis-test-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let redis = Redis::start(port, &dir);
    let cache = Cache::redis(&format!("redis://127.0.0.1:{port}/"), "test")
        .await
        .unwrap();
    assert_eq!(cache.kind(), "redis");
    assert!(cache.healthy());
    cache.set("k", b"v", Duration::from_secs(60)).await;
    assert_eq!(cache.get("k").await.as_deref(), Some(&b"v"[..]));
    cache.delete("k").await;
    assert_eq!(cache.get("k").await, None);
    assert_eq!(cache.incr("n", Duration::from_secs(60)).await, 1);
    assert_eq!(cache.incr("n", Duration::from_secs(60)).await, 2);
    let hit = cache.hit("n", Duration::from_secs(60)).await;
    assert_eq!(hit.count, 3);
    assert!(
        hit.reset_in <= Duration::from_secs(60) && hit.reset_in > Duration::from_secs(50),
        "the window Redis keeps for the counter: {hit:?}"
    );

    redis.stop();
    for _ in 0..3 {
        let t = Instant::now();
        assert_eq!(cache.get("k").await, None);
        cache.set("k", b"v", Duration::from_secs(60)).await;
        let n = cache.incr("down", Duration::from_secs(60)).await;
        assert!(n >= 1, "incr falls back to an in-process counter");
        assert!(
            t.elapsed() < Duration::from_millis(200),
            "ops took {:?}",
            t.elapsed()
        );
    }
    assert!(!cache.healthy());

    let redis = Redis::start(port, &dir);
    eventually(Duration::from_secs(15), async || {
        cache.set("back", b"1", Duration::from_secs(60)).await;
        cache.get("back").await.is_some()
    })
    .await;
    assert!(cache.healthy());
    redis.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_opens_with_unreachable_redis() {
    let dir = std::env::temp_dir().join(format!(
        "social-redis-down-{}",
        rand::thread_rng().r#gen::<u64>()
    ));
    let store = Store::open(StoreOptions {
        database_url: format!("{}/db.sqlite", dir.display()),
        max_connections: 0,
        // Nothing listens on port 1.
        redis_url: Some("redis://127.0.0.1:1/".into()),
    })
    .await
    .unwrap();
    assert_eq!(store.cache().kind(), "redis");
    assert!(!store.cache().healthy());
    let account = store
        .create_account(social_store::AccountInsert {
            username: "alice".into(),
            password: "correct horse".into(),
            role: social_core::Role::User,
            status: social_core::AccountStatus::Active,
            signup_reason: String::new(),
            invite_code: None,
        })
        .await
        .unwrap();
    let s = store.create_session(account.id, "ua").await.unwrap();
    let t = Instant::now();
    assert_eq!(
        store
            .get_session(&s.token)
            .await
            .unwrap()
            .unwrap()
            .account
            .id,
        account.id
    );
    assert!(t.elapsed() < Duration::from_millis(500));
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
