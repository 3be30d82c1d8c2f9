//! The OAuth 2 server and the API's auth rules over real HTTP: app registration, the
//! authorization-code flow with PKCE through the web log-in and consent form, out-of-band
//! codes, refusals (deny, wrong redirect URI, wrong verifier, replayed code), client
//! credentials, revocation, bearer errors, scopes, CORS and trailing slashes.
//!
//! [`token_for`] gives other API tests a token without the browser steps.

use crate::each_backend;
use crate::harness::{Client, Resp, TestApp, password_of};
use reqwest::StatusCode;
use serde_json::{Value, json};
use social_core::Role;

/// RFC 7636 appendix B: a verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const CALLBACK: &str = "https://client.example/cb";
const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";

/// A bearer token for `username` (created as a user if missing) with `scopes`, straight from
/// the store: for tests of endpoints, not of the OAuth flow.
#[allow(dead_code)]
pub async fn token_for(app: &TestApp, username: &str, scopes: &str) -> String {
    let account = match app.store.get_account_by_username(username).await.unwrap() {
        Some(a) => a.id,
        None => app.account(username, Role::User).await,
    };
    crate::api_support::api_token(app, account, scopes).await
}

/// A client that sends no cookies and follows no redirects.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn read(resp: reqwest::Response) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body =
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, headers, body)
}

async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut req = http().get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let (status, _, body) = read(req.send().await.unwrap()).await;
    (status, body)
}

async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = http()
        .post(format!("{}{path}", app.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let (status, _, body) = read(resp).await;
    (status, body)
}

struct Registered {
    client_id: String,
    client_secret: String,
}

impl Registered {
    /// `POST /oauth/revoke` of `token`, the client authenticated with `secret`.
    async fn revoke(&self, app: &TestApp, token: &str, secret: &str) -> (StatusCode, Value) {
        let form = [
            ("token", token),
            ("client_id", &self.client_id),
            ("client_secret", secret),
        ];
        post_form(app, "/oauth/revoke", &form).await
    }

    /// The `client_credentials` grant with the client's id, its secret when `with_secret`,
    /// and `more` fields.
    async fn client_grant(
        &self,
        app: &TestApp,
        with_secret: bool,
        more: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
        ];
        if with_secret {
            form.push(("client_secret", &self.client_secret));
        }
        form.extend_from_slice(more);
        exchange(app, &form).await
    }
}

async fn register(app: &TestApp, redirect_uris: Value, scopes: &str) -> Registered {
    let resp = http()
        .post(format!("{}/api/v1/apps", app.base))
        .json(&json!({
            "client_name": "Test Client",
            "redirect_uris": redirect_uris,
            "scopes": scopes,
            "website": "https://client.example",
        }))
        .send()
        .await
        .unwrap();
    let (status, _, body) = read(resp).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    Registered {
        client_id: body["client_id"].as_str().unwrap().to_owned(),
        client_secret: body["client_secret"].as_str().unwrap().to_owned(),
    }
}

/// The value of `key` in the query of a URL.
fn query_param(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    reqwest::Url::parse(&format!("http://x/?{query}"))
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn authorize_path(
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", scope),
    ];
    pairs.extend_from_slice(extra);
    let query: String = reqwest::Url::parse_with_params("http://x/", &pairs)
        .unwrap()
        .query()
        .unwrap()
        .to_owned();
    format!("/oauth/authorize?{query}")
}

/// The hidden fields of the consent form plus `decision`, posted as the browser would.
async fn decide(browser: &Client, consent: &Resp, decision: &str) -> Resp {
    let body = &consent.body;
    let form_at = body
        .find("action=\"/oauth/authorize\"")
        .expect("consent form");
    let form = &body[form_at..body[form_at..].find("</form>").unwrap() + form_at];
    let mut fields: Vec<(String, String)> = Vec::new();
    for (i, _) in form.match_indices("<input type=\"hidden\"") {
        let tag = &form[i..i + form[i..].find('>').unwrap()];
        let attr = |name: &str| {
            let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            let raw = &tag[at..at + tag[at..].find('"').unwrap()];
            raw.replace("&amp;", "&").replace("&quot;", "\"")
        };
        fields.push((attr("name"), attr("value")));
    }
    fields.push(("decision".into(), decision.into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post_raw("/oauth/authorize", &pairs).await
}

/// Signs `username` in through the login form the authorize page redirects to, and returns
/// the consent page.
async fn sign_in_and_consent(app: &TestApp, browser: &Client, path: &str, username: &str) -> Resp {
    let first = browser.get(path).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let login = first.location().to_owned();
    assert!(login.starts_with("/login?next="), "{login}");
    let next = query_param(&login, "next").unwrap();
    assert_eq!(next, path);
    app.account(username, Role::User).await;
    let pw = password_of(username);
    let signed_in = browser
        .post_from(
            &login,
            "/login",
            &[("username", username), ("password", &pw), ("next", &next)],
        )
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    assert_eq!(signed_in.location(), path);
    browser.get(path).await
}

/// Asserts an OAuth error answer: this status, this `error`, and an `error_description` that
/// names `about`.
fn oauth_error(got: StatusCode, body: &Value, status: StatusCode, error: &str, about: &str) {
    assert_eq!(got, status, "{body}");
    assert_eq!(body["error"], error);
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(description.contains(about), "{body}");
}

async fn exchange(app: &TestApp, form: &[(&str, &str)]) -> (StatusCode, Value) {
    post_form(app, "/oauth/token", form).await
}

#[tokio::test]
async fn app_registration() {
    each_backend!(|app: TestApp| async move {
        // JSON with a list of URIs.
        let resp = http()
            .post(format!("{}/api/v1/apps", app.base))
            .json(&json!({
                "client_name": "My <App>",
                "redirect_uris": [CALLBACK, "myapp://oauth"],
                "scopes": "read write follow",
                "website": "https://client.example",
            }))
            .send()
            .await
            .unwrap();
        let (status, headers, body) = read(resp).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert!(body["id"].is_string());
        assert_eq!(body["name"], "My <App>");
        assert_eq!(body["website"], "https://client.example");
        assert_eq!(body["scopes"], json!(["read", "write", "follow"]));
        assert_eq!(body["redirect_uris"], json!([CALLBACK, "myapp://oauth"]));
        assert_eq!(body["redirect_uri"], format!("{CALLBACK}\nmyapp://oauth"));
        assert_eq!(body["vapid_key"], "");
        assert_eq!(body["client_id"].as_str().unwrap().len(), 43);
        assert_eq!(body["client_secret"].as_str().unwrap().len(), 43);

        // A form, URIs in one string, default scope, trailing slash.
        let (status, body) = post_form(
            &app,
            "/api/v1/apps/",
            &[("client_name", "toot"), ("redirect_uris", OOB)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["scopes"], json!(["read"]));
        assert_eq!(body["website"], Value::Null);
        assert_eq!(body["redirect_uris"], json!([OOB]));

        // Refusals: 422 with Mastodon's error body, 400 for a malformed body.
        for (form, needle) in [
            (vec![("redirect_uris", OOB)], "name"),
            (vec![("client_name", "x")], "Redirect URI"),
            (
                vec![
                    ("client_name", "x"),
                    ("redirect_uris", "javascript:alert(1)"),
                ],
                "Redirect URI",
            ),
            (
                vec![("client_name", "x"), ("redirect_uris", "data:text/html,hi")],
                "Redirect URI",
            ),
            (
                vec![("client_name", "x"), ("redirect_uris", "/relative")],
                "Redirect URI",
            ),
            (
                vec![
                    ("client_name", "x"),
                    ("redirect_uris", OOB),
                    ("scopes", "read bogus"),
                ],
                "Scopes",
            ),
            (
                vec![
                    ("client_name", "x"),
                    ("redirect_uris", OOB),
                    ("website", "javascript:x"),
                ],
                "Website",
            ),
        ] {
            let (status, body) = post_form(&app, "/api/v1/apps", &form).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form:?}: {body}");
            let error = body["error"].as_str().unwrap();
            assert!(error.starts_with("Validation failed"), "{error}");
            assert!(error.contains(needle), "{error} lacks {needle}");
        }
        let resp = http()
            .post(format!("{}/api/v1/apps", app.base))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        let (status, _, body) = read(resp).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["error"].is_string());
        let resp = http()
            .post(format!("{}/api/v1/apps", app.base))
            .header("content-type", "text/plain")
            .body("client_name=x")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        // The wrong method is a JSON 405, an unknown API path a JSON 404.
        let (status, body) = get_json(&app, "/api/v1/apps", None).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(body["error"].is_string());
        let (status, body) = get_json(&app, "/api/v1/nothing-here", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["error"], "Record not found");
    });
}

#[tokio::test]
async fn authorization_code_flow_with_pkce() {
    each_backend!(|app: TestApp| async move {
        let client = register(&app, json!([CALLBACK]), "read write follow").await;
        let browser = app.client();
        let path = authorize_path(
            &client.client_id,
            CALLBACK,
            "read write",
            &[
                ("state", "st&te 1"),
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
            ],
        );
        let consent = sign_in_and_consent(&app, &browser, &path, "alice").await;
        consent
            .assert_status(StatusCode::OK)
            .assert_contains("Test Client")
            .assert_contains("@alice")
            .assert_contains("(read)")
            .assert_contains("(write)");
        let csp = consent.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("form-action 'self' https://client.example;"),
            "{csp}"
        );
        // The consent form is CSRF-protected.
        browser
            .post_raw(
                "/oauth/authorize",
                &[
                    ("client_id", client.client_id.as_str()),
                    ("redirect_uri", CALLBACK),
                    ("response_type", "code"),
                    ("decision", "approve"),
                ],
            )
            .await
            .assert_status(StatusCode::FORBIDDEN);

        let approved = decide(&browser, &consent, "approve").await;
        assert_eq!(approved.status, StatusCode::FOUND, "{}", approved.body);
        let location = approved.location();
        assert!(
            location.starts_with(&format!("{CALLBACK}?code=")),
            "{location}"
        );
        assert_eq!(query_param(location, "state").as_deref(), Some("st&te 1"));
        let code = query_param(location, "code").unwrap();

        // A wrong verifier is refused, and that burns the code.
        let (status, body) = exchange(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
                ("redirect_uri", CALLBACK),
                (
                    "code_verifier",
                    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK",
                ),
            ],
        )
        .await;
        oauth_error(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "code_verifier",
        );

        // A fresh code (the browser is signed in now: straight to the consent page).
        let consent = browser.get(&path).await;
        consent.assert_status(StatusCode::OK);
        let code = query_param(
            decide(&browser, &consent, "approve").await.location(),
            "code",
        )
        .unwrap();
        let token_form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", client.client_id.as_str()),
            ("client_secret", client.client_secret.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ];
        let (status, body) = exchange(&app, &token_form).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["scope"], "read write");
        assert!(body["created_at"].as_i64().unwrap() > 1_700_000_000);
        let token = body["access_token"].as_str().unwrap().to_owned();
        let (status, me) = get_json(&app, "/api/v1/apps/verify_credentials", Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["name"], "Test Client");
        assert!(me.get("client_secret").is_none());

        // Replaying the code is refused and revokes the token it gave (RFC 6749 4.1.2).
        let (status, body) = exchange(&app, &token_form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "invalid_grant");
        let (status, _) = get_json(&app, "/api/v1/apps/verify_credentials", Some(&token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    });
}

#[tokio::test]
async fn public_clients_and_client_authentication() {
    each_backend!(|app: TestApp| async move {
        let client = register(&app, json!([CALLBACK, "myapp://cb"]), "read").await;
        let browser = app.client();
        let with_pkce = authorize_path(
            &client.client_id,
            "myapp://cb",
            "read",
            &[
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "S256"),
            ],
        );
        let consent = sign_in_and_consent(&app, &browser, &with_pkce, "bob").await;
        let csp = consent.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("form-action 'self' myapp:;"), "{csp}");
        let approved = decide(&browser, &consent, "approve").await;
        assert!(approved.location().starts_with("myapp://cb?code="));
        let code = query_param(approved.location(), "code").unwrap();
        // No secret: the PKCE verifier is the proof.
        let (status, body) = exchange(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", &client.client_id),
                ("redirect_uri", "myapp://cb"),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Without PKCE a client must send its secret.
        let plain = authorize_path(&client.client_id, CALLBACK, "read", &[]);
        let consent = browser.get(&plain).await;
        let code = query_param(
            decide(&browser, &consent, "approve").await.location(),
            "code",
        )
        .unwrap();
        let (status, body) = exchange(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", &client.client_id),
                ("redirect_uri", CALLBACK),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "invalid_grant");

        // A wrong secret is invalid_client (401); HTTP Basic works; a wrong redirect_uri at
        // the token endpoint is invalid_grant.
        let consent = browser.get(&plain).await;
        let code = query_param(
            decide(&browser, &consent, "approve").await.location(),
            "code",
        )
        .unwrap();
        let resp = http()
            .post(format!("{}/oauth/token", app.base))
            .basic_auth(&client.client_id, Some("wrong"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", CALLBACK),
            ])
            .send()
            .await
            .unwrap();
        let (status, headers, body) = read(resp).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], "invalid_client");
        assert!(headers.contains_key("www-authenticate"));
        let resp = http()
            .post(format!("{}/oauth/token", app.base))
            .basic_auth(&client.client_id, Some(&client.client_secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "myapp://cb"),
            ])
            .send()
            .await
            .unwrap();
        let (status, _, body) = read(resp).await;
        oauth_error(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "redirect_uri",
        );

        let consent = browser.get(&plain).await;
        let code = query_param(
            decide(&browser, &consent, "approve").await.location(),
            "code",
        )
        .unwrap();
        let resp = http()
            .post(format!("{}/oauth/token", app.base))
            .basic_auth(&client.client_id, Some(&client.client_secret))
            .json(&json!({"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}))
            .send()
            .await
            .unwrap();
        let (status, _, body) = read(resp).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["scope"], "read");

        // Unknown grant types and codes.
        let (status, body) = exchange(
            &app,
            &[("grant_type", "password"), ("client_id", &client.client_id)],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "unsupported_grant_type");
        let (status, body) = exchange(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", "nonsense"),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
                ("redirect_uri", CALLBACK),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "invalid_grant");
    });
}

#[tokio::test]
async fn out_of_band_and_deny() {
    each_backend!(|app: TestApp| async move {
        let client = register(&app, json!(OOB), "read write").await;
        let browser = app.client();
        let path = authorize_path(&client.client_id, OOB, "read", &[]);
        let consent = sign_in_and_consent(&app, &browser, &path, "carol").await;
        consent.assert_status(StatusCode::OK);
        let shown = decide(&browser, &consent, "approve").await;
        shown.assert_status(StatusCode::OK);
        let at = shown.body.find("id=\"oauth-code\"").expect("code field");
        let tag = &shown.body[at..at + shown.body[at..].find('>').unwrap()];
        let v = tag.find("value=\"").unwrap() + 7;
        let code = &tag[v..v + tag[v..].find('"').unwrap()];
        let (status, body) = exchange(
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
                ("redirect_uri", OOB),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["scope"], "read");

        // Deny goes back to the client with access_denied (a page for out-of-band).
        let web = register(&app, json!([CALLBACK]), "read").await;
        let path = authorize_path(&web.client_id, CALLBACK, "read", &[("state", "s1")]);
        let consent = browser.get(&path).await;
        let denied = decide(&browser, &consent, "deny").await;
        assert_eq!(denied.status, StatusCode::FOUND);
        assert_eq!(
            query_param(denied.location(), "error").as_deref(),
            Some("access_denied")
        );
        assert_eq!(
            query_param(denied.location(), "state").as_deref(),
            Some("s1")
        );
        assert!(query_param(denied.location(), "code").is_none());
        let consent = browser
            .get(&authorize_path(&client.client_id, OOB, "read", &[]))
            .await;
        decide(&browser, &consent, "deny")
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    });
}

#[tokio::test]
async fn authorize_refusals() {
    each_backend!(|app: TestApp| async move {
        let client = register(&app, json!([CALLBACK]), "read").await;
        let browser = app.user("dave").await;
        // Unknown client or unregistered redirect URI: an error page, never a redirect.
        for path in [
            authorize_path("nope", CALLBACK, "read", &[]),
            authorize_path(&client.client_id, "https://evil.example/cb", "read", &[]),
            authorize_path(
                &client.client_id,
                "https://client.example/cb/more",
                "read",
                &[],
            ),
        ] {
            let resp = browser.get(&path).await;
            assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{path}");
            assert!(resp.location().is_empty());
            assert!(
                resp.headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("text/html")
            );
        }
        // Known client and URI: the error goes back to the client.
        let cases = [
            (
                authorize_path(&client.client_id, CALLBACK, "write", &[]),
                "invalid_scope",
            ),
            (
                authorize_path(&client.client_id, CALLBACK, "read bogus", &[]),
                "invalid_scope",
            ),
            (
                authorize_path(
                    &client.client_id,
                    CALLBACK,
                    "read",
                    &[
                        ("code_challenge", CHALLENGE),
                        ("code_challenge_method", "plain"),
                    ],
                ),
                "invalid_request",
            ),
            (
                authorize_path(
                    &client.client_id,
                    CALLBACK,
                    "read",
                    &[("code_challenge", CHALLENGE)],
                ),
                "invalid_request",
            ),
            (
                authorize_path(&client.client_id, CALLBACK, "read", &[])
                    .replace("response_type=code", "response_type=token"),
                "unsupported_response_type",
            ),
        ];
        for (path, error) in cases {
            let resp = browser.get(&path).await;
            assert_eq!(resp.status, StatusCode::FOUND, "{path}: {}", resp.body);
            assert!(resp.location().starts_with(CALLBACK));
            assert_eq!(
                query_param(resp.location(), "error").as_deref(),
                Some(error),
                "{path}"
            );
        }
        // With a single registered URI, redirect_uri may be left out.
        let path = format!(
            "/oauth/authorize?response_type=code&client_id={}",
            client.client_id
        );
        browser.get(&path).await.assert_status(StatusCode::OK);
    });
}

#[tokio::test]
async fn client_credentials_and_revocation() {
    each_backend!(|app: TestApp| async move {
        let client = register(&app, json!(OOB), "read write").await;
        let (status, body) = client.client_grant(&app, true, &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["scope"], "read");
        let app_token = body["access_token"].as_str().unwrap().to_owned();
        let (status, me) =
            get_json(&app, "/api/v1/apps/verify_credentials/", Some(&app_token)).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        assert_eq!(me["name"], "Test Client");
        // Scopes beyond the app's are refused; a secret is required.
        let (status, body) = client
            .client_grant(&app, true, &[("scope", "read follow")])
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "invalid_scope");
        let (status, body) = client.client_grant(&app, false, &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], "invalid_client");

        // Revocation: a wrong secret is refused; then the token stops working at once
        // (through the cache too: it was just used).
        let user_token = token_for(&app, "erin", "read").await;
        let (status, _) =
            get_json(&app, "/api/v1/apps/verify_credentials", Some(&user_token)).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = client.revoke(&app, &app_token, "wrong").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], "invalid_client");
        // Another client's token is left alone.
        let (status, body) = client
            .revoke(&app, &user_token, &client.client_secret)
            .await;
        assert_eq!((status, body), (StatusCode::OK, json!({})));
        let (status, _) =
            get_json(&app, "/api/v1/apps/verify_credentials", Some(&user_token)).await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = client.revoke(&app, &app_token, &client.client_secret).await;
        assert_eq!((status, body), (StatusCode::OK, json!({})));
        let (status, body) =
            get_json(&app, "/api/v1/apps/verify_credentials", Some(&app_token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"], "The access token is invalid");
    });
}

#[tokio::test]
async fn bearer_errors_and_account_status() {
    each_backend!(|app: TestApp| async move {
        let path = "/api/v1/apps/verify_credentials";
        let resp = http()
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let (status, headers, body) = read(resp).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(
            headers["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        assert_eq!(body["error"], "The access token is invalid");
        for auth in [
            "Bearer garbage",
            "Bearer ",
            "Basic Zm9vOmJhcg==",
            "Bearer a b",
        ] {
            let resp = http()
                .get(format!("{}{path}", app.base))
                .header("authorization", auth)
                .send()
                .await
                .unwrap();
            let (status, headers, _) = read(resp).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth}");
            assert!(headers.contains_key("www-authenticate"));
        }
        // The session cookie is no credential for the API.
        let browser = app.user("frank").await;
        let resp = browser.get(path).await;
        assert_eq!(resp.status, StatusCode::UNAUTHORIZED);
        assert!(resp.body.starts_with('{'), "{}", resp.body);

        // A disabled account's tokens are refused with Mastodon's message.
        let token = token_for(&app, "frank", "read").await;
        let (status, _) = get_json(&app, path, Some(&token)).await;
        assert_eq!(status, StatusCode::OK);
        let frank = app
            .store
            .get_account_by_username("frank")
            .await
            .unwrap()
            .unwrap();
        app.store
            .set_account_status(frank.id, social_core::AccountStatus::Disabled)
            .await
            .unwrap();
        let (status, body) = get_json(&app, path, Some(&token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"], "Your login is currently disabled");
    });
}

#[tokio::test]
async fn cors_trailing_slash_and_metadata() {
    each_backend!(|app: TestApp| async move {
        let resp = http()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/apps/", app.base),
            )
            .header("origin", "https://webclient.example")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        let h = resp.headers();
        assert_eq!(h["access-control-allow-origin"], "*");
        assert!(
            h["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains("POST")
        );
        assert_eq!(
            h["access-control-allow-headers"],
            "authorization, content-type"
        );
        assert!(!h.contains_key("access-control-allow-credentials"));

        // A cross-site POST needs no CSRF token on the API; responses expose Link.
        let resp = http()
            .post(format!("{}/api/v1/apps", app.base))
            .header("origin", "https://webclient.example")
            .header("sec-fetch-site", "cross-site")
            .form(&[("client_name", "web"), ("redirect_uris", CALLBACK)])
            .send()
            .await
            .unwrap();
        let (status, headers, _) = read(resp).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert!(
            headers["access-control-expose-headers"]
                .to_str()
                .unwrap()
                .contains("Link")
        );
        // Pages get no CORS headers.
        let page = app.client().get("/login").await;
        assert!(!page.headers.contains_key("access-control-allow-origin"));

        let resp = http()
            .get(format!(
                "{}/.well-known/oauth-authorization-server",
                app.base
            ))
            .send()
            .await
            .unwrap();
        let (status, headers, meta) = read(resp).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["access-control-allow-origin"], "*");
        let base = &app.base;
        assert_eq!(meta["issuer"], format!("{base}/"));
        assert_eq!(
            meta["authorization_endpoint"],
            format!("{base}/oauth/authorize")
        );
        assert_eq!(meta["token_endpoint"], format!("{base}/oauth/token"));
        assert_eq!(meta["revocation_endpoint"], format!("{base}/oauth/revoke"));
        assert_eq!(
            meta["app_registration_endpoint"],
            format!("{base}/api/v1/apps")
        );
        assert_eq!(meta["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(meta["response_types_supported"], json!(["code"]));
        let scopes = meta["scopes_supported"].as_array().unwrap();
        assert!(scopes.contains(&json!("read:statuses")));
        assert!(scopes.contains(&json!("follow")));
    });
}

#[tokio::test]
async fn scopes_decide_what_a_token_may_do() {
    each_backend!(|app: TestApp| async move {
        let path = "/api/v1/accounts/verify_credentials";
        for (scopes, expected) in [
            ("read", StatusCode::OK),
            ("read:accounts", StatusCode::OK),
            ("profile", StatusCode::OK),
            ("write", StatusCode::FORBIDDEN),
            ("read:statuses write:accounts follow", StatusCode::FORBIDDEN),
        ] {
            let token = token_for(&app, "grace", scopes).await;
            let resp = http()
                .get(format!("{}{path}", app.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let (status, _, body) = read(resp).await;
            assert_eq!(status, expected, "{scopes}: {body}");
            if expected == StatusCode::FORBIDDEN {
                assert_eq!(
                    body["error"],
                    "This action is outside the authorized scopes"
                );
            } else {
                assert_eq!(body["username"], "grace");
            }
        }
        // An app-only token is no user.
        let client = register(&app, json!(OOB), "read").await;
        let (_, body) = exchange(
            &app,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &client.client_id),
                ("client_secret", &client.client_secret),
            ],
        )
        .await;
        let app_token = body["access_token"].as_str().unwrap();
        let (status, body) = get_json(&app, path, Some(app_token)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    });
}

/// toot builds its authorization URL as `/oauth/authorize/?…` (trailing slash): Rails serves
/// that as `/oauth/authorize`, and so do we, signed in or not (found by tests/api/clients).
#[tokio::test]
async fn authorize_with_a_trailing_slash() {
    each_backend!(|app: TestApp| async move {
        let client = register(&app, json!(OOB), "read write follow").await;
        let path = authorize_path(&client.client_id, OOB, "read write follow", &[]);
        let slashed = path.replacen("/oauth/authorize?", "/oauth/authorize/?", 1);
        let browser = app.client();
        let first = browser.get(&slashed).await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        assert_eq!(
            query_param(first.location(), "next").as_deref(),
            Some(path.as_str()),
            "back to the authorize page after the log-in"
        );
        sign_in_and_consent(&app, &browser, &path, "trent")
            .await
            .assert_status(StatusCode::OK);
        let consent = browser.get(&slashed).await;
        consent.assert_status(StatusCode::OK);
        assert!(
            consent.body.contains("Authorize Test Client?"),
            "{}",
            consent.body
        );
        let shown = decide(&browser, &consent, "approve").await;
        shown.assert_status(StatusCode::OK);
        assert!(shown.body.contains("id=\"oauth-code\""), "{}", shown.body);
        // Only this HTML route: other pages keep their exact paths.
        browser
            .get("/login/")
            .await
            .assert_status(StatusCode::NOT_FOUND);
    });
}
