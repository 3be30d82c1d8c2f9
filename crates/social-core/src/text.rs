//! Post text parsing: finds `@mentions`, `#hashtags` and URLs in plain text. The web layer
//! renders the tokens (escaping every piece of user text); the store uses the extracted
//! mentions and tags. No HTML is ever taken from the user.

/// One piece of post text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// Plain text (to be escaped when rendered).
    Text(&'a str),
    /// `@name`; the slice holds the name without `@`.
    Mention(&'a str),
    /// `#tag`; the slice holds the tag without `#`.
    Hashtag(&'a str),
    /// An `http://` or `https://` URL.
    Url(&'a str),
    /// A line break.
    LineBreak,
}

const TAG_MAX_CHARS: usize = 100;

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits text into tokens. Concatenating the tokens (with `@`, `#` and `\n` restored) gives
/// back the input.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut plain_start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        // Only `\n`, `@`, `#` and `h` (of http) can start a token; every other byte (ASCII
        // or part of a multi-byte character) is skipped without decoding. Those four are
        // ASCII, so `i` is on a character boundary whenever the code below slices at it.
        if !matches!(bytes[i], b'\n' | b'@' | b'#' | b'h') {
            i += 1;
            continue;
        }
        let prev = text[..i].chars().next_back();
        let boundary = prev.is_none_or(|p| !is_word(p) && p != '@' && p != '#' && p != '/');
        let rest = &text[i..];
        let found = if bytes[i] == b'\n' {
            Some((Token::LineBreak, 1))
        } else if boundary && bytes[i] == b'@' {
            scan_mention(rest).map(|n| (Token::Mention(&rest[1..n]), n))
        } else if boundary && bytes[i] == b'#' {
            scan_hashtag(rest).map(|n| (Token::Hashtag(&rest[1..n]), n))
        } else if boundary && (rest.starts_with("https://") || rest.starts_with("http://")) {
            scan_url(rest).map(|n| (Token::Url(&rest[..n]), n))
        } else {
            None
        };
        match found {
            Some((token, len)) => {
                if plain_start < i {
                    tokens.push(Token::Text(&text[plain_start..i]));
                }
                tokens.push(token);
                i += len;
                plain_start = i;
            }
            None => i += 1,
        }
    }
    if plain_start < text.len() {
        tokens.push(Token::Text(&text[plain_start..]));
    }
    tokens
}

/// Length in bytes of a mention at the start of `s` (which starts with `@`), if any.
fn scan_mention(s: &str) -> Option<usize> {
    let name_len = s[1..]
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(s.len() - 1, |(j, _)| j);
    if name_len == 0 || name_len > crate::validate::USERNAME_MAX_CHARS {
        return None;
    }
    // `@name@domain` is a remote address: not a local mention, leave it as text.
    if s[1 + name_len..].starts_with('@') {
        return None;
    }
    Some(1 + name_len)
}

/// Length in bytes of a hashtag at the start of `s` (which starts with `#`), if any.
fn scan_hashtag(s: &str) -> Option<usize> {
    let mut len = 0;
    let mut chars = 0;
    let mut has_non_digit = false;
    for c in s[1..].chars() {
        if !is_word(c) {
            break;
        }
        has_non_digit |= !c.is_ascii_digit();
        len += c.len_utf8();
        chars += 1;
    }
    (len > 0 && has_non_digit && chars <= TAG_MAX_CHARS).then_some(1 + len)
}

/// Length in bytes of a URL at the start of `s`, if any.
fn scan_url(s: &str) -> Option<usize> {
    let end = s
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
        .map_or(s.len(), |(j, _)| j);
    let mut url = &s[..end];
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ':', ';', '!', '?', '\'']);
        let trimmed = if trimmed.ends_with(')') && !trimmed.contains('(') {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if trimmed.len() == url.len() {
            break;
        }
        url = trimmed;
    }
    let scheme_len = if url.starts_with("https://") { 8 } else { 7 };
    (url.len() > scheme_len).then_some(url.len())
}

/// Usernames mentioned in the text, case-folded, each once, in order of appearance.
pub fn mentions(text: &str) -> Vec<String> {
    unique(tokenize(text).into_iter().filter_map(|t| match t {
        Token::Mention(name) => Some(name.to_ascii_lowercase()),
        _ => None,
    }))
}

/// Hashtags in the text, lower-cased, each once, in order of appearance.
pub fn hashtags(text: &str) -> Vec<String> {
    unique(tokenize(text).into_iter().filter_map(|t| match t {
        Token::Hashtag(tag) => Some(normalize_tag(tag)),
        _ => None,
    }))
}

/// The form under which a hashtag is stored and looked up.
pub fn normalize_tag(tag: &str) -> String {
    tag.trim_start_matches('#').to_lowercase()
}

/// Whether `tag` (without `#`) is a well-formed hashtag.
pub fn is_valid_tag(tag: &str) -> bool {
    let probe = format!("#{tag}");
    scan_hashtag(&probe) == Some(probe.len())
}

fn unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Token::*;
    use super::*;

    #[test]
    fn finds_mentions_tags_and_urls() {
        let t = tokenize("hi @Bob, see https://example.org/a_(b). #Rust\nbye");
        assert_eq!(
            t,
            vec![
                Text("hi "),
                Mention("Bob"),
                Text(", see "),
                Url("https://example.org/a_(b)"),
                Text(". "),
                Hashtag("Rust"),
                LineBreak,
                Text("bye"),
            ]
        );
    }

    #[test]
    fn ignores_lookalikes() {
        assert_eq!(tokenize("mail a@b.org"), vec![Text("mail a@b.org")]);
        assert_eq!(tokenize("issue#12 and #12"), vec![Text("issue#12 and #12")]);
        assert_eq!(
            tokenize("@bob@remote.example"),
            vec![Text("@bob@remote.example")]
        );
        assert_eq!(tokenize("https:// x"), vec![Text("https:// x")]);
        assert_eq!(
            tokenize("javascript:alert(1)"),
            vec![Text("javascript:alert(1)")]
        );
    }

    #[test]
    fn extracts_unique_lowercase() {
        assert_eq!(mentions("@Bob @bob @carol"), vec!["bob", "carol"]);
        assert_eq!(hashtags("#Rust #rust #Ünïcode"), vec!["rust", "ünïcode"]);
        assert!(is_valid_tag("rust"));
        assert!(!is_valid_tag("12"));
        assert!(!is_valid_tag("a b"));
    }

    #[test]
    fn tokens_give_back_the_text_with_any_characters() {
        let samples = [
            "",
            "plain",
            "héllo @bob, #Ünïcode: 日本語 #日本 https://ex.org/ä?q=1 ok",
            "ä@x é#y ü https://a.b\nzeile\n\n@",
            "emoji 🎉#party @🎉 h http:// httpsx://y",
            "#",
            "ß@ß",
        ];
        for text in samples {
            let mut back = String::new();
            for token in tokenize(text) {
                match token {
                    Token::Text(t) | Token::Url(t) => back.push_str(t),
                    Token::Mention(m) => {
                        back.push('@');
                        back.push_str(m);
                    }
                    Token::Hashtag(h) => {
                        back.push('#');
                        back.push_str(h);
                    }
                    Token::LineBreak => back.push('\n'),
                }
            }
            assert_eq!(back, text);
        }
        assert_eq!(
            tokenize("é#tag"),
            vec![Token::Text("é#tag")],
            "a tag glued to a word is text"
        );
        assert_eq!(
            tokenize("日 #日本"),
            vec![Token::Text("日 "), Token::Hashtag("日本")]
        );
    }

    #[test]
    fn url_trailing_punctuation() {
        assert_eq!(
            tokenize("(https://x.org)"),
            vec![Text("("), Url("https://x.org"), Text(")")]
        );
        assert_eq!(
            tokenize("https://x.org/?q=1!"),
            vec![Url("https://x.org/?q=1"), Text("!")]
        );
    }
}
