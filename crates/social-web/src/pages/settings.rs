//! Profile settings: display name, bio, locked.

use crate::AppState;
use crate::error::WebResult;
use crate::extract::{WebForm, WebQuery};
use crate::pages::{chrome_for, form_error};
use crate::session::CurrentUser;
use crate::util::see_other;
use crate::views::forms::FormErrors;
use crate::views::settings::{self as view, ProfileValues};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use social_core::validate;
use social_store::ProfileUpdate;

#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /settings/profile`.
pub async fn profile_page(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(q): WebQuery<SavedQuery>,
) -> WebResult<Response> {
    let chrome = chrome_for(&state, &user).await?;
    // Read the account afresh: the session (and its account copy) may come from the cache.
    let fresh = state.store.get_account_by_id(user.account().id).await?;
    let a = fresh.as_ref().unwrap_or(user.account());
    let values = ProfileValues {
        display_name: &a.display_name,
        bio: &a.bio,
        locked: a.locked,
    };
    Ok(view::profile(&chrome, &values, &FormErrors::default(), q.saved.is_some()).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    display_name: String,
    bio: String,
    locked: Option<String>,
}

/// `POST /settings/profile`.
pub async fn profile_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    WebForm(form): WebForm<ProfileForm>,
) -> WebResult<Response> {
    let locked = form.locked.as_deref() == Some("on");
    let checked = validate::display_name(&form.display_name).and_then(|display_name| {
        validate::bio(&form.bio).map(|bio| ProfileUpdate {
            display_name,
            bio,
            locked,
        })
    });
    let error = match checked {
        Ok(update) => match state.store.update_profile(user.account().id, update).await {
            Ok(_) => return Ok(see_other("/settings/profile?saved=1")),
            Err(social_store::StoreError::Invalid(e)) => e,
            Err(e) => return Err(e.into()),
        },
        Err(e) => e,
    };
    let chrome = chrome_for(&state, &user).await?;
    let values = ProfileValues {
        display_name: &form.display_name,
        bio: &form.bio,
        locked,
    };
    let page = view::profile(&chrome, &values, &FormErrors::one(error.clone()), false);
    Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &error, page))
}
