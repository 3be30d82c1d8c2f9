//! `/settings/sessions`: the account's web sessions and OAuth authorizations, and revoking
//! one of them or every other session. Revoking drops the cached copies too (store), so a
//! revoked cookie or token stops working on its next request.

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::extract::WebQuery;
use crate::pages::chrome_for;
use crate::session::CurrentUser;
use crate::util::see_other;
use crate::views::security as view;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// `GET /settings/sessions`.
pub async fn sessions_page(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(q): WebQuery<DoneQuery>,
) -> WebResult<Response> {
    let account = user.account().id;
    let sessions = state.store.list_sessions(account).await?;
    let authorizations = state.store.list_authorizations(account).await?;
    let current: String = social_store::token_hash(user.token())
        .chars()
        .take(16)
        .collect();
    let notice = match q.done.as_deref() {
        Some("session") => Some("The session is logged out."),
        Some("others") => Some("Every other session is logged out."),
        Some("authorization") => Some("The app's access is revoked."),
        _ => None,
    };
    let chrome = chrome_for(&state, &user).await?;
    Ok(view::sessions(&chrome, &current, &sessions, &authorizations, notice).into_response())
}

/// `POST /settings/sessions/{id}/revoke`.
pub async fn revoke_session(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    if state.store.revoke_session(user.account().id, &id).await? {
        Ok(see_other("/settings/sessions?done=session"))
    } else {
        Err(WebError::NotFound)
    }
}

/// `POST /settings/sessions/revoke_others`.
pub async fn revoke_others(
    State(state): State<AppState>,
    user: CurrentUser,
) -> WebResult<Response> {
    state
        .store
        .revoke_other_sessions(user.account().id, user.token())
        .await?;
    Ok(see_other("/settings/sessions?done=others"))
}

/// `POST /settings/authorizations/{id}/revoke`.
pub async fn revoke_authorization(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(WebError::NotFound);
    };
    if state
        .store
        .revoke_authorization(user.account().id, id)
        .await?
    {
        Ok(see_other("/settings/sessions?done=authorization"))
    } else {
        Err(WebError::NotFound)
    }
}
