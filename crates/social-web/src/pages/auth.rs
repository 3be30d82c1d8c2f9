//! Landing page, sign-up, log-in and log-out.

use crate::client_addr::ClientIp;
use crate::csrf;
use crate::error::{WebError, WebResult};
use crate::extract::{WebForm, WebQuery};
use crate::login_guard::{self, Failure};
use crate::pages::{anonymous, chrome_for, form_error, with_cookie};
use crate::ratelimit;
use crate::session::{self, CurrentUser, MaybeUser};
use crate::util::{local_path, see_other};
use crate::views::auth::{self as view, SignupValues};
use crate::views::forms::FormErrors;
use crate::{AppState, headers, signup, signup_pow};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use social_core::access::{self, APPEAL_PAGE};
use social_core::{
    Account, AccountId, AccountStatus, RegistrationMode, ValidationError, WebAccess,
};
use std::net::IpAddr;

/// `GET /`.
pub async fn landing(State(state): State<AppState>, user: MaybeUser) -> WebResult<Response> {
    if user.0.is_some() {
        return Ok(see_other("/home"));
    }
    let mode = state.store.get_registration_mode().await?;
    Ok(view::landing(&anonymous(&state), mode).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// `GET /login`.
pub async fn login_page(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
    WebQuery(q): WebQuery<LoginQuery>,
) -> Response {
    let next = local_path(q.next.as_deref(), "/home");
    if user.0.is_some() {
        return see_other(next);
    }
    let (token, cookie) = csrf::anon_token(&headers, state.config.tls);
    let page = view::login(
        &anonymous(&state),
        &token,
        "",
        next,
        &FormErrors::default(),
        state.mailer.is_some(),
    );
    with_cookie(page.into_response(), cookie)
}

#[derive(Debug, serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /login`.
pub async fn login_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    WebForm(form): WebForm<LoginForm>,
) -> WebResult<Response> {
    login_guard::check(&state, ip, &form.username).await?;
    let account = if form.password.len() > social_core::validate::PASSWORD_MAX_BYTES {
        None
    } else {
        state
            .store
            .verify_password(&form.username, &form.password)
            .await?
    };
    let Some(account) = account else {
        return refuse_login(&state, ip, &headers, &form).await;
    };
    // Checked first: an address nobody confirmed may not be its owner's.
    if state.mailer.is_some()
        && let Some(email) = state.store.get_email_state(account.id).await?
        && !email.confirmed
    {
        return Err(WebError::Forbidden(
            "Confirm your e-mail address first: open the link we sent to it (or ask for a new one at /confirm/resend)."
                .into(),
        ));
    }
    // A right password of a suspended account is no failed log-in: it opens a session that
    // reaches the appeal only, after the second factor like any other.
    let access = login_access(&state, &account)
        .await?
        .map_err(|why| WebError::Forbidden(why.into()))?;
    let next = match access {
        WebAccess::Full => local_path(form.next.as_deref(), "/home"),
        WebAccess::AppealOnly => APPEAL_PAGE,
    };
    if state.store.has_totp(account.id).await? {
        return crate::pages::two_factor::challenge(&state, account.id, next).await;
    }
    start_session(&state, account.id, &headers, ip, next).await
}

/// What a web session of `account` reaches once its password (and second factor) is right;
/// Err: why it may not log in at all (`social_core::access::web_access`).
pub(crate) async fn login_access(
    state: &AppState,
    account: &Account,
) -> WebResult<Result<WebAccess, &'static str>> {
    let (suspended, purged) = if account.status == AccountStatus::Disabled {
        let st = state.store.moderation_state(account.id).await?;
        (st.suspended_at_ms.is_some(), st.purged_at_ms.is_some())
    } else {
        (false, false)
    };
    Ok(access::web_access(account.status, suspended, purged))
}

/// Opens a session for a fully authenticated account: the cookie and a redirect to `next`.
pub(crate) async fn start_session(
    state: &AppState,
    account: AccountId,
    headers: &HeaderMap,
    ip: IpAddr,
    next: &str,
) -> WebResult<Response> {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let new = state
        .store
        .create_session_from(account, agent, &ip.to_string())
        .await?;
    let cookie = session::set_cookie(
        session::cookie_name(state.config.tls),
        &new.token,
        session::SESSION_COOKIE_MAX_AGE,
        state.config.tls,
    );
    Ok(with_cookie(see_other(next), Some(cookie)))
}

/// A failed authentication: the fail2ban log line and the failure counters
/// (`login_guard`), then the form again with 422.
async fn refuse_login(
    state: &AppState,
    ip: IpAddr,
    headers: &HeaderMap,
    form: &LoginForm,
) -> WebResult<Response> {
    let username = form.username.as_str();
    let known = state
        .store
        .get_account_by_username(username)
        .await?
        .is_some();
    let failure = if known {
        Failure::BadPassword
    } else {
        Failure::UnknownUser
    };
    login_guard::fail(state, ip, username, failure).await;
    let (token, _) = csrf::anon_token(headers, state.config.tls);
    let next = local_path(form.next.as_deref(), "/home");
    let error = ValidationError::new("username", "Wrong username or password.");
    let page = view::login(
        &anonymous(state),
        &token,
        username,
        next,
        &FormErrors::one(error.clone()),
        state.mailer.is_some(),
    );
    Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &error, page))
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    state.store.delete_session(user.token()).await?;
    let cookie = session::set_cookie(
        session::cookie_name(state.config.tls),
        "",
        0,
        state.config.tls,
    );
    Ok(with_cookie(see_other("/"), Some(cookie)))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SignupQuery {
    invite: Option<String>,
}

/// `GET /signup`.
pub async fn signup_page(
    State(state): State<AppState>,
    user: MaybeUser,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    WebQuery(q): WebQuery<SignupQuery>,
) -> WebResult<Response> {
    if user.0.is_some() {
        return Ok(see_other("/home"));
    }
    let mode = signup::open_mode(&state).await?;
    signup::check_address(&state, ip).await?;
    let (token, cookie) = csrf::anon_token(&headers, state.config.tls);
    let rules = state.store.list_rules().await?;
    let pow = fresh_challenge(&state, mode).await?;
    let values = SignupValues {
        invite: q.invite.as_deref().unwrap_or(""),
        ask_email: state.mailer.is_some(),
        rules: &rules,
        pow: pow.as_ref(),
        ..SignupValues::default()
    };
    let page = view::signup(
        &anonymous(&state),
        &token,
        mode,
        &values,
        &FormErrors::default(),
    );
    let response = with_cookie(page.into_response(), cookie);
    Ok(allow_pow_script(response, pow.is_some()))
}

/// A new proof-of-work challenge when sign-ups in `mode` need one.
async fn fresh_challenge(
    state: &AppState,
    mode: RegistrationMode,
) -> WebResult<Option<signup_pow::Issued>> {
    Ok(match signup_pow::required(state, mode) {
        Some(cfg) => Some(signup_pow::issue(state, cfg).await?),
        None => None,
    })
}

/// The sign-up page with a challenge loads `pow.js`: its CSP allows scripts from this
/// origin (nothing inline). Every other page keeps the script-free default.
fn allow_pow_script(mut response: Response, pow: bool) -> Response {
    if pow {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(headers::CSP_SCRIPT_SELF),
        );
    }
    response
}

/// `POST /signup`.
pub async fn signup_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    WebForm(form): WebForm<signup::SignupForm>,
) -> WebResult<Response> {
    // Attempts, not only successes: a bot's invalid submissions count too.
    ratelimit::check(&state, "signups", state.config.rate_limits.signups, ip).await?;
    let mode = signup::open_mode(&state).await?;
    signup::check_address(&state, ip).await?;
    let rules = state.store.list_rules().await?;
    let values = SignupValues {
        username: form.username.trim(),
        reason: &form.reason,
        invite: &form.invite,
        email: form.email.trim(),
        ask_email: state.mailer.is_some(),
        rules: &rules,
        pow: None,
    };
    let (status, error) = match signup::register(&state, mode, &form).await? {
        signup::Outcome::Active(account) => {
            let agent = headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let new = state
                .store
                .create_session_from(account.id, agent, &ip.to_string())
                .await?;
            let cookie = session::set_cookie(
                session::cookie_name(state.config.tls),
                &new.token,
                session::SESSION_COOKIE_MAX_AGE,
                state.config.tls,
            );
            return Ok(with_cookie(see_other("/home"), Some(cookie)));
        }
        signup::Outcome::Pending => return Ok(see_other("/signup/pending")),
        signup::Outcome::PendingWithoutProof => {
            return Ok(see_other("/signup/pending?without_proof=1"));
        }
        signup::Outcome::ConfirmationSent => return Ok(see_other("/signup/check-email")),
        signup::Outcome::Rejected(status, errors) => (status, errors),
    };
    let (token, _) = csrf::anon_token(&headers, state.config.tls);
    let first = error
        .0
        .first()
        .cloned()
        .unwrap_or_else(|| ValidationError::new("username", "Invalid."));
    // The form again with a new challenge: the old one may be used up.
    let pow = fresh_challenge(&state, mode).await?;
    let values = SignupValues {
        pow: pow.as_ref(),
        ..values
    };
    let page = view::signup(&anonymous(&state), &token, mode, &values, &error);
    Ok(allow_pow_script(
        form_error(status, &first, page),
        pow.is_some(),
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PendingQuery {
    /// Set after an open-mode sign-up without the proof of work.
    without_proof: Option<String>,
}

/// `GET /signup/pending`.
pub async fn signup_pending(
    State(state): State<AppState>,
    user: MaybeUser,
    WebQuery(q): WebQuery<PendingQuery>,
) -> WebResult<Response> {
    let without_proof = q.without_proof.is_some();
    Ok(match &user.0 {
        Some(u) => view::pending(&chrome_for(&state, u).await?, without_proof).into_response(),
        None => view::pending(&anonymous(&state), without_proof).into_response(),
    })
}
