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
use social_core::{AccountId, ModAction, ValidationError};

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

/// What a moderators' notice mail says was done.
fn action_words(action: ModAction) -> &'static str {
    match action {
        ModAction::DeletePosts => "deleted posts of yours",
        ModAction::MarkSensitive => "marked posts of yours sensitive",
        ModAction::Limit => {
            "limited your account (it is hidden from public timelines and from people who do not follow you)"
        }
        ModAction::Suspend => "suspended your account",
        ModAction::RejectPost => "rejected a post of yours that was held for review",
        _ => "sent you a warning",
    }
}

/// Tells the account by mail about a moderators' action it may appeal, when mail is set up and
/// the account has a confirmed address. The notice itself (with the appeal form) is at
/// `/settings/moderation`; the action is already done, so a failed lookup is logged, never
/// returned.
pub async fn send_notice(state: &AppState, account: AccountId, action: ModAction, message: &str) {
    let Some(mailer) = state.mailer.as_ref() else {
        return;
    };
    if !action.notifies() {
        return;
    }
    let found = match state.store.get_email_state(account).await {
        Ok(Some(found)) if found.confirmed => found,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(target: "social::mail", error = %e, "moderation notice not mailed: the address could not be read");
            return;
        }
    };
    let instance = &state.config.instance_name;
    let link = mailer.link("/settings/moderation");
    let words = action_words(action);
    let said = if message.trim().is_empty() {
        "They left no message.".to_owned()
    } else {
        format!("Their message:\n\n{}", message.trim())
    };
    mailer.queue(Mail {
        to: found.email,
        subject: format!("A notice from the moderators of {instance}"),
        body: format!(
            "Hello @{},\n\nthe moderators of {instance} {words}.\n{said}\n\n\
             You can read the notice and appeal it once (log in first):\n\n{link}\n",
            found.username
        ),
    });
}
