//! The post card: author, time, visibility, text, counts and the action buttons.

use crate::views::forms;
use crate::views::text::post_text_of;
use maud::{Markup, PreEscaped, html};
use social_core::Account;
use social_store::PostView;
use time::OffsetDateTime;

/// Who looks at the posts, and where the action buttons return to.
#[derive(Clone, Copy)]
pub struct PostCtx<'a> {
    pub viewer: Option<&'a Account>,
    pub csrf: &'a str,
    pub next: &'a str,
}

/// `<time>` for a millisecond timestamp, in UTC: `2025-01-31T09:05:00Z` for machines,
/// `2025-01-31 09:05 UTC` for people. Formatted by hand: `time`'s format descriptions cost
/// more than the rest of a post card.
pub fn timestamp(ms: i64) -> Markup {
    let when = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let (y, m, d) = (when.year(), u8::from(when.month()), when.day());
    let (hh, mm, ss) = (when.hour(), when.minute(), when.second());
    PreEscaped(format!(
        "<time datetime=\"{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z\">\
         {y:04}-{m:02}-{d:02} {hh:02}:{mm:02} UTC</time>"
    ))
}

/// The permalink of a post.
pub fn permalink(author: &Account, id: social_core::PostId) -> String {
    format!("/@{}/{}", author.username, id)
}

/// A list of posts.
pub fn list(posts: &[PostView], ctx: PostCtx<'_>) -> Markup {
    html! {
        @if posts.is_empty() {
            p { "Nothing to show here yet." }
        } @else {
            @let hidden = hidden_fields(ctx);
            ol.posts {
                @for pv in posts { li { (card_with(pv, ctx, false, &hidden)) } }
            }
        }
    }
}

/// The hidden fields every action form of a page carries (CSRF token, where to return),
/// rendered once per page.
fn hidden_fields(ctx: PostCtx<'_>) -> Markup {
    html! {
        (forms::csrf(ctx.csrf))
        input type="hidden" name="next" value=(ctx.next);
    }
}

/// One post (for a boost: the boosted post, with a "boosted by" line).
pub fn card(pv: &PostView, ctx: PostCtx<'_>, focus: bool) -> Markup {
    card_with(pv, ctx, focus, &hidden_fields(ctx))
}

/// `card` with the page's hidden fields already rendered.
fn card_with(pv: &PostView, ctx: PostCtx<'_>, focus: bool, hidden: &Markup) -> Markup {
    let (shown, booster) = match &pv.reblog {
        Some(inner) => (inner.as_ref(), Some(&pv.author)),
        None => (pv, None),
    };
    let post = &shown.post;
    let author = &shown.author;
    let link = permalink(author, post.id);
    html! {
        article.post.focus[focus] {
            @if let Some(b) = booster {
                p.boosted { a href={ "/@" (b.username) } { (b.shown_name()) } " boosted" }
            }
            div.meta {
                a.author href={ "/@" (author.username) } { (author.shown_name()) }
                span { "@" (author.username) }
                a href=(link) { (timestamp(post.created_at_ms)) }
                span { (post.visibility.label()) }
            }
            @if post.in_reply_to_id.is_some() { p.hint { "A reply" } }
            @if post.spoiler_text.is_empty() {
                div.text { (post_text_of(post.id.0, &post.text)) }
                (media(shown, post.sensitive))
            } @else {
                // Closed until the reader opens it; no script needed.
                details.warning {
                    summary { "Content warning: " (post.spoiler_text) }
                    div.text { (post_text_of(post.id.0, &post.text)) }
                    (media(shown, false))
                }
            }
            p.hint {
                (post.replies_count) " replies · " (post.favourites_count) " favourites · "
                (post.reblogs_count) " boosts"
            }
            (actions(shown, &link, ctx, hidden))
        }
    }
}

/// The thumbnails of a post; `hide` (sensitive media) puts them behind a closed `<details>`.
fn media(pv: &PostView, hide: bool) -> Markup {
    let thumbs = html! {
        div.media {
            @for m in &pv.media {
                a href={ "/media/" (m.file_name) } {
                    img src={ "/media/" (m.thumb_name) } alt=(m.description)
                        width=(m.thumb_width) height=(m.thumb_height) loading="lazy";
                }
            }
        }
    };
    html! {
        @if pv.media.is_empty() {
        } @else if hide {
            details.sensitive {
                summary { "Sensitive media (" (pv.media.len()) ")" }
                (thumbs)
            }
        } @else {
            (thumbs)
        }
    }
}

/// One form per post; each button posts to its own action (`formaction`), which keeps a
/// timeline page well under its size budget.
fn actions(pv: &PostView, link: &str, ctx: PostCtx<'_>, hidden: &Markup) -> Markup {
    let id = pv.post.id;
    let fav = if pv.favourited {
        "unfavourite"
    } else {
        "favourite"
    };
    html! {
        @if let Some(viewer) = ctx.viewer {
            form.actions method="post" action={ "/posts/" (id) "/" (fav) } {
                (hidden)
                a href=(link) { "Reply" }
                button.secondary type="submit" { @if pv.favourited { "Unfavourite" } @else { "Favourite" } }
                @if pv.post.visibility.boostable() {
                    @if pv.reblogged {
                        button.secondary type="submit" formaction={ "/posts/" (id) "/unboost" } { "Unboost" }
                    } @else {
                        button.secondary type="submit" formaction={ "/posts/" (id) "/boost" } { "Boost" }
                    }
                }
                @if viewer.id == pv.post.author_id || viewer.role.is_staff() {
                    button.secondary type="submit" formaction={ "/posts/" (id) "/delete" } { "Delete" }
                }
                @if viewer.id != pv.post.author_id {
                    a href={ "/reports/new?account=" (pv.author.username) "&post=" (id) } { "Report" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_utc() {
        // 2025-01-31 09:05:07.250 UTC
        let ms = 1_738_314_307_250;
        assert_eq!(
            timestamp(ms).into_string(),
            r#"<time datetime="2025-01-31T09:05:07Z">2025-01-31 09:05 UTC</time>"#
        );
        assert_eq!(
            timestamp(0).into_string(),
            r#"<time datetime="1970-01-01T00:00:00Z">1970-01-01 00:00 UTC</time>"#
        );
    }
}
