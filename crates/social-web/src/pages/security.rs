//! `/settings/security`: two-factor enrolment (secret, `otpauth://` link and QR code, then a
//! current code to confirm, then the recovery codes shown once), turning it off (password
//! and a current code), and the password change (which logs out the other sessions).
//! A wrong password or code here is a failed authentication like one at the log-in.

use crate::AppState;
use crate::client_addr::ClientIp;
use crate::error::WebResult;
use crate::extract::{WebForm, WebQuery};
use crate::login_guard::{self, Failure};
use crate::pages::{chrome_for, form_error};
use crate::session::CurrentUser;
use crate::util::see_other;
use crate::views::forms::FormErrors;
use crate::views::security::{self as view, TwoFactor};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use social_core::totp::{self, SecondFactor};
use social_core::{ValidationError, validate};
use std::net::IpAddr;

#[derive(Debug, Default, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The QR code of `uri` as inline SVG (no XML declaration).
fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Some(match svg.split_once("?>") {
        Some((_, rest)) => rest.to_owned(),
        None => svg,
    })
}

/// The page with `errors` (and `status`), or a notice.
async fn render(
    state: &AppState,
    user: &CurrentUser,
    status: StatusCode,
    errors: FormErrors,
    notice: Option<&str>,
) -> WebResult<Response> {
    let account = user.account();
    let cred = state.store.get_totp(account.id).await?;
    let chrome = chrome_for(state, user).await?;
    let (uri, qr);
    let two_factor = match &cred {
        None => TwoFactor::Off,
        Some(c) if c.confirmed() => TwoFactor::On {
            recovery_left: state.store.count_recovery_codes(account.id).await?,
        },
        Some(c) => {
            uri = totp::otpauth_uri(&state.config.instance_name, &account.username, &c.secret);
            qr = qr_svg(&uri);
            TwoFactor::Pending {
                secret: &c.secret,
                uri: &uri,
                qr_svg: qr.as_deref(),
            }
        }
    };
    let page = view::security(&chrome, &two_factor, &errors, notice);
    Ok(match errors.0.first() {
        Some(first) => form_error(status, first, page),
        None => page.into_response(),
    })
}

/// `GET /settings/security`.
pub async fn security_page(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(q): WebQuery<DoneQuery>,
) -> WebResult<Response> {
    let notice = match q.done.as_deref() {
        Some("password") => Some("Password changed. Your other sessions are logged out."),
        Some("totp_off") => Some("Two-factor authentication is off."),
        _ => None,
    };
    render(&state, &user, StatusCode::OK, FormErrors::default(), notice).await
}

/// `POST /settings/security/totp`: starts (or restarts) enrolment with a new secret.
pub async fn start_totp(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    match state.store.begin_totp(user.account().id).await {
        Ok(_) => Ok(see_other("/settings/security")),
        Err(social_store::StoreError::Conflict { .. }) => {
            let error = ValidationError::new("code", "Two-factor authentication is on already.");
            render(
                &state,
                &user,
                StatusCode::CONFLICT,
                FormErrors::one(error),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
    password: String,
}

/// `POST /settings/security/totp/confirm`: a current code turns 2FA on; the recovery codes
/// are shown once.
pub async fn confirm_totp(
    State(state): State<AppState>,
    user: CurrentUser,
    WebForm(form): WebForm<CodeForm>,
) -> WebResult<Response> {
    let codes = match SecondFactor::parse(&form.code) {
        Some(SecondFactor::Code(code)) => {
            state.store.confirm_totp(user.account().id, &code).await?
        }
        _ => None,
    };
    match codes {
        Some(codes) => {
            let chrome = chrome_for(&state, &user).await?;
            Ok(view::recovery_codes(&chrome, &codes).into_response())
        }
        None => {
            let error = ValidationError::new(
                "code",
                "That code is not right. Check the time on your device and try the current code.",
            );
            render(
                &state,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                FormErrors::one(error),
                None,
            )
            .await
        }
    }
}

/// Checks the signed-in user's password, counting a wrong one as a failed log-in.
async fn password_ok(
    state: &AppState,
    user: &CurrentUser,
    ip: IpAddr,
    password: &str,
) -> WebResult<bool> {
    let username = &user.account().username;
    login_guard::check(state, ip, username).await?;
    let ok = password.len() <= validate::PASSWORD_MAX_BYTES
        && state
            .store
            .verify_password(username, password)
            .await?
            .is_some();
    if !ok {
        login_guard::fail(state, ip, username, Failure::BadPassword).await;
    }
    Ok(ok)
}

/// `POST /settings/security/totp/disable`: needs the password and a current code.
pub async fn disable_totp(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    WebForm(form): WebForm<CodeForm>,
) -> WebResult<Response> {
    let account = user.account();
    if !state.store.has_totp(account.id).await? {
        return Ok(see_other("/settings/security"));
    }
    let error = if !password_ok(&state, &user, ip, &form.password).await? {
        ValidationError::new("password", "Wrong password.")
    } else {
        let ok = match SecondFactor::parse(&form.code) {
            Some(f @ SecondFactor::Code(_)) => {
                state.store.check_second_factor(account.id, &f).await?
            }
            _ => false,
        };
        if ok {
            state.store.delete_totp(account.id).await?;
            return Ok(see_other("/settings/security?done=totp_off"));
        }
        login_guard::fail(&state, ip, &account.username, Failure::BadCode).await;
        ValidationError::new("code", "That code is not right, or was used already.")
    };
    render(
        &state,
        &user,
        StatusCode::UNPROCESSABLE_ENTITY,
        FormErrors::one(error),
        None,
    )
    .await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

/// `POST /settings/password`: changes the password and logs out every other session.
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    user: CurrentUser,
    WebForm(form): WebForm<PasswordForm>,
) -> WebResult<Response> {
    let account = user.account();
    let error = if !password_ok(&state, &user, ip, &form.current_password).await? {
        ValidationError::new("current_password", "Wrong password.")
    } else if let Err(e) = validate::new_password(&form.new_password, &account.username) {
        ValidationError::new("new_password", e.message)
    } else if form.new_password != form.new_password_confirm {
        ValidationError::new("new_password_confirm", "The two passwords differ.")
    } else {
        state
            .store
            .set_password(account.id, &form.new_password)
            .await?;
        state
            .store
            .revoke_other_sessions(account.id, user.token())
            .await?;
        return Ok(see_other("/settings/security?done=password"));
    };
    render(
        &state,
        &user,
        StatusCode::UNPROCESSABLE_ENTITY,
        FormErrors::one(error),
        None,
    )
    .await
}
