//! The Redis side of the cache: every call bounded by a 100 ms timeout, failures logged at most
//! every 30 s, and a 5 s circuit breaker so an outage costs nothing per request.

use crate::backend::now_ms;
use crate::cache::{Hit, Local};
use redis::aio::ConnectionManager;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

const OP_TIMEOUT: Duration = Duration::from_millis(100);
const BREAKER_MS: i64 = 5_000;
const WARN_EVERY_MS: i64 = 30_000;
const PREFIX: &str = "social:";

pub(crate) struct RedisCache {
    client: redis::Client,
    conn: Mutex<Option<ConnectionManager>>,
    /// Skip Redis until this time (unix ms) after a failure.
    skip_until: AtomicI64,
    last_warning: AtomicI64,
    healthy: AtomicBool,
    fallback: Local,
    /// `social:{namespace}:`, before every key.
    prefix: String,
}

impl RedisCache {
    fn key(&self, k: &str) -> String {
        format!("{}{k}", self.prefix)
    }

    pub(crate) async fn connect(url: &str, namespace: &str) -> Result<Self, String> {
        let client = redis::Client::open(url).map_err(|e| format!("invalid Redis URL: {e}"))?;
        let cache = Self {
            client,
            conn: Mutex::new(None),
            skip_until: AtomicI64::new(0),
            last_warning: AtomicI64::new(i64::MIN / 2),
            healthy: AtomicBool::new(false),
            fallback: Local::new(10_000),
            prefix: format!("{PREFIX}{namespace}:"),
        };
        // Try once now so a working Redis is used from the first request; failure is a warning.
        if cache.conn().await.is_some() {
            cache.healthy.store(true, Ordering::Relaxed);
        }
        Ok(cache)
    }

    pub(crate) fn healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }

    /// Healthy now: when the last call failed (or none succeeded yet), a `PING` (bounded by the
    /// timeout, skipped while the breaker is open) finds out whether Redis is back, so a
    /// readiness probe does not report a stale failure on an idle server.
    pub(crate) async fn probe(&self) -> bool {
        if !self.healthy() {
            let mut p = redis::pipe();
            p.cmd("PING");
            let _ = self.run::<(String,)>("ping", p).await;
        }
        self.healthy()
    }

    fn fail(&self, what: &str, err: &dyn std::fmt::Display) {
        let now = now_ms();
        self.healthy.store(false, Ordering::Relaxed);
        self.skip_until.store(now + BREAKER_MS, Ordering::Relaxed);
        let last = self.last_warning.load(Ordering::Relaxed);
        if now - last >= WARN_EVERY_MS
            && self
                .last_warning
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(error = %err, "redis {what} failed; using the database/in-process fallback for 5 s");
        }
    }

    /// A connection, unless the breaker is open or connecting fails.
    async fn conn(&self) -> Option<ConnectionManager> {
        if now_ms() < self.skip_until.load(Ordering::Relaxed) {
            return None;
        }
        if let Ok(guard) = self.conn.lock()
            && let Some(c) = guard.as_ref()
        {
            return Some(c.clone());
        }
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(OP_TIMEOUT)
            .set_response_timeout(OP_TIMEOUT)
            .set_number_of_retries(1);
        let made = tokio::time::timeout(
            OP_TIMEOUT * 2,
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await;
        match made {
            Ok(Ok(c)) => {
                if let Ok(mut guard) = self.conn.lock() {
                    *guard = Some(c.clone());
                }
                Some(c)
            }
            Ok(Err(e)) => {
                self.fail("connect", &e);
                None
            }
            Err(_) => {
                self.fail("connect", &"timed out");
                None
            }
        }
    }

    async fn run<T: redis::FromRedisValue>(&self, what: &str, cmd: redis::Pipeline) -> Option<T> {
        let mut conn = self.conn().await?;
        match tokio::time::timeout(OP_TIMEOUT, cmd.query_async::<T>(&mut conn)).await {
            Ok(Ok(v)) => {
                self.healthy.store(true, Ordering::Relaxed);
                Some(v)
            }
            Ok(Err(e)) => {
                self.fail(what, &e);
                None
            }
            Err(_) => {
                self.fail(what, &"timed out");
                None
            }
        }
    }

    pub(crate) async fn get(&self, k: &str) -> Option<Vec<u8>> {
        let mut p = redis::pipe();
        p.cmd("GET").arg(self.key(k));
        self.run::<(Option<Vec<u8>>,)>("get", p)
            .await
            .and_then(|(v,)| v)
    }

    pub(crate) async fn set(&self, k: &str, value: &[u8], ttl: Duration) {
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut p = redis::pipe();
        p.cmd("SET")
            .arg(self.key(k))
            .arg(value)
            .arg("PX")
            .arg(ms)
            .ignore();
        let _ = self.run::<()>("set", p).await;
    }

    pub(crate) async fn delete(&self, k: &str) {
        let mut p = redis::pipe();
        p.cmd("DEL").arg(self.key(k)).ignore();
        let _ = self.run::<()>("delete", p).await;
    }

    pub(crate) async fn hit(&self, k: &str, window: Duration) -> Hit {
        let ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
        let full = self.key(k);
        let mut p = redis::pipe();
        p.atomic();
        p.cmd("SET")
            .arg(&full)
            .arg(0)
            .arg("PX")
            .arg(ms)
            .arg("NX")
            .ignore();
        p.cmd("INCR").arg(&full);
        p.cmd("PTTL").arg(&full);
        match self.run::<(u64, i64)>("incr", p).await {
            Some((count, ttl)) => Hit {
                count,
                // -1/-2 (no expiry, gone) cannot follow the SET … NX above; read as a full window.
                reset_in: u64::try_from(ttl).map_or(window, Duration::from_millis),
            },
            None => self.fallback.hit(k, window),
        }
    }
}
