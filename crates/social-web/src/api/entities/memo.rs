//! Memoised pieces of entities that many requests render alike: a status's content HTML and an
//! account's JSON. Each entry keeps the inputs it was made from and is used only when they are
//! all equal to the request's (the output is a pure function of them), so an entry can never
//! be stale: an edited profile or a changed count simply misses and is made again. Nothing
//! needs invalidating, and nothing here is data that could be lost.
//!
//! Why: on the API's home timeline each of the 20 statuses carries its author's full Account
//! (rendered bio, a dozen URLs) and its content rendered from the text; building and escaping
//! them again on every request was most of the JSON work per page.

use super::Urls;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use social_core::Account;
use social_store::Mention;
use std::sync::{Arc, OnceLock};

/// Entries kept per kind (about 1 KB each for accounts, the post's size for content).
const CAPACITY: usize = 4096;

/// A piece of JSON made once and written as it is.
#[derive(Clone, Debug)]
pub struct RawJson(Arc<RawValue>);

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A string shared between responses.
#[derive(Clone, Debug)]
pub struct SharedStr(Arc<str>);

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl std::ops::Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

struct AccountEntry {
    account: Account,
    base: String,
    domain: String,
    json: RawJson,
}

struct ContentEntry {
    text: String,
    mentions: Vec<Mention>,
    base: String,
    html: SharedStr,
}

type Memo<T> = quick_cache::sync::Cache<i64, Arc<T>>;

fn accounts() -> &'static Memo<AccountEntry> {
    static M: OnceLock<Memo<AccountEntry>> = OnceLock::new();
    M.get_or_init(|| Memo::new(CAPACITY))
}

fn contents() -> &'static Memo<ContentEntry> {
    static M: OnceLock<Memo<ContentEntry>> = OnceLock::new();
    M.get_or_init(|| Memo::new(CAPACITY))
}

/// The Account entity of `a` as JSON.
pub fn account_json(a: &Account, urls: &Urls) -> RawJson {
    if let Some(e) = accounts().get(&a.id.0)
        && e.account == *a
        && e.base == urls.base
        && e.domain == urls.domain
    {
        return e.json.clone();
    }
    let text = serde_json::to_string(&super::account(a, urls))
        .expect("an Account entity always serializes (plain strings, numbers and booleans)");
    let raw = RawValue::from_string(text).expect("serde_json's own output is valid JSON");
    let json = RawJson(Arc::from(raw));
    accounts().insert(
        a.id.0,
        Arc::new(AccountEntry {
            account: a.clone(),
            base: urls.base.clone(),
            domain: urls.domain.clone(),
            json: json.clone(),
        }),
    );
    json
}

/// The content HTML of post `id` with `text` and `mentions`.
pub fn post_content(id: i64, text: &str, mentions: &[Mention], urls: &Urls) -> SharedStr {
    if let Some(e) = contents().get(&id)
        && e.text == text
        && e.mentions == mentions
        && e.base == urls.base
    {
        return e.html.clone();
    }
    let html = SharedStr(Arc::from(super::post_html(text, mentions, urls)));
    contents().insert(
        id,
        Arc::new(ContentEntry {
            text: text.to_owned(),
            mentions: mentions.to_vec(),
            base: urls.base.clone(),
            html: html.clone(),
        }),
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use social_core::AccountId;

    fn urls(base: &str) -> Urls {
        Urls {
            base: base.to_owned(),
            domain: base.trim_start_matches("https://").to_owned(),
        }
    }

    #[test]
    fn an_account_entry_is_remade_when_any_input_changes() {
        let mut a = Account {
            id: AccountId(7),
            username: "alice".to_owned(),
            display_name: String::new(),
            bio: String::new(),
            role: social_core::Role::User,
            status: social_core::AccountStatus::Active,
            locked: false,
            signup_reason: String::new(),
            created_at_ms: 1_700_000_000_000,
            followers_count: 1,
            following_count: 2,
            posts_count: 3,
        };
        let u = urls("https://one.example");
        let first = account_json(&a, &u);
        assert_eq!(
            first.0.get(),
            serde_json::to_string(&crate::api::entities::account(&a, &u)).unwrap()
        );
        a.bio = "new <bio>".to_owned();
        a.followers_count += 1;
        let second = account_json(&a, &u);
        assert!(
            second.0.get().contains("new &lt;bio&gt;"),
            "{}",
            second.0.get()
        );
        assert!(
            second
                .0
                .get()
                .contains(&format!("\"followers_count\":{}", a.followers_count))
        );
        let other = urls("https://two.example");
        assert!(
            account_json(&a, &other)
                .0
                .get()
                .contains("https://two.example/@alice")
        );
    }

    #[test]
    fn content_is_remade_when_the_text_or_mentions_differ() {
        let u = urls("https://one.example");
        assert_eq!(&*post_content(9, "hi <b>", &[], &u), "<p>hi &lt;b&gt;</p>");
        assert_eq!(&*post_content(9, "bye", &[], &u), "<p>bye</p>");
        let m = [Mention {
            account_id: AccountId(3),
            username: "bob".to_owned(),
        }];
        assert!(post_content(9, "@bob", &m, &u).contains("class=\"u-url mention\""));
        assert!(!post_content(9, "@bob", &[], &u).contains("class=\"u-url mention\""));
    }
}
