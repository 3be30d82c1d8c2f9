//! The affected account's side of moderation: its notices at `/settings/moderation` and the
//! one appeal of each. A suspended account's session reaches these pages only
//! (`session::appeal_only_allows`), so they must not lean on anything else.

use crate::AppState;
use crate::error::WebResult;
use crate::extract::WebForm;
use crate::pages::moderation::store_error;
use crate::pages::{chrome_for, form_error};
use crate::session::CurrentUser;
use crate::util::see_other;
use crate::views::forms::FormErrors;
use crate::views::moderation as view;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use social_core::access::APPEAL_PAGE;
use social_core::instance::PURGE_SUSPENDED_AFTER_MS;
use social_core::{WebAccess, moderation};

/// The notices page, with `errors` on its forms.
async fn render(
    state: &AppState,
    user: &CurrentUser,
    errors: &FormErrors,
) -> WebResult<Html<String>> {
    let account = user.account().id;
    let notices = state.store.list_notices(account).await?;
    // A suspended account is told until when a moderator can still lift it.
    let purge_at_ms = if user.ctx().session.access == WebAccess::AppealOnly {
        let st = state.store.moderation_state(account).await?;
        st.suspended_at_ms.map(|at| at + PURGE_SUSPENDED_AFTER_MS)
    } else {
        None
    };
    let chrome = chrome_for(state, user).await?;
    Ok(view::notices(&chrome, &notices, purge_at_ms, errors))
}

/// `GET /settings/moderation`: what the moderators did to this account, with appeal forms.
pub async fn notices(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    Ok(render(&state, &user, &FormErrors::default())
        .await?
        .into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AppealForm {
    appeal: String,
}

/// `POST /settings/moderation/{notice_id}/appeal`: the one appeal of a notice.
pub async fn appeal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    WebForm(form): WebForm<AppealForm>,
) -> WebResult<Response> {
    let id: i64 = id.parse().map_err(|_| crate::error::WebError::NotFound)?;
    let text = match moderation::appeal_text(&form.appeal) {
        Ok(t) => t,
        Err(e) => {
            let page = render(&state, &user, &FormErrors::one(e.clone())).await?;
            return Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &e, page));
        }
    };
    state
        .store
        .appeal(user.account().id, id, &text)
        .await
        .map_err(store_error)?;
    Ok(see_other(APPEAL_PAGE))
}
