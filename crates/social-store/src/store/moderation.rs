//! The moderation part of the `Store` API: reports, moderator actions (each with its audit
//! row, in one transaction), the audit log (read and append only), notices and appeals.

use super::Store;
use crate::backend::{Backend, now_ms};
use crate::cached;
use crate::error::StoreResult;
use crate::model::Page;
use crate::moderation::*;
use crate::ops;
use social_core::AccountId;

impl Store {
    /// NotFound when the target is unknown or not active; Invalid when reporting oneself or
    /// naming a post that is not the target's.
    pub async fn create_report(&self, insert: ReportInsert) -> StoreResult<Report> {
        dispatch!(self, moderation::create_report(&insert, now_ms()))
    }
    pub async fn get_report(&self, id: i64) -> StoreResult<Option<Report>> {
        dispatch!(self, moderation::get_report(id))
    }
    /// Open reports, newest first, paged by report ID.
    pub async fn list_open_reports(&self, page: Page) -> StoreResult<Vec<Report>> {
        dispatch!(self, moderation::list_open_reports(page))
    }
    /// Applies a moderator action, resolves its report, writes the audit row and (for actions
    /// the account is told about) a notice, all in one transaction. NotFound for an unknown
    /// account or a report of another account; Forbidden on staff accounts; Conflict when the
    /// report is already resolved or the account already is in the requested state.
    pub async fn moderate(&self, input: ModerationInput) -> StoreResult<AuditEntry> {
        let entry = dispatch!(self, moderation::moderate(&input, now_ms()))?;
        self.forget_account(input.target).await;
        Ok(entry)
    }
    /// The purge of suspended accounts: up to `limit` accounts suspended before `cutoff_ms`
    /// lose their content (see `ops::purge`); returns them. An account is purged once, and
    /// can no longer be unsuspended after it.
    pub async fn purge_suspended_accounts(
        &self,
        cutoff_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<AccountId>> {
        let purged = dispatch!(self, purge::purge_suspended(cutoff_ms, limit, now_ms()))?;
        for account in &purged {
            self.forget_account(*account).await;
        }
        Ok(purged)
    }
    /// Whether the account is limited or suspended.
    pub async fn moderation_state(&self, account: AccountId) -> StoreResult<ModerationState> {
        dispatch!(self, moderation::get_state(account.0))
    }
    /// The audit log, newest first, paged by entry ID. There is no way to change or delete an
    /// entry (the database refuses it too).
    pub async fn list_audit_log(&self, page: Page) -> StoreResult<Vec<AuditEntry>> {
        dispatch!(self, moderation::list_audit(page))
    }
    /// What the account was told about actions against it, newest first.
    pub async fn list_notices(&self, account: AccountId) -> StoreResult<Vec<Notice>> {
        dispatch!(self, moderation::list_notices(account.0))
    }
    /// Appeals waiting for a decision, oldest first.
    pub async fn list_open_appeals(&self) -> StoreResult<Vec<Notice>> {
        dispatch!(self, moderation::list_open_appeals())
    }
    /// The account's one appeal of a notice: NotFound when the notice is not theirs, Conflict
    /// when already appealed.
    pub async fn appeal(&self, account: AccountId, notice: i64, text: &str) -> StoreResult<Notice> {
        dispatch!(self, moderation::appeal(account.0, notice, text, now_ms()))
    }
    /// Accepting reverts a limit or suspension; either way an audit row is written.
    /// NotFound when there is no such appeal; Conflict when already decided.
    pub async fn decide_appeal(
        &self,
        actor: AccountId,
        notice: i64,
        accept: bool,
        reason: &str,
    ) -> StoreResult<AuditEntry> {
        let entry = dispatch!(
            self,
            moderation::decide_appeal(actor.0, notice, accept, reason, now_ms())
        )?;
        if let Some(target) = entry.target_account_id {
            self.forget_account(target).await;
        }
        Ok(entry)
    }

    /// Drops the cached account, so a status change reaches sessions and tokens at once.
    async fn forget_account(&self, id: AccountId) {
        self.cache.delete(&cached::account_key(id)).await;
    }
}
