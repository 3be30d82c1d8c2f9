//! Helpers of the client API tests: JSON requests with an optional bearer token, the `Link`
//! header's URLs, and snapshot files of JSON shapes with IDs, dates and the address
//! normalised (`tests/http/snapshots/NAME.json`; `UPDATE_SNAPSHOTS=1` rewrites them).

use crate::harness::TestApp;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use social_core::{AccountId, PostId, Visibility};
use social_store::PostInsert;
use std::path::PathBuf;

/// A JSON response.
#[derive(Debug)]
pub struct JsonResp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
    pub text: String,
}

impl JsonResp {
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.text);
        &self.json
    }

    /// Asserts a Mastodon-style error: this status and a `{"error": "…"}` body.
    pub fn assert_error(&self, status: StatusCode) {
        assert_eq!(self.status, status, "body: {}", self.text);
        assert!(
            self.json["error"].as_str().is_some_and(|e| !e.is_empty()),
            "error body: {}",
            self.text
        );
    }

    /// The URL of the `Link` header's `rel` (`next` / `prev`).
    pub fn link(&self, rel: &str) -> Option<String> {
        let header = self.headers.get("link")?.to_str().ok()?;
        header.split(", ").find_map(|part| {
            let (url, params) = part.split_once(">;")?;
            params
                .contains(&format!("rel=\"{rel}\""))
                .then(|| url.trim_start_matches('<').to_owned())
        })
    }

    /// The `id`s of a JSON list.
    pub fn ids(&self) -> Vec<String> {
        self.ok()
            .as_array()
            .expect("a JSON list")
            .iter()
            .map(|v| v["id"].as_str().expect("string id").to_owned())
            .collect()
    }
}

/// GET `path_or_url` (a path on the app, or an absolute URL) with an optional bearer token.
pub async fn get(app: &TestApp, path_or_url: &str, token: Option<&str>) -> JsonResp {
    let url = if path_or_url.starts_with("http") {
        path_or_url.to_owned()
    } else {
        format!("{}{path_or_url}", app.base)
    };
    let mut req = reqwest::Client::new().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    JsonResp {
        status,
        headers,
        json,
        text,
    }
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b[4] == b'-'
        && b[10] == b'T'
        && b[19] == b'.'
        && b[23] == b'Z'
        && s.chars().filter(char::is_ascii_digit).count() == 17
}

/// Replaces each random media file name (`/media/ab/<32 hex>`, the thumbnail's too) by
/// `/media/<file N>`, N in order of appearance, so an upload and its thumbnail share an N.
fn media_names(s: &str, names: &mut Vec<String>) -> String {
    const MARK: &str = "/media/";
    const LEN: usize = 2 + 1 + 32;
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find(MARK) {
        let (head, tail) = rest.split_at(at + MARK.len());
        out.push_str(head);
        let name = tail.get(..LEN).filter(|n| {
            n.as_bytes()[2] == b'/'
                && n.chars()
                    .enumerate()
                    .all(|(i, c)| i == 2 || c.is_ascii_hexdigit())
        });
        rest = match name {
            Some(name) => {
                let n = match names.iter().position(|x| x == name) {
                    Some(n) => n,
                    None => {
                        names.push(name.to_owned());
                        names.len() - 1
                    }
                };
                out.push_str(&format!("<file {}>", n + 1));
                &tail[LEN..]
            }
            None => tail,
        };
    }
    out.push_str(rest);
    out
}

/// Replaces the app's address by `https://social.example`, random media file names by
/// `<file N>`, each distinct 10+ digit ID (alone or inside a string) by `<id N>` in order of
/// appearance, and ISO timestamps by `<date>`.
pub fn normalize(value: &Value, base: &str) -> Value {
    fn walk(v: &Value, base: &str, ids: &mut Vec<String>, files: &mut Vec<String>) -> Value {
        match v {
            Value::String(s) if is_timestamp(s) => Value::String("<date>".into()),
            Value::String(s) => {
                let s = media_names(&s.replace(base, "https://social.example"), files);
                let host = base.trim_start_matches("http://");
                let s = s.replace(host, "social.example");
                let mut out = String::new();
                let mut digits = String::new();
                for c in s.chars().chain(std::iter::once('\0')) {
                    if c.is_ascii_digit() {
                        digits.push(c);
                        continue;
                    }
                    if digits.len() >= 10 {
                        let n = match ids.iter().position(|i| *i == digits) {
                            Some(n) => n,
                            None => {
                                ids.push(digits.clone());
                                ids.len() - 1
                            }
                        };
                        out.push_str(&format!("<id {}>", n + 1));
                    } else {
                        out.push_str(&digits);
                    }
                    digits.clear();
                    if c != '\0' {
                        out.push(c);
                    }
                }
                Value::String(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(|x| walk(x, base, ids, files)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| (k.clone(), walk(x, base, ids, files)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    walk(value, base, &mut Vec::new(), &mut Vec::new())
}

/// Compares the normalised `value` with `snapshots/NAME.json` (written when missing or when
/// `UPDATE_SNAPSHOTS=1`; a missing file still fails the test so it gets reviewed).
pub fn assert_snapshot(name: &str, value: &Value, base: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/http/snapshots")
        .join(format!("{name}.json"));
    let got = serde_json::to_string_pretty(&normalize(value, base)).unwrap() + "\n";
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    match std::fs::read_to_string(&path) {
        Ok(want) if !update => assert_eq!(
            got,
            want,
            "snapshot {name} differs (UPDATE_SNAPSHOTS=1 rewrites {})",
            path.display()
        ),
        found => {
            std::fs::write(&path, &got).unwrap();
            assert!(
                update || found.is_ok(),
                "new snapshot {} written: review and commit it",
                path.display()
            );
        }
    }
}

/// A user token with `scopes` for `account`, issued through the store for a fresh app (the
/// OAuth flow itself has its own tests).
pub async fn api_token(app: &TestApp, account: AccountId, scopes: &str) -> String {
    let client = app
        .store
        .create_app(social_store::AppInsert {
            name: "api tests".into(),
            website: None,
            redirect_uris: vec!["urn:ietf:wg:oauth:2.0:oob".into()],
            scopes: scopes.into(),
        })
        .await
        .unwrap();
    app.store
        .create_token(client.app.id, Some(account), scopes)
        .await
        .unwrap()
        .token
}

/// Writes a post directly through the store.
pub async fn post(app: &TestApp, author: AccountId, text: &str, visibility: Visibility) -> PostId {
    post_reply(app, author, text, visibility, None).await
}

pub async fn post_reply(
    app: &TestApp,
    author: AccountId,
    text: &str,
    visibility: Visibility,
    to: Option<PostId>,
) -> PostId {
    post_insert(app, author, text, visibility, to, "").await
}

/// A public post behind a content warning, written directly through the store.
pub async fn post_warned(app: &TestApp, author: AccountId, text: &str, warning: &str) -> PostId {
    post_insert(app, author, text, Visibility::Public, None, warning).await
}

async fn post_insert(
    app: &TestApp,
    author: AccountId,
    text: &str,
    visibility: Visibility,
    to: Option<PostId>,
    warning: &str,
) -> PostId {
    app.store
        .create_post(PostInsert {
            author_id: author,
            text: text.into(),
            visibility,
            in_reply_to_id: to,
            spoiler_text: warning.into(),
            sensitive: false,
            media_ids: Vec::new(),
        })
        .await
        .unwrap()
        .id
}
