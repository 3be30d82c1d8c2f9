//! Notification kinds.

use std::fmt;
use std::str::FromStr;

/// What a notification tells its recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// Someone mentioned you in a post that is not a reply to you.
    Mention,
    /// Someone replied to your post.
    Reply,
    /// Someone followed you.
    Follow,
    /// Someone asked to follow your locked account.
    FollowRequest,
    /// Someone favourited your post.
    Favourite,
    /// Someone boosted your post.
    Boost,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 6] = [
        Self::Mention,
        Self::Reply,
        Self::Follow,
        Self::FollowRequest,
        Self::Favourite,
        Self::Boost,
    ];

    /// Stable name stored in the database and used by the Mastodon API
    /// (which calls a boost `reblog`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mention => "mention",
            Self::Reply => "reply",
            Self::Follow => "follow",
            Self::FollowRequest => "follow_request",
            Self::Favourite => "favourite",
            Self::Boost => "reblog",
        }
    }
}

impl fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for NotificationKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown notification kind {s:?}"))
    }
}
