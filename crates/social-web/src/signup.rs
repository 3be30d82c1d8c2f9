//! Sign-up processing: validates the form for the registration mode and creates the account
//! (active, or pending under approval mode; the store consumes invite codes). With SMTP
//! configured the form also takes an e-mail address, checked against the blocked domains
//! (`email::blocked`), and the account logs in only once the address is confirmed. In open
//! mode with the proof of work on (`signup_pow`), a sign-up without a proof waits for approval
//! and a wrong one is refused.

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::signup_pow::Proof;
use crate::views::forms::FormErrors;
use axum::http::StatusCode;
use social_core::{Account, AccountStatus, RegistrationMode, Role, ValidationError, validate};
use social_store::{AccountInsert, StoreError};

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignupForm {
    pub username: String,
    pub password: String,
    pub password_confirm: String,
    pub invite: String,
    pub reason: String,
    pub email: String,
    /// The honeypot: a field people never see (moved off-screen, hidden from screen readers,
    /// out of the tab order) and leave empty; form-filling bots fill it.
    pub x_website: String,
    /// The signed proof-of-work challenge the page carried (`signup_pow::TOKEN_FIELD`).
    pub pow_token: String,
    /// The nonce `pow.js` found; empty without JavaScript (`signup_pow::NONCE_FIELD`).
    pub pow_nonce: String,
}

/// The honeypot field's name (see `SignupForm::x_website`).
pub const HONEYPOT_FIELD: &str = "x_website";

pub enum Outcome {
    /// Open or invite mode: the account may log in now.
    Active(Account),
    /// Approval mode: staff must approve it.
    Pending,
    /// Open mode without a proof of work (no JavaScript): staff must approve it.
    PendingWithoutProof,
    /// The account waits for its e-mail address to be confirmed (and, under approval mode,
    /// for staff); the confirmation mail is queued.
    ConfirmationSent,
    /// The form is shown again with this status (409 or 422).
    Rejected(StatusCode, FormErrors),
}

/// The registration mode, or 403 when sign-up is closed.
pub async fn open_mode(state: &AppState) -> WebResult<RegistrationMode> {
    let mode = state.store.get_registration_mode().await?;
    if mode == RegistrationMode::Closed {
        return Err(WebError::Forbidden(
            "Registration is closed on this server.".into(),
        ));
    }
    Ok(mode)
}

/// 403 when the client address is in a sign-up IP block (`/admin/ip-blocks`).
pub async fn check_address(state: &AppState, ip: std::net::IpAddr) -> WebResult<()> {
    if state.store.ip_block_for(ip).await?.is_some() {
        return Err(WebError::Forbidden(
            "Sign-up from your network is blocked on this server. If you think this is a \
             mistake, contact the server's admins."
                .into(),
        ));
    }
    Ok(())
}

fn validate_form(
    mode: RegistrationMode,
    f: &SignupForm,
) -> Result<(String, String, Option<String>), FormErrors> {
    let mut errors = Vec::new();
    if !f.x_website.trim().is_empty() {
        errors.push(ValidationError::new(
            HONEYPOT_FIELD,
            "Leave this field empty: it is there to catch sign-up bots.",
        ));
    }
    let username = validate::username(&f.username)
        .map_err(|e| errors.push(e))
        .unwrap_or_default();
    if let Err(e) = validate::new_password(&f.password, f.username.trim()) {
        errors.push(e);
    } else if f.password != f.password_confirm {
        errors.push(ValidationError::new(
            "password_confirm",
            "The two passwords differ.",
        ));
    }
    let mut reason = String::new();
    if mode == RegistrationMode::Approval {
        reason = validate::signup_reason(&f.reason)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
    }
    let mut invite = None;
    if mode == RegistrationMode::Invite {
        let code = f.invite.trim();
        if code.is_empty() || code.len() > 128 {
            errors.push(ValidationError::new(
                "invite",
                "Enter the invite code you were given.",
            ));
        }
        invite = Some(code.to_owned());
    }
    if errors.is_empty() {
        Ok((username, reason, invite))
    } else {
        Err(FormErrors(errors))
    }
}

pub async fn register(
    state: &AppState,
    mode: RegistrationMode,
    f: &SignupForm,
) -> WebResult<Outcome> {
    if !f.x_website.trim().is_empty() {
        tracing::info!(target: "social::spam", username = ?f.username.trim(), "sign-up refused: the honeypot field was filled");
    }
    let (username, signup_reason, invite_code) = match validate_form(mode, f) {
        Ok(v) => v,
        Err(errors) => return Ok(Outcome::Rejected(StatusCode::UNPROCESSABLE_ENTITY, errors)),
    };
    let email = match &state.mailer {
        None => None,
        Some(mailer) => match crate::email::signup_address(state, mailer, &f.email).await? {
            Ok(address) => Some((mailer, address)),
            Err(e) => {
                return Ok(Outcome::Rejected(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    FormErrors::one(e),
                ));
            }
        },
    };
    let mut status = if mode == RegistrationMode::Approval {
        AccountStatus::Pending
    } else {
        AccountStatus::Active
    };
    // After the form checks, so a typo costs no proof; before the insert, so a refused
    // proof creates nothing.
    let mut without_proof = false;
    if let Some(cfg) = crate::signup_pow::required(state, mode) {
        match crate::signup_pow::check(state, cfg, &f.pow_token, &f.pow_nonce).await? {
            Ok(Proof::Solved) => {}
            Ok(Proof::Missing) => {
                tracing::info!(target: "social::spam", username = ?username, "sign-up without the proof of work: the account waits for approval");
                status = AccountStatus::Pending;
                without_proof = true;
            }
            Err(e) => {
                tracing::info!(target: "social::spam", username = ?username, problem = ?e, "sign-up refused: the proof of work failed");
                let error = ValidationError::new(crate::signup_pow::STATUS_ID, e.to_string());
                return Ok(Outcome::Rejected(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    FormErrors::one(error),
                ));
            }
        }
    }
    let insert = AccountInsert {
        username,
        password: f.password.clone(),
        role: Role::User,
        status,
        signup_reason,
        invite_code,
    };
    let created = match &email {
        None => state.store.create_account(insert).await,
        Some((_, address)) => state.store.create_account_with_email(insert, address).await,
    };
    match created {
        Ok(account) => {
            if let Some((mailer, address)) = &email {
                crate::email::send_confirmation(state, mailer, account.id, address).await?;
                Ok(Outcome::ConfirmationSent)
            } else if account.status == AccountStatus::Active {
                Ok(Outcome::Active(account))
            } else if without_proof {
                Ok(Outcome::PendingWithoutProof)
            } else {
                Ok(Outcome::Pending)
            }
        }
        Err(StoreError::Conflict { what: "email" }) => Ok(Outcome::Rejected(
            StatusCode::CONFLICT,
            FormErrors::one(ValidationError::new(
                "email",
                "This e-mail address is already used by an account.",
            )),
        )),
        Err(StoreError::Conflict { .. }) => Ok(Outcome::Rejected(
            StatusCode::CONFLICT,
            FormErrors::one(ValidationError::new("username", "This username is taken.")),
        )),
        Err(StoreError::Invalid(e)) => Ok(Outcome::Rejected(
            StatusCode::UNPROCESSABLE_ENTITY,
            FormErrors::one(e),
        )),
        Err(e) => Err(e.into()),
    }
}
