//! The page frame: head, skip link, header with navigation, main landmark, footer.

use crate::session::SessionCtx;
use axum::response::Html;
use maud::{DOCTYPE, Markup, html};
use social_core::WebAccess;
use social_core::access::APPEAL_PAGE;

/// What the frame needs to know about the request.
#[derive(Clone, Copy)]
pub struct Chrome<'a> {
    pub instance: &'a str,
    pub user: Option<&'a SessionCtx>,
    /// Unread notifications of the signed-in user.
    pub unread: i64,
}

impl Chrome<'_> {
    /// The signed-in user's CSRF token (empty when anonymous).
    pub fn csrf(&self) -> &str {
        self.user.map_or("", |u| u.session.csrf_token.as_str())
    }
}

/// A whole page.
pub fn page(chrome: &Chrome<'_>, title: &str, body: Markup) -> Html<String> {
    Html(document(chrome, title, body).into_string())
}

pub fn document(chrome: &Chrome<'_>, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (chrome.instance) }
                link rel="stylesheet" href=(crate::assets::css_path());
            }
            body {
                a.skip href="#main" { "Skip to main content" }
                header {
                    a.brand href="/" { (chrome.instance) }
                    (nav(chrome))
                }
                main id="main" tabindex="-1" { (body) }
                footer { p { (chrome.instance) " · a small social network" } }
            }
        }
    }
}

fn nav(chrome: &Chrome<'_>) -> Markup {
    html! {
        nav aria-label="Main" {
            ul {
                @if let Some(ctx) = chrome.user.filter(|c| c.session.access == WebAccess::AppealOnly) {
                    // A suspended account reaches nothing else (`session::appeal_only_allows`).
                    li { a href=(APPEAL_PAGE) { "Moderation" } }
                    li { (logout(ctx)) }
                } @else if let Some(ctx) = chrome.user {
                    @let account = &ctx.session.account;
                    li { a href="/home" { "Home" } }
                    li { a href="/local" { "Local" } }
                    li {
                        a href="/notifications" {
                            "Notifications"
                            @if chrome.unread > 0 {
                                " " span.badge { (chrome.unread) span.sr { " unread" } }
                            }
                        }
                    }
                    li { a href={ "/@" (account.username) } { "Profile" } }
                    li { a href="/settings/profile" { "Settings" } }
                    @if account.role.is_staff() {
                        li { a href="/admin/registrations" { "Admin" } }
                    }
                    li { (logout(ctx)) }
                } @else {
                    li { a href="/local" { "Local" } }
                    li { a href="/login" { "Log in" } }
                    li { a href="/signup" { "Sign up" } }
                }
            }
        }
    }
}

fn logout(ctx: &SessionCtx) -> Markup {
    html! {
        form method="post" action="/logout" {
            input type="hidden" name="csrf" value=(ctx.session.csrf_token);
            button.link type="submit" { "Log out" }
        }
    }
}
