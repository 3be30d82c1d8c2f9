//! Accounts, roles and account state.

use crate::ids::AccountId;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What an account may do beyond posting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    User,
    /// Handles reports and approves registrations.
    Moderator,
    /// Everything, including instance settings and roles.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    /// Moderators and admins are staff: they see the approval queue and invites.
    pub fn is_staff(self) -> bool {
        self >= Self::Moderator
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "user" => Ok(Self::User),
            "moderator" => Ok(Self::Moderator),
            "admin" => Ok(Self::Admin),
            _ => Err(format!("unknown role {s:?} (user, moderator, admin)")),
        }
    }
}

/// Whether an account may log in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    /// Signed up under approval mode, waiting for staff.
    Pending,
    #[default]
    Active,
    /// Refused at approval, or suspended by a moderator: cannot log in.
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }
}

impl FromStr for AccountStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(Self::Pending),
            "active" => Ok(Self::Active),
            "disabled" => Ok(Self::Disabled),
            _ => Err(format!("unknown account status {s:?}")),
        }
    }
}

/// A local account as the rest of the program sees it (no password hash here).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    /// As the user typed it at sign-up; unique regardless of case.
    pub username: String,
    /// Empty means "show the username".
    pub display_name: String,
    pub bio: String,
    pub role: Role,
    pub status: AccountStatus,
    /// Followers must be approved.
    pub locked: bool,
    /// Free text given at sign-up under approval mode.
    pub signup_reason: String,
    pub created_at_ms: i64,
    pub followers_count: i64,
    pub following_count: i64,
    pub posts_count: i64,
}

impl Account {
    /// The name to show: the display name, or the username when none is set.
    pub fn shown_name(&self) -> &str {
        if self.display_name.trim().is_empty() {
            &self.username
        } else {
            &self.display_name
        }
    }
}
