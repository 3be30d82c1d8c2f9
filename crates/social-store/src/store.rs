//! The `Store` API. PLACEHOLDER BODIES: the signatures are the contract between the store and
//! the web layer; the implementation splits this file per entity (accounts, sessions, posts,
//! follows, timelines, notifications, invites, settings) and fills in the bodies.
#![allow(clippy::todo, unused_variables)]

use crate::cache::Cache;
use crate::error::StoreResult;
use crate::model::*;
use social_core::{
    Account, AccountId, AccountStatus, NotificationId, Post, PostId, RegistrationMode, Role,
};

/// Handle to the database and cache. Cheap to clone (shared pools inside).
#[derive(Clone)]
pub struct Store {
    cache: Cache,
}

impl Store {
    // ---- lifecycle -------------------------------------------------------------------------

    /// Connects (creating the SQLite file and its directory if needed, WAL mode), applies the
    /// backend's migrations, and connects the cache (Redis if configured; an unreachable Redis
    /// is a warning, not an error).
    pub async fn open(options: StoreOptions) -> StoreResult<Store> {
        todo!()
    }
    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        todo!()
    }
    /// A trivial query, for `/readyz`.
    pub async fn ping(&self) -> StoreResult<()> {
        todo!()
    }
    pub fn cache(&self) -> &Cache {
        &self.cache
    }
    /// Closes the pools (at shutdown).
    pub async fn close(&self) {
        todo!()
    }

    // ---- instance settings -----------------------------------------------------------------

    pub async fn get_registration_mode(&self) -> StoreResult<RegistrationMode> {
        todo!()
    }
    pub async fn put_registration_mode(&self, mode: RegistrationMode) -> StoreResult<()> {
        todo!()
    }

    // ---- accounts --------------------------------------------------------------------------

    /// Conflict{what:"username"} when the username is taken (ignoring case).
    pub async fn create_account(&self, insert: AccountInsert) -> StoreResult<Account> {
        todo!()
    }
    pub async fn get_account_by_id(&self, id: AccountId) -> StoreResult<Option<Account>> {
        todo!()
    }
    /// Case-insensitive.
    pub async fn get_account_by_username(&self, username: &str) -> StoreResult<Option<Account>> {
        todo!()
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
        todo!()
    }
    pub async fn set_password(&self, id: AccountId, password: &str) -> StoreResult<()> {
        todo!()
    }
    pub async fn update_profile(
        &self,
        id: AccountId,
        update: ProfileUpdate,
    ) -> StoreResult<Account> {
        todo!()
    }
    pub async fn set_account_status(&self, id: AccountId, status: AccountStatus) -> StoreResult<()> {
        todo!()
    }
    pub async fn set_account_role(&self, id: AccountId, role: Role) -> StoreResult<()> {
        todo!()
    }
    /// Sign-ups waiting for approval, oldest first.
    pub async fn list_pending_accounts(&self, page: Page) -> StoreResult<Vec<Account>> {
        todo!()
    }
    pub async fn count_accounts(&self) -> StoreResult<i64> {
        todo!()
    }

    // ---- invites ---------------------------------------------------------------------------

    pub async fn create_invite(
        &self,
        created_by: AccountId,
        max_uses: Option<i64>,
        expires_at_ms: Option<i64>,
    ) -> StoreResult<Invite> {
        todo!()
    }
    /// Newest first.
    pub async fn list_invites(&self) -> StoreResult<Vec<Invite>> {
        todo!()
    }
    pub async fn delete_invite(&self, code: &str) -> StoreResult<()> {
        todo!()
    }

    // ---- sessions --------------------------------------------------------------------------

    pub async fn create_session(
        &self,
        account: AccountId,
        user_agent: &str,
    ) -> StoreResult<NewSession> {
        todo!()
    }
    /// None for an unknown or expired token, or an account that is no longer active.
    /// Served from the cache when possible.
    pub async fn get_session(&self, token: &str) -> StoreResult<Option<Session>> {
        todo!()
    }
    pub async fn delete_session(&self, token: &str) -> StoreResult<()> {
        todo!()
    }
    pub async fn delete_sessions_of_account(&self, account: AccountId) -> StoreResult<()> {
        todo!()
    }

    // ---- posts -----------------------------------------------------------------------------

    /// Writes the post, its mentions and tags, fans it out to home timelines and notifies
    /// mentioned / replied-to accounts, in one transaction.
    pub async fn create_post(&self, insert: PostInsert) -> StoreResult<Post> {
        todo!()
    }
    pub async fn get_post(&self, id: PostId) -> StoreResult<Option<Post>> {
        todo!()
    }
    /// One post as `viewer` sees it; NotFound when it does not exist or is not visible.
    pub async fn get_post_view(
        &self,
        viewer: Option<AccountId>,
        id: PostId,
    ) -> StoreResult<PostView> {
        todo!()
    }
    /// Only the author (or staff) may delete; removes its boosts, timeline entries and
    /// notifications too.
    pub async fn delete_post(&self, actor: &Account, id: PostId) -> StoreResult<()> {
        todo!()
    }
    /// Idempotent.
    pub async fn favourite(&self, actor: AccountId, id: PostId) -> StoreResult<()> {
        todo!()
    }
    pub async fn unfavourite(&self, actor: AccountId, id: PostId) -> StoreResult<()> {
        todo!()
    }
    /// Idempotent; Forbidden for private/direct posts; returns the boost post.
    pub async fn boost(&self, actor: AccountId, id: PostId) -> StoreResult<Post> {
        todo!()
    }
    pub async fn unboost(&self, actor: AccountId, id: PostId) -> StoreResult<()> {
        todo!()
    }

    // ---- timelines -------------------------------------------------------------------------

    /// Own posts and those of followed accounts (and direct posts addressed to the viewer),
    /// newest first, without muted or blocked authors.
    pub async fn home_timeline(&self, viewer: AccountId, page: Page) -> StoreResult<Vec<PostView>> {
        todo!()
    }
    /// Public posts of this instance (no boosts).
    pub async fn local_timeline(
        &self,
        viewer: Option<AccountId>,
        page: Page,
    ) -> StoreResult<Vec<PostView>> {
        todo!()
    }
    /// An account's posts and boosts that the viewer may see.
    pub async fn account_timeline(
        &self,
        viewer: Option<AccountId>,
        author: AccountId,
        page: Page,
    ) -> StoreResult<Vec<PostView>> {
        todo!()
    }
    /// Public posts with the tag (normalised by `social_core::text::normalize_tag`).
    pub async fn tag_timeline(
        &self,
        viewer: Option<AccountId>,
        tag: &str,
        page: Page,
    ) -> StoreResult<Vec<PostView>> {
        todo!()
    }
    /// NotFound when the focus post is missing or invisible to the viewer.
    pub async fn thread(&self, viewer: Option<AccountId>, id: PostId) -> StoreResult<Thread> {
        todo!()
    }

    // ---- relationships ---------------------------------------------------------------------

    /// Forbidden when either side blocks the other; Invalid when following oneself.
    pub async fn follow(&self, follower: AccountId, target: AccountId) -> StoreResult<FollowOutcome> {
        todo!()
    }
    /// Also withdraws a pending request.
    pub async fn unfollow(&self, follower: AccountId, target: AccountId) -> StoreResult<()> {
        todo!()
    }
    /// Accounts waiting for `target` to approve them, oldest first.
    pub async fn list_follow_requests(
        &self,
        target: AccountId,
        page: Page,
    ) -> StoreResult<Vec<Account>> {
        todo!()
    }
    /// NotFound when there is no such request.
    pub async fn authorize_follow_request(
        &self,
        target: AccountId,
        requester: AccountId,
    ) -> StoreResult<()> {
        todo!()
    }
    pub async fn reject_follow_request(
        &self,
        target: AccountId,
        requester: AccountId,
    ) -> StoreResult<()> {
        todo!()
    }
    /// Also removes follows (and requests) in both directions.
    pub async fn block(&self, actor: AccountId, target: AccountId) -> StoreResult<()> {
        todo!()
    }
    pub async fn unblock(&self, actor: AccountId, target: AccountId) -> StoreResult<()> {
        todo!()
    }
    pub async fn mute(&self, actor: AccountId, target: AccountId) -> StoreResult<()> {
        todo!()
    }
    pub async fn unmute(&self, actor: AccountId, target: AccountId) -> StoreResult<()> {
        todo!()
    }
    pub async fn relationship(
        &self,
        viewer: AccountId,
        other: AccountId,
    ) -> StoreResult<Relationship> {
        todo!()
    }
    pub async fn followers(&self, account: AccountId, page: Page) -> StoreResult<Vec<Account>> {
        todo!()
    }
    pub async fn following(&self, account: AccountId, page: Page) -> StoreResult<Vec<Account>> {
        todo!()
    }

    // ---- notifications ---------------------------------------------------------------------

    /// Newest first, without those from muted or blocked accounts.
    pub async fn notifications(
        &self,
        account: AccountId,
        page: Page,
    ) -> StoreResult<Vec<NotificationView>> {
        todo!()
    }
    pub async fn count_unread_notifications(&self, account: AccountId) -> StoreResult<i64> {
        todo!()
    }
    /// Marks everything up to and including `up_to` as read.
    pub async fn mark_notifications_read(
        &self,
        account: AccountId,
        up_to: NotificationId,
    ) -> StoreResult<()> {
        todo!()
    }
}

#[allow(dead_code)]
fn _assert_types(_: Post) {}
