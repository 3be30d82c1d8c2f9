//! Home pages kept in sociald's memory while PostgreSQL reports that nothing changed, so a
//! client polling its timeline (what apps do all day) costs no statement at all.
//!
//! What "nothing changed" means: no transaction ended. `pg_current_snapshot()` (its `xmin`,
//! `xmax` = one past the newest ended transaction, and the transactions still running)
//! is the same text until some transaction that wrote (holds an xid) commits or aborts. A
//! task polls it every `POLL_EVERY` while pages are being read; any difference bumps the
//! generation, and a page is served only when it was read at the current generation. So:
//! - a change made by this sociald (any store operation that took a write connection) bumps
//!   the generation before the operation returns: a client always sees its own writes;
//! - a change made elsewhere (another sociald on the database, `socialctl`, `psql`) is seen
//!   within one poll: a page is served only while the last poll that confirmed it was sent
//!   less than `MAX_STALE` ago, and when polls fail or stop (idle, database down) nothing is
//!   served from here until a poll succeeds again;
//! - nothing to invalidate by hand: any write anywhere drops every page (several writes per
//!   poll cost one miss per page), and pages hold no state the database does not.
//!
//! Polling (and not `LISTEN`/`NOTIFY`) because a notifying transaction holds a cluster-wide
//! lock through its commit, which would serialise every post's WAL flush; and triggers on
//! every table would still miss nothing that a snapshot misses.
//! Pages are weighed by their posts; `CAPACITY` posts are kept (a few MB).

use crate::model::{Page, PostView};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How often the snapshot is read while pages are being read.
pub(crate) const POLL_EVERY: Duration = Duration::from_millis(10);
/// A page is served only while the last confirming poll was sent at most this long ago.
const MAX_STALE: Duration = Duration::from_millis(50);
/// Polling stops when no page was asked for this long (an idle server does not wake up).
const IDLE_AFTER: Duration = Duration::from_secs(2);
/// Posts kept over all pages (a page weighs its posts + 1).
const CAPACITY: u64 = 4_096;

/// Which page: the viewer, the page's cursors and size, and whether it carries the unread
/// notification count (the web page) or not (the API).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    pub(crate) viewer: i64,
    pub(crate) max_id: Option<i64>,
    pub(crate) min_id: Option<i64>,
    pub(crate) limit: u32,
    pub(crate) with_unread: bool,
}

impl Key {
    pub(crate) fn new(viewer: i64, page: &Page, with_unread: bool) -> Self {
        Self {
            viewer,
            max_id: page.max_id,
            min_id: page.min_id,
            limit: page.limit,
            with_unread,
        }
    }
}

/// A page as read, and the generation it was read at.
#[derive(Debug)]
pub(crate) struct Entry {
    generation: u64,
    pub(crate) views: Vec<PostView>,
    pub(crate) unread: i64,
}

#[derive(Clone)]
struct Weigh;

impl quick_cache::Weighter<Key, Arc<Entry>> for Weigh {
    fn weight(&self, _key: &Key, entry: &Arc<Entry>) -> u64 {
        u64::try_from(entry.views.len()).unwrap_or(u64::MAX) + 1
    }
}

/// The pages and what says whether they still hold (one per store; PostgreSQL only).
pub(crate) struct PageCache {
    pages: quick_cache::sync::Cache<Key, Arc<Entry>, Weigh>,
    generation: AtomicU64,
    epoch: Instant,
    /// When (µs since `epoch`) the last poll that confirmed `generation` was sent; 0: none.
    confirmed_at: AtomicU64,
    /// When a page was last asked for (µs since `epoch`).
    used_at: AtomicU64,
    wake: tokio::sync::Notify,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl Default for PageCache {
    fn default() -> Self {
        Self {
            pages: quick_cache::sync::Cache::with_weighter(256, CAPACITY, Weigh),
            generation: AtomicU64::new(1),
            epoch: Instant::now(),
            confirmed_at: AtomicU64::new(0),
            used_at: AtomicU64::new(0),
            wake: tokio::sync::Notify::new(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }
}

impl PageCache {
    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    fn live(&self, now: u64) -> bool {
        let confirmed = self.confirmed_at.load(Ordering::Acquire);
        confirmed != 0 && now.saturating_sub(confirmed) <= micros(MAX_STALE)
    }

    /// The page if it still holds, and the generation to read it at otherwise (taken before
    /// the read, so a change during the read makes the page stale at once).
    pub(crate) fn get(&self, key: &Key) -> Result<Arc<Entry>, u64> {
        let now = self.now();
        self.used_at.store(now, Ordering::Relaxed);
        let generation = self.generation.load(Ordering::Acquire);
        if !self.live(now) {
            self.wake.notify_one();
        } else if let Some(entry) = self.pages.get(key)
            && entry.generation == generation
        {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(entry);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        Err(generation)
    }

    /// Keeps a page read at `generation` (unless something changed meanwhile).
    pub(crate) fn put(&self, key: Key, generation: u64, views: &[PostView], unread: i64) {
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        self.pages.insert(
            key,
            Arc::new(Entry {
                generation,
                views: views.to_vec(),
                unread,
            }),
        );
    }

    /// Something changed (or may have): no page read before now is served again.
    pub(crate) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Pages served from here and pages read from the database, since start.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    fn idle(&self) -> bool {
        self.now()
            .saturating_sub(self.used_at.load(Ordering::Relaxed))
            > micros(IDLE_AFTER)
    }

    /// Stops serving until a poll confirms again (and drops what was read so far).
    fn unconfirm(&self) {
        self.confirmed_at.store(0, Ordering::Release);
        self.changed();
    }

    /// Polls `snapshot` every `POLL_EVERY` while pages are asked for, until `stop`.
    /// `snapshot` answers the database's current snapshot as text.
    pub(crate) async fn watch<F, Fut>(
        self: Arc<Self>,
        snapshot: F,
        mut stop: tokio::sync::oneshot::Receiver<()>,
    ) where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<String, sqlx::Error>>,
    {
        let mut last: Option<String> = None;
        let mut failures = 0u32;
        loop {
            if self.idle() {
                if last.take().is_some() {
                    self.unconfirm();
                }
                tokio::select! {
                    _ = &mut stop => return,
                    () = self.wake.notified() => {}
                }
                continue;
            }
            let sent = self.now();
            let polled = tokio::select! {
                _ = &mut stop => return,
                polled = snapshot() => polled,
            };
            let pause = match polled {
                Ok(now) => {
                    failures = 0;
                    if last.as_ref() != Some(&now) {
                        // The generation moves before the confirmation does.
                        self.changed();
                        last = Some(now);
                    }
                    self.confirmed_at.store(sent, Ordering::Release);
                    POLL_EVERY
                }
                Err(sqlx::Error::PoolClosed) => return,
                Err(e) => {
                    if last.take().is_some() || failures == 0 {
                        tracing::warn!(error = %e, "reading the database snapshot failed; home pages are read from the database until it answers");
                    }
                    failures = failures.saturating_add(1);
                    self.unconfirm();
                    // Back off to a second while the database does not answer.
                    POLL_EVERY.saturating_mul(failures.min(100))
                }
            };
            tokio::select! {
                _ = &mut stop => return,
                () = tokio::time::sleep(pause) => {}
            }
        }
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(viewer: i64) -> Key {
        Key::new(
            viewer,
            &Page {
                max_id: None,
                min_id: None,
                limit: 20,
            },
            false,
        )
    }

    /// A cache whose last poll was just now.
    fn confirmed() -> PageCache {
        let cache = PageCache::default();
        cache.confirmed_at.store(cache.now(), Ordering::Release);
        cache
    }

    #[test]
    fn a_page_is_served_only_at_the_generation_it_was_read_at() {
        let cache = confirmed();
        let generation = cache.get(&key(1)).expect_err("empty");
        cache.put(key(1), generation, &[], 3);
        assert_eq!(cache.get(&key(1)).map(|e| e.unread).ok(), Some(3));
        assert!(cache.get(&key(2)).is_err(), "another viewer's page");
        cache.changed();
        assert!(cache.get(&key(1)).is_err(), "served after a change");
        assert_eq!(cache.counts(), (1, 3));
    }

    #[test]
    fn a_page_read_across_a_change_is_not_kept() {
        let cache = confirmed();
        let generation = cache.get(&key(1)).expect_err("empty");
        cache.changed();
        cache.put(key(1), generation, &[], 0);
        assert!(cache.get(&key(1)).is_err());
    }

    #[test]
    fn nothing_is_served_without_a_recent_poll() {
        let cache = PageCache::default();
        let generation = cache.get(&key(1)).expect_err("empty");
        cache.put(key(1), generation, &[], 0);
        assert!(cache.get(&key(1)).is_err(), "served without any poll");
        // Confirmed longer ago than MAX_STALE.
        let cache = PageCache {
            epoch: Instant::now() - Duration::from_secs(1),
            ..PageCache::default()
        };
        cache.confirmed_at.store(1, Ordering::Release);
        let generation = cache.get(&key(1)).expect_err("empty");
        cache.put(key(1), generation, &[], 0);
        assert!(cache.get(&key(1)).is_err(), "served on a stale poll");
    }

    #[tokio::test]
    async fn polls_confirm_pages_until_the_snapshot_changes_or_fails() {
        let cache = Arc::new(PageCache::default());
        let answer = Arc::new(std::sync::Mutex::new(Ok::<_, String>("1:2:".to_owned())));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let polled = Arc::clone(&answer);
        let task = tokio::spawn(Arc::clone(&cache).watch(
            move || {
                let a = polled.lock().unwrap().clone();
                async move { a.map_err(sqlx::Error::Protocol) }
            },
            stopped,
        ));
        let deadline = Instant::now() + Duration::from_secs(10);
        let served = |cache: &PageCache| -> bool {
            match cache.get(&key(1)) {
                Ok(_) => true,
                Err(generation) => {
                    cache.put(key(1), generation, &[], 0);
                    false
                }
            }
        };
        while !served(&cache) {
            assert!(Instant::now() < deadline, "never served");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // Another transaction ended: the next poll drops the page.
        *answer.lock().unwrap() = Ok("1:3:".to_owned());
        while cache.get(&key(1)).is_ok() {
            assert!(
                Instant::now() < deadline,
                "served after the snapshot changed"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        while !served(&cache) {
            assert!(Instant::now() < deadline, "never served again");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // The database stops answering: nothing is served.
        *answer.lock().unwrap() = Err("down".to_owned());
        while served(&cache) {
            assert!(Instant::now() < deadline, "served while polls fail");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        stop.send(()).unwrap();
        task.await.unwrap();
    }
}
