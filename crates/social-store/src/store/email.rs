//! The e-mail part of the `Store` API: sign-up with an address, confirmation and
//! password-reset tokens (the raw token leaves the store once, in the link; only its SHA-256
//! is kept), and blocked e-mail domains (each change audit-logged).

use super::Store;
use crate::backend::{Backend, now_ms};
use crate::cached;
use crate::email::{EmailDomainBlock, EmailState};
use crate::error::StoreResult;
use crate::model::AccountInsert;
use crate::ops;
use crate::secrets;
use social_core::email::TokenPurpose;
use social_core::{Account, AccountId};

impl Store {
    /// Like `create_account`, with an unconfirmed e-mail address. Conflict{what:"username"}
    /// or Conflict{what:"email"} when either is taken (ignoring case).
    pub async fn create_account_with_email(
        &self,
        insert: AccountInsert,
        email: &str,
    ) -> StoreResult<Account> {
        let hash = secrets::hash_password(&insert.password).await?;
        dispatch!(
            self,
            accounts::create_account(&insert, &hash, Some(email), now_ms())
        )
    }
    /// The account's address, None when it has none.
    pub async fn get_email_state(&self, account: AccountId) -> StoreResult<Option<EmailState>> {
        dispatch!(self, email::state_of(account.0))
    }
    /// The account with this address (ignoring case).
    pub async fn get_email_state_by_address(&self, email: &str) -> StoreResult<Option<EmailState>> {
        dispatch!(self, email::by_address(email))
    }
    /// A new single-use token for the account's link; returned once, stored hashed.
    pub async fn create_email_token(
        &self,
        account: AccountId,
        purpose: TokenPurpose,
    ) -> StoreResult<String> {
        let token = secrets::random_token(32);
        let hash = secrets::token_hash(&token);
        dispatch!(
            self,
            email::insert_token(&hash, account.0, purpose, now_ms())
        )?;
        Ok(token)
    }
    /// The account of a usable token, without using it. Invalid (field `token`) when the
    /// token is unknown, used or expired.
    pub async fn check_email_token(
        &self,
        token: &str,
        purpose: TokenPurpose,
    ) -> StoreResult<AccountId> {
        let hash = secrets::token_hash(token);
        dispatch!(self, email::check_token(&hash, purpose, now_ms())).map(AccountId)
    }
    /// Uses a confirmation token: the account's address is confirmed. Invalid (field
    /// `token`) when it is unknown, used or expired.
    pub async fn confirm_email(&self, token: &str) -> StoreResult<AccountId> {
        let hash = secrets::token_hash(token);
        let (account, _) = dispatch!(
            self,
            email::use_token(&hash, TokenPurpose::Confirm, None, now_ms())
        )?;
        Ok(account)
    }
    /// Uses a reset token: sets the new password and ends every session of the account.
    /// Invalid (field `token`) when it is unknown, used or expired.
    pub async fn reset_password(&self, token: &str, password: &str) -> StoreResult<AccountId> {
        let hash = secrets::token_hash(token);
        let password_hash = secrets::hash_password(password).await?;
        let (account, sessions) = dispatch!(
            self,
            email::use_token(&hash, TokenPurpose::Reset, Some(&password_hash), now_ms())
        )?;
        for session in sessions {
            self.cache.delete(&cached::session_key(&session)).await;
        }
        Ok(account)
    }
    /// Blocked e-mail domains, by name.
    pub async fn list_email_domain_blocks(&self) -> StoreResult<Vec<EmailDomainBlock>> {
        dispatch!(self, email::list_blocks())
    }
    /// The first of `domains` that is blocked (give a domain and its parents).
    pub async fn blocked_email_domain(&self, domains: &[String]) -> StoreResult<Option<String>> {
        dispatch!(self, email::blocked_among(domains))
    }
    /// Blocks a domain, with its audit row. Conflict when already blocked.
    pub async fn block_email_domain(
        &self,
        actor: AccountId,
        domain: &str,
        note: &str,
    ) -> StoreResult<()> {
        dispatch!(self, email::add_block(domain, note, actor.0, now_ms()))
    }
    /// Lifts a block, with its audit row. NotFound when the domain is not blocked.
    pub async fn unblock_email_domain(&self, actor: AccountId, domain: &str) -> StoreResult<()> {
        dispatch!(self, email::delete_block(domain, actor.0, now_ms()))
    }
}
