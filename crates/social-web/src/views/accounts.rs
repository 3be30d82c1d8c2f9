//! Profile, thread and follow-request pages.

use crate::extract::Cursor;
use crate::views::forms::{self, Compose, FormErrors};
use crate::views::layout::{Chrome, page};
use crate::views::pagination::pager;
use crate::views::post::{self, PostCtx};
use axum::response::Html;
use maud::{Markup, html};
use social_core::Account;
use social_store::{Page, PostView, Relationship, Thread};

pub struct Profile<'a> {
    pub account: &'a Account,
    /// `None` for anonymous viewers and for one's own profile.
    pub relationship: Option<Relationship>,
    pub posts: &'a [PostView],
    pub cursor: &'a Cursor,
    pub next: &'a str,
}

pub fn profile(chrome: &Chrome<'_>, p: &Profile<'_>) -> Html<String> {
    let a = p.account;
    let base = format!("/@{}", a.username);
    let ctx = PostCtx {
        viewer: chrome.user.map(|u| &u.session.account),
        csrf: chrome.csrf(),
        next: p.next,
    };
    let full = p.posts.len() >= Page::DEFAULT_LIMIT as usize;
    let title = format!("{} (@{})", a.shown_name(), a.username);
    page(
        chrome,
        &title,
        html! {
            section.profile aria-labelledby="profile-name" {
                h1 id="profile-name" { (a.shown_name()) }
                p { "@" (a.username) @if a.locked { " · " span { "Locked account: follows need approval" } } }
                @if !a.bio.is_empty() { p.bio { (a.bio) } }
                ul.stats {
                    li { (a.posts_count) " posts" }
                    li { (a.following_count) " following" }
                    li { (a.followers_count) " followers" }
                }
                @if let Some(rel) = p.relationship { (relationship_buttons(&base, rel, chrome.csrf())) }
            }
            h2 { "Posts" }
            (post::list(p.posts, ctx))
            (pager(&base, p.posts.first().map(|v| v.post.id.0), p.posts.last().map(|v| v.post.id.0), full, p.cursor))
        },
    )
}

fn relationship_buttons(base: &str, rel: Relationship, csrf: &str) -> Markup {
    let action = |verb: &str| format!("{base}/{verb}");
    html! {
        @if rel.followed_by { p.hint { "Follows you" } }
        @if rel.blocked_by { p.hint { "This account blocks you." } }
        div.actions {
            @if rel.following {
                (forms::button(&action("unfollow"), "Unfollow", csrf, base))
            } @else if rel.requested {
                (forms::button(&action("unfollow"), "Cancel follow request", csrf, base))
            } @else if !rel.blocking && !rel.blocked_by {
                (forms::button(&action("follow"), "Follow", csrf, base))
            }
            @if rel.muting {
                (forms::button(&action("unmute"), "Unmute", csrf, base))
            } @else {
                (forms::button(&action("mute"), "Mute", csrf, base))
            }
            @if rel.blocking {
                (forms::button(&action("unblock"), "Unblock", csrf, base))
            } @else {
                (forms::button(&action("block"), "Block", csrf, base))
            }
            a href={ "/reports/new?account=" (base.trim_start_matches("/@")) } { "Report" }
        }
    }
}

pub fn thread(chrome: &Chrome<'_>, t: &Thread, next: &str, max_chars: usize) -> Html<String> {
    let viewer = chrome.user.map(|u| &u.session.account);
    let ctx = PostCtx {
        viewer,
        csrf: chrome.csrf(),
        next,
    };
    let focus = &t.focus;
    let title = format!("Post by @{}", focus.author.username);
    let mention = viewer
        .filter(|v| v.id != focus.author.id)
        .map(|_| format!("@{} ", focus.author.username))
        .unwrap_or_default();
    page(
        chrome,
        &title,
        html! {
            h1 { (title) }
            @if !t.ancestors.is_empty() {
                section aria-label="Earlier in the thread" { (post::list(&t.ancestors, ctx)) }
            }
            (post::card(focus, ctx, true))
            @if viewer.is_some() {
                section aria-label="Reply" {
                    (forms::compose(&Compose {
                        csrf: chrome.csrf(),
                        text: &mention,
                        // A reply keeps the warning of what it answers, as on Mastodon.
                        spoiler_text: &focus.post.spoiler_text,
                        visibility: focus.post.visibility,
                        in_reply_to: Some(focus.post.id),
                        max_chars,
                    }, &FormErrors::default()))
                }
            }
            @if !t.descendants.is_empty() {
                h2 { "Replies" }
                (post::list(&t.descendants, ctx))
            }
        },
    )
}

pub fn follow_requests(chrome: &Chrome<'_>, requests: &[Account]) -> Html<String> {
    let csrf = chrome.csrf();
    page(
        chrome,
        "Follow requests",
        html! {
            h1 { "Follow requests" }
            @if requests.is_empty() {
                p { "Nobody is waiting." }
            } @else {
                ul {
                    @for a in requests {
                        li {
                            a href={ "/@" (a.username) } { (a.shown_name()) " (@" (a.username) ")" }
                            div.actions {
                                (forms::button(&format!("/follow_requests/{}/authorize", a.id), "Approve", csrf, "/follow_requests"))
                                (forms::button(&format!("/follow_requests/{}/reject", a.id), "Reject", csrf, "/follow_requests"))
                            }
                        }
                    }
                }
            }
        },
    )
}
