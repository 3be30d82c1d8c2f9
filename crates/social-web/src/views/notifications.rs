//! The notifications page.

use crate::extract::Cursor;
use crate::views::layout::{Chrome, page};
use crate::views::pagination::pager;
use crate::views::post::{self, PostCtx};
use axum::response::Html;
use maud::html;
use social_core::NotificationKind;
use social_store::{NotificationView, Page};

fn verb(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Mention => "mentioned you",
        NotificationKind::Reply => "wrote a reply to your post",
        NotificationKind::Follow => "followed you",
        NotificationKind::FollowRequest => "asked to follow you",
        NotificationKind::Favourite => "favourited your post",
        NotificationKind::Boost => "boosted your post",
    }
}

pub fn notifications(
    chrome: &Chrome<'_>,
    items: &[NotificationView],
    cursor: &Cursor,
) -> Html<String> {
    let ctx = PostCtx {
        viewer: chrome.user.map(|u| &u.session.account),
        csrf: chrome.csrf(),
        next: "/notifications",
    };
    let full = items.len() >= Page::DEFAULT_LIMIT as usize;
    page(
        chrome,
        "Notifications",
        html! {
            h1 { "Notifications" }
            @if items.is_empty() {
                p { "No notifications." }
            } @else {
                ol.posts {
                    @for n in items {
                        li.unread[n.unread] {
                            p {
                                @if n.unread { span.sr { "New: " } }
                                a href={ "/@" (n.from.username) } { (n.from.shown_name()) }
                                " " (verb(n.kind)) " · " (post::timestamp(n.created_at_ms))
                                @if n.kind == NotificationKind::FollowRequest {
                                    " · " a href="/follow_requests" { "Review follow requests" }
                                }
                            }
                            @if let Some(pv) = &n.post { (post::card(pv, ctx, false)) }
                        }
                    }
                }
            }
            (pager("/notifications", items.first().map(|n| n.id.0), items.last().map(|n| n.id.0), full, cursor))
        },
    )
}
