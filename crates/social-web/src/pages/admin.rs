//! Staff pages: approving sign-ups, the registration mode (admins), invite codes.

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::extract::{WebForm, WebQuery};
use crate::pages::{NextForm, chrome_for, form_error};
use crate::session::CurrentUser;
use crate::util::see_other;
use crate::views::admin as view;
use crate::views::forms::FormErrors;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use social_core::{AccountId, AccountStatus, RegistrationMode, Role, ValidationError};
use social_store::Page;

/// `GET /admin/registrations`.
pub async fn registrations(
    State(state): State<AppState>,
    user: CurrentUser,
) -> WebResult<Response> {
    user.require_staff()?;
    let pending = state
        .store
        .list_pending_accounts(Page::first(Page::MAX_LIMIT))
        .await?;
    let chrome = chrome_for(&state, &user).await?;
    Ok(view::registrations(&chrome, &pending).into_response())
}

/// `POST /admin/registrations/{account_id}/{approve|reject}`.
pub async fn decide_registration(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((account_id, action)): Path<(String, String)>,
    WebForm(form): WebForm<NextForm>,
) -> WebResult<Response> {
    user.require_staff()?;
    let id = account_id
        .parse::<AccountId>()
        .map_err(|_| WebError::NotFound)?;
    let status = match action.as_str() {
        "approve" => AccountStatus::Active,
        "reject" => AccountStatus::Disabled,
        _ => return Err(WebError::NotFound),
    };
    match state.store.get_account_by_id(id).await? {
        Some(a) if a.status == AccountStatus::Pending => {}
        _ => return Err(WebError::NotFound),
    }
    state.store.set_account_status(id, status).await?;
    Ok(see_other(form.target("/admin/registrations")))
}

fn require_admin(user: &CurrentUser) -> WebResult<()> {
    if user.account().role == Role::Admin {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "Only admins may change instance settings.".into(),
        ))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /admin/settings`.
pub async fn settings_page(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(q): WebQuery<SavedQuery>,
) -> WebResult<Response> {
    require_admin(&user)?;
    let mode = state.store.get_registration_mode().await?;
    let chrome = chrome_for(&state, &user).await?;
    Ok(view::settings(&chrome, mode, &FormErrors::default(), q.saved.is_some()).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    registration_mode: String,
}

/// `POST /admin/settings`.
pub async fn settings_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    WebForm(form): WebForm<SettingsForm>,
) -> WebResult<Response> {
    require_admin(&user)?;
    match form.registration_mode.parse::<RegistrationMode>() {
        Ok(mode) => {
            state.store.put_registration_mode(mode).await?;
            Ok(see_other("/admin/settings?saved=1"))
        }
        Err(message) => {
            let error = ValidationError::new("registration_mode", message);
            let current = state.store.get_registration_mode().await?;
            let chrome = chrome_for(&state, &user).await?;
            let page = view::settings(&chrome, current, &FormErrors::one(error.clone()), false);
            Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &error, page))
        }
    }
}

/// `GET /admin/invites`.
pub async fn invites_page(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    user.require_staff()?;
    let invites = state.store.list_invites().await?;
    let chrome = chrome_for(&state, &user).await?;
    Ok(view::invites(&chrome, &invites, "", &FormErrors::default()).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct InviteForm {
    max_uses: String,
}

/// `POST /admin/invites`.
pub async fn invites_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    WebForm(form): WebForm<InviteForm>,
) -> WebResult<Response> {
    user.require_staff()?;
    let raw = form.max_uses.trim();
    let max_uses = match raw {
        "" => Ok(None),
        n => n
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .map(Some)
            .ok_or_else(|| {
                ValidationError::new(
                    "max_uses",
                    "Enter a whole number from 1 to 1000000, or leave it empty.",
                )
            }),
    };
    match max_uses {
        Ok(max_uses) => {
            state
                .store
                .create_invite(user.account().id, max_uses, None)
                .await?;
            Ok(see_other("/admin/invites"))
        }
        Err(error) => {
            let invites = state.store.list_invites().await?;
            let chrome = chrome_for(&state, &user).await?;
            let page = view::invites(&chrome, &invites, raw, &FormErrors::one(error.clone()));
            Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &error, page))
        }
    }
}
