//! Persistence for the social appliance: one [`Store`] API over two backends (SQLite, the
//! embedded default, and PostgreSQL for the appliance), per-backend migrations applied at open,
//! and the [`cache::Cache`] seam (Redis or in-process) for data that may be lost.

// `ops/*.rs` are compiled twice on purpose, once per backend (see `ops/mod.rs`).
#![allow(clippy::duplicate_mod)]

mod assemble;
mod backend;
pub mod cache;
mod cache_redis;
mod cached;
pub mod email;
pub mod error;
mod fast;
pub mod model;
pub mod moderation;
mod ops;
mod pages;
mod rows;
pub mod rules;
mod secrets;
pub mod security;
mod store;

pub use cache::{Cache, Hit};
pub use email::{EmailDomainBlock, EmailState};
pub use error::{StoreError, StoreResult};
pub use model::*;
pub use moderation::*;
pub use rules::*;
pub use secrets::token_hash;
pub use security::*;
pub use store::Store;
