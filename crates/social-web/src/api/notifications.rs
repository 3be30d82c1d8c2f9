//! Notifications: list (with `types[]` / `exclude_types[]`), get one, dismiss one, clear all.
//! Only the owner's notifications are ever reached: another account's id is a 404.

use super::auth::ApiUser;
use super::bookmarks::mark_bookmarks;
use super::entities::{self, NotificationJson, Urls};
use super::error::ApiResult;
use super::extract::ApiQuery;
use super::pagination::{Paging, path_id};
use crate::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use social_core::{AccountId, NotificationId, NotificationKind};
use social_store::{NotificationFilter, NotificationView};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/notifications", get(list))
        .route("/api/v1/notifications/clear", post(clear))
        .route("/api/v1/notifications/{id}", get(get_one))
        .route("/api/v1/notifications/{id}/dismiss", post(dismiss))
}

/// Our kinds for one Mastodon notification type (`mention` covers replies; types we never
/// produce, such as `poll` or `status`, match nothing).
fn kinds_of(name: &str) -> &'static [NotificationKind] {
    match name {
        "mention" => &[NotificationKind::Mention, NotificationKind::Reply],
        "reblog" => &[NotificationKind::Boost],
        "follow" => &[NotificationKind::Follow],
        "follow_request" => &[NotificationKind::FollowRequest],
        "favourite" => &[NotificationKind::Favourite],
        _ => &[],
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListParams {
    types: Vec<String>,
    exclude_types: Vec<String>,
}

pub fn filter_of(params: &ListParams) -> NotificationFilter {
    let expand = |names: &[String]| {
        names
            .iter()
            .flat_map(|n| kinds_of(n).iter().copied())
            .collect::<Vec<_>>()
    };
    NotificationFilter {
        kinds: (!params.types.is_empty()).then(|| expand(&params.types)),
        exclude_kinds: expand(&params.exclude_types),
        only_id: None,
    }
}

/// Notification entities with the `bookmarked` flag of their statuses.
async fn render(
    state: &AppState,
    viewer: AccountId,
    list: &[NotificationView],
    urls: &Urls,
) -> ApiResult<Vec<NotificationJson>> {
    let mut out: Vec<NotificationJson> = list
        .iter()
        .map(|n| entities::notification(n, urls))
        .collect();
    let mut statuses: Vec<_> = out.iter_mut().filter_map(|n| n.status.take()).collect();
    mark_bookmarks(state, viewer, &mut statuses).await?;
    let mut statuses = statuses.into_iter();
    for (n, v) in out.iter_mut().zip(list) {
        if v.post.is_some() {
            n.status = statuses.next();
        }
    }
    Ok(out)
}

/// `GET /api/v1/notifications` (scope `read:notifications`): newest first, paged by id.
async fn list(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    paging: Paging,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Response> {
    user.require("read:notifications")?;
    let filter = filter_of(&params);
    let mut list = state
        .store
        .notifications_filtered(user.id(), paging.page(), &filter)
        .await?;
    paging.trim(&mut list, |n| n.id.0);
    let ids: Vec<i64> = list.iter().map(|n| n.id.0).collect();
    let body = render(&state, user.id(), &list, &urls).await?;
    Ok(paging.respond(&urls, &ids, &body))
}

/// `GET /api/v1/notifications/{id}` (scope `read:notifications`).
async fn get_one(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<NotificationJson>> {
    user.require("read:notifications")?;
    let id = NotificationId(path_id(&id)?);
    let n = state.store.get_notification(user.id(), id).await?;
    let mut one = render(&state, user.id(), std::slice::from_ref(&n), &urls).await?;
    let json = one.pop().ok_or_else(super::error::ApiError::not_found)?;
    Ok(Json(json))
}

/// `POST /api/v1/notifications/{id}/dismiss` (scope `write:notifications`): `{}`.
async fn dismiss(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    user.require("write:notifications")?;
    let id = NotificationId(path_id(&id)?);
    state.store.dismiss_notification(user.id(), id).await?;
    Ok(Json(serde_json::json!({})))
}

/// `POST /api/v1/notifications/clear` (scope `write:notifications`): `{}`.
async fn clear(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<serde_json::Value>> {
    user.require("write:notifications")?;
    state.store.clear_notifications(user.id()).await?;
    Ok(Json(serde_json::json!({})))
}
