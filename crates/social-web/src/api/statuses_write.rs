//! Status writes: create (with `Idempotency-Key`), delete, favourite / unfavourite, reblog /
//! unreblog, bookmark / unbookmark. Every rule (visibility, blocks, who may delete, what may be
//! boosted) is the store's, shared with the web UI; this file maps requests and errors.

use super::auth::ApiUser;
use super::bookmarks::status_json;
use super::entities::Urls;
use super::error::{ApiError, ApiResult};
use super::extract::ApiForm;
use super::pagination::path_id;
use crate::AppState;
use crate::ratelimit;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use social_core::{MediaId, PostId, Visibility, validate};
use social_store::{PostInsert, StoreError};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/statuses", post(create))
        .route("/api/v1/statuses/{id}", delete(remove))
        .route("/api/v1/statuses/{id}/favourite", post(favourite))
        .route("/api/v1/statuses/{id}/unfavourite", post(unfavourite))
        .route("/api/v1/statuses/{id}/reblog", post(reblog))
        .route("/api/v1/statuses/{id}/unreblog", post(unreblog))
        .route("/api/v1/statuses/{id}/bookmark", post(bookmark))
        .route("/api/v1/statuses/{id}/unbookmark", post(unbookmark))
}

/// `POST /api/v1/statuses` parameters (Mastodon's names). Unknown ones are ignored.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CreateParams {
    status: Option<String>,
    in_reply_to_id: Option<String>,
    sensitive: Option<bool>,
    spoiler_text: Option<String>,
    visibility: Option<String>,
    language: Option<String>,
    media_ids: Vec<String>,
    scheduled_at: Option<String>,
    poll: Option<serde::de::IgnoredAny>,
}

/// The longest `Idempotency-Key` accepted (it is stored hashed, so this only bounds work).
const MAX_KEY_BYTES: usize = 1000;

/// Checks the parameters the way Mastodon words its refusals; returns the insert.
fn checked_insert(p: &CreateParams, user: &ApiUser, max_chars: usize) -> ApiResult<PostInsert> {
    let media_ids = p
        .media_ids
        .iter()
        .map(|raw| {
            raw.trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(MediaId)
                .ok_or_else(|| ApiError::invalid(format_args!("Media {raw} was not found")))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    if p.poll.is_some() {
        return Err(ApiError::invalid("Polls are not supported"));
    }
    if p.scheduled_at.as_deref().is_some_and(|s| !s.is_empty()) {
        return Err(ApiError::invalid("Scheduled statuses are not supported"));
    }
    if p.spoiler_text
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty())
    {
        return Err(ApiError::invalid("Content warnings are not supported"));
    }
    let raw = p.status.as_deref().unwrap_or("");
    // Text may be blank only when media carry the post (as on Mastodon).
    if raw.trim().is_empty() && media_ids.is_empty() {
        return Err(ApiError::invalid("Text can't be blank"));
    }
    if raw.trim().chars().count() > max_chars {
        return Err(ApiError::invalid(format_args!(
            "Text character limit of {max_chars} exceeded"
        )));
    }
    let text = if raw.trim().is_empty() {
        String::new()
    } else {
        validate::post_text(raw, max_chars)?
    };
    let visibility = match p.visibility.as_deref().unwrap_or("") {
        "" => Visibility::Public,
        v => v
            .parse::<Visibility>()
            .map_err(|_| ApiError::invalid("Visibility is not included in the list"))?,
    };
    let in_reply_to_id = match p.in_reply_to_id.as_deref().unwrap_or("") {
        "" => None,
        raw => Some(PostId(path_id(raw)?)),
    };
    // `sensitive` and `language` are accepted and not stored (no content warnings, and
    // posts carry no language).
    let _ = (p.sensitive, &p.language);
    Ok(PostInsert {
        author_id: user.id(),
        text,
        visibility,
        in_reply_to_id,
        media_ids,
    })
}

/// `POST /api/v1/statuses` (scope `write:statuses`). With an `Idempotency-Key`, a repeat of
/// the request within an hour returns the first request's status instead of posting again.
async fn create(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    headers: HeaderMap,
    ApiForm(params): ApiForm<CreateParams>,
) -> ApiResult<Response> {
    user.require("write:statuses")?;
    ratelimit::check(&state, "posts", state.config.rate_limits.posts, user.id().0).await?;
    let key = match headers.get("idempotency-key") {
        Some(v) => {
            let k = v
                .to_str()
                .map_err(|_| ApiError::bad_request("Idempotency-Key must be visible ASCII"))?
                .trim();
            if k.len() > MAX_KEY_BYTES {
                return Err(ApiError::bad_request("Idempotency-Key is too long"));
            }
            (!k.is_empty()).then(|| k.to_owned())
        }
        None => None,
    };
    let insert = checked_insert(&params, &user, state.config.post_max_chars)?;
    let post = match key {
        Some(k) => state.store.create_post_idempotent(insert, &k).await?.post,
        None => state.store.create_post(insert).await?,
    };
    let view = state.store.get_post_view(Some(user.id()), post.id).await?;
    Ok(Json(status_json(&state, user.id(), &view, &urls).await?).into_response())
}

/// `DELETE /api/v1/statuses/{id}` (scope `write:statuses`): the deleted status, with its
/// source `text` so clients can offer "delete and redraft". Someone else's post is a 404
/// (as on Mastodon), except for staff, who may delete any post as in the web UI.
async fn remove(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    user.require("write:statuses")?;
    let id = PostId(path_id(&id)?);
    let view = state.store.get_post_view(Some(user.id()), id).await?;
    let mut json = status_json(&state, user.id(), &view, &urls).await?;
    match state.store.delete_post(&user.account, id).await {
        Ok(()) => {}
        Err(StoreError::Forbidden { .. }) => return Err(ApiError::not_found()),
        Err(e) => return Err(e.into()),
    }
    json.text = Some(view.post.text.clone());
    Ok(Json(json).into_response())
}

/// The status after an action, as the actor now sees it.
async fn respond(state: &AppState, urls: &Urls, user: &ApiUser, id: PostId) -> ApiResult<Response> {
    let view = state.store.get_post_view(Some(user.id()), id).await?;
    Ok(Json(status_json(state, user.id(), &view, urls).await?).into_response())
}

/// `POST /api/v1/statuses/{id}/favourite` (scope `write:favourites`).
async fn favourite(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    user.require("write:favourites")?;
    let id = PostId(path_id(&id)?);
    state.store.favourite(user.id(), id).await?;
    respond(&state, &urls, &user, id).await
}

/// `POST /api/v1/statuses/{id}/unfavourite` (scope `write:favourites`).
async fn unfavourite(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    user.require("write:favourites")?;
    let id = PostId(path_id(&id)?);
    // Visible first: unfavouriting a post one cannot see is a 404, not a silent success.
    state.store.get_post_view(Some(user.id()), id).await?;
    state.store.unfavourite(user.id(), id).await?;
    respond(&state, &urls, &user, id).await
}

/// `POST /api/v1/statuses/{id}/reblog` (scope `write:statuses`): the boost, wrapping the
/// original. Private and direct posts cannot be boosted (403).
async fn reblog(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    user.require("write:statuses")?;
    let id = PostId(path_id(&id)?);
    let boost = state.store.boost(user.id(), id).await?;
    respond(&state, &urls, &user, boost.id).await
}

/// `POST /api/v1/statuses/{id}/unreblog` (scope `write:statuses`): the original status.
async fn unreblog(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    user.require("write:statuses")?;
    let id = PostId(path_id(&id)?);
    let view = state.store.get_post_view(Some(user.id()), id).await?;
    let original = view.reblog.as_ref().map_or(view.post.id, |r| r.post.id);
    state.store.unboost(user.id(), original).await?;
    respond(&state, &urls, &user, original).await
}

/// `POST /api/v1/statuses/{id}/bookmark` (scope `write:bookmarks`).
async fn bookmark(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    user.require("write:bookmarks")?;
    let id = PostId(path_id(&id)?);
    state.store.bookmark(user.id(), id).await?;
    respond(&state, &urls, &user, id).await
}

/// `POST /api/v1/statuses/{id}/unbookmark` (scope `write:bookmarks`).
async fn unbookmark(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    user.require("write:bookmarks")?;
    let id = PostId(path_id(&id)?);
    state.store.unbookmark(user.id(), id).await?;
    respond(&state, &urls, &user, id).await
}
