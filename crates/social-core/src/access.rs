//! What a web log-in reaches: everything for an active account, only the appeal of its
//! suspension for a suspended one (until the purge), nothing for the others.

use crate::AccountStatus;

/// The reach of a web session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WebAccess {
    /// Every page the account's role allows.
    #[default]
    Full,
    /// A suspended account, not purged yet: its moderation notices, their one appeal each,
    /// and log-out. Nothing it does reaches anyone but the moderators.
    AppealOnly,
}

/// Where an account that is only allowed its appeal is sent.
pub const APPEAL_PAGE: &str = "/settings/moderation";

/// Whether an account whose password (and second factor) was right may have a web session,
/// and which. `suspended` and `purged` come from its moderation state. Err: why not, for the
/// log-in page; it is not a failed log-in (the password was right).
pub fn web_access(
    status: AccountStatus,
    suspended: bool,
    purged: bool,
) -> Result<WebAccess, &'static str> {
    match status {
        AccountStatus::Active => Ok(WebAccess::Full),
        AccountStatus::Pending => Err("Your account is waiting for approval by a moderator."),
        // The purge removed what an appeal could give back; the suspension is final then.
        AccountStatus::Disabled if suspended && purged => Err(
            "This account was suspended by the moderators and its content has been removed: \
             it can no longer log in.",
        ),
        AccountStatus::Disabled if suspended => Ok(WebAccess::AppealOnly),
        AccountStatus::Disabled => Err("This account is disabled."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_active_and_suspended_unpurged_accounts_get_a_session() {
        use AccountStatus::*;
        assert_eq!(web_access(Active, false, false), Ok(WebAccess::Full));
        assert_eq!(web_access(Disabled, true, false), Ok(WebAccess::AppealOnly));
        assert!(
            web_access(Disabled, true, true)
                .unwrap_err()
                .contains("no longer log in")
        );
        assert_eq!(
            web_access(Disabled, false, false),
            Err("This account is disabled.")
        );
        assert!(web_access(Pending, false, false).is_err());
        assert!(web_access(Pending, true, false).is_err());
    }
}
