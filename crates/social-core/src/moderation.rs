//! Moderation: report categories, the actions moderators take, and the checks on what people
//! type into reports, reasons, warnings and appeals.

use crate::validate::{Validated, ValidationError};
use std::fmt;
use std::str::FromStr;

pub const REPORT_COMMENT_MAX_CHARS: usize = 1000;
pub const REASON_MAX_CHARS: usize = 1000;
pub const APPEAL_MAX_CHARS: usize = 2000;
/// Most posts one report may name.
pub const REPORT_MAX_POSTS: usize = 20;

/// Why a report was filed (Mastodon's categories).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportCategory {
    Spam,
    Violation,
    Legal,
    Other,
}

impl ReportCategory {
    pub const ALL: [ReportCategory; 4] = [Self::Spam, Self::Violation, Self::Legal, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Violation => "violation",
            Self::Legal => "legal",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for ReportCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportCategory {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown category {s:?} (spam, violation, legal, other)"))
    }
}

/// What a moderator did; each is one audit log entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModAction {
    /// Closes a report without acting on the account.
    Dismiss,
    /// Deletes the posts a report names.
    DeletePosts,
    /// Marks the posts a report names sensitive (their media hidden behind a warning).
    MarkSensitive,
    /// Hides the account's posts from public timelines and from non-followers.
    Limit,
    Unlimit,
    /// Blocks login and hides the account and its posts from everyone.
    Suspend,
    Unsuspend,
    /// Tells the account something (message required).
    Warn,
    AcceptAppeal,
    RejectAppeal,
    /// Refuses sign-ups with addresses in a domain (or whose mail server is in it).
    BlockEmailDomain,
    UnblockEmailDomain,
    /// Publishes a post held for review.
    ApprovePost,
    /// Deletes a post held for review (the author is told).
    RejectPost,
    AddFilter,
    DeleteFilter,
    AddIpBlock,
    DeleteIpBlock,
    AddRule,
    EditRule,
    DeleteRule,
}

impl ModAction {
    pub const ALL: [ModAction; 21] = [
        Self::Dismiss,
        Self::DeletePosts,
        Self::MarkSensitive,
        Self::Limit,
        Self::Unlimit,
        Self::Suspend,
        Self::Unsuspend,
        Self::Warn,
        Self::AcceptAppeal,
        Self::RejectAppeal,
        Self::BlockEmailDomain,
        Self::UnblockEmailDomain,
        Self::ApprovePost,
        Self::RejectPost,
        Self::AddFilter,
        Self::DeleteFilter,
        Self::AddIpBlock,
        Self::DeleteIpBlock,
        Self::AddRule,
        Self::EditRule,
        Self::DeleteRule,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dismiss => "dismiss",
            Self::DeletePosts => "delete_posts",
            Self::MarkSensitive => "mark_sensitive",
            Self::Limit => "limit",
            Self::Unlimit => "unlimit",
            Self::Suspend => "suspend",
            Self::Unsuspend => "unsuspend",
            Self::Warn => "warn",
            Self::AcceptAppeal => "accept_appeal",
            Self::RejectAppeal => "reject_appeal",
            Self::BlockEmailDomain => "block_email_domain",
            Self::UnblockEmailDomain => "unblock_email_domain",
            Self::ApprovePost => "approve_post",
            Self::RejectPost => "reject_post",
            Self::AddFilter => "add_filter",
            Self::DeleteFilter => "delete_filter",
            Self::AddIpBlock => "add_ip_block",
            Self::DeleteIpBlock => "delete_ip_block",
            Self::AddRule => "add_rule",
            Self::EditRule => "edit_rule",
            Self::DeleteRule => "delete_rule",
        }
    }

    /// Actions the affected account is told about (and may appeal once).
    pub fn notifies(self) -> bool {
        matches!(
            self,
            Self::DeletePosts
                | Self::MarkSensitive
                | Self::Limit
                | Self::Suspend
                | Self::Warn
                | Self::RejectPost
        )
    }

    /// Actions a moderator takes on an account (through `Store::moderate`, from a report's
    /// page); the others have their own forms.
    pub fn on_account(self) -> bool {
        matches!(
            self,
            Self::Dismiss
                | Self::DeletePosts
                | Self::MarkSensitive
                | Self::Limit
                | Self::Unlimit
                | Self::Suspend
                | Self::Unsuspend
                | Self::Warn
        )
    }

    /// Actions that only make sense on a report.
    pub fn needs_report(self) -> bool {
        matches!(
            self,
            Self::Dismiss | Self::DeletePosts | Self::MarkSensitive
        )
    }
}

impl fmt::Display for ModAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ModAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown moderation action {s:?}"))
    }
}

fn bounded(field: &'static str, text: &str, max: usize, required: bool) -> Validated<String> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(ValidationError::new(field, "This field is required."));
    }
    if text.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("At most {max} characters, please."),
        ));
    }
    Ok(text.to_owned())
}

/// A report's comment: optional, at most [`REPORT_COMMENT_MAX_CHARS`].
pub fn report_comment(text: &str) -> Validated<String> {
    bounded("comment", text, REPORT_COMMENT_MAX_CHARS, false)
}

pub fn report_category(text: &str) -> Validated<ReportCategory> {
    text.trim().parse().map_err(|_| {
        ValidationError::new(
            "category",
            "Choose a category: spam, violation, legal or other.",
        )
    })
}

/// A moderator's reason for an action: required, so the audit log always says why.
pub fn reason(text: &str) -> Validated<String> {
    bounded("reason", text, REASON_MAX_CHARS, true)
}

/// The message a warning carries to the account: required for warnings.
pub fn warning_message(text: &str) -> Validated<String> {
    bounded("message", text, REASON_MAX_CHARS, true)
}

pub fn appeal_text(text: &str) -> Validated<String> {
    bounded("appeal", text, APPEAL_MAX_CHARS, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_and_actions_round_trip() {
        for c in ReportCategory::ALL {
            assert_eq!(c.as_str().parse::<ReportCategory>(), Ok(c));
        }
        for a in ModAction::ALL {
            assert_eq!(a.as_str().parse::<ModAction>(), Ok(a));
        }
        assert!(report_category("abuse").is_err());
    }

    #[test]
    fn lengths_and_required_fields() {
        assert_eq!(report_comment("  hi ").unwrap(), "hi");
        assert!(report_comment(&"x".repeat(1001)).is_err());
        assert!(report_comment(&"é".repeat(1000)).is_ok());
        assert_eq!(reason(" ").unwrap_err().field, "reason");
        assert_eq!(warning_message("").unwrap_err().field, "message");
        assert!(appeal_text("please").is_ok());
    }
}
