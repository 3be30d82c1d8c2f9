//! Writing, deleting, favouriting and boosting posts, and the thread view.

use crate::AppState;
use crate::client_addr::ClientIp;
use crate::error::{WebError, WebResult};
use crate::extract::{WebForm, empty_as_none};
use crate::pages::{NextForm, chrome_for, chrome_maybe, form_error};
use crate::ratelimit;
use crate::screening::{self, Screened};
use crate::session::{CurrentUser, MaybeUser};
use crate::util::see_other;
use crate::views::accounts as view;
use crate::views::forms::{Compose, FormErrors};
use crate::views::timelines::compose_again;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use social_core::{PostId, ValidationError, Visibility, validate};
use social_store::{PostInsert, StoreError};

#[derive(Debug, serde::Deserialize)]
pub struct PostForm {
    /// Required: a form without it is malformed (400), an empty one is invalid (422).
    text: String,
    #[serde(default)]
    visibility: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    in_reply_to_id: Option<i64>,
    /// The optional content warning; it shares the text's character limit.
    #[serde(default)]
    spoiler_text: String,
}

/// `POST /posts`.
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    WebForm(form): WebForm<PostForm>,
) -> WebResult<Response> {
    let limits = &state.config.rate_limits;
    let account = (limits.posts, user.account().id.0);
    ratelimit::check_action(&state, "posts", account, (limits.posts_per_address, ip)).await?;
    let visibility = match form.visibility.as_str() {
        "" => Ok(Visibility::Public),
        v => v
            .parse::<Visibility>()
            .map_err(|e| ValidationError::new("visibility", e)),
    };
    let max_chars = state.config.post_max_chars;
    let checked =
        validate::content_warning(&form.spoiler_text, max_chars).and_then(|(warning, left)| {
            let text = validate::post_text_with_warning(&form.text, max_chars - left, max_chars)?;
            visibility.clone().map(|v| (text, warning, v))
        });
    let in_reply_to_id = form.in_reply_to_id.map(PostId);
    let error = match checked {
        Ok((text, spoiler_text, visibility)) => {
            let insert = PostInsert {
                author_id: user.account().id,
                text,
                visibility,
                in_reply_to_id,
                spoiler_text,
                sensitive: false,
                media_ids: Vec::new(),
            };
            let insert = match screening::screen(&state, user.account(), insert).await? {
                Screened::Post(insert) => insert,
                Screened::Held(_) => return Ok(see_other("/settings/held?held=1")),
                Screened::Rejected => {
                    let error = ValidationError::new("text", screening::REJECTED);
                    let chosen = Ok(visibility);
                    return compose_error(&state, &user, &form, chosen, in_reply_to_id, error)
                        .await;
                }
                Screened::Refused(message) => {
                    let error = ValidationError::new("text", message);
                    let chosen = Ok(visibility);
                    return compose_error(&state, &user, &form, chosen, in_reply_to_id, error)
                        .await;
                }
            };
            match state.store.create_post(insert).await {
                Ok(post) if post.in_reply_to_id.is_some() => {
                    return Ok(see_other(&format!(
                        "/@{}/{}",
                        user.account().username,
                        post.id
                    )));
                }
                Ok(_) => return Ok(see_other("/home")),
                Err(StoreError::Invalid(e)) => e,
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => e,
    };
    compose_error(&state, &user, &form, visibility, in_reply_to_id, error).await
}

/// The composer again, with the text typed and the error (422).
async fn compose_error(
    state: &AppState,
    user: &CurrentUser,
    form: &PostForm,
    visibility: Result<Visibility, ValidationError>,
    in_reply_to_id: Option<PostId>,
    error: ValidationError,
) -> WebResult<Response> {
    let chrome = chrome_for(state, user).await?;
    let compose = Compose {
        csrf: user.csrf(),
        text: &form.text,
        spoiler_text: &form.spoiler_text,
        visibility: visibility.unwrap_or_default(),
        in_reply_to: in_reply_to_id,
        max_chars: state.config.post_max_chars,
    };
    let page = compose_again(&chrome, &compose, &FormErrors::one(error.clone()));
    Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &error, page))
}

/// `GET /@{username}/{post_id}`: the thread around a post.
pub async fn thread(
    State(state): State<AppState>,
    user: MaybeUser,
    Path((username, post_id)): Path<(String, String)>,
    uri: Uri,
) -> WebResult<Response> {
    let id = post_id.parse::<PostId>().map_err(|_| WebError::NotFound)?;
    let thread = state.store.thread(user.id(), id).await?;
    if !thread.focus.author.username.eq_ignore_ascii_case(&username) {
        return Err(WebError::NotFound);
    }
    let chrome = chrome_maybe(&state, user.0.as_ref()).await?;
    let next = uri.path();
    Ok(view::thread(&chrome, &thread, next, state.config.post_max_chars).into_response())
}

/// What a one-button post action does.
#[derive(Clone, Copy, Debug)]
pub enum PostAction {
    Delete,
    Favourite,
    Unfavourite,
    Boost,
    Unboost,
}

/// `POST /posts/{id}/{action}`.
pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, action)): Path<(String, String)>,
    WebForm(form): WebForm<NextForm>,
) -> WebResult<Response> {
    let id = id.parse::<PostId>().map_err(|_| WebError::NotFound)?;
    let me = user.account().id;
    let action = match action.as_str() {
        "delete" => PostAction::Delete,
        "favourite" => PostAction::Favourite,
        "unfavourite" => PostAction::Unfavourite,
        "boost" => PostAction::Boost,
        "unboost" => PostAction::Unboost,
        _ => return Err(WebError::NotFound),
    };
    match action {
        PostAction::Delete => {
            state.store.delete_post(user.account(), id).await?;
            return Ok(see_other(&format!("/@{}", user.account().username)));
        }
        PostAction::Favourite => state.store.favourite(me, id).await?,
        PostAction::Unfavourite => state.store.unfavourite(me, id).await?,
        PostAction::Boost => drop(state.store.boost(me, id).await?),
        PostAction::Unboost => state.store.unboost(me, id).await?,
    }
    Ok(see_other(form.target("/home")))
}
