//! INTERIM STUB (the oauth helper owns this file; replaced on merge).
pub mod accounts;
pub mod auth;
pub mod entities;
pub mod error;
pub mod instance;
pub mod pagination;
pub mod search;
pub mod statuses;
pub mod timelines;

pub fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .merge(accounts::routes())
        .merge(instance::routes())
        .merge(statuses::routes())
        .merge(timelines::routes())
        .merge(search::routes())
}
