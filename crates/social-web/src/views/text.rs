//! Post text rendering from `social_core::text::tokenize`: plain text escaped, mentions,
//! hashtags and http(s) URLs linked, line breaks kept. Never any user HTML.

use crate::util::percent_encode;
use maud::{Markup, html};
use social_core::text::{Token, tokenize};

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
