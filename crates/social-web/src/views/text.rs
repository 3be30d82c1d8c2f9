//! Post text rendering from `social_core::text::tokenize`: plain text escaped, mentions,
//! hashtags and http(s) URLs linked, line breaks kept. Never any user HTML.

use crate::util::percent_encode;
use maud::{Markup, PreEscaped, html};
use social_core::text::{Token, tokenize};
use std::sync::{Arc, OnceLock};

/// Rendered texts kept by post id (a post's text never changes; see `post_text_of`).
const MEMO_CAPACITY: usize = 4096;

type Memo = quick_cache::sync::Cache<i64, Arc<(String, Arc<str>)>>;

/// The rendered text of post `id`, memoised: the entry keeps the text it was rendered from and
/// is used only when it equals `text` (the rendering is a pure function of it), so it can
/// never be stale. Timelines show the same posts to many readers, and rendering every post of
/// every page again was a large share of a page's CPU.
pub fn post_text_of(id: i64, text: &str) -> PreEscaped<Arc<str>> {
    static MEMO: OnceLock<Memo> = OnceLock::new();
    let memo = MEMO.get_or_init(|| Memo::new(MEMO_CAPACITY));
    if let Some(e) = memo.get(&id)
        && e.0 == text
    {
        return PreEscaped(e.1.clone());
    }
    let html: Arc<str> = Arc::from(post_text(text).into_string());
    memo.insert(id, Arc::new((text.to_owned(), html.clone())));
    PreEscaped(html)
}

pub fn post_text(text: &str) -> Markup {
    html! {
        @for token in tokenize(text) {
            @match token {
                Token::Text(t) => (t),
                Token::Mention(name) => a href={ "/@" (name) } { "@" (name) },
                Token::Hashtag(tag) => {
                    a href={ "/tags/" (percent_encode(&social_core::text::normalize_tag(tag))) } {
                        "#" (tag)
                    }
                }
                Token::Url(url) => {
                    @if url.starts_with("https://") || url.starts_with("http://") {
                        a href=(url) rel="nofollow noopener noreferrer ugc" { (url) }
                    } @else {
                        (url)
                    }
                }
                Token::LineBreak => br;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_follows_the_text() {
        assert_eq!(post_text_of(1, "a <i>").0.as_ref(), "a &lt;i&gt;");
        assert_eq!(
            post_text_of(1, "#b").0.as_ref(),
            r#"<a href="/tags/b">#b</a>"#
        );
    }

    #[test]
    fn escapes_and_links() {
        let html = post_text("<b>hi</b> @bob #Rust https://x.org/?a=1&b=\"2\nok").into_string();
        assert!(html.contains("&lt;b&gt;hi&lt;/b&gt;"));
        assert!(html.contains(r#"<a href="/@bob">@bob</a>"#));
        assert!(html.contains(r#"<a href="/tags/rust">#Rust</a>"#));
        assert!(html.contains(r#"href="https://x.org/?a=1&amp;b=""#));
        assert!(html.contains("<br>"));
        assert!(!html.contains("<b>"));
    }
}
