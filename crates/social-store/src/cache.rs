//! The cache seam (DESIGN decision 2): Redis when configured, in-process otherwise. It holds only
//! data that may be lost. Every Redis failure degrades to a miss (reads) or a no-op (writes)
//! with a rate-limited warning: the site gets slower, never an error page.
#![allow(clippy::todo, unused_variables)]

use std::time::Duration;

/// Handle to the cache. Cheap to clone.
#[derive(Clone)]
pub struct Cache {}

impl Cache {
    /// In-process cache bounded to `capacity` entries.
    pub fn in_process(capacity: usize) -> Self {
        todo!()
    }
    /// Redis-backed; connects lazily and reconnects on its own. Never fails: an unreachable
    /// Redis is logged and treated as a miss.
    pub async fn redis(url: &str) -> Result<Self, String> {
        todo!()
    }
    /// `"redis"` or `"in-process"`.
    pub fn kind(&self) -> &'static str {
        todo!()
    }
    /// Whether the last Redis operation succeeded (always true in-process), for `/readyz`
    /// and `socialctl status`.
    pub fn healthy(&self) -> bool {
        todo!()
    }
    pub async fn get(&self, key: &str) -> Option<Vec<u8>> {
        todo!()
    }
    pub async fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        todo!()
    }
    pub async fn delete(&self, key: &str) {
        todo!()
    }
    /// Increments a counter that expires `window` after its first increment; returns the new
    /// value. Used for rate limits; falls back to an in-process counter when Redis fails.
    pub async fn incr(&self, key: &str, window: Duration) -> u64 {
        todo!()
    }
}
