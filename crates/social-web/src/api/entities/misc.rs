//! Relationship, Notification and Tag entities.

use super::{AccountJson, StatusJson, Urls, account, iso_ms, status};
use serde::Serialize;
use social_core::{AccountId, NotificationId, NotificationKind};
use social_store::{NotificationView, Relationship};

/// Mastodon's Relationship entity, from the viewer's side.
#[derive(Clone, Debug, Serialize)]
pub struct RelationshipJson {
    pub id: AccountId,
    pub following: bool,
    pub showing_reblogs: bool,
    pub notifying: bool,
    pub languages: Option<Vec<String>>,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
    pub muting_notifications: bool,
    pub requested: bool,
    pub requested_by: bool,
    pub domain_blocking: bool,
    pub endorsed: bool,
    pub note: String,
}

pub fn relationship(id: AccountId, r: &Relationship) -> RelationshipJson {
    RelationshipJson {
        id,
        following: r.following,
        // Boosts of followed accounts always show on the home timeline.
        showing_reblogs: r.following,
        notifying: false,
        languages: None,
        followed_by: r.followed_by,
        blocking: r.blocking,
        blocked_by: r.blocked_by,
        muting: r.muting,
        // A mute hides the account's notifications too.
        muting_notifications: r.muting,
        requested: r.requested,
        requested_by: false,
        domain_blocking: false,
        endorsed: false,
        note: String::new(),
    }
}

/// Mastodon's Notification entity.
#[derive(Clone, Debug, Serialize)]
pub struct NotificationJson {
    pub id: NotificationId,
    /// `mention` (replies are mentions on Mastodon), `reblog`, `follow`, `follow_request`,
    /// `favourite`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub group_key: String,
    pub created_at: String,
    pub account: AccountJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusJson>,
}

/// The Mastodon type name of a notification kind.
pub fn notification_type(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Mention | NotificationKind::Reply => "mention",
        NotificationKind::Follow => "follow",
        NotificationKind::FollowRequest => "follow_request",
        NotificationKind::Favourite => "favourite",
        NotificationKind::Boost => "reblog",
    }
}

pub fn notification(n: &NotificationView, urls: &Urls) -> NotificationJson {
    NotificationJson {
        id: n.id,
        kind: notification_type(n.kind),
        group_key: format!("ungrouped-{}", n.id),
        created_at: iso_ms(n.created_at_ms),
        account: account(&n.from, urls),
        status: n.post.as_ref().map(|p| status(p, urls)),
    }
}

/// A tag as it appears inside a Status.
#[derive(Clone, Debug, Serialize)]
pub struct TagRef {
    pub name: String,
    pub url: String,
}

/// Mastodon's Tag entity (search results, tag lookups). No usage history is kept.
#[derive(Clone, Debug, Serialize)]
pub struct TagJson {
    pub name: String,
    pub url: String,
    pub history: [(); 0],
    pub following: bool,
}

pub fn tag(name: &str, urls: &Urls) -> TagJson {
    TagJson {
        name: name.to_owned(),
        url: urls.tag(name),
        history: [],
        following: false,
    }
}
