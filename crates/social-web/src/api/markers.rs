//! `GET` / `POST /api/v1/markers`: a client's read position in the home timeline and the
//! notifications (Mastodon's Marker entity). Setting the notifications marker also marks
//! them read in the web UI.

use super::auth::ApiUser;
use super::entities::iso_ms;
use super::error::{ApiError, ApiResult};
use super::extract::{ApiForm, ApiQuery};
use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;
use social_store::Marker;
use std::collections::BTreeMap;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/api/v1/markers", get(list).post(save))
}

const TIMELINES: [&str; 2] = ["home", "notifications"];

#[derive(Debug, Serialize)]
pub struct MarkerJson {
    last_read_id: String,
    version: i64,
    updated_at: String,
}

fn marker_json(m: &Marker) -> MarkerJson {
    MarkerJson {
        last_read_id: m.last_read_id.to_string(),
        version: m.version,
        updated_at: iso_ms(m.updated_at_ms),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListParams {
    timeline: Vec<String>,
}

/// `GET /api/v1/markers?timeline[]=home&timeline[]=notifications` (scope `read:statuses`):
/// an object keyed by timeline; timelines never marked are absent. Without `timeline`, both.
async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<BTreeMap<String, MarkerJson>>> {
    user.require("read:statuses")?;
    let wanted: Vec<&str> = if params.timeline.is_empty() {
        TIMELINES.to_vec()
    } else {
        TIMELINES
            .into_iter()
            .filter(|t| params.timeline.iter().any(|w| w == t))
            .collect()
    };
    let markers = state.store.get_markers(user.id(), &wanted).await?;
    Ok(Json(
        markers
            .iter()
            .map(|m| (m.timeline.clone(), marker_json(m)))
            .collect(),
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct Position {
    last_read_id: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SaveParams {
    home: Option<Position>,
    notifications: Option<Position>,
}

/// `POST /api/v1/markers` with `home[last_read_id]` and/or `notifications[last_read_id]`
/// (scope `write:statuses`): the markers written.
async fn save(
    State(state): State<AppState>,
    user: ApiUser,
    ApiForm(params): ApiForm<SaveParams>,
) -> ApiResult<Json<BTreeMap<String, MarkerJson>>> {
    user.require("write:statuses")?;
    let mut wanted = Vec::new();
    for (name, pos) in [
        ("home", params.home),
        ("notifications", params.notifications),
    ] {
        let Some(raw) = pos.and_then(|p| p.last_read_id) else {
            continue;
        };
        let id = raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id >= 0)
            .ok_or_else(|| ApiError::invalid("Last read id must be a numeric ID"))?;
        wanted.push((name, id));
    }
    if wanted.is_empty() {
        return Err(ApiError::invalid(
            "home[last_read_id] or notifications[last_read_id] is required",
        ));
    }
    let mut out = BTreeMap::new();
    for (name, id) in wanted {
        let m = state.store.put_marker(user.id(), name, id).await?;
        out.insert(name.to_owned(), marker_json(&m));
    }
    Ok(Json(out))
}
