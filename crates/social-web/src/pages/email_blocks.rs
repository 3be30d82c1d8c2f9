//! `/admin/email-blocks`: admins list, add and lift blocks of e-mail domains (each change in
//! the audit log). Sign-ups check them in `crate::email`.

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::extract::WebForm;
use crate::pages::{chrome_for, form_error};
use crate::session::CurrentUser;
use crate::util::see_other;
use crate::views::email as view;
use crate::views::forms::FormErrors;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use social_core::email::domain_name;
use social_core::{Role, ValidationError};
use social_store::StoreError;

/// The longest note kept with a block.
const NOTE_MAX_CHARS: usize = 500;

fn require_admin(user: &CurrentUser) -> WebResult<()> {
    if user.account().role == Role::Admin {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "Only admins may manage blocked e-mail domains.".into(),
        ))
    }
}

/// `GET /admin/email-blocks`.
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require_admin(&user)?;
    let blocks = state.store.list_email_domain_blocks().await?;
    let chrome = chrome_for(&state, &user).await?;
    Ok(view::blocks(&chrome, &blocks, "", "", &FormErrors::default()).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BlockForm {
    domain: String,
    note: String,
}

/// `POST /admin/email-blocks`.
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    WebForm(form): WebForm<BlockForm>,
) -> WebResult<Response> {
    require_admin(&user)?;
    let note = form.note.trim();
    let checked = domain_name(&form.domain).and_then(|d| {
        if note.chars().count() > NOTE_MAX_CHARS {
            Err(ValidationError::new(
                "note",
                format!("At most {NOTE_MAX_CHARS} characters, please."),
            ))
        } else {
            Ok(d)
        }
    });
    let result = match checked {
        Ok(domain) => {
            match state
                .store
                .block_email_domain(user.account().id, &domain, note)
                .await
            {
                Ok(()) => return Ok(see_other("/admin/email-blocks")),
                Err(StoreError::Conflict { .. }) => (
                    StatusCode::CONFLICT,
                    ValidationError::new("domain", format!("{domain} is already blocked.")),
                ),
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    let (status, error) = result;
    let blocks = state.store.list_email_domain_blocks().await?;
    let chrome = chrome_for(&state, &user).await?;
    let errors = FormErrors::one(error.clone());
    let page = view::blocks(&chrome, &blocks, form.domain.trim(), note, &errors);
    Ok(form_error(status, &error, page))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct UnblockForm {
    domain: String,
}

/// `POST /admin/email-blocks/delete`: 404 when the domain is not blocked.
pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    WebForm(form): WebForm<UnblockForm>,
) -> WebResult<Response> {
    require_admin(&user)?;
    let domain = domain_name(&form.domain).map_err(|_| WebError::NotFound)?;
    state
        .store
        .unblock_email_domain(user.account().id, &domain)
        .await?;
    Ok(see_other("/admin/email-blocks"))
}
