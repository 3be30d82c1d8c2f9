//! `/healthz` (the process runs) and `/readyz` (the database answers; the cache's state
//! reported, Redis asked again when its last call failed).

use crate::AppState;
use crate::error::KeepBody;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let db_ok = state.store.ping().await.is_ok();
    let cache = state.store.cache();
    let body = serde_json::json!({
        "database": if db_ok { "ok" } else { "error" },
        "cache": cache.kind(),
        "cache_healthy": cache.probe().await,
    });
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Extension(KeepBody), Json(body))
}
