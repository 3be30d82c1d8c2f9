//! Helpers of the API write tests: accounts with bearer tokens issued through the store's
//! OAuth API, and a JSON client.

use crate::harness::TestApp;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use social_core::{AccountId, Role};
use social_store::AppInsert;

/// Every scope a full-access client asks for.
pub const ALL: &str = "read write follow";

/// A response with its JSON body.
#[derive(Debug)]
pub struct JResp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl JResp {
    pub fn ok(self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "body: {}", self.json);
        self.json
    }
    /// Asserts the status and a Mastodon-style `{"error": …}` body; returns the error text.
    pub fn error(&self, status: StatusCode) -> String {
        assert_eq!(self.status, status, "body: {}", self.json);
        self.json["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error text in {}", self.json))
            .to_owned()
    }
    pub fn link(&self) -> String {
        self.headers
            .get("link")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }
}

/// A signed-in API client.
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
    pub id: AccountId,
}

/// An upload recorded directly in the store (the files do not matter to attaching).
pub async fn upload(app: &TestApp, owner: AccountId, name: &str) -> String {
    app.store
        .create_media(social_store::MediaInsert {
            account_id: owner,
            file_name: format!("{name}.jpg"),
            thumb_name: format!("{name}-small.jpg"),
            mime: "image/jpeg".into(),
            width: 64,
            height: 48,
            size: 1000,
            thumb_width: 64,
            thumb_height: 48,
            focus: social_core::Focus::default(),
            description: String::new(),
            blurhash: None,
        })
        .await
        .unwrap()
        .id
        .0
        .to_string()
}

/// The account's `posts_count` as stored.
pub async fn posts_count(app: &TestApp, id: AccountId) -> i64 {
    app.store
        .get_account_by_id(id)
        .await
        .unwrap()
        .unwrap()
        .posts_count
}

/// A new active account and a token for it with `scopes`.
pub async fn user(app: &TestApp, name: &str, scopes: &str) -> Api {
    let id = app.account(name, Role::User).await;
    token(app, id, scopes).await
}

/// Another token, with `scopes`, for an existing account.
pub async fn token(app: &TestApp, id: AccountId, scopes: &str) -> Api {
    let client = app
        .store
        .create_app(AppInsert {
            name: "write tests".into(),
            website: None,
            redirect_uris: vec!["urn:ietf:wg:oauth:2.0:oob".into()],
            scopes: scopes.into(),
        })
        .await
        .unwrap();
    let token = app
        .store
        .create_token(client.app.id, Some(id), scopes)
        .await
        .unwrap()
        .token;
    Api {
        http: reqwest::Client::new(),
        base: app.base.clone(),
        token,
        id,
    }
}

async fn read(resp: reqwest::Response) -> JResp {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let json =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}"));
    JResp {
        status,
        headers,
        json,
    }
}

impl Api {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }
    pub async fn get(&self, path: &str) -> JResp {
        read(self.req(reqwest::Method::GET, path).send().await.unwrap()).await
    }
    pub async fn post(&self, path: &str, body: Value) -> JResp {
        self.post_with(path, body, &[]).await
    }
    pub async fn post_with(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> JResp {
        let mut req = self.req(reqwest::Method::POST, path).json(&body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        read(req.send().await.unwrap()).await
    }
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> JResp {
        read(
            self.req(reqwest::Method::POST, path)
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
    pub async fn delete(&self, path: &str) -> JResp {
        read(
            self.req(reqwest::Method::DELETE, path)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
    pub async fn patch_form(&self, path: &str, form: &[(&str, &str)]) -> JResp {
        read(
            self.req(reqwest::Method::PATCH, path)
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
    pub async fn patch(&self, path: &str, body: Value) -> JResp {
        read(
            self.req(reqwest::Method::PATCH, path)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }
    /// `POST /api/v1/{collection}/{id}/{verb}` with an empty body: the one-record actions
    /// (`statuses` favourite / reblog / bookmark, `accounts` follow / mute …).
    pub async fn act(&self, collection: &str, id: impl std::fmt::Display, verb: &str) -> JResp {
        self.post(
            &format!("/api/v1/{collection}/{id}/{verb}"),
            serde_json::json!({}),
        )
        .await
    }
    /// `POST /api/v1/statuses` with a JSON body.
    pub async fn create(&self, body: Value) -> JResp {
        self.post("/api/v1/statuses", body).await
    }
    /// Posts a status (which must succeed) and returns its id.
    pub async fn status(&self, text: &str, visibility: &str) -> String {
        let s = self
            .post(
                "/api/v1/statuses",
                serde_json::json!({"status": text, "visibility": visibility}),
            )
            .await
            .ok();
        s["id"].as_str().unwrap().to_owned()
    }
}

/// The `id`s of a JSON list.
pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}
