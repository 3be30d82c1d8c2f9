//! Posts, their visibility, and who may see them.

use crate::ids::{AccountId, PostId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Who may see a post (Mastodon's four levels).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Everyone; listed on the local and hashtag timelines.
    #[default]
    Public,
    /// Everyone who opens it, but not listed on the local and hashtag timelines.
    Unlisted,
    /// Followers (and mentioned accounts) only. Mastodon's API calls this `private`.
    Private,
    /// Only the mentioned accounts.
    Direct,
}

impl Visibility {
    pub const ALL: [Visibility; 4] = [Self::Public, Self::Unlisted, Self::Private, Self::Direct];

    /// Stable name stored in the database and used by the Mastodon API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Unlisted => "unlisted",
            Self::Private => "private",
            Self::Direct => "direct",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "Public",
            Self::Unlisted => "Unlisted",
            Self::Private => "Followers only",
            Self::Direct => "Mentioned people only",
        }
    }

    /// Whether a boost of a post with this visibility is allowed.
    pub fn boostable(self) -> bool {
        matches!(self, Self::Public | Self::Unlisted)
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Visibility {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "public" => Ok(Self::Public),
            "unlisted" => Ok(Self::Unlisted),
            "private" | "followers" => Ok(Self::Private),
            "direct" => Ok(Self::Direct),
            _ => Err(format!(
                "unknown visibility {s:?} (public, unlisted, private, direct)"
            )),
        }
    }
}

/// A post as stored. A boost is a post with `reblog_of` set and empty text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Post {
    pub id: PostId,
    pub author_id: AccountId,
    /// The text exactly as written; rendering escapes it and links mentions, tags and URLs.
    pub text: String,
    pub visibility: Visibility,
    pub in_reply_to_id: Option<PostId>,
    pub in_reply_to_account_id: Option<AccountId>,
    pub reblog_of_id: Option<PostId>,
    pub created_at_ms: i64,
    pub replies_count: i64,
    pub favourites_count: i64,
    pub reblogs_count: i64,
    /// The content warning shown instead of the text until the reader opens the post (empty:
    /// none). Mastodon's `spoiler_text`.
    pub spoiler_text: String,
    /// The media are hidden until the reader opens them (always set with a content warning).
    pub sensitive: bool,
}

/// What the viewer is to a post's author and the post, for [`may_view`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewerRelation {
    /// The viewer wrote the post.
    pub is_author: bool,
    /// The viewer follows the author (accepted follow).
    pub follows_author: bool,
    /// The viewer is mentioned in the post.
    pub is_mentioned: bool,
    /// Either side blocks the other.
    pub blocked: bool,
}

/// Whether a viewer may see a post. Anonymous viewers have a default relation.
pub fn may_view(visibility: Visibility, rel: ViewerRelation) -> bool {
    if rel.is_author {
        return true;
    }
    if rel.blocked {
        return false;
    }
    match visibility {
        Visibility::Public | Visibility::Unlisted => true,
        Visibility::Private => rel.follows_author || rel.is_mentioned,
        Visibility::Direct => rel.is_mentioned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visibility_rules() {
        let stranger = ViewerRelation::default();
        let follower = ViewerRelation {
            follows_author: true,
            ..stranger
        };
        let mentioned = ViewerRelation {
            is_mentioned: true,
            ..stranger
        };
        let author = ViewerRelation {
            is_author: true,
            ..stranger
        };
        let blocked_follower = ViewerRelation {
            blocked: true,
            ..follower
        };

        assert!(may_view(Visibility::Public, stranger));
        assert!(may_view(Visibility::Unlisted, stranger));
        assert!(!may_view(Visibility::Private, stranger));
        assert!(may_view(Visibility::Private, follower));
        assert!(may_view(Visibility::Private, mentioned));
        assert!(!may_view(Visibility::Direct, follower));
        assert!(may_view(Visibility::Direct, mentioned));
        assert!(may_view(Visibility::Direct, author));
        assert!(!may_view(Visibility::Public, blocked_follower));
    }

    #[test]
    fn visibility_names_round_trip() {
        for v in Visibility::ALL {
            assert_eq!(v.as_str().parse::<Visibility>(), Ok(v));
        }
        assert!("everyone".parse::<Visibility>().is_err());
    }
}
