//! The cache seam (DESIGN decision 2): Redis when configured, in-process otherwise. It holds only
//! data that may be lost. Every Redis failure degrades to a miss (reads) or a no-op (writes)
//! with a rate-limited warning: the site gets slower, never an error page.

use crate::cache_redis::RedisCache;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

type Entry = Arc<(Vec<u8>, Instant)>;

/// A rate-limit counter: its value and when its window ends.
pub(crate) struct Counter {
    value: AtomicU64,
    expires: Instant,
}

/// The in-process store used alone, or as the fallback counter store beside Redis.
pub(crate) struct Local {
    values: quick_cache::sync::Cache<String, Entry>,
    counters: quick_cache::sync::Cache<String, Arc<Counter>>,
}

impl Local {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(16);
        Self {
            values: quick_cache::sync::Cache::new(capacity),
            counters: quick_cache::sync::Cache::new(capacity),
        }
    }

    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let entry = self.values.get(key)?;
        if entry.1 <= Instant::now() {
            self.values.remove(key);
            return None;
        }
        Some(entry.0.clone())
    }

    fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        self.values.insert(
            key.to_owned(),
            Arc::new((value.to_vec(), Instant::now() + ttl)),
        );
    }

    fn delete(&self, key: &str) {
        self.values.remove(key);
    }

    pub(crate) fn hit(&self, key: &str, window: Duration) -> Hit {
        let now = Instant::now();
        let counter = match self.counters.get(key) {
            Some(c) if c.expires > now => c,
            _ => {
                let fresh = Arc::new(Counter {
                    value: AtomicU64::new(0),
                    expires: now + window,
                });
                self.counters.insert(key.to_owned(), fresh.clone());
                fresh
            }
        };
        Hit {
            count: counter.value.fetch_add(1, Ordering::Relaxed) + 1,
            reset_in: counter.expires.saturating_duration_since(now),
        }
    }
}

/// One increment of a rate-limit counter: its new value and how long until its window ends
/// (and the counter starts again from zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub count: u64,
    pub reset_in: Duration,
}

enum Inner {
    Local(Local),
    Redis(RedisCache),
}

/// Handle to the cache. Cheap to clone.
#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").field("kind", &self.kind()).finish()
    }
}

impl Cache {
    /// In-process cache bounded to `capacity` entries.
    pub fn in_process(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Inner::Local(Local::new(capacity))),
        }
    }
    /// Redis-backed; connects lazily and reconnects on its own. Never fails: an unreachable
    /// Redis is logged and treated as a miss. (`Err` only for a malformed URL.)
    /// Every key is prefixed with `social:{namespace}:`.
    pub async fn redis(url: &str, namespace: &str) -> Result<Self, String> {
        let redis = RedisCache::connect(url, namespace).await?;
        Ok(Self {
            inner: Arc::new(Inner::Redis(redis)),
        })
    }
    /// `"redis"` or `"in-process"`.
    pub fn kind(&self) -> &'static str {
        match &*self.inner {
            Inner::Local(_) => "in-process",
            Inner::Redis(_) => "redis",
        }
    }
    /// Whether the last Redis operation succeeded (always true in-process), for `/readyz`
    /// and `socialctl status`.
    pub fn healthy(&self) -> bool {
        match &*self.inner {
            Inner::Local(_) => true,
            Inner::Redis(r) => r.healthy(),
        }
    }
    /// Like `healthy`, but when Redis is marked unhealthy, asks it again (one bounded `PING`,
    /// not while the circuit breaker is open).
    pub async fn probe(&self) -> bool {
        match &*self.inner {
            Inner::Local(_) => true,
            Inner::Redis(r) => r.probe().await,
        }
    }
    pub async fn get(&self, key: &str) -> Option<Vec<u8>> {
        match &*self.inner {
            Inner::Local(l) => l.get(key),
            Inner::Redis(r) => r.get(key).await,
        }
    }
    pub async fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        match &*self.inner {
            Inner::Local(l) => l.set(key, value, ttl),
            Inner::Redis(r) => r.set(key, value, ttl).await,
        }
    }
    pub async fn delete(&self, key: &str) {
        match &*self.inner {
            Inner::Local(l) => l.delete(key),
            Inner::Redis(r) => r.delete(key).await,
        }
    }
    /// Increments a counter that expires `window` after its first increment; returns the new
    /// value. Used for rate limits; falls back to an in-process counter when Redis fails.
    pub async fn incr(&self, key: &str, window: Duration) -> u64 {
        self.hit(key, window).await.count
    }
    /// Like [`Cache::incr`], with the time left in the counter's window (for `Retry-After` and
    /// `X-RateLimit-Reset`). On Redis the counter is shared by every sociald using it.
    pub async fn hit(&self, key: &str, window: Duration) -> Hit {
        match &*self.inner {
            Inner::Local(l) => l.hit(key, window),
            Inner::Redis(r) => r.hit(key, window).await,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn in_process_get_set_delete_ttl_incr() {
        let c = Cache::in_process(100);
        assert_eq!(c.kind(), "in-process");
        assert!(c.healthy());
        assert_eq!(c.get("k").await, None);
        c.set("k", b"v", Duration::from_secs(60)).await;
        assert_eq!(c.get("k").await.as_deref(), Some(&b"v"[..]));
        c.delete("k").await;
        assert_eq!(c.get("k").await, None);
        c.set("short", b"v", Duration::ZERO).await;
        assert_eq!(c.get("short").await, None);
        assert_eq!(c.incr("n", Duration::from_secs(60)).await, 1);
        assert_eq!(c.incr("n", Duration::from_secs(60)).await, 2);
        assert_eq!(c.incr("z", Duration::ZERO).await, 1);
        assert_eq!(c.incr("z", Duration::ZERO).await, 1);
        let first = c.hit("w", Duration::from_secs(60)).await;
        let second = c.hit("w", Duration::from_secs(60)).await;
        assert_eq!((first.count, second.count), (1, 2));
        assert!(second.reset_in <= first.reset_in && first.reset_in <= Duration::from_secs(60));
        assert!(second.reset_in > Duration::from_secs(50), "{second:?}");
    }
}
