//! Domain types and rules of the social appliance: accounts, posts, visibility, follows,
//! validation and post text parsing. Pure: no IO, no async runtime, no database or web types.

pub mod access;
pub mod account;
pub mod classifier;
pub mod email;
pub mod fingerprint;
pub mod ids;
pub mod instance;
pub mod media;
pub mod moderation;
pub mod notification;
pub mod oauth;
pub mod post;
pub mod pow;
pub mod rules;
pub mod spam;
pub mod text;
pub mod totp;
pub mod validate;

pub use access::WebAccess;
pub use account::{Account, AccountStatus, Role};
pub use ids::{AccountId, MediaId, NotificationId, PostId};
pub use instance::RegistrationMode;
pub use media::{Focus, MediaAttachment};
pub use moderation::{ModAction, ReportCategory};
pub use notification::NotificationKind;
pub use post::{Post, Visibility};
pub use validate::{Validated, ValidationError};
