//! Mastodon API entities (Account, Status, Relationship, Notification, Tag), built from the
//! store's models for one viewer. Shapes follow Mastodon's documentation; what we do not have
//! (emojis, media, polls, cards, edits, fields) is present and empty so clients parse it.

mod account;
mod html;
mod memo;
mod misc;
mod status;

pub use account::{
    AccountJson, CredentialAccount, DEFAULT_AVATAR, DEFAULT_HEADER, account, credential_account,
};
pub use html::{escape as escape_into, note_html, post_html};
pub use memo::{RawJson, SharedStr, account_json, post_content};
pub use misc::{
    NotificationJson, RelationshipJson, TagJson, TagRef, notification, relationship, tag,
};
pub use status::{StatusJson, status, statuses};

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use std::convert::Infallible;

/// The site's absolute address, from the request's `Host` (the appliance answers under
/// whatever name it is reached by, like the web UI) and whether it is served over TLS.
#[derive(Clone, Debug)]
pub struct Urls {
    /// `https://social.example.org` (no trailing slash).
    pub base: String,
    /// `social.example.org`: the domain part of `acct` URIs.
    pub domain: String,
}

impl Urls {
    pub fn new(tls: bool, host: &str) -> Urls {
        let ok = !host.is_empty()
            && host.len() <= 255
            && host.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
            });
        let domain = if ok {
            host.to_ascii_lowercase()
        } else {
            "localhost".into()
        };
        let scheme = if tls { "https" } else { "http" };
        Urls {
            base: format!("{scheme}://{domain}"),
            domain,
        }
    }
    /// `base` + `path` (which starts with `/`).
    pub fn to(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    /// The web profile of a local account.
    pub fn profile(&self, username: &str) -> String {
        self.to(&format!("/@{username}"))
    }
    /// The web page of a post.
    pub fn post(&self, username: &str, id: social_core::PostId) -> String {
        self.to(&format!("/@{username}/{id}"))
    }
    pub fn tag(&self, tag: &str) -> String {
        self.to(&format!("/tags/{}", crate::util::percent_encode(tag)))
    }
}

impl FromRequestParts<AppState> for Urls {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .unwrap_or("");
        Ok(Urls::new(state.config.tls, host))
    }
}

/// `2026-12-03T10:00:00.000Z` from unix milliseconds.
pub fn iso_ms(ms: i64) -> String {
    let (secs, milli) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{milli:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => "1970-01-01T00:00:00.000Z".into(),
    }
}

/// Midnight UTC of the day of `ms`: Mastodon rounds account creation dates to the day.
pub fn iso_day(ms: i64) -> String {
    iso_ms(ms - ms.rem_euclid(86_400_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(iso_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_ms(1_796_292_000_123), "2026-12-03T10:00:00.123Z");
        assert_eq!(iso_day(1_796_292_000_123), "2026-12-03T00:00:00.000Z");
    }

    #[test]
    fn urls_from_host() {
        let u = Urls::new(true, "Social.Example.org");
        assert_eq!(u.base, "https://social.example.org");
        assert_eq!(Urls::new(false, "a b<").domain, "localhost");
        assert_eq!(
            Urls::new(false, "127.0.0.1:8080").base,
            "http://127.0.0.1:8080"
        );
    }
}
