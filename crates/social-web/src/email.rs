//! E-mail processing: the sign-up address check (format, blocked domains, blocked mail
//! servers), and the confirmation and password-reset mails.
//!
//! MX policy: when the MX lookup fails (no resolver, timeout, a DNS error), the address is
//! judged by its own domain alone and sign-up goes ahead; DNS trouble must not close sign-ups.

use crate::AppState;
use crate::error::WebResult;
use crate::mail::{Mail, Mailer};
use crate::mx;
use social_core::email::{self, TokenPurpose};
use social_core::{AccountId, ValidationError};

/// The validated address, or why it is refused (field `email`).
pub async fn signup_address(
    state: &AppState,
    mailer: &Mailer,
    raw: &str,
) -> WebResult<Result<String, ValidationError>> {
    let address = match email::address(raw) {
        Ok(a) => a,
        Err(e) => return Ok(Err(e)),
    };
    let domain = email::domain_of(&address).to_owned();
    if blocked(state, mailer, &domain).await? {
        return Ok(Err(ValidationError::new(
            "email",
            format!("Sign-ups with e-mail addresses at {domain} are not accepted here."),
        )));
    }
    Ok(Ok(address))
}

/// Whether `domain`, a parent of it, or one of its MX hosts (or their parents) is blocked.
async fn blocked(state: &AppState, mailer: &Mailer, domain: &str) -> WebResult<bool> {
    let store = &state.store;
    if store
        .blocked_email_domain(&email::domain_and_parents(domain))
        .await?
        .is_some()
    {
        return Ok(true);
    }
    let resolver = mailer.settings().dns_resolver.or_else(mx::system_resolver);
    let Some(resolver) = resolver else {
        tracing::info!(target: "social::mail", "no DNS resolver for the MX check; allowed");
        return Ok(false);
    };
    let hosts = match mx::lookup(resolver, domain).await {
        Ok(hosts) => hosts,
        Err(error) => {
            tracing::info!(target: "social::mail", %error, "MX lookup failed; judged by the domain alone");
            return Ok(false);
        }
    };
    for host in hosts {
        if let Some(block) = store
            .blocked_email_domain(&email::domain_and_parents(&host))
            .await?
        {
            tracing::info!(target: "social::mail", block = %block, "sign-up refused: its mail server is in a blocked domain");
            return Ok(true);
        }
    }
    Ok(false)
}

/// Queues the confirmation mail with a new single-use link.
pub async fn send_confirmation(
    state: &AppState,
    mailer: &Mailer,
    account: AccountId,
    address: &str,
) -> WebResult<()> {
    let token = state
        .store
        .create_email_token(account, TokenPurpose::Confirm)
        .await?;
    let instance = &state.config.instance_name;
    let link = mailer.link(&format!("/confirm/{token}"));
    mailer.queue(Mail {
        to: address.to_owned(),
        subject: format!("Confirm your e-mail address for {instance}"),
        body: format!(
            "Hello,\n\nsomeone (we hope you) signed up on {instance} with this address.\n\
             Confirm it by opening this link within 24 hours:\n\n{link}\n\n\
             If it was not you, ignore this mail: the account cannot be used without it.\n"
        ),
    });
    Ok(())
}

/// Queues a password-reset mail with a new single-use link.
pub async fn send_reset(
    state: &AppState,
    mailer: &Mailer,
    account: AccountId,
    username: &str,
    address: &str,
) -> WebResult<()> {
    let token = state
        .store
        .create_email_token(account, TokenPurpose::Reset)
        .await?;
    let instance = &state.config.instance_name;
    let link = mailer.link(&format!("/password/reset/{token}"));
    mailer.queue(Mail {
        to: address.to_owned(),
        subject: format!("Reset your password on {instance}"),
        body: format!(
            "Hello @{username},\n\nsomeone (we hope you) asked to reset your password on \
             {instance}.\nChoose a new one by opening this link within an hour:\n\n{link}\n\n\
             If it was not you, ignore this mail: your password stays as it is.\n"
        ),
    });
    Ok(())
}
