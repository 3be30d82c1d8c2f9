//! E-mail pages: the confirmation link and asking for it again, and the password reset
//! (asking for a link, then the new-password form). All of them are 404 without SMTP. The
//! answers to "send me a link" are the same whether or not the address is known.

use crate::client_addr::ClientIp;
use crate::csrf;
use crate::error::{WebError, WebResult};
use crate::extract::WebForm;
use crate::mail::Mailer;
use crate::pages::{anonymous, form_error, with_cookie};
use crate::views::email as view;
use crate::views::forms::FormErrors;
use crate::{AppState, email, ratelimit};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use social_core::email::{TokenPurpose, address};
use social_core::{AccountStatus, ValidationError, validate};
use std::net::IpAddr;

const RESEND: &str = "Send the confirmation link again";
const RESET: &str = "Reset your password";

fn mailer(state: &AppState) -> WebResult<&Mailer> {
    state.mailer.as_ref().ok_or(WebError::NotFound)
}

/// `GET /signup/check-email`.
pub async fn check_email(State(state): State<AppState>) -> WebResult<Response> {
    mailer(&state)?;
    let what = "We sent a link to the address you gave. Open it within 24 hours to confirm \
                the address; then you can log in.";
    Ok(view::check_inbox(&anonymous(&state), what).into_response())
}

/// `GET /confirm/{token}`.
pub async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> WebResult<Response> {
    mailer(&state)?;
    let account = state.store.confirm_email(&token).await?;
    let pending = state
        .store
        .get_account_by_id(account)
        .await?
        .is_some_and(|a| a.status == AccountStatus::Pending);
    Ok(view::confirmed(&anonymous(&state), pending).into_response())
}

/// `GET /confirm/resend` and `GET /password/reset`.
async fn email_page(state: &AppState, headers: &HeaderMap, title: &str, action: &str) -> Response {
    let (token, cookie) = csrf::anon_token(headers, state.config.tls);
    let page = view::email_form(
        &anonymous(state),
        &token,
        title,
        action,
        "",
        &FormErrors::default(),
    );
    with_cookie(page.into_response(), cookie)
}

pub async fn resend_page(State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    mailer(&state)?;
    Ok(email_page(&state, &headers, RESEND, "/confirm/resend").await)
}

pub async fn reset_page(State(state): State<AppState>, headers: HeaderMap) -> WebResult<Response> {
    mailer(&state)?;
    Ok(email_page(&state, &headers, RESET, "/password/reset").await)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

/// The checked address of a "send me a link" form (rate-limited per client and address),
/// or the form again with 422.
async fn requested_address(
    state: &AppState,
    ip: IpAddr,
    headers: &HeaderMap,
    form: &EmailForm,
    (title, action): (&str, &str),
) -> WebResult<Result<String, Response>> {
    let rule = state.config.rate_limits.email_links;
    ratelimit::check(state, "email-links-client", rule, ip).await?;
    match address(&form.email) {
        Ok(a) => {
            let key = social_core::email::address_key(&a);
            ratelimit::check(state, "email-links-address", rule, key).await?;
            Ok(Ok(a))
        }
        Err(e) => {
            let (token, _) = csrf::anon_token(headers, state.config.tls);
            let errors = FormErrors::one(e.clone());
            let page = view::email_form(
                &anonymous(state),
                &token,
                title,
                action,
                &form.email,
                &errors,
            );
            Ok(Err(form_error(StatusCode::UNPROCESSABLE_ENTITY, &e, page)))
        }
    }
}

/// `POST /confirm/resend`.
pub async fn resend_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    WebForm(form): WebForm<EmailForm>,
) -> WebResult<Response> {
    let mailer = mailer(&state)?;
    let target = (RESEND, "/confirm/resend");
    let to = match requested_address(&state, ip, &headers, &form, target).await? {
        Ok(a) => a,
        Err(page) => return Ok(page),
    };
    if let Some(found) = state.store.get_email_state_by_address(&to).await?
        && !found.confirmed
        && found.status != AccountStatus::Disabled
    {
        email::send_confirmation(&state, mailer, found.account_id, &found.email).await?;
    }
    let what = "If an account is waiting for confirmation of that address, a new link is on \
                its way to it.";
    Ok(view::check_inbox(&anonymous(&state), what).into_response())
}

/// `POST /password/reset`.
pub async fn reset_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    WebForm(form): WebForm<EmailForm>,
) -> WebResult<Response> {
    let mailer = mailer(&state)?;
    let target = (RESET, "/password/reset");
    let to = match requested_address(&state, ip, &headers, &form, target).await? {
        Ok(a) => a,
        Err(page) => return Ok(page),
    };
    if let Some(found) = state.store.get_email_state_by_address(&to).await?
        && found.confirmed
        && found.status == AccountStatus::Active
    {
        email::send_reset(
            &state,
            mailer,
            found.account_id,
            &found.username,
            &found.email,
        )
        .await?;
    }
    let what = "If an account uses that address, a link to choose a new password is on its \
                way to it. The link works for an hour.";
    Ok(view::check_inbox(&anonymous(&state), what).into_response())
}

/// `GET /password/reset/{token}`: the form, if the link is still good.
pub async fn new_password_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> WebResult<Response> {
    mailer(&state)?;
    state
        .store
        .check_email_token(&token, TokenPurpose::Reset)
        .await?;
    let (csrf_token, cookie) = csrf::anon_token(&headers, state.config.tls);
    let page = view::new_password(
        &anonymous(&state),
        &csrf_token,
        &token,
        &FormErrors::default(),
    );
    Ok(with_cookie(page.into_response(), cookie))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewPasswordForm {
    password: String,
    password_confirm: String,
}

/// `POST /password/reset/{token}`: sets the password and ends every session.
pub async fn new_password_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    WebForm(form): WebForm<NewPasswordForm>,
) -> WebResult<Response> {
    mailer(&state)?;
    let account = state
        .store
        .check_email_token(&token, TokenPurpose::Reset)
        .await?;
    let username = state
        .store
        .get_account_by_id(account)
        .await?
        .map(|a| a.username)
        .unwrap_or_default();
    let checked = validate::new_password(&form.password, &username).and_then(|()| {
        if form.password == form.password_confirm {
            Ok(())
        } else {
            Err(ValidationError::new(
                "password_confirm",
                "The two passwords differ.",
            ))
        }
    });
    if let Err(e) = checked {
        let (csrf_token, _) = csrf::anon_token(&headers, state.config.tls);
        let errors = FormErrors::one(e.clone());
        let page = view::new_password(&anonymous(&state), &csrf_token, &token, &errors);
        return Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &e, page));
    }
    state.store.reset_password(&token, &form.password).await?;
    Ok(view::password_reset_done(&anonymous(&state)).into_response())
}
