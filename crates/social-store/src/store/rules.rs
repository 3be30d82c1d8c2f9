//! The instance-rules part of the `Store` API: posts held for review, content filters (with
//! their compiled cache), sign-up IP blocks and server rules. Every change is audit-logged.

use super::Store;
use crate::backend::{Backend, now_ms};
use crate::error::StoreResult;
use crate::model::{Page, PostInsert};
use crate::moderation::AuditEntry;
use crate::ops;
use crate::rules::{HeldPost, IpBlock, ServerRule, SpamContext};
use social_core::rules::{CompiledFilters, Filter, IpNet};
use social_core::{AccountId, Post};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The compiled filters of this process. `generation` moves on every change, so a load that
/// raced with a change is not kept.
#[derive(Default)]
pub(super) struct FilterCache {
    compiled: RwLock<Option<Arc<CompiledFilters>>>,
    generation: AtomicU64,
}

impl FilterCache {
    fn get(&self) -> Option<Arc<CompiledFilters>> {
        self.compiled.read().ok().and_then(|c| c.clone())
    }

    fn put(&self, generation: u64, filters: Arc<CompiledFilters>) {
        if let Ok(mut c) = self.compiled.write()
            && self.generation.load(Ordering::SeqCst) == generation
        {
            *c = Some(filters);
        }
    }

    fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut c) = self.compiled.write() {
            *c = None;
        }
    }
}

impl Store {
    // ---- held posts ------------------------------------------------------------------------

    /// Keeps a post for a moderator's review instead of posting it: no timeline, thread,
    /// search, lookup, notification or fan-out sees it until `approve_held_post`. `reason`
    /// says why (a filter, a spam score) and is shown to moderators.
    pub async fn hold_post(&self, insert: PostInsert, reason: &str) -> StoreResult<HeldPost> {
        dispatch!(self, held::hold_post(&insert, reason, now_ms()))
    }
    /// All held posts, newest first, paged by id.
    pub async fn list_held_posts(&self, page: Page) -> StoreResult<Vec<HeldPost>> {
        dispatch!(self, held::list_held(None, page))
    }
    /// The author's own held posts, newest first.
    pub async fn held_posts_of(&self, author: AccountId, page: Page) -> StoreResult<Vec<HeldPost>> {
        dispatch!(self, held::list_held(Some(author.0), page))
    }
    pub async fn get_held_post(&self, id: i64) -> StoreResult<Option<HeldPost>> {
        dispatch!(self, held::get_held(id))
    }
    /// Posts it now, with a new id (fan-out and notifications as if just written), and writes
    /// the audit row. NotFound when it is not held (any more).
    pub async fn approve_held_post(
        &self,
        actor: AccountId,
        id: i64,
        reason: &str,
    ) -> StoreResult<Post> {
        dispatch!(self, held::approve_held(actor.0, id, reason, now_ms()))
    }
    /// Deletes it, tells the author (a moderation notice with `reason`) and writes the audit
    /// row. NotFound when it is not held (any more).
    pub async fn reject_held_post(
        &self,
        actor: AccountId,
        id: i64,
        reason: &str,
    ) -> StoreResult<AuditEntry> {
        dispatch!(self, held::reject_held(actor.0, id, reason, now_ms()))
    }

    // ---- spam signals ----------------------------------------------------------------------

    /// What the store knows about a draft post by `author` for its spam score: how many other
    /// accounts posted text with `fingerprint` since `repeats_since_ms` and how often the
    /// author did, which of the `mentioned` usernames (case-folded, as
    /// `social_core::text::mentions` gives them) are local accounts that do not follow the
    /// author, and the author's posts in the last hour. Indexed lookups only.
    pub async fn spam_context(
        &self,
        author: AccountId,
        fingerprint: Option<u64>,
        mentioned: &[String],
        repeats_since_ms: i64,
    ) -> StoreResult<SpamContext> {
        let hour_ago = now_ms() - 3_600_000;
        dispatch!(
            self,
            spam::context(author.0, fingerprint, mentioned, repeats_since_ms, hour_ago)
        )
    }
    /// The spam classifier's opinion of `text` (`social_core::classifier::probability`, from
    /// the counts that moderators' decisions on held posts trained): None while untrained.
    pub async fn spam_probability(&self, text: &str) -> StoreResult<Option<f32>> {
        let tokens = social_core::classifier::tokens(text);
        let (totals, counts) = dispatch!(self, spam::token_counts(&tokens))?;
        Ok(social_core::classifier::probability(&tokens, totals, |t| {
            counts.get(t).copied()
        }))
    }
    /// Forgets text fingerprints recorded before `before_ms` (the periodic sweep); returns
    /// how many.
    pub async fn prune_post_fingerprints(&self, before_ms: i64) -> StoreResult<u64> {
        dispatch!(self, spam::prune(before_ms))
    }

    /// For tests of what depends on an account's age (the spam defence's new-account
    /// rules): sets when the account was created. Not for production use.
    #[doc(hidden)]
    pub async fn set_account_created_at(&self, id: AccountId, at_ms: i64) -> StoreResult<()> {
        dispatch!(self, spam::set_created_at(id.0, at_ms))?;
        self.cache.delete(&crate::cached::account_key(id)).await;
        Ok(())
    }

    // ---- content filters -------------------------------------------------------------------

    pub async fn list_filters(&self) -> StoreResult<Vec<Filter>> {
        dispatch!(self, rules::list_filters())
    }
    /// The filters compiled, from this process's cache (loaded on first use and after each
    /// change made through this store).
    pub async fn compiled_filters(&self) -> StoreResult<Arc<CompiledFilters>> {
        let cache = &self.inner.filters;
        if let Some(c) = cache.get() {
            return Ok(c);
        }
        let generation = cache.generation.load(Ordering::SeqCst);
        let (compiled, broken) = CompiledFilters::new(self.list_filters().await?);
        for id in broken {
            tracing::warn!(filter = id, "content filter no longer compiles; skipped");
        }
        let compiled = Arc::new(compiled);
        cache.put(generation, compiled.clone());
        Ok(compiled)
    }
    /// Adds a filter (already validated with `social_core::rules::filter_pattern`).
    pub async fn add_filter(&self, actor: AccountId, filter: Filter) -> StoreResult<Filter> {
        let out = dispatch!(self, rules::add_filter(actor.0, &filter, now_ms()));
        self.inner.filters.invalidate();
        out
    }
    /// NotFound for an unknown filter.
    pub async fn delete_filter(&self, actor: AccountId, id: i64) -> StoreResult<()> {
        let out = dispatch!(self, rules::delete_filter(actor.0, id, now_ms()));
        self.inner.filters.invalidate();
        out
    }

    // ---- sign-up IP blocks -----------------------------------------------------------------

    /// The blocks in force, newest first.
    pub async fn list_ip_blocks(&self) -> StoreResult<Vec<IpBlock>> {
        dispatch!(self, rules::list_ip_blocks(now_ms()))
    }
    /// The block in force that covers `ip`, if any.
    pub async fn ip_block_for(&self, ip: IpAddr) -> StoreResult<Option<IpBlock>> {
        Ok(self
            .list_ip_blocks()
            .await?
            .into_iter()
            .find(|b| b.network.contains(ip)))
    }
    /// Conflict when the network is blocked already.
    pub async fn add_ip_block(
        &self,
        actor: AccountId,
        network: IpNet,
        note: &str,
        expires_at_ms: Option<i64>,
    ) -> StoreResult<IpBlock> {
        dispatch!(
            self,
            rules::add_ip_block(actor.0, network, note, expires_at_ms, now_ms())
        )
    }
    /// NotFound for an unknown block.
    pub async fn delete_ip_block(&self, actor: AccountId, id: i64) -> StoreResult<()> {
        dispatch!(self, rules::delete_ip_block(actor.0, id, now_ms()))
    }

    // ---- server rules ----------------------------------------------------------------------

    /// In display order.
    pub async fn list_rules(&self) -> StoreResult<Vec<ServerRule>> {
        dispatch!(self, rules::list_rules())
    }
    /// Appends a rule (validated with `social_core::rules::rule_text`); Invalid past 50.
    pub async fn add_rule(
        &self,
        actor: AccountId,
        text: &str,
        hint: &str,
    ) -> StoreResult<ServerRule> {
        dispatch!(self, rules::add_rule(actor.0, text, hint, now_ms()))
    }
    /// Sets text, hint and position; NotFound for an unknown rule.
    pub async fn update_rule(&self, actor: AccountId, rule: &ServerRule) -> StoreResult<()> {
        dispatch!(self, rules::update_rule(actor.0, rule, now_ms()))
    }
    pub async fn delete_rule(&self, actor: AccountId, id: i64) -> StoreResult<()> {
        dispatch!(self, rules::delete_rule(actor.0, id, now_ms()))
    }
}
