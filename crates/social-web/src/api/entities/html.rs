//! Post and bio text as Mastodon's HTML: paragraphs, `<br />`, mention, hashtag and link
//! markup with Mastodon's classes, built from `social_core::text::tokenize`. Every piece of
//! user text is escaped; no user HTML ever passes.

use super::Urls;
use social_core::text::{Token, normalize_tag, tokenize};
use social_store::Mention;
use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape(s, &mut out);
    out
}

/// A post's text. Mentions of accounts in `mentions` are linked to their profiles; other
/// `@names` stay text (as on Mastodon, where unresolved mentions are not links).
pub fn post_html(text: &str, mentions: &[Mention], urls: &Urls) -> String {
    render(text, mentions, urls)
}

/// A profile's bio (the `note` of an Account): escaped, with paragraphs and links.
pub fn note_html(bio: &str, urls: &Urls) -> String {
    render(bio, &[], urls)
}

fn render(text: &str, mentions: &[Mention], urls: &Urls) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(text.len() * 2 + 16);
    out.push_str("<p>");
    let mut breaks = 0usize;
    let mut started = false;
    for token in tokenize(text) {
        if token == Token::LineBreak {
            breaks += 1;
            continue;
        }
        if started && breaks >= 2 {
            out.push_str("</p><p>");
        } else if started && breaks == 1 {
            out.push_str("<br />");
        }
        breaks = 0;
        started = true;
        match token {
            Token::Text(t) => escape(t, &mut out),
            Token::Mention(name) => {
                match mentions
                    .iter()
                    .find(|m| m.username.eq_ignore_ascii_case(name))
                {
                    Some(m) => {
                        let _ = write!(
                            out,
                            "<span class=\"h-card\" translate=\"no\"><a href=\"{}\" \
                             class=\"u-url mention\">@<span>{}</span></a></span>",
                            esc(&urls.profile(&m.username)),
                            esc(name)
                        );
                    }
                    None => {
                        out.push('@');
                        escape(name, &mut out);
                    }
                }
            }
            Token::Hashtag(tag) => {
                let _ = write!(
                    out,
                    "<a href=\"{}\" class=\"mention hashtag\" rel=\"tag\">#<span>{}</span></a>",
                    esc(&urls.tag(&normalize_tag(tag))),
                    esc(tag)
                );
            }
            Token::Url(url) => {
                let _ = write!(
                    out,
                    "<a href=\"{0}\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" \
                     translate=\"no\">{0}</a>",
                    esc(url)
                );
            }
            Token::LineBreak => {}
        }
    }
    out.push_str("</p>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use social_core::AccountId;

    #[test]
    fn mastodon_markup_escaped() {
        let urls = Urls::new(true, "s.example");
        let bob = Mention {
            account_id: AccountId(7),
            username: "bob".into(),
        };
        let html = post_html(
            "<b>hi</b> @Bob @nobody #Rust\nhttps://x.org/?a=1&b=\"2\n\n\nnext",
            &[bob],
            &urls,
        );
        assert_eq!(
            html,
            "<p>&lt;b&gt;hi&lt;/b&gt; <span class=\"h-card\" translate=\"no\">\
             <a href=\"https://s.example/@bob\" class=\"u-url mention\">@<span>Bob</span></a>\
             </span> @nobody <a href=\"https://s.example/tags/rust\" class=\"mention hashtag\" \
             rel=\"tag\">#<span>Rust</span></a><br /><a href=\"https://x.org/?a=1&amp;b=\" \
             target=\"_blank\" rel=\"nofollow noopener noreferrer\" translate=\"no\">\
             https://x.org/?a=1&amp;b=</a>&quot;2</p><p>next</p>"
        );
        assert_eq!(note_html("", &urls), "");
        assert_eq!(note_html("\n\nhi\n", &urls), "<p>hi</p>");
    }
}
