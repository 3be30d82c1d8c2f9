//! Instance-rules pages: the admins' content filters, sign-up IP blocks and server rules, and
//! the server rules as everyone sees them (sign-up, `/about`).

use crate::views::admin::{admin_nav, role};
use crate::views::forms::{self, Field, FormErrors};
use crate::views::layout::{Chrome, page};
use crate::views::post::timestamp;
use axum::response::Html;
use maud::{Markup, html};
use social_core::rules::{Filter, FilterAction, FilterKind};
use social_store::{IpBlock, ServerRule};

/// What the add-filter form shows again after an error.
#[derive(Default)]
pub struct FilterValues<'a> {
    pub kind: &'a str,
    pub pattern: &'a str,
    pub action: &'a str,
}

fn kind_label(k: FilterKind) -> &'static str {
    match k {
        FilterKind::Keyword => "Keyword: anywhere in the text, any case",
        FilterKind::Word => "Whole word or phrase, any case",
        FilterKind::Regex => "Regular expression (add (?i) to ignore case)",
    }
}

fn action_label(a: FilterAction) -> &'static str {
    match a {
        FilterAction::Reject => "Reject: the post is refused",
        FilterAction::Hold => "Hold: a moderator reviews it before it is published",
        FilterAction::Sensitive => "Sensitive: published with its media hidden",
    }
}

fn radios<T: Copy + std::fmt::Display>(
    name: &'static str,
    legend: &str,
    all: &[T],
    label: fn(T) -> &'static str,
    chosen: &str,
    errors: &FormErrors,
) -> Markup {
    html! {
        fieldset id=(name) {
            legend { (legend) }
            @if let Some(e) = errors.get(name) { p.field-error { (e) } }
            @for v in all {
                p.check {
                    input type="radio" id={ (name) "-" (v) } name=(name) value=(v.to_string())
                        checked[v.to_string() == chosen];
                    " " label for={ (name) "-" (v) } { (label(*v)) }
                }
            }
        }
    }
}

/// One-button delete form.
fn delete_button(action: &str, csrf: &str) -> Markup {
    html! {
        form method="post" action=(action) {
            (forms::csrf(csrf))
            button.secondary type="submit" { "Delete" }
        }
    }
}

pub fn filters(
    chrome: &Chrome<'_>,
    list: &[Filter],
    values: &FilterValues<'_>,
    errors: &FormErrors,
) -> Html<String> {
    let csrf = chrome.csrf();
    page(
        chrome,
        "Content filters",
        html! {
            h1 { "Content filters" }
            (admin_nav(role(chrome)))
            p { "Checked against the text and content warning of every post by a non-staff account, on the web and through the API." }
            form method="post" action="/admin/filters" {
                (forms::summary(errors))
                (forms::csrf(csrf))
                (radios("kind", "Match", FilterKind::ALL, kind_label, values.kind, errors))
                (forms::input(&Field { hint: Some("At most 200 characters."), ..Field::new("pattern", "Pattern", values.pattern) }, errors))
                (radios("action", "Then", FilterAction::ALL, action_label, values.action, errors))
                div.actions { button type="submit" { "Add filter" } }
            }
            @if list.is_empty() {
                p { "No filters." }
            } @else {
                table {
                    thead { tr { th scope="col" { "Match" } th scope="col" { "Pattern" } th scope="col" { "Then" } th scope="col" { "" } } }
                    tbody {
                        @for f in list {
                            tr id={ "filter-" (f.id) } {
                                td { (f.kind) }
                                td { code { (f.pattern) } }
                                td { (f.action) }
                                td { (delete_button(&format!("/admin/filters/{}/delete", f.id), csrf)) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// What the add-block form shows again after an error.
#[derive(Default)]
pub struct BlockValues<'a> {
    pub network: &'a str,
    pub note: &'a str,
    pub expires_in_days: &'a str,
}

pub fn ip_blocks(
    chrome: &Chrome<'_>,
    list: &[IpBlock],
    values: &BlockValues<'_>,
    errors: &FormErrors,
) -> Html<String> {
    let csrf = chrome.csrf();
    page(
        chrome,
        "Sign-up IP blocks",
        html! {
            h1 { "Sign-up IP blocks" }
            (admin_nav(role(chrome)))
            p { "Sign-up from these addresses is refused. Accounts that exist already are not affected." }
            form method="post" action="/admin/ip-blocks" {
                (forms::summary(errors))
                (forms::csrf(csrf))
                (forms::input(&Field { hint: Some("An IPv4 or IPv6 address or network: 192.0.2.0/24, 2001:db8::/32."), ..Field::new("network", "Address or network", values.network) }, errors))
                (forms::input(&Field { hint: Some("Optional, at most 500 characters."), ..Field::new("note", "Note", values.note) }, errors))
                (forms::input(&Field { kind: "number", hint: Some("Empty: until deleted."), ..Field::new("expires_in_days", "Expires after (days)", values.expires_in_days) }, errors))
                div.actions { button type="submit" { "Block" } }
            }
            @if list.is_empty() {
                p { "No blocks." }
            } @else {
                table {
                    thead { tr { th scope="col" { "Network" } th scope="col" { "Note" } th scope="col" { "Expires" } th scope="col" { "" } } }
                    tbody {
                        @for b in list {
                            tr id={ "block-" (b.id) } {
                                td { code { (b.network) } }
                                td { (b.note) }
                                td { @if let Some(e) = b.expires_at_ms { (timestamp(e)) } @else { "never" } }
                                td { (delete_button(&format!("/admin/ip-blocks/{}/delete", b.id), csrf)) }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// What the add-rule form shows again after an error.
#[derive(Default)]
pub struct RuleValues<'a> {
    pub text: &'a str,
    pub hint: &'a str,
}

pub fn rules_admin(
    chrome: &Chrome<'_>,
    list: &[ServerRule],
    values: &RuleValues<'_>,
    errors: &FormErrors,
) -> Html<String> {
    let csrf = chrome.csrf();
    page(
        chrome,
        "Server rules",
        html! {
            h1 { "Server rules" }
            (admin_nav(role(chrome)))
            p { "Shown on the sign-up page and on /about, and served to apps. At most 50." }
            @for r in list {
                section.rule id={ "rule-" (r.id) } {
                    form method="post" action={ "/admin/rules/" (r.id) } {
                        (forms::csrf(csrf))
                        label for={ "position-" (r.id) } { "Position" }
                        input type="number" id={ "position-" (r.id) } name="position" value=(r.position);
                        label for={ "text-" (r.id) } { "Rule" }
                        textarea id={ "text-" (r.id) } name="text" rows="2" { (r.text) }
                        label for={ "hint-" (r.id) } { "Explanation" }
                        textarea id={ "hint-" (r.id) } name="hint" rows="2" { (r.hint) }
                        div.actions { button type="submit" { "Save" } }
                    }
                    (delete_button(&format!("/admin/rules/{}/delete", r.id), csrf))
                }
            }
            h2 { "Add a rule" }
            form method="post" action="/admin/rules" {
                (forms::summary(errors))
                (forms::csrf(csrf))
                (forms::textarea("text", "Rule", values.text, Some("At most 500 characters."), errors))
                (forms::textarea("hint", "Explanation (optional)", values.hint, None, errors))
                div.actions { button type="submit" { "Add rule" } }
            }
        },
    )
}

/// The server rules as a numbered list (nothing when there are none).
pub fn rules_list(rules: &[ServerRule]) -> Markup {
    html! {
        @if !rules.is_empty() {
            section.rules aria-labelledby="rules-title" {
                h2 id="rules-title" { "Server rules" }
                ol {
                    @for r in rules {
                        li id={ "rule-" (r.id) } {
                            (r.text)
                            @if !r.hint.is_empty() { p.hint { (r.hint) } }
                        }
                    }
                }
            }
        }
    }
}

/// `/about`: the server and its rules.
pub fn about(chrome: &Chrome<'_>, rules: &[ServerRule]) -> Html<String> {
    page(
        chrome,
        "About",
        html! {
            h1 { "About " (chrome.instance) }
            p { (chrome.instance) ": a small self-hosted social network." }
            @if rules.is_empty() { p { "This server has no rules listed." } }
            (rules_list(rules))
        },
    )
}
