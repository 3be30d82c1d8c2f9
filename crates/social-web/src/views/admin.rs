//! Staff pages: pending registrations, instance settings, invites.

use crate::views::forms::{self, Field, FormErrors};
use crate::views::layout::{Chrome, page};
use crate::views::post::timestamp;
use axum::response::Html;
use maud::{Markup, html};
use social_core::{Account, RegistrationMode, Role};
use social_store::Invite;

/// The staff pages' navigation (moderation pages too).
pub fn admin_nav(role: Role) -> Markup {
    html! {
        nav aria-label="Administration" {
            ul {
                li { a href="/admin/reports" { "Reports" } }
                li { a href="/admin/registrations" { "Registrations" } }
                li { a href="/admin/invites" { "Invites" } }
                li { a href="/admin/held" { "Held posts" } }
                @if role == Role::Admin {
                    li { a href="/admin/filters" { "Filters" } }
                    li { a href="/admin/ip-blocks" { "IP blocks" } }
                    li { a href="/admin/rules" { "Rules" } }
                    li { a href="/admin/settings" { "Settings" } }
                    li { a href="/admin/audit" { "Audit log" } }
                    li { a href="/admin/email-blocks" { "E-mail blocks" } }
                }
            }
        }
    }
}

/// The signed-in user's role (`User` when anonymous).
pub fn role(chrome: &Chrome<'_>) -> Role {
    chrome.user.map_or(Role::User, |u| u.session.account.role)
}

pub fn registrations(chrome: &Chrome<'_>, pending: &[Account]) -> Html<String> {
    let csrf = chrome.csrf();
    page(
        chrome,
        "Registrations",
        html! {
            h1 { "Sign-ups waiting for approval" }
            (admin_nav(role(chrome)))
            @if pending.is_empty() {
                p { "Nobody is waiting." }
            } @else {
                ul {
                    @for a in pending {
                        li {
                            strong { "@" (a.username) } " · signed up " (timestamp(a.created_at_ms))
                            @if !a.signup_reason.is_empty() { p.bio { (a.signup_reason) } }
                            div.actions {
                                (forms::button(&format!("/admin/registrations/{}/approve", a.id), "Approve", csrf, "/admin/registrations"))
                                (forms::button(&format!("/admin/registrations/{}/reject", a.id), "Reject", csrf, "/admin/registrations"))
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn settings(
    chrome: &Chrome<'_>,
    mode: RegistrationMode,
    errors: &FormErrors,
    saved: bool,
) -> Html<String> {
    page(
        chrome,
        "Instance settings",
        html! {
            h1 { "Instance settings" }
            (admin_nav(role(chrome)))
            @if saved { p.notice role="status" { "Saved." } }
            form method="post" action="/admin/settings" {
                (forms::summary(errors))
                (forms::csrf(chrome.csrf()))
                fieldset id="registration_mode" {
                    legend { "Registration mode" }
                    @if let Some(e) = errors.get("registration_mode") { p.field-error { (e) } }
                    @for m in RegistrationMode::ALL {
                        p.check {
                            input type="radio" id={ "mode-" (m.as_str()) } name="registration_mode" value=(m.as_str()) checked[m == mode];
                            " "
                            label for={ "mode-" (m.as_str()) } { (mode_label(m)) }
                        }
                    }
                }
                div.actions { button type="submit" { "Save" } }
            }
        },
    )
}

fn mode_label(m: RegistrationMode) -> &'static str {
    match m {
        RegistrationMode::Open => "Open: anyone can sign up",
        RegistrationMode::Approval => "Approval: staff approve each sign-up",
        RegistrationMode::Invite => "Invite: sign-up needs an invite code",
        RegistrationMode::Closed => "Closed: no sign-up",
    }
}

pub fn invites(
    chrome: &Chrome<'_>,
    invites: &[Invite],
    max_uses: &str,
    errors: &FormErrors,
) -> Html<String> {
    page(
        chrome,
        "Invites",
        html! {
            h1 { "Invites" }
            (admin_nav(role(chrome)))
            form method="post" action="/admin/invites" {
                (forms::summary(errors))
                (forms::csrf(chrome.csrf()))
                (forms::input(&Field { kind: "number", hint: Some("Empty means unlimited."), ..Field::new("max_uses", "Maximum uses", max_uses) }, errors))
                div.actions { button type="submit" { "Create invite" } }
            }
            @if invites.is_empty() {
                p { "No invites yet." }
            } @else {
                table {
                    thead { tr { th scope="col" { "Code" } th scope="col" { "Uses" } th scope="col" { "Created" } } }
                    tbody {
                        @for i in invites {
                            tr {
                                td { a href={ "/signup?invite=" (crate::util::percent_encode(&i.code)) } { code { (i.code) } } }
                                td { (i.uses) " / " @if let Some(m) = i.max_uses { (m) } @else { "unlimited" } }
                                td { (timestamp(i.created_at_ms)) }
                            }
                        }
                    }
                }
            }
        },
    )
}
