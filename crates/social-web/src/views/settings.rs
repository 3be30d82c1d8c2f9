//! The profile settings page.

use crate::views::forms::{self, Field, FormErrors};
use crate::views::layout::{Chrome, page};
use axum::response::Html;
use maud::html;

pub struct ProfileValues<'a> {
    pub display_name: &'a str,
    pub bio: &'a str,
    pub locked: bool,
}

pub fn profile(
    chrome: &Chrome<'_>,
    v: &ProfileValues<'_>,
    errors: &FormErrors,
    saved: bool,
) -> Html<String> {
    page(
        chrome,
        "Profile settings",
        html! {
            h1 { "Profile settings" }
            @if saved { p.notice role="status" { "Saved." } }
            form method="post" action="/settings/profile" {
                (forms::summary(errors))
                (forms::csrf(chrome.csrf()))
                (forms::input(&Field { hint: Some("Up to 30 characters; empty shows your username."), ..Field::new("display_name", "Display name", v.display_name) }, errors))
                (forms::textarea("bio", "Bio", v.bio, Some("Up to 500 characters."), errors))
                p.check {
                    input type="checkbox" id="locked" name="locked" value="on" checked[v.locked];
                    " "
                    label for="locked" { "Approve followers by hand (locked account)" }
                }
                div.actions { button type="submit" { "Save" } }
            }
            p { a href="/follow_requests" { "Follow requests" } }
            p { a href="/settings/moderation" { "Moderation notices and appeals" } }
            p { a href="/settings/security" { "Security: two-factor authentication and password" } }
            p { a href="/settings/sessions" { "Sessions and authorized apps" } }
        },
    )
}
