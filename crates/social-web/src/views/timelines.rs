//! Timeline pages: home (with the composer), local, hashtag, and the composer shown again.

use crate::extract::Cursor;
use crate::views::forms::{self, Compose, FormErrors};
use crate::views::layout::{Chrome, page};
use crate::views::pagination::pager;
use crate::views::post::{self, PostCtx};
use axum::response::Html;
use maud::html;
use social_store::{Page, PostView};

/// A timeline: heading, optional composer, posts, pager.
pub struct Timeline<'a> {
    pub title: &'a str,
    pub base: &'a str,
    pub posts: &'a [PostView],
    pub cursor: &'a Cursor,
    pub compose: Option<Compose<'a>>,
    pub next: &'a str,
}

pub fn timeline(chrome: &Chrome<'_>, t: &Timeline<'_>) -> Html<String> {
    let ctx = PostCtx {
        viewer: chrome.user.map(|u| &u.session.account),
        csrf: chrome.csrf(),
        next: t.next,
    };
    let full = t.posts.len() >= Page::DEFAULT_LIMIT as usize;
    let first = t.posts.first().map(|p| p.post.id.0);
    let last = t.posts.last().map(|p| p.post.id.0);
    page(
        chrome,
        t.title,
        html! {
            h1 { (t.title) }
            @if let Some(c) = &t.compose {
                section aria-label="New post" { (forms::compose(c, &FormErrors::default())) }
            }
            (post::list(t.posts, ctx))
            (pager(t.base, first, last, full, t.cursor))
        },
    )
}

/// The composer alone, shown again with its errors (422).
pub fn compose_again(chrome: &Chrome<'_>, c: &Compose<'_>, errors: &FormErrors) -> Html<String> {
    page(
        chrome,
        "New post",
        html! {
            h1 { "New post" }
            (forms::compose(c, errors))
        },
    )
}
