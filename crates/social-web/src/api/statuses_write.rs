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
use crate::client_addr::ClientIp;
use crate::ratelimit;
use crate::screening::{self, Screened};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, post};
use social_core::{MediaId, Post, PostId, Visibility, validate};
use social_store::{HeldPost, PostInsert, PostView, StoreError};

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/statuses", post(create))
        .route("/api/v1/statuses/{id}", delete(remove))
        .route("/api/v1/statuses/{id}/favourite", Verb::Favourite.route())
        .route(
            "/api/v1/statuses/{id}/unfavourite",
            Verb::Unfavourite.route(),
        )
        .route("/api/v1/statuses/{id}/reblog", Verb::Reblog.route())
        .route("/api/v1/statuses/{id}/unreblog", Verb::Unreblog.route())
        .route("/api/v1/statuses/{id}/bookmark", Verb::Bookmark.route())
        .route("/api/v1/statuses/{id}/unbookmark", Verb::Unbookmark.route())
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
    let media_ids: Vec<MediaId> = super::extract::id_list(&p.media_ids, "Media")?
        .into_iter()
        .map(MediaId)
        .collect();
    if p.poll.is_some() {
        return Err(ApiError::invalid("Polls are not supported"));
    }
    if p.scheduled_at.as_deref().is_some_and(|s| !s.is_empty()) {
        return Err(ApiError::invalid("Scheduled statuses are not supported"));
    }
    // The warning counts against the same limit as the text, as on Mastodon.
    let (spoiler_text, left) =
        validate::content_warning(p.spoiler_text.as_deref().unwrap_or(""), max_chars)?;
    let raw = p.status.as_deref().unwrap_or("");
    // Text may be blank only when media carry the post (as on Mastodon).
    if raw.trim().is_empty() && media_ids.is_empty() {
        return Err(ApiError::invalid("Text can't be blank"));
    }
    if raw.trim().chars().count() > left {
        return Err(ApiError::invalid(format_args!(
            "Text character limit of {max_chars} exceeded"
        )));
    }
    let text = if raw.trim().is_empty() {
        String::new()
    } else {
        validate::post_text(raw, left)?
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
    // `language` is accepted and not stored (posts carry no language).
    let _ = &p.language;
    Ok(PostInsert {
        author_id: user.id(),
        text,
        visibility,
        in_reply_to_id,
        // A warning makes the post sensitive (the store sees to it), as on Mastodon.
        sensitive: p.sensitive.unwrap_or(false),
        spoiler_text,
        media_ids,
    })
}

/// `POST /api/v1/statuses` (scope `write:statuses`). With an `Idempotency-Key`, a repeat of
/// the request within an hour returns the first request's status instead of posting again.
async fn create(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiForm(params): ApiForm<CreateParams>,
) -> ApiResult<Response> {
    user.require("write:statuses")?;
    let limits = &state.config.rate_limits;
    let account = (limits.posts, user.id().0);
    ratelimit::check_action(&state, "posts", account, (limits.posts_per_address, ip)).await?;
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
    let insert = match screening::screen(&state, &user.account, insert).await? {
        Screened::Post(insert) => insert,
        Screened::Rejected => return Err(ApiError::invalid(screening::REJECTED)),
        Screened::Refused(message) => {
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, message));
        }
        // Not posted: no idempotency record either (a repeat is held again).
        Screened::Held(held) => {
            let view = held_view(&state, &user, &held).await?;
            return Ok(Json(status_json(&state, user.id(), &view, &urls).await?).into_response());
        }
    };
    let post = match key {
        Some(k) => state.store.create_post_idempotent(insert, &k).await?.post,
        None => state.store.create_post(insert).await?,
    };
    let view = state.store.get_post_view(Some(user.id()), post.id).await?;
    Ok(Json(status_json(&state, user.id(), &view, &urls).await?).into_response())
}

/// A held post as its author sees it: a status that is not public yet (its id is the held
/// post's, which no lookup knows until a moderator approves it under a new id).
async fn held_view(state: &AppState, user: &ApiUser, held: &HeldPost) -> ApiResult<PostView> {
    let mut media = Vec::with_capacity(held.insert.media_ids.len());
    for m in &held.insert.media_ids {
        media.push(state.store.get_media(user.id(), *m).await?);
    }
    let i = &held.insert;
    Ok(PostView {
        post: Post {
            id: PostId(held.id),
            author_id: i.author_id,
            text: i.text.clone(),
            visibility: i.visibility,
            in_reply_to_id: i.in_reply_to_id,
            in_reply_to_account_id: None,
            reblog_of_id: None,
            created_at_ms: held.created_at_ms,
            replies_count: 0,
            favourites_count: 0,
            reblogs_count: 0,
            spoiler_text: i.spoiler_text.clone(),
            sensitive: i.sensitive || !i.spoiler_text.is_empty(),
        },
        author: user.account.clone(),
        reblog: None,
        mentions: Vec::new(),
        tags: social_core::text::hashtags(&i.text),
        favourited: false,
        reblogged: false,
        media,
    })
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

/// The one-status verbs: each checks its scope, acts through the store, and answers with the
/// status as the actor now sees it.
#[derive(Clone, Copy, Debug)]
enum Verb {
    Favourite,
    Unfavourite,
    Reblog,
    Unreblog,
    Bookmark,
    Unbookmark,
}

impl Verb {
    fn scope(self) -> &'static str {
        match self {
            Verb::Favourite | Verb::Unfavourite => "write:favourites",
            Verb::Reblog | Verb::Unreblog => "write:statuses",
            Verb::Bookmark | Verb::Unbookmark => "write:bookmarks",
        }
    }

    /// Acts on `id`; returns the id of the status to answer with.
    async fn apply(self, state: &AppState, user: &ApiUser, id: PostId) -> ApiResult<PostId> {
        let store = &state.store;
        match self {
            Verb::Favourite => store.favourite(user.id(), id).await?,
            Verb::Unfavourite => {
                // Visible first: unfavouriting a post one cannot see is a 404, not a silent
                // success.
                store.get_post_view(Some(user.id()), id).await?;
                store.unfavourite(user.id(), id).await?;
            }
            // The boost, wrapping the original. Private and direct posts cannot be boosted
            // (403).
            Verb::Reblog => return Ok(store.boost(user.id(), id).await?.id),
            // The original status.
            Verb::Unreblog => {
                let view = store.get_post_view(Some(user.id()), id).await?;
                let original = view.reblog.as_ref().map_or(view.post.id, |r| r.post.id);
                store.unboost(user.id(), original).await?;
                return Ok(original);
            }
            Verb::Bookmark => {
                store.bookmark(user.id(), id).await?;
            }
            Verb::Unbookmark => {
                store.unbookmark(user.id(), id).await?;
            }
        }
        Ok(id)
    }

    /// The route's handler: `POST /api/v1/statuses/{id}/<verb>`.
    fn route(self) -> MethodRouter<AppState> {
        post(
            move |State(state): State<AppState>,
                  urls: Urls,
                  user: ApiUser,
                  Path(id): Path<String>| async move {
                user.require(self.scope())?;
                let id = PostId(path_id(&id)?);
                let shown = self.apply(&state, &user, id).await?;
                let view = state.store.get_post_view(Some(user.id()), shown).await?;
                ApiResult::Ok(
                    Json(status_json(&state, user.id(), &view, &urls).await?).into_response(),
                )
            },
        )
    }
}
