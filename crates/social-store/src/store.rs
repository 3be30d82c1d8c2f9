//! The `Store` API: the contract between the store and the web layer. Each method here is a
//! thin dispatch to the per-backend operations in `ops/` (written once, compiled for SQLite and
//! PostgreSQL), plus the cache handling that does not depend on the backend.

use crate::backend::{Backend, IdGen, now_ms};
use crate::cache::Cache;
use crate::cached;
use crate::error::{StoreError, StoreResult};
use crate::model::*;
use crate::ops;
use crate::secrets;
use social_core::{
    Account, AccountId, AccountStatus, MediaAttachment, MediaId, NotificationId, Post, PostId,
    RegistrationMode, Role, WebAccess, access,
};
use std::sync::Arc;
use std::time::Duration;

/// Sessions expire this long after their last use.
const SESSION_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;
/// `last_seen_at` (and the sliding expiry) is written at most this often per session.
const SESSION_TOUCH_MS: i64 = 3600 * 1000;
const REGISTRATION_MODE_KEY: &str = "registration_mode";
const CACHE_NAMESPACE_KEY: &str = "cache_namespace";
const REGISTRATION_MODE_AT_KEY: &str = "registration_mode_at";
/// How long an `Idempotency-Key` keeps answering with the post it created (as Mastodon).
pub const IDEMPOTENCY_KEY_TTL_MS: i64 = 3600 * 1000;

/// Runs `ops::<module>::<function>(ctx, args…)` on whichever backend this store uses.
macro_rules! dispatch {
    ($self:ident, $module:ident :: $f:ident ( $($arg:expr),* $(,)? )) => {
        match &$self.inner.backend {
            Backend::Sqlite { read, write, .. } => {
                let ctx = ops::sqlite::common::Ctx::new(read, write, &$self.inner.ids, &$self.inner.rows, None);
                ops::sqlite::$module::$f(&ctx, $($arg),*).await
            }
            Backend::Postgres { read, write, hot } => {
                let ctx = ops::pg::common::Ctx::new(read, write, &$self.inner.ids, &$self.inner.rows, Some(hot));
                let done = ops::pg::$module::$f(&ctx, $($arg),*).await;
                // Before the caller sees the answer: it may read its own write next.
                if ctx.wrote() {
                    $self.inner.pages.changed();
                }
                done
            }
        }
    };
}

struct Inner {
    backend: Backend,
    ids: IdGen,
    /// The content filters, compiled once; dropped when a filter is added or deleted.
    filters: rules::FilterCache,
    /// The sign-up proof-of-work key, read from `settings` once (`signup_pow_secret`).
    pow_secret: std::sync::OnceLock<Arc<[u8]>>,
    /// New posts waiting for, or being written in, a group commit.
    posts: posting::PostBatcher,
    /// Post and account rows by version, for PostgreSQL's home timeline.
    rows: crate::rows::RowCache,
    /// PostgreSQL's home pages while nothing changed (`pages.rs`).
    pages: Arc<crate::pages::PageCache>,
    /// Stops the SQLite background checkpointer, or PostgreSQL's snapshot poller, when the
    /// store is dropped.
    background: std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

/// Handle to the database and cache. Cheap to clone (shared pools inside).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
    cache: Cache,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend_name())
            .finish()
    }
}

impl Store {
    // ---- lifecycle -------------------------------------------------------------------------

    /// Connects (creating the SQLite file and its directory if needed, WAL mode), applies the
    /// backend's migrations, and connects the cache (Redis if configured; an unreachable Redis
    /// is a warning, not an error).
    pub async fn open(options: StoreOptions) -> StoreResult<Store> {
        let backend =
            crate::backend::connect(&options.database_url, options.max_connections).await?;
        let pages = Arc::new(crate::pages::PageCache::default());
        let (stop, stopped) = tokio::sync::oneshot::channel();
        match &backend {
            // On a read connection: a passive checkpoint needs no write lock, and the single
            // write connection stays free for writes.
            Backend::Sqlite { read, .. } => {
                crate::backend::spawn_checkpointer(read.clone(), stopped);
            }
            Backend::Postgres { read, .. } => {
                let read = read.clone();
                tokio::spawn(Arc::clone(&pages).watch(
                    move || {
                        let read = read.clone();
                        async move {
                            sqlx::query_scalar::<_, String>("SELECT pg_current_snapshot()::text")
                                .fetch_one(&read)
                                .await
                        }
                    },
                    stopped,
                ));
            }
        }
        let mut store = Store {
            inner: Arc::new(Inner {
                backend,
                ids: IdGen::default(),
                filters: rules::FilterCache::default(),
                pow_secret: std::sync::OnceLock::new(),
                posts: posting::PostBatcher::default(),
                rows: crate::rows::RowCache::default(),
                pages,
                background: std::sync::Mutex::new(Some(stop)),
            }),
            cache: Cache::in_process(100_000),
        };
        if let Some(url) = &options.redis_url {
            let namespace = store.cache_namespace().await?;
            store.cache = Cache::redis(url, &namespace)
                .await
                .map_err(StoreError::Internal)?;
            if !store.cache.healthy() {
                tracing::warn!(
                    "redis is unreachable at start; serving from the database until it answers"
                );
            }
        }
        Ok(store)
    }
    /// This database's name in a shared cache: random, made once and kept in `settings`, so
    /// every sociald on the database shares its Redis keys (rate limits are cluster-wide)
    /// while another site, or a test's fresh database, on the same Redis never meets them.
    async fn cache_namespace(&self) -> StoreResult<String> {
        let fresh: String = {
            use rand::Rng;
            let mut rng = rand::thread_rng();
            (0..12)
                .map(|_| char::from(b"0123456789abcdef"[rng.gen_range(0..16)]))
                .collect()
        };
        dispatch!(
            self,
            settings::insert_setting_if_absent(CACHE_NAMESPACE_KEY, &fresh)
        )?;
        Ok(dispatch!(self, settings::get_setting(CACHE_NAMESPACE_KEY))?.unwrap_or(fresh))
    }
    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match &self.inner.backend {
            Backend::Sqlite { .. } => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }
    /// A trivial query, for `/readyz`.
    pub async fn ping(&self) -> StoreResult<()> {
        match &self.inner.backend {
            Backend::Sqlite { read, .. } => {
                sqlx::query("SELECT 1").execute(read).await?;
            }
            Backend::Postgres { read, .. } => {
                sqlx::query("SELECT 1").execute(read).await?;
            }
        }
        Ok(())
    }
    pub fn cache(&self) -> &Cache {
        &self.cache
    }
    /// Closes the pools (at shutdown).
    #[cfg(test)]
    pub(crate) fn inner_backend_for_tests(&self) -> &Backend {
        &self.inner.backend
    }
    pub async fn close(&self) {
        match &self.inner.backend {
            Backend::Sqlite { read, write, fast } => {
                fast.close();
                read.close().await;
                write.close().await;
            }
            Backend::Postgres { read, write, hot } => {
                let poller = self
                    .inner
                    .background
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                if let Some(stop) = poller {
                    let _ = stop.send(());
                }
                hot.close().await;
                read.close().await;
                write.close().await;
            }
        }
    }

    async fn cache_session(&self, key: &str, row: &cached::SessionRow, now: i64) {
        let left = u64::try_from(row.expires_at - now).unwrap_or(0);
        let ttl = cached::SESSION_TTL.min(Duration::from_millis(left));
        if let Ok(bytes) = serde_json::to_vec(row) {
            self.cache.set(key, &bytes, ttl).await;
        }
    }

    // ---- instance settings -----------------------------------------------------------------

    pub async fn get_registration_mode(&self) -> StoreResult<RegistrationMode> {
        let value = dispatch!(self, settings::get_setting(REGISTRATION_MODE_KEY))?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or_default())
    }
    /// Sets the mode and records when (the moderator-inactivity switch counts a week from
    /// the later of this and the last staff activity).
    pub async fn put_registration_mode(&self, mode: RegistrationMode) -> StoreResult<()> {
        dispatch!(
            self,
            settings::put_setting(REGISTRATION_MODE_KEY, mode.as_str())
        )?;
        dispatch!(
            self,
            settings::put_setting(REGISTRATION_MODE_AT_KEY, &now_ms().to_string())
        )
    }

    /// When a moderator or admin was last at work (see `settings::last_staff_activity`).
    pub async fn last_staff_activity_ms(&self) -> StoreResult<Option<i64>> {
        dispatch!(self, settings::last_staff_activity())
    }
    /// The moderator-inactivity switch: open registrations become approval ones when no
    /// moderator or admin has been at work for `idle_ms`, counted from the later of their
    /// last activity and the moment registrations were opened (an operator's act too), so a
    /// server nobody watches stops taking in accounts unseen. True when it switched; other
    /// modes are left alone, and switching back is the admin's decision.
    pub async fn close_registrations_if_unmoderated(
        &self,
        now_ms: i64,
        idle_ms: i64,
    ) -> StoreResult<bool> {
        if self.get_registration_mode().await? != RegistrationMode::Open {
            return Ok(false);
        }
        let opened_at = dispatch!(self, settings::get_setting(REGISTRATION_MODE_AT_KEY))?
            .and_then(|v| v.parse::<i64>().ok());
        let last = self.last_staff_activity_ms().await?.max(opened_at);
        if last.is_some_and(|t| now_ms.saturating_sub(t) < idle_ms) {
            return Ok(false);
        }
        self.put_registration_mode(RegistrationMode::Approval)
            .await?;
        Ok(true)
    }

    // ---- accounts --------------------------------------------------------------------------

    /// Conflict{what:"username"} when the username is taken (ignoring case).
    pub async fn create_account(&self, insert: AccountInsert) -> StoreResult<Account> {
        let hash = secrets::hash_password(&insert.password).await?;
        dispatch!(
            self,
            accounts::create_account(&insert, &hash, None, now_ms())
        )
    }
    pub async fn get_account_by_id(&self, id: AccountId) -> StoreResult<Option<Account>> {
        dispatch!(self, accounts::get_account_by_id(id.0))
    }
    /// Case-insensitive.
    pub async fn get_account_by_username(&self, username: &str) -> StoreResult<Option<Account>> {
        let key = social_core::validate::username_key(username);
        Ok(dispatch!(self, accounts::get_account_with_hash(&key))?.map(|(a, _)| a))
    }
    /// Checks a login. Returns the account when the password matches, whatever its status
    /// (the caller refuses pending/disabled accounts with a clear message). Runs the hash
    /// check off the async runtime, and against a dummy hash when the user does not exist, so
    /// timing does not reveal which usernames exist.
    pub async fn verify_password(
        &self,
        username: &str,
        password: &str,
    ) -> StoreResult<Option<Account>> {
        let key = social_core::validate::username_key(username);
        let found = dispatch!(self, accounts::get_account_with_hash(&key))?;
        let (account, hash) = match found {
            Some((a, h)) => (Some(a), Some(h)),
            None => (None, None),
        };
        let ok = secrets::verify_password(password, hash).await?;
        Ok(if ok { account } else { None })
    }
    pub async fn set_password(&self, id: AccountId, password: &str) -> StoreResult<()> {
        let hash = secrets::hash_password(password).await?;
        dispatch!(self, accounts::set_password_hash(id.0, &hash))
    }
    pub async fn update_profile(
        &self,
        id: AccountId,
        update: ProfileUpdate,
    ) -> StoreResult<Account> {
        let account = dispatch!(self, accounts::update_profile(id.0, &update))?;
        self.cache.delete(&cached::account_key(id)).await;
        Ok(account)
    }
    pub async fn set_account_status(
        &self,
        id: AccountId,
        status: AccountStatus,
    ) -> StoreResult<()> {
        dispatch!(self, accounts::set_status(id.0, status))?;
        self.cache.delete(&cached::account_key(id)).await;
        Ok(())
    }
    pub async fn set_account_role(&self, id: AccountId, role: Role) -> StoreResult<()> {
        dispatch!(self, accounts::set_role(id.0, role))?;
        self.cache.delete(&cached::account_key(id)).await;
        Ok(())
    }
    /// Sign-ups waiting for approval, oldest first.
    pub async fn list_pending_accounts(&self, page: Page) -> StoreResult<Vec<Account>> {
        dispatch!(self, accounts::list_pending(page))
    }
    pub async fn count_accounts(&self) -> StoreResult<i64> {
        dispatch!(self, accounts::count_accounts())
    }

    // ---- invites ---------------------------------------------------------------------------

    pub async fn create_invite(
        &self,
        created_by: AccountId,
        max_uses: Option<i64>,
        expires_at_ms: Option<i64>,
    ) -> StoreResult<Invite> {
        let invite = Invite {
            code: secrets::random_token(9),
            created_by,
            max_uses,
            uses: 0,
            expires_at_ms,
            created_at_ms: now_ms(),
        };
        dispatch!(self, settings::create_invite(&invite))?;
        Ok(invite)
    }
    /// Newest first.
    pub async fn list_invites(&self) -> StoreResult<Vec<Invite>> {
        dispatch!(self, settings::list_invites())
    }
    pub async fn delete_invite(&self, code: &str) -> StoreResult<()> {
        dispatch!(self, settings::delete_invite(code))
    }

    // ---- sessions --------------------------------------------------------------------------

    pub async fn create_session(
        &self,
        account: AccountId,
        user_agent: &str,
    ) -> StoreResult<NewSession> {
        self.create_session_from(account, user_agent, "").await
    }
    /// A new session that records the client address it was opened from (shown on the
    /// account's sessions page).
    pub async fn create_session_from(
        &self,
        account: AccountId,
        user_agent: &str,
        client_addr: &str,
    ) -> StoreResult<NewSession> {
        let now = now_ms();
        let token = secrets::random_token(32);
        let row = cached::SessionRow {
            account_id: account.0,
            csrf_token: secrets::random_token(32),
            created_at: now,
            last_seen_at: now,
            expires_at: now + SESSION_LIFETIME_MS,
        };
        let hash = secrets::token_hash(&token);
        let user_agent: String = user_agent.chars().take(300).collect();
        let client_addr: String = client_addr.chars().take(64).collect();
        dispatch!(
            self,
            sessions::insert(&hash, &row, &user_agent, &client_addr)
        )?;
        Ok(NewSession {
            token,
            csrf_token: row.csrf_token,
        })
    }
    /// None for an unknown or expired token, or an account that may not log in (pending,
    /// disabled, purged); a suspended account's session reaches its appeal only
    /// (`Session::access`). Served from the cache when possible.
    pub async fn get_session(&self, token: &str) -> StoreResult<Option<Session>> {
        if token.is_empty() || token.len() > 200 {
            return Ok(None);
        }
        let hash = secrets::token_hash(token);
        let key = cached::session_key(&hash);
        let now = now_ms();
        let from_cache = match self.cache.get(&key).await {
            Some(bytes) => serde_json::from_slice::<cached::SessionRow>(&bytes).ok(),
            None => None,
        };
        let mut row = match from_cache {
            Some(r) => r,
            None => match dispatch!(self, sessions::get(&hash))? {
                Some(r) => {
                    self.cache_session(&key, &r, now).await;
                    r
                }
                None => return Ok(None),
            },
        };
        if row.expires_at <= now {
            self.cache.delete(&key).await;
            return Ok(None);
        }
        if now - row.last_seen_at >= SESSION_TOUCH_MS {
            row.last_seen_at = now;
            row.expires_at = now + SESSION_LIFETIME_MS;
            dispatch!(self, sessions::touch(&hash, now, row.expires_at))?;
            self.cache_session(&key, &row, now).await;
        }
        let id = AccountId(row.account_id);
        let account = match cached::get_account(&self.cache, id).await {
            Some(a) => a,
            None => match dispatch!(self, accounts::get_account_by_id(id.0))? {
                Some(a) => {
                    cached::put_account(&self.cache, &a).await;
                    a
                }
                None => return Ok(None),
            },
        };
        let access = match account.status {
            AccountStatus::Active => WebAccess::Full,
            // Only a disabled account pays for this lookup: a suspended one keeps a session
            // that reaches its appeal, until the purge.
            AccountStatus::Disabled => {
                let st = dispatch!(self, moderation::get_state(id.0))?;
                let suspended = st.suspended_at_ms.is_some();
                match access::web_access(account.status, suspended, st.purged_at_ms.is_some()) {
                    Ok(access) => access,
                    Err(_) => return Ok(None),
                }
            }
            AccountStatus::Pending => return Ok(None),
        };
        Ok(Some(Session {
            account,
            csrf_token: row.csrf_token,
            created_at_ms: row.created_at,
            access,
        }))
    }
    pub async fn delete_session(&self, token: &str) -> StoreResult<()> {
        let hash = secrets::token_hash(token);
        dispatch!(self, sessions::delete(&hash))?;
        self.cache.delete(&cached::session_key(&hash)).await;
        Ok(())
    }
    pub async fn delete_sessions_of_account(&self, account: AccountId) -> StoreResult<()> {
        let hashes = dispatch!(self, sessions::delete_of_account(account.0))?;
        for hash in hashes {
            self.cache.delete(&cached::session_key(&hash)).await;
        }
        Ok(())
    }

    // ---- posts -----------------------------------------------------------------------------

    /// Writes the post, its mentions and tags, fans it out to home timelines and notifies
    /// mentioned / replied-to accounts, in one transaction.
    /// Concurrent calls share one transaction (see `store/posting.rs`); each post still
    /// succeeds or fails on its own.
    pub async fn create_post(&self, insert: PostInsert) -> StoreResult<Post> {
        let job = PostJob {
            insert,
            key: None,
            now: now_ms(),
        };
        Ok(self.create_post_batched(job).await?.0)
    }
    pub async fn get_post(&self, id: PostId) -> StoreResult<Option<Post>> {
        dispatch!(self, posts::get_post(id.0))
    }
    /// One post as `viewer` sees it; NotFound when it does not exist or is not visible.
    pub async fn get_post_view(
        &self,
        viewer: Option<AccountId>,
        id: PostId,
    ) -> StoreResult<PostView> {
        if let Backend::Sqlite { fast, .. } = &self.inner.backend {
            return fast.post_view(viewer.map_or(0, |v| v.0), id.0);
        }
        dispatch!(self, timelines::post_view(viewer.map_or(0, |v| v.0), id.0))
    }
    /// Only the author (or staff) may delete; removes its boosts, timeline entries and
    /// notifications too.
    pub async fn delete_post(&self, actor: &Account, id: PostId) -> StoreResult<()> {
        dispatch!(
            self,
            posts::delete_post(actor.id.0, actor.role.is_staff(), id.0)
        )
    }
    /// Idempotent.
    pub async fn favourite(&self, actor: AccountId, id: PostId) -> StoreResult<()> {
        dispatch!(self, posts::favourite(actor.0, id.0, now_ms()))
    }
    pub async fn unfavourite(&self, actor: AccountId, id: PostId) -> StoreResult<()> {
        dispatch!(self, posts::unfavourite(actor.0, id.0))
    }
    /// Idempotent; Forbidden for private/direct posts; returns the boost post.
    pub async fn boost(&self, actor: AccountId, id: PostId) -> StoreResult<Post> {
        dispatch!(self, posts::boost(actor.0, id.0, now_ms()))
    }
    pub async fn unboost(&self, actor: AccountId, id: PostId) -> StoreResult<()> {
        dispatch!(self, posts::unboost(actor.0, id.0))
    }

    /// `create_post` for a request with an `Idempotency-Key`: the first request with a key
    /// creates the post, a repeat (also a concurrent one) within [`IDEMPOTENCY_KEY_TTL_MS`]
    /// returns that same post with `created: false`. Keys are per account and stored hashed.
    pub async fn create_post_idempotent(
        &self,
        insert: PostInsert,
        key: &str,
    ) -> StoreResult<KeyedPost> {
        let now = now_ms();
        let job = PostJob {
            insert,
            key: Some(IdempotencyKey {
                hash: secrets::token_hash(key),
                fresh_since: now - IDEMPOTENCY_KEY_TTL_MS,
            }),
            now,
        };
        let (post, created) = self.create_post_batched(job).await?;
        Ok(KeyedPost { post, created })
    }

    // ---- bookmarks -------------------------------------------------------------------------

    /// Idempotent. A boost bookmarks its original; NotFound when the post is not visible to
    /// the actor. Returns the id of the bookmarked post.
    pub async fn bookmark(&self, actor: AccountId, id: PostId) -> StoreResult<PostId> {
        dispatch!(self, api_write::bookmark(actor.0, id.0, now_ms())).map(PostId)
    }
    /// Idempotent; NotFound when the post is not visible to the actor.
    pub async fn unbookmark(&self, actor: AccountId, id: PostId) -> StoreResult<PostId> {
        dispatch!(self, api_write::unbookmark(actor.0, id.0)).map(PostId)
    }
    /// The viewer's bookmarked posts, most recently bookmarked first, paginated by bookmark
    /// id; each with its bookmark id (the cursor for `Link` headers).
    pub async fn bookmarks(
        &self,
        viewer: AccountId,
        page: Page,
    ) -> StoreResult<Vec<(i64, PostView)>> {
        dispatch!(self, api_write::list_bookmarks(viewer.0, page))
    }
    /// The viewer's favourited posts, most recently favourited first, paginated by favourite
    /// id; each with its favourite id (the cursor for `Link` headers).
    pub async fn favourites(
        &self,
        viewer: AccountId,
        page: Page,
    ) -> StoreResult<Vec<(i64, PostView)>> {
        dispatch!(self, api_write::list_favourites(viewer.0, page))
    }
    /// The subset of `ids` the viewer has bookmarked (one query), for the `bookmarked` flag
    /// of a page of statuses.
    pub async fn bookmarked_among(
        &self,
        viewer: AccountId,
        ids: &[PostId],
    ) -> StoreResult<std::collections::HashSet<PostId>> {
        let ids: Vec<i64> = ids.iter().map(|p| p.0).collect();
        let found = dispatch!(self, api_write::bookmarked_among(viewer.0, &ids))?;
        Ok(found.into_iter().map(PostId).collect())
    }

    // ---- markers ---------------------------------------------------------------------------

    /// The account's markers for the given timelines (`home`, `notifications`); timelines
    /// never marked are absent.
    pub async fn get_markers(
        &self,
        account: AccountId,
        timelines: &[&str],
    ) -> StoreResult<Vec<Marker>> {
        dispatch!(self, api_write::get_markers(account.0, timelines))
    }
    /// Saves a marker; its version grows by one per write. Setting `notifications` also marks
    /// those notifications read for the web UI.
    pub async fn put_marker(
        &self,
        account: AccountId,
        timeline: &str,
        last_read_id: i64,
    ) -> StoreResult<Marker> {
        dispatch!(
            self,
            api_write::put_marker(account.0, timeline, last_read_id, now_ms())
        )
    }

    // ---- media -----------------------------------------------------------------------------

    /// Records an upload whose files are already written; NotFound when the account is gone.
    pub async fn create_media(&self, insert: MediaInsert) -> StoreResult<MediaAttachment> {
        dispatch!(self, media::create(&insert, now_ms()))
    }
    /// The owner's media attachment; NotFound for anyone else's (or an unknown id).
    pub async fn get_media(&self, owner: AccountId, id: MediaId) -> StoreResult<MediaAttachment> {
        dispatch!(self, media::get(owner.0, id.0))
    }
    /// Changes alt text and focus of an own attachment, attached or not; NotFound otherwise.
    pub async fn update_media(
        &self,
        owner: AccountId,
        id: MediaId,
        update: MediaUpdate,
    ) -> StoreResult<MediaAttachment> {
        dispatch!(self, media::update(owner.0, id.0, &update))
    }
    /// Deletes up to `limit` media rows that no post uses and that were uploaded before
    /// `older_than_ms` (unix ms), and returns them so the caller removes their files. Media of
    /// a deleted post become unattached (as in Mastodon, they may be re-used by a new post)
    /// and are swept likewise.
    pub async fn take_orphan_media(
        &self,
        older_than_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<MediaAttachment>> {
        dispatch!(self, media::take_orphans(older_than_ms, limit))
    }

    // ---- timelines -------------------------------------------------------------------------

    /// Own posts and those of followed accounts (and direct posts addressed to the viewer),
    /// newest first, without muted or blocked authors.
    pub async fn home_timeline(&self, viewer: AccountId, page: Page) -> StoreResult<Vec<PostView>> {
        if let Backend::Sqlite { fast, .. } = &self.inner.backend {
            return fast.home(viewer.0, &page);
        }
        let key = crate::pages::Key::new(viewer.0, &page, false);
        let generation = match self.inner.pages.get(&key) {
            Ok(kept) => return Ok(kept.views.clone()),
            Err(generation) => generation,
        };
        let views = dispatch!(self, timelines::home(viewer.0, page))?;
        self.inner.pages.put(key, generation, &views, 0);
        Ok(views)
    }
    /// The home timeline and the viewer's unread notification count (as
    /// `count_unread_notifications`), read together: what every home page needs.
    pub async fn home_page(
        &self,
        viewer: AccountId,
        page: Page,
    ) -> StoreResult<(Vec<PostView>, i64)> {
        if let Backend::Sqlite { fast, .. } = &self.inner.backend {
            return Ok((fast.home(viewer.0, &page)?, fast.count_unread(viewer.0)?));
        }
        let key = crate::pages::Key::new(viewer.0, &page, true);
        let generation = match self.inner.pages.get(&key) {
            Ok(kept) => return Ok((kept.views.clone(), kept.unread)),
            Err(generation) => generation,
        };
        let (views, unread) = dispatch!(self, timelines::home_with_unread(viewer.0, page))?;
        self.inner.pages.put(key, generation, &views, unread);
        Ok((views, unread))
    }
    /// PostgreSQL: home pages served from memory and read from the database since start
    /// (`pages.rs`). SQLite's pages, kept per read connection (`fast.rs`), are not counted.
    pub fn home_page_counts(&self) -> (u64, u64) {
        self.inner.pages.counts()
    }
    /// Public posts of this instance (no boosts).
    pub async fn local_timeline(
        &self,
        viewer: Option<AccountId>,
        page: Page,
    ) -> StoreResult<Vec<PostView>> {
        dispatch!(self, timelines::local(viewer.map_or(0, |v| v.0), page))
    }
    /// An account's posts and boosts that the viewer may see.
    pub async fn account_timeline(
        &self,
        viewer: Option<AccountId>,
        author: AccountId,
        page: Page,
    ) -> StoreResult<Vec<PostView>> {
        dispatch!(
            self,
            timelines::account(viewer.map_or(0, |v| v.0), author.0, page)
        )
    }
    /// Public posts with the tag (normalised by `social_core::text::normalize_tag`).
    pub async fn tag_timeline(
        &self,
        viewer: Option<AccountId>,
        tag: &str,
        page: Page,
    ) -> StoreResult<Vec<PostView>> {
        let tag = social_core::text::normalize_tag(tag);
        dispatch!(self, timelines::tag(viewer.map_or(0, |v| v.0), &tag, page))
    }
    /// NotFound when the focus post is missing or invisible to the viewer.
    pub async fn thread(&self, viewer: Option<AccountId>, id: PostId) -> StoreResult<Thread> {
        dispatch!(self, timelines::thread(viewer.map_or(0, |v| v.0), id.0))
    }

    // ---- relationships ---------------------------------------------------------------------

    /// Forbidden when either side blocks the other; Invalid when following oneself.
    pub async fn follow(
        &self,
        follower: AccountId,
        target: AccountId,
    ) -> StoreResult<FollowOutcome> {
        dispatch!(self, follows::follow(follower.0, target.0, now_ms()))
    }
    /// Also withdraws a pending request.
    pub async fn unfollow(&self, follower: AccountId, target: AccountId) -> StoreResult<()> {
        dispatch!(self, follows::unfollow(follower.0, target.0))
    }
    /// Accounts waiting for `target` to approve them, oldest first.
    pub async fn list_follow_requests(
        &self,
        target: AccountId,
        page: Page,
    ) -> StoreResult<Vec<Account>> {
        dispatch!(self, follows::list_requests(target.0, page))
    }
    /// NotFound when there is no such request.
    pub async fn authorize_follow_request(
        &self,
        target: AccountId,
        requester: AccountId,
    ) -> StoreResult<()> {
        dispatch!(self, follows::authorize(target.0, requester.0, now_ms()))
    }
    pub async fn reject_follow_request(
        &self,
        target: AccountId,
        requester: AccountId,
    ) -> StoreResult<()> {
        dispatch!(self, follows::reject(target.0, requester.0))
    }
    /// Also removes follows (and requests) in both directions.
    pub async fn block(&self, actor: AccountId, target: AccountId) -> StoreResult<()> {
        dispatch!(self, follows::block(actor.0, target.0, now_ms()))
    }
    pub async fn unblock(&self, actor: AccountId, target: AccountId) -> StoreResult<()> {
        dispatch!(self, follows::unblock(actor.0, target.0))
    }
    pub async fn mute(&self, actor: AccountId, target: AccountId) -> StoreResult<()> {
        dispatch!(self, follows::mute(actor.0, target.0, now_ms()))
    }
    pub async fn unmute(&self, actor: AccountId, target: AccountId) -> StoreResult<()> {
        dispatch!(self, follows::unmute(actor.0, target.0))
    }
    pub async fn relationship(
        &self,
        viewer: AccountId,
        other: AccountId,
    ) -> StoreResult<Relationship> {
        dispatch!(self, follows::relationship(viewer.0, other.0))
    }
    pub async fn followers(&self, account: AccountId, page: Page) -> StoreResult<Vec<Account>> {
        dispatch!(self, follows::list_accounts(account.0, page, true))
    }
    pub async fn following(&self, account: AccountId, page: Page) -> StoreResult<Vec<Account>> {
        dispatch!(self, follows::list_accounts(account.0, page, false))
    }
    /// The accounts `account` blocks, paged by account ID.
    pub async fn blocked_accounts(
        &self,
        account: AccountId,
        page: Page,
    ) -> StoreResult<Vec<Account>> {
        dispatch!(self, follows::list_targets(account.0, page, "blocks"))
    }
    /// The accounts `account` mutes, paged by account ID.
    pub async fn muted_accounts(
        &self,
        account: AccountId,
        page: Page,
    ) -> StoreResult<Vec<Account>> {
        dispatch!(self, follows::list_targets(account.0, page, "mutes"))
    }

    // ---- notifications ---------------------------------------------------------------------

    /// Newest first, without those from muted or blocked accounts.
    pub async fn notifications(
        &self,
        account: AccountId,
        page: Page,
    ) -> StoreResult<Vec<NotificationView>> {
        dispatch!(self, notifications::list(account.0, page))
    }
    pub async fn count_unread_notifications(&self, account: AccountId) -> StoreResult<i64> {
        if let Backend::Sqlite { fast, .. } = &self.inner.backend {
            return fast.count_unread(account.0);
        }
        dispatch!(self, notifications::count_unread(account.0))
    }
    /// `notifications` with the API's `types[]` / `exclude_types[]` filter.
    pub async fn notifications_filtered(
        &self,
        account: AccountId,
        page: Page,
        filter: &NotificationFilter,
    ) -> StoreResult<Vec<NotificationView>> {
        dispatch!(self, notifications::list_filtered(account.0, page, filter))
    }
    /// One of the account's notifications; NotFound when it is someone else's, or hidden.
    pub async fn get_notification(
        &self,
        account: AccountId,
        id: NotificationId,
    ) -> StoreResult<NotificationView> {
        dispatch!(self, api_write::get_notification(account.0, id.0))
    }
    /// Deletes one of the account's notifications; NotFound when it has no such notification.
    pub async fn dismiss_notification(
        &self,
        account: AccountId,
        id: NotificationId,
    ) -> StoreResult<()> {
        dispatch!(self, api_write::dismiss_notification(account.0, id.0))
    }
    /// Deletes all of the account's notifications; returns how many there were.
    pub async fn clear_notifications(&self, account: AccountId) -> StoreResult<u64> {
        dispatch!(self, api_write::clear_notifications(account.0))
    }
    /// Marks everything up to and including `up_to` as read.
    pub async fn mark_notifications_read(
        &self,
        account: AccountId,
        up_to: NotificationId,
    ) -> StoreResult<()> {
        dispatch!(self, notifications::mark_read(account.0, up_to.0))
    }

    // ---- client API --------------------------------------------------------------------------

    /// Active accounts whose username or display name starts with `prefix` (ignoring case),
    /// the exact username first.
    pub async fn search_accounts(&self, prefix: &str, limit: u32) -> StoreResult<Vec<Account>> {
        dispatch!(self, api::search_accounts(prefix, limit))
    }
    /// Hashtags used in public posts that start with `prefix` (normalised here), alphabetically.
    pub async fn search_tags(&self, prefix: &str, limit: u32) -> StoreResult<Vec<String>> {
        let prefix = social_core::text::normalize_tag(prefix);
        dispatch!(self, api::search_tags(&prefix, limit))
    }
    /// Account and post counts and the contact admin, for the instance endpoints.
    pub async fn instance_stats(&self) -> StoreResult<InstanceStats> {
        dispatch!(self, api::instance_stats())
    }
    /// Accounts that favourited the post, by account ID, newest first. The caller checks
    /// that the viewer may see the post (`get_post_view`).
    pub async fn favourited_by(&self, id: PostId, page: Page) -> StoreResult<Vec<Account>> {
        dispatch!(self, api::interacted(id.0, page, false))
    }
    /// Accounts that boosted the post, by account ID, newest first (see `favourited_by`).
    pub async fn reblogged_by(&self, id: PostId, page: Page) -> StoreResult<Vec<Account>> {
        dispatch!(self, api::interacted(id.0, page, true))
    }
}

// OAuth apps, codes and tokens, and moderation: child modules so they share `dispatch!` and the
// private fields.
mod email;
mod moderation;
mod oauth;
mod posting;
mod rules;
mod security;
