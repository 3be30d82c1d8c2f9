//! Landing, log-in and sign-up pages.

use crate::views::forms::{self, Field, FormErrors};
use crate::views::layout::{Chrome, page};
use axum::response::Html;
use maud::html;
use social_core::RegistrationMode;

pub fn landing(chrome: &Chrome<'_>, mode: RegistrationMode) -> Html<String> {
    page(
        chrome,
        "Welcome",
        html! {
            h1 { "Welcome to " (chrome.instance) }
            p { "A small social network. Read the public posts, or join in." }
            ul {
                @if mode != RegistrationMode::Closed { li { a href="/signup" { "Sign up" } } }
                li { a href="/login" { "Log in" } }
                li { a href="/local" { "Local timeline" } }
            }
        },
    )
}

pub fn login(
    chrome: &Chrome<'_>,
    csrf: &str,
    username: &str,
    next: &str,
    errors: &FormErrors,
    email_enabled: bool,
) -> Html<String> {
    page(
        chrome,
        "Log in",
        html! {
            h1 { "Log in" }
            form method="post" action="/login" {
                (forms::summary(errors))
                (forms::csrf(csrf))
                input type="hidden" name="next" value=(next);
                (forms::input(&Field { autocomplete: Some("username"), required: true, ..Field::new("username", "Username", username) }, errors))
                (forms::input(&Field::password("password", "Password", "current-password"), errors))
                div.actions { button type="submit" { "Log in" } }
            }
            @if email_enabled { p { a href="/password/reset" { "Forgot your password?" } } }
            p { "No account? " a href="/signup" { "Sign up" } }
        },
    )
}

/// Values typed into the sign-up form (never the passwords).
#[derive(Default)]
pub struct SignupValues<'a> {
    pub username: &'a str,
    pub reason: &'a str,
    pub invite: &'a str,
    pub email: &'a str,
    /// SMTP is configured: the form asks for an e-mail address.
    pub ask_email: bool,
    /// The server rules, shown above the form.
    pub rules: &'a [social_store::ServerRule],
    /// The proof-of-work challenge (open mode with it on): the page loads `pow.js`.
    pub pow: Option<&'a crate::signup_pow::Issued>,
}

pub fn signup(
    chrome: &Chrome<'_>,
    csrf: &str,
    mode: RegistrationMode,
    values: &SignupValues<'_>,
    errors: &FormErrors,
) -> Html<String> {
    page(
        chrome,
        "Sign up",
        html! {
            h1 { "Sign up" }
            @if mode == RegistrationMode::Approval {
                p { "A moderator reviews new accounts before they can log in." }
            }
            @if !values.rules.is_empty() { p { "By signing up you agree to follow the server rules:" } }
            (crate::views::rules::rules_list(values.rules))
            @if values.pow.is_some() {
                noscript {
                    p.notice { "Without JavaScript this page cannot check your browser, so a moderator reviews your account before you can log in. Turn JavaScript on to start at once." }
                }
            }
            form method="post" action="/signup" data-pow-token=[values.pow.map(|p| p.token.as_str())] data-pow-bits=[values.pow.map(|p| p.bits)] {
                (forms::summary(errors))
                (forms::csrf(csrf))
                (forms::input(&Field {
                    hint: Some("Letters a–z, digits and underscores, up to 30."),
                    autocomplete: Some("username"),
                    required: true,
                    ..Field::new("username", "Username", values.username)
                }, errors))
                @if values.ask_email {
                    (forms::input(&Field {
                        kind: "email",
                        hint: Some("We send a link to confirm it; you can log in once it is confirmed."),
                        autocomplete: Some("email"),
                        required: true,
                        ..Field::new("email", "E-mail address", values.email)
                    }, errors))
                }
                (forms::input(&Field { hint: Some("At least 8 characters."), ..Field::password("password", "Password", "new-password") }, errors))
                (forms::input(&Field::password("password_confirm", "Password again", "new-password"), errors))
                @if mode == RegistrationMode::Invite {
                    (forms::input(&Field { required: true, ..Field::new("invite", "Invite code", values.invite) }, errors))
                }
                @if mode == RegistrationMode::Approval {
                    (forms::textarea("reason", "Why do you want to join?", values.reason, None, errors))
                }
                // The honeypot (signup::HONEYPOT_FIELD): off-screen, unannounced, unreachable by
                // Tab; people leave it empty, form-filling bots do not.
                div.trap aria-hidden="true" {
                    label for="x_website" { "Leave this field empty" }
                    input #x_website type="text" name="x_website" value="" tabindex="-1" autocomplete="off";
                }
                @if let Some(pow) = values.pow {
                    // Filled by pow.js (signup_pow); an empty nonce means no JavaScript ran.
                    input type="hidden" name="pow_token" value=(pow.token);
                    input type="hidden" name="pow_nonce" value="";
                    p #pow-status role="status" aria-live="polite" {}
                }
                div.actions { button type="submit" { "Sign up" } }
            }
            p { "Already have an account? " a href="/login" { "Log in" } }
            @if values.pow.is_some() { script src=(crate::assets::pow_js_path()) defer {} }
        },
    )
}

/// `without_proof`: an open-mode sign-up whose browser ran no proof of work (no JavaScript).
pub fn pending(chrome: &Chrome<'_>, without_proof: bool) -> Html<String> {
    page(
        chrome,
        "Waiting for approval",
        html! {
            h1 { "Waiting for approval" }
            p.notice { "Thank you for signing up. Your account is waiting for approval by a moderator; you can log in once it is approved." }
            @if without_proof {
                p { "Your browser did not run the sign-up check (it needs JavaScript), so a moderator looks at new accounts like yours before they can log in." }
            }
        },
    )
}
