//! Redis full and Redis gone, under load (DESIGN decision 2, issue P6). A private redis-server
//! configured like the appliance's (allkeys-lfu, no persistence, the default user off, the ACL
//! user `social` without @dangerous commands) but with a 4 MiB `maxmemory`: while users post and
//! read, a filler pushes Redis far past its limit; then Redis is killed and started again. No
//! request fails, no post or session is lost, and the site uses Redis again once it is back.
//! (sociald has no job queue yet; when it has, its jobs belong in this test too.)

use crate::harness::{Client, TestApp, backends};
use crate::redis_server::RedisServer;
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const PASSWORD: &str = "eviction-test-password";
const USERS: usize = 4;
const MAXMEMORY: u64 = 4 * 1024 * 1024;
/// The filler writes this many bytes of values: four times `maxmemory`.
const FILL: u64 = 4 * MAXMEMORY;
const VALUE: usize = 8 * 1024;
/// Reads of each filler key, so the filler is at least as "frequently used" as the site's own
/// entries and LFU eviction takes some of those too (the case worth proving harmless).
const HOT_READS: usize = 64;
/// Where Redis announces evicted keys (`notify-keyspace-events Ee`).
const EVICTED: &str = "__keyevent@0__:evicted";

/// The appliance's settings (ansible/roles/redis) with a tiny limit, and keyspace events.
fn appliance_redis() -> RedisServer {
    let user_rule = format!(">{PASSWORD}");
    RedisServer::start_with(&[
        "--maxmemory",
        &MAXMEMORY.to_string(),
        "--maxmemory-policy",
        "allkeys-lfu",
        "--notify-keyspace-events",
        "Ee",
        "--user",
        "default",
        "off",
        "resetpass",
        "-@all",
        "--user",
        "social",
        "reset",
        "on",
        &user_rule,
        "~*",
        "&*",
        "+@all",
        "-@dangerous",
        "+info",
    ])
}

fn social_url(redis: &RedisServer) -> String {
    format!("redis://social:{PASSWORD}@127.0.0.1:{}/0", redis.port)
}

fn connect(redis: &RedisServer) -> redis::Connection {
    redis::Client::open(social_url(redis))
        .unwrap()
        .get_connection_with_timeout(Duration::from_secs(5))
        .expect("the ACL user social signs in")
}

/// A numeric field of `INFO section`.
fn info(con: &mut redis::Connection, section: &str, field: &str) -> String {
    let text: String = redis::cmd("INFO").arg(section).query(con).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in INFO {section}: {text}"))
        .trim()
        .to_owned()
}

/// Writes `FILL` bytes of hot filler keys; every SET must succeed (allkeys-lfu never refuses a
/// write). Returns the number of keys written.
fn fill(mut con: redis::Connection) -> usize {
    let value = vec![b'x'; VALUE];
    let mut keys = 0;
    while (keys * VALUE) < FILL as usize {
        let mut pipe = redis::pipe();
        for _ in 0..16 {
            let key = format!("filler:{keys}");
            pipe.cmd("SET").arg(&key).arg(&value).ignore();
            for _ in 0..HOT_READS {
                pipe.cmd("STRLEN").arg(&key).ignore();
            }
            keys += 1;
        }
        pipe.query::<()>(&mut con)
            .expect("Redis accepts every write at its limit");
    }
    keys
}

/// Collects the names of evicted keys until `stop` is set; `ready` is sent once subscribed.
fn watch_evictions(
    mut con: redis::Connection,
    ready: std::sync::mpsc::Sender<()>,
    stop: Arc<AtomicBool>,
) -> Vec<String> {
    let mut pubsub = con.as_pubsub();
    pubsub.subscribe(EVICTED).unwrap();
    pubsub
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    ready.send(()).unwrap();
    let mut names = Vec::new();
    loop {
        match pubsub.get_message() {
            Ok(msg) => names.push(msg.get_payload::<String>().unwrap()),
            Err(e) if e.is_timeout() => {
                if stop.load(Ordering::Relaxed) {
                    return names;
                }
            }
            Err(e) => panic!("eviction notifications: {e}"),
        }
    }
}

/// One user's load: post, open the post, read home and the local timeline; at least `rounds`
/// rounds and on until `until` is set. Every response must be the expected one. Returns the
/// posts made (id, text).
async fn load(user: &Client, phase: &str, rounds: usize, until: &AtomicBool) -> Vec<(i64, String)> {
    let mut made = Vec::new();
    let mut round = 0;
    while round < rounds || !until.load(Ordering::Relaxed) {
        let started = Instant::now();
        let text = format!("{} {phase} {round}", user.name);
        let id = user.new_post(&text, "public").await; // asserts 303 and finds it on the profile
        user.get(&format!("/@{}/{id}", user.name))
            .await
            .assert_status(StatusCode::OK)
            .assert_contains(&text);
        user.get("/home").await.assert_status(StatusCode::OK);
        user.get("/local").await.assert_status(StatusCode::OK);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{phase}: a round of {} took {:?}",
            user.name,
            started.elapsed()
        );
        made.push((id, text));
        round += 1;
    }
    made
}

/// Runs `load` for every user at once; gives the users back, and adds their posts to `made`.
async fn load_all(
    users: Vec<Client>,
    made: &mut [Vec<(i64, String)>],
    phase: &'static str,
    rounds: usize,
    until: Arc<AtomicBool>,
) -> Vec<Client> {
    let tasks: Vec<_> = users
        .into_iter()
        .map(|user| {
            let until = until.clone();
            tokio::spawn(async move {
                let made = load(&user, phase, rounds, &until).await;
                (user, made)
            })
        })
        .collect();
    let mut users = Vec::new();
    for (task, made) in tasks.into_iter().zip(made) {
        let (user, new) = task.await.expect("a user's load failed");
        made.extend(new);
        users.push(user);
    }
    users
}

/// Every post is on its page, every session still signs its user in, and each account's post
/// count in the database matches what was posted.
async fn nothing_lost(app: &TestApp, users: &[Client], made: &[Vec<(i64, String)>]) {
    for (user, made) in users.iter().zip(made) {
        user.get("/settings/profile")
            .await
            .assert_status(StatusCode::OK);
        for (id, text) in made {
            user.get(&format!("/@{}/{id}", user.name))
                .await
                .assert_status(StatusCode::OK)
                .assert_contains(text);
        }
        let account = app
            .store
            .get_account_by_username(&user.name)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            account.posts_count,
            i64::try_from(made.len()).unwrap(),
            "{}",
            user.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eviction_and_outage_lose_nothing() {
    let started = Instant::now();
    // PostgreSQL when the test command provides it (the appliance's database), else SQLite.
    let backend = backends().pop().expect("SQLite at least");
    eprintln!("--- backend {backend:?}");
    let mut redis = appliance_redis();
    {
        // The default user can do nothing: NOAUTH without a user, WRONGPASS for default.
        let mut anon = redis::Client::open(redis.url())
            .unwrap()
            .get_connection()
            .unwrap();
        let err = redis::cmd("GET")
            .arg("x")
            .query::<Option<String>>(&mut anon)
            .unwrap_err();
        assert_eq!(err.code(), Some("NOAUTH"), "{err}");
    }
    let mut con = connect(&redis);
    assert_eq!(info(&mut con, "memory", "maxmemory"), MAXMEMORY.to_string());
    assert_eq!(info(&mut con, "memory", "maxmemory_policy"), "allkeys-lfu");
    let err = redis::cmd("CLIENT")
        .arg("LIST")
        .query::<String>(&mut con)
        .unwrap_err();
    assert_eq!(err.code(), Some("NOPERM"), "{err}");

    let app = TestApp::spawn_with(&backend, Default::default(), Some(social_url(&redis))).await;
    assert_eq!(app.store.cache().kind(), "redis");
    assert!(app.store.cache().healthy(), "sociald signs in as social");
    let mut users = Vec::new();
    for i in 0..USERS {
        users.push(app.user(&format!("user{i}")).await);
    }
    for (i, user) in users.iter().enumerate() {
        let next = format!("/@user{}/follow", (i + 1) % USERS);
        user.post(&next, &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        // A wrong password: the rate-limit counter lives in Redis.
        app.client()
            .login(&user.name, "wrong password")
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let site_keys: u64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert!(site_keys > 0, "the site caches in Redis");

    // 1. Past maxmemory under load.
    let phase = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let watcher = {
        let (con, stop) = (connect(&redis), stop.clone());
        std::thread::spawn(move || watch_evictions(con, ready_tx, stop))
    };
    ready_rx.recv().unwrap();
    let filled = Arc::new(AtomicBool::new(false));
    let filler = {
        let (con, filled) = (connect(&redis), filled.clone());
        std::thread::spawn(move || {
            let keys = fill(con);
            filled.store(true, Ordering::Relaxed);
            keys
        })
    };
    let mut made = vec![Vec::new(); USERS];
    let users = load_all(users, &mut made, "eviction", 2, filled.clone()).await;
    let filler_keys = filler.join().expect("filler");
    stop.store(true, Ordering::Relaxed);
    let evicted_names = watcher.join().expect("eviction watcher");
    let evicted: u64 = info(&mut con, "stats", "evicted_keys").parse().unwrap();
    let site_evicted = evicted_names
        .iter()
        .filter(|k| k.starts_with("social:"))
        .count();
    let used: u64 = info(&mut con, "memory", "used_memory").parse().unwrap();
    eprintln!(
        "eviction: {filler_keys} filler keys ({} MiB) into a {} MiB Redis in {:?}; \
         evicted_keys {evicted}, of them the site's {site_evicted}; used_memory {} KiB; {} posts",
        FILL >> 20,
        MAXMEMORY >> 20,
        phase.elapsed(),
        used >> 10,
        made.iter().map(Vec::len).sum::<usize>(),
    );
    assert!(evicted > 0, "Redis evicted keys");
    assert!(
        site_evicted > 0,
        "some of the site's own entries were evicted: {:?}",
        &evicted_names[..evicted_names.len().min(20)]
    );
    assert!(
        used <= MAXMEMORY + MAXMEMORY / 4,
        "used_memory {used} stays near maxmemory"
    );
    nothing_lost(&app, &users, &made).await;

    // 2. Redis gone: the site keeps serving, from the database, promptly (`load` bounds rounds).
    let phase = Instant::now();
    redis.stop();
    drop(con);
    let done = Arc::new(AtomicBool::new(true));
    let users = load_all(users, &mut made, "outage", 2, done.clone()).await;
    let late = app.user("late").await;
    late.get("/home").await.assert_status(StatusCode::OK);
    let ready = app.client().get("/readyz").await;
    ready.assert_status(StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
    assert_eq!(json["cache"], "redis", "{json}");
    assert_eq!(json["cache_healthy"], false, "{json}");
    nothing_lost(&app, &users, &made).await;
    eprintln!("outage: {:?}", phase.elapsed());

    // 3. Redis back, empty (no persistence): the site fills it again.
    let phase = Instant::now();
    redis.restart();
    let mut con = connect(&redis);
    let keys: u64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
    assert_eq!(keys, 0, "a restarted Redis starts empty");
    // The breaker skips Redis for 5 s after a failure; poll past that, with a deadline.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        for user in &users {
            user.get("/home").await.assert_status(StatusCode::OK);
        }
        let keys: u64 = redis::cmd("DBSIZE").query(&mut con).unwrap();
        if keys > 0 && app.store.cache().healthy() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the site did not use Redis again within 15 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await; // poll interval
    }
    let ready = app.client().get("/readyz").await;
    let json: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
    assert_eq!(json["cache_healthy"], true, "{json}");
    let users = load_all(users, &mut made, "after", 1, done).await;
    nothing_lost(&app, &users, &made).await;
    eprintln!(
        "recovery: {:?}; whole test {:?}",
        phase.elapsed(),
        started.elapsed()
    );
}
