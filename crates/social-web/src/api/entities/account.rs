//! The Account entity (and CredentialAccount, the signed-in user's own view).

use super::{Urls, iso_day, note_html};
use serde::Serialize;
use social_core::{Account, AccountId};

/// Default images, served by the API's static routes (no uploads of avatars yet).
pub const DEFAULT_AVATAR: &str = "/static/api/avatar.png";
pub const DEFAULT_HEADER: &str = "/static/api/header.png";

/// Mastodon's Account entity.
#[derive(Clone, Debug, Serialize)]
pub struct AccountJson {
    pub id: AccountId,
    pub username: String,
    /// The username alone: every account here is local.
    pub acct: String,
    pub display_name: String,
    pub locked: bool,
    pub bot: bool,
    pub discoverable: bool,
    pub indexable: bool,
    pub group: bool,
    pub hide_collections: bool,
    pub noindex: bool,
    /// Midnight (UTC) of the sign-up day, as Mastodon does.
    pub created_at: String,
    pub note: String,
    pub url: String,
    pub uri: String,
    pub avatar: String,
    pub avatar_static: String,
    pub header: String,
    pub header_static: String,
    pub followers_count: i64,
    pub following_count: i64,
    pub statuses_count: i64,
    /// Not tracked; always null.
    pub last_status_at: Option<String>,
    pub emojis: [(); 0],
    pub fields: [(); 0],
    pub roles: [(); 0],
}

pub fn account(a: &Account, urls: &Urls) -> AccountJson {
    let url = urls.profile(&a.username);
    AccountJson {
        id: a.id,
        username: a.username.clone(),
        acct: a.username.clone(),
        // Clients show `display_name` and fall back to the username only sometimes.
        display_name: a.shown_name().to_owned(),
        locked: a.locked,
        bot: false,
        discoverable: true,
        indexable: false,
        group: false,
        hide_collections: false,
        noindex: false,
        created_at: iso_day(a.created_at_ms),
        note: note_html(&a.bio, urls),
        uri: url.clone(),
        url,
        avatar: urls.to(DEFAULT_AVATAR),
        avatar_static: urls.to(DEFAULT_AVATAR),
        header: urls.to(DEFAULT_HEADER),
        header_static: urls.to(DEFAULT_HEADER),
        followers_count: a.followers_count,
        following_count: a.following_count,
        statuses_count: a.posts_count,
        last_status_at: None,
        emojis: [],
        fields: [],
        roles: [],
    }
}

/// `source` of a CredentialAccount: what the profile editor starts from.
#[derive(Clone, Debug, Serialize)]
pub struct Source {
    /// The default visibility of new posts.
    pub privacy: &'static str,
    pub sensitive: bool,
    pub language: Option<String>,
    /// The bio as typed.
    pub note: String,
    pub fields: [(); 0],
    pub follow_requests_count: i64,
}

/// `role` of a CredentialAccount.
#[derive(Clone, Debug, Serialize)]
pub struct RoleJson {
    pub id: String,
    pub name: &'static str,
    pub color: &'static str,
    /// Mastodon's permission bit field: 1 (administrator) for admins, 0 otherwise.
    pub permissions: String,
    pub highlighted: bool,
}

/// The signed-in user's own Account, with `source` and `role`.
#[derive(Clone, Debug, Serialize)]
pub struct CredentialAccount {
    #[serde(flatten)]
    pub account: AccountJson,
    pub source: Source,
    pub role: RoleJson,
}

pub fn credential_account(a: &Account, follow_requests: i64, urls: &Urls) -> CredentialAccount {
    let (id, name, permissions) = match a.role {
        social_core::Role::User => ("-99", "", "0"),
        social_core::Role::Moderator => ("2", "Moderator", "1308"),
        social_core::Role::Admin => ("3", "Admin", "1"),
    };
    CredentialAccount {
        account: account(a, urls),
        source: Source {
            privacy: "public",
            sensitive: false,
            language: None,
            note: a.bio.clone(),
            fields: [],
            follow_requests_count: follow_requests,
        },
        role: RoleJson {
            id: id.into(),
            name,
            color: "",
            permissions: permissions.into(),
            highlighted: a.role.is_staff(),
        },
    }
}
