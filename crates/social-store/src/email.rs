//! E-mail types of the `Store` API: an account's address and its confirmation, and the
//! e-mail domains refused at sign-up.

use social_core::{AccountId, AccountStatus};

/// An account's e-mail address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailState {
    pub account_id: AccountId,
    pub username: String,
    pub status: AccountStatus,
    pub email: String,
    pub confirmed: bool,
}

/// A blocked e-mail domain (its subdomains and mail servers included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailDomainBlock {
    pub domain: String,
    pub note: String,
    pub created_by: Option<AccountId>,
    pub created_at_ms: i64,
}
