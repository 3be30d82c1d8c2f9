//! E-mail pages: "check your inbox", resending the confirmation, password reset (request and
//! new password), and the staff list of blocked e-mail domains.

use crate::views::admin::{admin_nav, role};
use crate::views::forms::{self, Field, FormErrors};
use crate::views::layout::{Chrome, page};
use crate::views::post::timestamp;
use axum::response::Html;
use maud::{Markup, html};
use social_store::EmailDomainBlock;

/// After sign-up, and after asking for a link again: the same words whether or not the
/// address is known.
pub fn check_inbox(chrome: &Chrome<'_>, what: &str) -> Html<String> {
    page(
        chrome,
        "Check your inbox",
        html! {
            h1 { "Check your inbox" }
            p.notice { (what) }
            p { "No mail after a few minutes? Look in the spam folder, or "
                a href="/confirm/resend" { "ask for a new confirmation link" } "." }
        },
    )
}

/// The address was confirmed.
pub fn confirmed(chrome: &Chrome<'_>, pending_approval: bool) -> Html<String> {
    page(
        chrome,
        "Address confirmed",
        html! {
            h1 { "Address confirmed" }
            @if pending_approval {
                p.notice { "Thank you. A moderator still has to approve your account; you can log in once it is approved." }
            } @else {
                p.notice { "Thank you. You can " a href="/login" { "log in" } " now." }
            }
        },
    )
}

/// One e-mail field and a button: resending the confirmation, or asking for a reset link.
pub fn email_form(
    chrome: &Chrome<'_>,
    csrf: &str,
    title: &str,
    action: &str,
    email: &str,
    errors: &FormErrors,
) -> Html<String> {
    page(
        chrome,
        title,
        html! {
            h1 { (title) }
            form method="post" action=(action) {
                (forms::summary(errors))
                (forms::csrf(csrf))
                (forms::input(&Field { kind: "email", autocomplete: Some("email"), required: true, ..Field::new("email", "E-mail address", email) }, errors))
                div.actions { button type="submit" { "Send the link" } }
            }
        },
    )
}

/// The new-password form of a reset link.
pub fn new_password(
    chrome: &Chrome<'_>,
    csrf: &str,
    token: &str,
    errors: &FormErrors,
) -> Html<String> {
    page(
        chrome,
        "Choose a new password",
        html! {
            h1 { "Choose a new password" }
            form method="post" action={ "/password/reset/" (token) } {
                (forms::summary(errors))
                (forms::csrf(csrf))
                (forms::input(&Field { hint: Some("At least 8 characters."), ..Field::password("password", "New password", "new-password") }, errors))
                (forms::input(&Field::password("password_confirm", "New password again", "new-password"), errors))
                div.actions { button type="submit" { "Set the password" } }
            }
            p { "Every device logged in to your account will be logged out." }
        },
    )
}

/// The password was changed.
pub fn password_reset_done(chrome: &Chrome<'_>) -> Html<String> {
    page(
        chrome,
        "Password changed",
        html! {
            h1 { "Password changed" }
            p.notice { "Your new password is set and every session was logged out. "
                a href="/login" { "Log in" } " with the new password." }
        },
    )
}

/// `/admin/email-blocks`.
pub fn blocks(
    chrome: &Chrome<'_>,
    blocks: &[EmailDomainBlock],
    domain: &str,
    note: &str,
    errors: &FormErrors,
) -> Html<String> {
    let csrf = chrome.csrf();
    page(
        chrome,
        "Blocked e-mail domains",
        html! {
            h1 { "Blocked e-mail domains" }
            (admin_nav(role(chrome)))
            p { "Sign-ups are refused for addresses in these domains and their subdomains, and for domains whose mail servers (MX) are in them." }
            form method="post" action="/admin/email-blocks" {
                (forms::summary(errors))
                (forms::csrf(csrf))
                (forms::input(&Field { required: true, hint: Some("Such as spam.example (IDNs in their xn-- form)."), ..Field::new("domain", "Domain", domain) }, errors))
                (forms::input(&Field { hint: Some("Optional; kept in the audit log."), ..Field::new("note", "Note", note) }, errors))
                div.actions { button type="submit" { "Block" } }
            }
            @if blocks.is_empty() {
                p { "No domain is blocked." }
            } @else {
                ul { @for b in blocks { (block_item(b, csrf)) } }
            }
        },
    )
}

fn block_item(b: &EmailDomainBlock, csrf: &str) -> Markup {
    html! {
        li {
            strong { (b.domain) } " · since " (timestamp(b.created_at_ms))
            @if !b.note.is_empty() { " · " (b.note) }
            form method="post" action="/admin/email-blocks/delete" {
                (forms::csrf(csrf))
                input type="hidden" name="domain" value=(b.domain);
                button.secondary type="submit" { "Unblock " (b.domain) }
            }
        }
    }
}
