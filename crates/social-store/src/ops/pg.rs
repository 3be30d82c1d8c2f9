//! The PostgreSQL copy of the per-backend operations (see `ops/mod.rs`).

pub(crate) type DB = sqlx::Postgres;
pub(crate) const IS_SQLITE: bool = false;

#[path = "accounts.rs"]
pub(crate) mod accounts;
#[path = "api.rs"]
pub(crate) mod api;
#[path = "api_write.rs"]
pub(crate) mod api_write;
#[path = "common.rs"]
pub(crate) mod common;
#[path = "email.rs"]
pub(crate) mod email;
#[path = "follows.rs"]
pub(crate) mod follows;
#[path = "held.rs"]
pub(crate) mod held;
#[path = "hydrate.rs"]
pub(crate) mod hydrate;
#[path = "media.rs"]
pub(crate) mod media;
#[path = "moderation.rs"]
pub(crate) mod moderation;
#[path = "notifications.rs"]
pub(crate) mod notifications;
#[path = "oauth.rs"]
pub(crate) mod oauth;
#[path = "posts.rs"]
pub(crate) mod posts;
#[path = "purge.rs"]
pub(crate) mod purge;
#[path = "rules.rs"]
pub(crate) mod rules;
#[path = "security.rs"]
pub(crate) mod security;
#[path = "sessions.rs"]
pub(crate) mod sessions;
#[path = "settings.rs"]
pub(crate) mod settings;
#[path = "spam.rs"]
pub(crate) mod spam;
#[path = "timelines.rs"]
pub(crate) mod timelines;
