//! Instance-wide settings that are domain rules, not deployment details.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Open registrations switch to approval after this long without a moderator or admin at
/// work (Mastodon does the same after a week): a server nobody watches must not keep taking
/// in accounts that nobody sees.
pub const UNMODERATED_AFTER_MS: i64 = 7 * 24 * 3600 * 1000;

/// A suspension can be lifted for this long; then the account's content is purged (posts,
/// favourites, follows, sessions, profile text), and the account row stays as a tombstone.
pub const PURGE_SUSPENDED_AFTER_MS: i64 = 30 * 24 * 3600 * 1000;

/// Who may create an account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegistrationMode {
    /// Anyone may sign up and use the account at once.
    Open,
    /// Anyone may sign up; an admin or moderator approves the account before it can log in.
    #[default]
    Approval,
    /// Sign-up needs an invite code created by staff.
    Invite,
    /// No sign-up; staff create accounts on the server.
    Closed,
}

impl RegistrationMode {
    pub const ALL: [RegistrationMode; 4] = [Self::Open, Self::Approval, Self::Invite, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Approval => "approval",
            Self::Invite => "invite",
            Self::Closed => "closed",
        }
    }
}

impl fmt::Display for RegistrationMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegistrationMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                format!("unknown registration mode {s:?} (open, approval, invite, closed)")
            })
    }
}
