//! Post and account rows kept in sociald's memory for PostgreSQL's home timeline, each with
//! the row version it was read at (PostgreSQL's `xmin`: the transaction that wrote that
//! version of the row; every UPDATE writes a new version, so any change to a row changes it).
//!
//! A timeline statement then returns, per post, only the ids and versions of the post, its
//! author, the boosted original and its author (and the viewer's flags); the rows whose
//! version the cache holds are not sent again, the others are read in one query per table.
//! An entry is used only when its version equals the one the statement just read, so the
//! cache never serves a row older than the database's: no invalidation to forget, and
//! several sociald processes on one database stay correct. The sent bytes and the decoding
//! of 50 columns per post were about a quarter of the statement's cost.
//!
//! Entries older than `MAX_AGE` are read again, so that a version number reused after 2^32
//! transactions (xid wraparound) can never match an entry that old.

use social_core::{Account, Post};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Posts kept (a home page is 20–40 posts, boosts count twice).
const POSTS: usize = 8_192;
/// Accounts kept.
const ACCOUNTS: usize = 4_096;
/// Longest an entry is trusted.
const MAX_AGE: Duration = Duration::from_secs(3_600);

/// A post row as the timeline needs it: the post and its `tags`, `mentions`, `has_media`.
pub(crate) struct PostRow {
    pub(crate) post: Post,
    pub(crate) tags: Option<String>,
    pub(crate) mentions: Option<String>,
    pub(crate) has_media: bool,
}

struct Entry<T> {
    version: i64,
    read_at: Instant,
    row: Arc<T>,
}

impl<T> Clone for Entry<T> {
    fn clone(&self) -> Self {
        Self {
            version: self.version,
            read_at: self.read_at,
            row: Arc::clone(&self.row),
        }
    }
}

/// The cached rows (one per store; used by PostgreSQL only).
pub(crate) struct RowCache {
    posts: quick_cache::sync::Cache<i64, Entry<PostRow>>,
    accounts: quick_cache::sync::Cache<i64, Entry<Account>>,
}

impl Default for RowCache {
    fn default() -> Self {
        Self {
            posts: quick_cache::sync::Cache::new(POSTS),
            accounts: quick_cache::sync::Cache::new(ACCOUNTS),
        }
    }
}

fn fresh<T>(
    cache: &quick_cache::sync::Cache<i64, Entry<T>>,
    id: i64,
    version: i64,
) -> Option<Arc<T>> {
    let e = cache.get(&id)?;
    (e.version == version && e.read_at.elapsed() < MAX_AGE).then_some(e.row)
}

impl RowCache {
    /// Post `id` if the cache holds it at `version`.
    pub(crate) fn post(&self, id: i64, version: i64) -> Option<Arc<PostRow>> {
        fresh(&self.posts, id, version)
    }

    /// Account `id` if the cache holds it at `version`.
    pub(crate) fn account(&self, id: i64, version: i64) -> Option<Arc<Account>> {
        fresh(&self.accounts, id, version)
    }

    pub(crate) fn put_post(&self, version: i64, row: PostRow) -> Arc<PostRow> {
        let row = Arc::new(row);
        self.posts.insert(
            row.post.id.0,
            Entry {
                version,
                read_at: Instant::now(),
                row: Arc::clone(&row),
            },
        );
        row
    }

    pub(crate) fn put_account(&self, version: i64, row: Account) -> Arc<Account> {
        let row = Arc::new(row);
        self.accounts.insert(
            row.id.0,
            Entry {
                version,
                read_at: Instant::now(),
                row: Arc::clone(&row),
            },
        );
        row
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use social_core::{AccountId, PostId, Visibility};

    fn post(id: i64, text: &str) -> PostRow {
        PostRow {
            post: Post {
                id: PostId(id),
                author_id: AccountId(1),
                text: text.into(),
                visibility: Visibility::Public,
                in_reply_to_id: None,
                in_reply_to_account_id: None,
                reblog_of_id: None,
                created_at_ms: 0,
                replies_count: 0,
                favourites_count: 0,
                reblogs_count: 0,
                spoiler_text: String::new(),
                sensitive: false,
            },
            tags: None,
            mentions: None,
            has_media: false,
        }
    }

    #[test]
    fn an_entry_serves_only_its_own_version() {
        let cache = RowCache::default();
        assert!(cache.post(7, 100).is_none());
        cache.put_post(100, post(7, "first"));
        assert_eq!(cache.post(7, 100).unwrap().post.text, "first");
        // The row was written again (a new version): the entry is not used...
        assert!(cache.post(7, 101).is_none());
        // ...until the new version is read and put.
        cache.put_post(101, post(7, "edited"));
        assert_eq!(cache.post(7, 101).unwrap().post.text, "edited");
        assert!(cache.post(7, 100).is_none());
        assert!(cache.post(8, 101).is_none());
    }
}
