//! The OAuth consent page (an app asks for access) and the out-of-band code page.

use crate::views::forms;
use crate::views::layout::{Chrome, page};
use axum::response::Html;
use maud::{Markup, html};

/// What the consent form carries back (re-checked on submit, never trusted).
pub struct ConsentRequest<'a> {
    pub app_name: &'a str,
    pub website: Option<&'a str>,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scopes: Vec<&'a str>,
    pub state: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    pub code_challenge_method: Option<&'a str>,
}

/// A person-readable line for a scope.
pub fn describe_scope(scope: &str) -> String {
    match scope {
        "read" => "Read all your account's data".into(),
        "write" => {
            "Change all your account's data: post, follow, favourite, edit your profile".into()
        }
        "follow" => "Follow, unfollow, block and mute accounts".into(),
        "push" => "Receive your notifications as push messages".into(),
        "profile" => "Read your profile information only".into(),
        "admin:read" => "Read all data of the instance (administration)".into(),
        "admin:write" => "Moderate the instance (administration)".into(),
        other => {
            let (verb, what) = if let Some(w) = other.strip_prefix("admin:read:") {
                ("Administration: read", w)
            } else if let Some(w) = other.strip_prefix("admin:write:") {
                ("Administration: change", w)
            } else if let Some(w) = other.strip_prefix("read:") {
                ("Read your", w)
            } else if let Some(w) = other.strip_prefix("write:") {
                ("Change your", w)
            } else {
                ("Use", other)
            };
            format!("{verb} {}", what.replace('_', " "))
        }
    }
}

fn hidden(name: &'static str, value: Option<&str>) -> Markup {
    html! {
        @if let Some(v) = value { input type="hidden" name=(name) value=(v); }
    }
}

pub fn consent(chrome: &Chrome<'_>, req: &ConsentRequest<'_>) -> Html<String> {
    let user = chrome
        .user
        .map_or("", |u| u.session.account.username.as_str());
    page(
        chrome,
        "Authorize an application",
        html! {
            h1 { "Authorize " (req.app_name) "?" }
            p {
                "The application "
                strong { (req.app_name) }
                @if let Some(site) = req.website { " (" (site) ")" }
                " asks to use your account "
                strong { "@" (user) }
                ". It will be able to:"
            }
            ul aria-label="Requested permissions" {
                @for scope in &req.scopes {
                    li { (describe_scope(scope)) " " code { "(" (scope) ")" } }
                }
            }
            p { "Only approve applications you trust. You can log out to use another account." }
            form method="post" action="/oauth/authorize" {
                (forms::csrf(chrome.csrf()))
                input type="hidden" name="response_type" value="code";
                input type="hidden" name="client_id" value=(req.client_id);
                input type="hidden" name="redirect_uri" value=(req.redirect_uri);
                input type="hidden" name="scope" value=(req.scopes.join(" "));
                (hidden("state", req.state))
                (hidden("code_challenge", req.code_challenge))
                (hidden("code_challenge_method", req.code_challenge_method))
                div.actions {
                    button type="submit" name="decision" value="approve" { "Authorize" }
                    button.secondary type="submit" name="decision" value="deny" { "Deny" }
                }
            }
        },
    )
}

/// The code for an out-of-band client, to copy into the application.
pub fn oob_code(chrome: &Chrome<'_>, app_name: &str, code: &str) -> Html<String> {
    page(
        chrome,
        "Authorization code",
        html! {
            h1 { "Authorization code" }
            p { "Copy this code and paste it into " strong { (app_name) } ":" }
            p { label for="oauth-code" { "Code" } }
            p { input id="oauth-code" type="text" readonly value=(code) size="50"; }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_lines() {
        assert_eq!(describe_scope("read:statuses"), "Read your statuses");
        assert_eq!(
            describe_scope("admin:write:domain_blocks"),
            "Administration: change domain blocks"
        );
        assert!(describe_scope("follow").contains("block"));
    }
}
