//! Posts held for review: the moderators' queue with approve / reject forms, and the author's
//! own list of posts awaiting review.

use crate::extract::Cursor;
use crate::views::admin::{admin_nav, role};
use crate::views::forms::{self, FormErrors};
use crate::views::layout::{Chrome, page};
use crate::views::pagination::pager;
use crate::views::post::timestamp;
use axum::response::Html;
use maud::{Markup, html};
use social_store::HeldPost;

/// A held post's content, as its author wrote it.
fn body(h: &HeldPost) -> Markup {
    html! {
        @if !h.insert.spoiler_text.is_empty() { p { strong { "CW: " } (h.insert.spoiler_text) } }
        blockquote.held-text { (h.insert.text) }
        p.meta {
            (timestamp(h.created_at_ms)) " · " (h.insert.visibility.as_str())
            @if let Some(r) = h.insert.in_reply_to_id { " · reply to " (r) }
            @if !h.insert.media_ids.is_empty() { " · " (h.insert.media_ids.len()) " image(s)" }
        }
    }
}

/// `/admin/held`: each post with its author, why it is held, and the two decisions.
pub fn queue(
    chrome: &Chrome<'_>,
    rows: &[(HeldPost, String)],
    cursor: &Cursor,
    full: bool,
    errors: &FormErrors,
) -> Html<String> {
    let csrf = chrome.csrf();
    page(
        chrome,
        "Held posts",
        html! {
            h1 { "Posts held for review" }
            (admin_nav(role(chrome)))
            (forms::summary(errors))
            @if rows.is_empty() { p { "Nothing is waiting." } }
            @for (h, author) in rows {
                section.held id={ "held-" (h.id) } {
                    h2 { "@" (author) }
                    p { "Held because: " (h.reason) }
                    (body(h))
                    form method="post" action={ "/admin/held/" (h.id) } {
                        (forms::csrf(csrf))
                        label for={ "reason-" (h.id) } { "Reason (the author sees it on rejection)" }
                        input type="text" id={ "reason-" (h.id) } name="reason";
                        div.actions {
                            button type="submit" name="decision" value="approve" { "Approve and publish" }
                            " "
                            button.secondary type="submit" name="decision" value="reject" { "Reject" }
                        }
                    }
                }
            }
            (pager("/admin/held", rows.first().map(|r| r.0.id), rows.last().map(|r| r.0.id), full, cursor))
        },
    )
}

/// `/settings/held`: the signed-in author's posts awaiting review.
pub fn mine(chrome: &Chrome<'_>, held: &[HeldPost], just_held: bool) -> Html<String> {
    page(
        chrome,
        "Awaiting review",
        html! {
            h1 { "Posts awaiting review" }
            @if just_held {
                p.notice role="status" {
                    "Your post is awaiting review: a moderator will look at it before it is published."
                }
            }
            @if held.is_empty() { p { "None of your posts is waiting." } }
            @for h in held {
                section.held id={ "held-" (h.id) } {
                    p { strong { "Awaiting review" } }
                    (body(h))
                }
            }
        },
    )
}
