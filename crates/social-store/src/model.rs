//! Values the store takes and returns, beyond the domain types of `social-core`.

use social_core::{
    Account, AccountId, AccountStatus, Focus, MediaAttachment, MediaId, NotificationId,
    NotificationKind, Post, PostId, Role, Visibility,
};

/// How to open the store.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// `sqlite:///path/to/social.db` (or a bare path) or `postgres://…`.
    pub database_url: String,
    /// Pool size; 0 picks a default suited to the backend.
    pub max_connections: u32,
    /// `redis://…` to use Redis as the cache; `None` for the in-process cache.
    pub redis_url: Option<String>,
}

/// A new account. The password is given in clear and hashed (argon2id) by the store.
#[derive(Clone, Debug)]
pub struct AccountInsert {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub status: AccountStatus,
    pub signup_reason: String,
    /// Consumed in the same transaction as the insert; a missing, expired or used-up code
    /// fails the whole sign-up with [`crate::StoreError::Invalid`] on field `invite`.
    pub invite_code: Option<String>,
}

/// Profile fields a user edits.
#[derive(Clone, Debug)]
pub struct ProfileUpdate {
    pub display_name: String,
    pub bio: String,
    pub locked: bool,
}

/// An invite code for sign-up under invite mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invite {
    pub code: String,
    pub created_by: AccountId,
    /// `None`: unlimited.
    pub max_uses: Option<i64>,
    pub uses: i64,
    /// `None`: never expires.
    pub expires_at_ms: Option<i64>,
    pub created_at_ms: i64,
}

/// A freshly created login session. `token` is the secret cookie value: it is shown once and
/// only its SHA-256 hash is stored.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
}

/// A valid session looked up by its cookie token.
#[derive(Clone, Debug)]
pub struct Session {
    pub account: Account,
    /// The synchronizer token every state-changing form of this session must carry.
    pub csrf_token: String,
    pub created_at_ms: i64,
    /// What the session reaches: everything, or (a suspended account) only its appeal.
    pub access: social_core::WebAccess,
}

/// One post to create in a group commit (`Store::create_post`, `create_post_idempotent`).
pub(crate) struct PostJob {
    pub(crate) insert: PostInsert,
    /// For an API request with an `Idempotency-Key`.
    pub(crate) key: Option<IdempotencyKey>,
    /// Creation time (ms).
    pub(crate) now: i64,
}

/// An `Idempotency-Key` as stored: its hash, and the oldest record that still answers.
pub(crate) struct IdempotencyKey {
    pub(crate) hash: String,
    pub(crate) fresh_since: i64,
}

/// A new post (or reply). Mentions and hashtags are extracted by the store from the text.
#[derive(Clone, Debug)]
pub struct PostInsert {
    pub author_id: AccountId,
    /// Already validated with `social_core::validate::post_text`.
    pub text: String,
    pub visibility: Visibility,
    /// Replying to a post the author may not see fails with NotFound.
    pub in_reply_to_id: Option<PostId>,
    /// The content warning, already validated with `social_core::validate::content_warning`
    /// (empty: none).
    pub spoiler_text: String,
    /// Hide the media until opened; the store sets it whenever there is a content warning.
    pub sensitive: bool,
    /// Uploaded media to attach, in this order, in the same transaction (empty: none). Each
    /// must be the author's and not attached yet, at most four; otherwise the post fails with
    /// Invalid on field `media_ids`.
    pub media_ids: Vec<MediaId>,
}

/// Cursor pagination over IDs, newest first. Never OFFSET.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    /// Only items with an ID strictly below this (older).
    pub max_id: Option<i64>,
    /// Only items with an ID strictly above this (newer); the page then holds the items just
    /// above `min_id`, still returned newest first.
    pub min_id: Option<i64>,
    /// 1..=40; callers clamp.
    pub limit: u32,
}

impl Page {
    pub const DEFAULT_LIMIT: u32 = 20;
    pub const MAX_LIMIT: u32 = 40;

    pub fn first(limit: u32) -> Self {
        Self {
            max_id: None,
            min_id: None,
            limit,
        }
    }
}

/// An account mentioned in a post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub account_id: AccountId,
    pub username: String,
}

/// A post with everything needed to render it for one viewer.
#[derive(Clone, Debug)]
pub struct PostView {
    pub post: Post,
    pub author: Account,
    /// For a boost: the boosted post (with its author). `post` is then the boost itself.
    pub reblog: Option<Box<PostView>>,
    pub mentions: Vec<Mention>,
    pub tags: Vec<String>,
    /// The viewer favourited it (false for anonymous viewers).
    pub favourited: bool,
    /// The viewer boosted it.
    pub reblogged: bool,
    /// Attached images, in the author's order.
    pub media: Vec<MediaAttachment>,
}

/// A post with its context, as visible to the viewer.
#[derive(Clone, Debug)]
pub struct Thread {
    /// Oldest first, up to the root.
    pub ancestors: Vec<PostView>,
    pub focus: PostView,
    /// Depth-first order, oldest first among siblings.
    pub descendants: Vec<PostView>,
}

/// Result of a follow request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowOutcome {
    /// The follow took effect (the target is not locked, or it already existed).
    Following,
    /// The target is locked: a request waits for approval.
    Requested,
}

/// What one account is to another, from the viewer's side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relationship {
    pub following: bool,
    pub requested: bool,
    pub followed_by: bool,
    pub blocking: bool,
    pub blocked_by: bool,
    pub muting: bool,
}

/// A notification, ready to render.
#[derive(Clone, Debug)]
pub struct NotificationView {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub from: Account,
    /// The post concerned (mention, reply, favourite, boost), if it still exists and is visible.
    pub post: Option<PostView>,
    pub created_at_ms: i64,
    pub unread: bool,
}

/// Which notifications to list (the API's `types[]` / `exclude_types[]`). The default is all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotificationFilter {
    /// Only these kinds (`None`: any kind; an empty list matches nothing).
    pub kinds: Option<Vec<NotificationKind>>,
    /// Never these kinds.
    pub exclude_kinds: Vec<NotificationKind>,
    /// Only the notification with this id.
    pub only_id: Option<i64>,
}

/// A client's read position in a timeline (`home` or `notifications`), as in Mastodon's
/// Marker entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub timeline: String,
    pub last_read_id: i64,
    /// Starts at 1 and grows by one with each write.
    pub version: i64,
    pub updated_at_ms: i64,
}

/// The result of a post creation carrying an `Idempotency-Key`.
#[derive(Clone, Debug)]
pub struct KeyedPost {
    pub post: Post,
    /// False when the key had already created this post (a retry).
    pub created: bool,
}

/// A new media attachment: the files are already written under the media directory.
#[derive(Clone, Debug)]
pub struct MediaInsert {
    pub account_id: AccountId,
    pub file_name: String,
    pub thumb_name: String,
    pub mime: String,
    pub width: u32,
    pub height: u32,
    pub size: i64,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub focus: Focus,
    /// Already checked with `social_core::media::description`.
    pub description: String,
    pub blurhash: Option<String>,
}

/// Changes to an own media attachment (before or after it is attached); `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct MediaUpdate {
    /// Already checked with `social_core::media::description`.
    pub description: Option<String>,
    pub focus: Option<Focus>,
}

/// A new OAuth client application (`POST /api/v1/apps`). Fields are already validated.
#[derive(Clone, Debug)]
pub struct AppInsert {
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: Vec<String>,
    /// Space-separated, as normalised by `social_core::oauth::Scopes`.
    pub scopes: String,
}

/// A registered OAuth client application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthApp {
    pub id: i64,
    pub client_id: String,
    pub name: String,
    pub website: Option<String>,
    pub redirect_uris: Vec<String>,
    pub scopes: String,
    pub created_at_ms: i64,
}

/// A freshly registered app with its client secret: shown once, only its hash is stored.
#[derive(Clone, Debug)]
pub struct NewApp {
    pub app: OAuthApp,
    pub client_secret: String,
}

/// What an authorization code stands for, fixed when the user approves.
#[derive(Clone, Debug)]
pub struct CodeInsert {
    pub app_id: i64,
    pub account_id: AccountId,
    pub scopes: String,
    pub redirect_uri: String,
    /// The PKCE S256 challenge, if the client sent one.
    pub code_challenge: Option<String>,
}

/// A code exchange at the token endpoint (`grant_type=authorization_code`).
#[derive(Clone, Debug)]
pub struct CodeExchange<'a> {
    pub code: &'a str,
    pub app_id: i64,
    pub redirect_uri: &'a str,
    pub code_verifier: Option<&'a str>,
    /// The client did not authenticate with its secret: the code must carry a PKCE
    /// challenge, and the verifier proves the client is the one that asked for it.
    pub public_client: bool,
}

/// Why a code exchange is refused (all `invalid_grant` for the client).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeRefusal {
    /// No such code, or issued to another app.
    Unknown,
    Expired,
    /// Exchanged before: the tokens it gave are revoked now.
    Replayed,
    RedirectMismatch,
    /// The code has a PKCE challenge and the verifier is missing or does not match it.
    VerifierMismatch,
}

/// A freshly issued access token: `token` is the bearer secret, shown once.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub token: String,
    pub info: TokenInfo,
}

/// A valid access token, as the API sees it on each request.
#[derive(Clone, Debug)]
pub struct TokenInfo {
    pub id: i64,
    pub app_id: i64,
    /// None for an app-only token (client_credentials).
    pub account_id: Option<AccountId>,
    pub scopes: String,
    pub created_at_ms: i64,
}

/// A token with its account loaded (from the cache when possible).
#[derive(Clone, Debug)]
pub struct TokenAuth {
    pub info: TokenInfo,
    /// The user, whatever their status (the caller refuses disabled ones); None for app-only
    /// tokens.
    pub account: Option<Account>,
}

/// Figures the instance endpoints publish.
#[derive(Clone, Debug)]
pub struct InstanceStats {
    /// Active accounts.
    pub user_count: i64,
    /// Posts of active accounts (their `posts_count`, which leaves boosts out).
    pub status_count: i64,
    /// The oldest active admin, if any.
    pub contact: Option<Account>,
}
