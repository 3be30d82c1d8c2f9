//! maud templates. Every piece of user text goes through maud's escaping; nothing here wraps
//! user text in `PreEscaped`.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod email;
pub mod error;
pub mod forms;
pub mod held;
pub mod layout;
pub mod moderation;
pub mod notifications;
pub mod oauth;
pub mod pagination;
pub mod post;
pub mod rules;
pub mod security;
pub mod settings;
pub mod text;
pub mod timelines;

pub use layout::Chrome;
