//! Account security pages: the log-in's second step, `/settings/security` (two-factor
//! enrolment, recovery codes, disabling, password change) and `/settings/sessions`.

use crate::views::forms::{self, Field, FormErrors};
use crate::views::layout::{Chrome, page};
use crate::views::post::timestamp;
use axum::response::Html;
use maud::{Markup, PreEscaped, html};
use social_store::{Authorization, SessionInfo};

/// The log-in's second step.
pub fn login_code(chrome: &Chrome<'_>, csrf: &str, errors: &FormErrors) -> Html<String> {
    page(
        chrome,
        "Two-factor authentication",
        html! {
            h1 { "Two-factor authentication" }
            p { "Enter the six-digit code from your authenticator app, or one of your recovery codes." }
            form method="post" action="/login/two-factor" {
                (forms::summary(errors))
                (forms::csrf(csrf))
                (forms::input(&Field {
                    autocomplete: Some("one-time-code"),
                    required: true,
                    ..Field::new("code", "Code", "")
                }, errors))
                div.actions { button type="submit" { "Log in" } }
            }
            p { a href="/login" { "Start again" } }
        },
    )
}

/// What `/settings/security` shows about two-factor authentication.
pub enum TwoFactor<'a> {
    Off,
    /// Enrolment started: the secret to enter in the app, and its QR code (inline SVG).
    Pending {
        secret: &'a str,
        uri: &'a str,
        qr_svg: Option<&'a str>,
    },
    On {
        recovery_left: i64,
    },
}

pub fn security(
    chrome: &Chrome<'_>,
    two_factor: &TwoFactor<'_>,
    errors: &FormErrors,
    notice: Option<&str>,
) -> Html<String> {
    page(
        chrome,
        "Security",
        html! {
            h1 { "Security" }
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            (forms::summary(errors))
            h2 { "Two-factor authentication" }
            (two_factor_section(chrome, two_factor, errors))
            h2 { "Password" }
            form method="post" action="/settings/password" {
                (forms::csrf(chrome.csrf()))
                (forms::input(&Field::password("current_password", "Current password", "current-password"), errors))
                (forms::input(&Field { hint: Some("Changing it logs out your other sessions."), ..Field::password("new_password", "New password", "new-password") }, errors))
                (forms::input(&Field::password("new_password_confirm", "New password again", "new-password"), errors))
                div.actions { button type="submit" { "Change password" } }
            }
            p { a href="/settings/sessions" { "Sessions and authorized apps" } }
        },
    )
}

fn two_factor_section(chrome: &Chrome<'_>, tf: &TwoFactor<'_>, errors: &FormErrors) -> Markup {
    match tf {
        TwoFactor::Off => html! {
            p { "Off. With it on, logging in also asks for a code from an authenticator app." }
            form method="post" action="/settings/security/totp" {
                (forms::csrf(chrome.csrf()))
                div.actions { button type="submit" { "Set up two-factor authentication" } }
            }
        },
        TwoFactor::Pending {
            secret,
            uri,
            qr_svg,
        } => html! {
            p { "Scan this code with your authenticator app, or enter the key by hand." }
            @if let Some(svg) = qr_svg {
                div.qr role="img" aria-label="QR code of the key" { (PreEscaped(*svg)) }
            }
            p { "Key: " code #totp-secret { (secret) } }
            p { "Link: " code { (uri) } }
            form method="post" action="/settings/security/totp/confirm" {
                (forms::csrf(chrome.csrf()))
                (forms::input(&Field {
                    hint: Some("The six digits your app shows now."),
                    autocomplete: Some("one-time-code"),
                    required: true,
                    ..Field::new("code", "Code", "")
                }, errors))
                div.actions { button type="submit" { "Turn on" } }
            }
        },
        TwoFactor::On { recovery_left } => html! {
            p { "On. Recovery codes left: " (recovery_left) "." }
            form method="post" action="/settings/security/totp/disable" {
                (forms::csrf(chrome.csrf()))
                (forms::input(&Field::password("password", "Password", "current-password"), errors))
                (forms::input(&Field {
                    autocomplete: Some("one-time-code"),
                    required: true,
                    ..Field::new("code", "Code from your app", "")
                }, errors))
                div.actions { button.secondary type="submit" { "Turn off two-factor authentication" } }
            }
        },
    }
}

/// The recovery codes, shown once right after enrolment.
pub fn recovery_codes(chrome: &Chrome<'_>, codes: &[String]) -> Html<String> {
    page(
        chrome,
        "Recovery codes",
        html! {
            h1 { "Two-factor authentication is on" }
            p { "Keep these recovery codes somewhere safe. Each logs you in once without your app. They are shown only this once." }
            ul.recovery-codes { @for c in codes { li { code { (c) } } } }
            p { a href="/settings/security" { "Done" } }
        },
    )
}

pub fn sessions(
    chrome: &Chrome<'_>,
    current_id: &str,
    sessions: &[SessionInfo],
    authorizations: &[Authorization],
    notice: Option<&str>,
) -> Html<String> {
    page(
        chrome,
        "Sessions",
        html! {
            h1 { "Sessions" }
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            table {
                thead { tr { th { "Browser" } th { "Address" } th { "Logged in" } th { "Last seen" } th {} } }
                tbody {
                    @for s in sessions {
                        tr {
                            td { (s.user_agent) }
                            td { (s.client_addr) }
                            td { (timestamp(s.created_at_ms)) }
                            td { (timestamp(s.last_seen_at_ms)) }
                            td {
                                @if s.id == current_id { "This session" } @else {
                                    (forms::button(&format!("/settings/sessions/{}/revoke", s.id), "Log out", chrome.csrf(), "/settings/sessions"))
                                }
                            }
                        }
                    }
                }
            }
            @if sessions.len() > 1 {
                (forms::button("/settings/sessions/revoke_others", "Log out all other sessions", chrome.csrf(), "/settings/sessions"))
            }
            h2 { "Authorized apps" }
            @if authorizations.is_empty() { p { "None." } } @else {
                table {
                    thead { tr { th { "App" } th { "Scopes" } th { "Authorized" } th { "Last used" } th {} } }
                    tbody {
                        @for a in authorizations {
                            tr {
                                td { (a.app_name) }
                                td { (a.scopes) }
                                td { (timestamp(a.created_at_ms)) }
                                td { (timestamp(a.last_used_at_ms)) }
                                td { (forms::button(&format!("/settings/authorizations/{}/revoke", a.token_id), "Revoke", chrome.csrf(), "/settings/sessions")) }
                            }
                        }
                    }
                }
            }
        },
    )
}
