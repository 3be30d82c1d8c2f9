//! Store errors. The web layer maps each variant to one HTTP status (noted per variant).

use social_core::ValidationError;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing does not exist, or the caller may not see it (404).
    #[error("not found")]
    NotFound,
    /// The write collides with existing data, e.g. a taken username (409).
    #[error("conflict: {what}")]
    Conflict { what: &'static str },
    /// The caller may not do this, e.g. follow someone who blocks them (403).
    #[error("forbidden: {reason}")]
    Forbidden { reason: &'static str },
    /// The input breaks a domain rule the store checks, e.g. a direct post with nobody
    /// mentioned, or a used-up invite (422).
    #[error("invalid: {0}")]
    Invalid(#[from] ValidationError),
    /// The database failed (500; logged, never shown).
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// Migrations failed at open.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Anything else unexpected (500; logged, never shown).
    #[error("internal error: {0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
