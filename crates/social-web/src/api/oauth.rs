//! The OAuth 2 endpoints that clients call directly: `POST /oauth/token` (authorization_code
//! with optional PKCE S256, client_credentials), `POST /oauth/revoke` (RFC 7009) and the
//! RFC 8414 metadata. Errors here use RFC 6749's body: `{"error", "error_description"}`.
//! The consent page (`/oauth/authorize`) is in `pages::oauth`.

use super::{ApiError, ApiForm, ApiResult};
use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use social_core::oauth::{self, Scopes};
use social_store::{CodeExchange, CodeRefusal, NewToken, OAuthApp};

#[derive(Debug, Default, serde::Deserialize)]
pub struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    code_verifier: Option<String>,
    scope: Option<String>,
}

fn invalid_client() -> ApiError {
    ApiError::oauth(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Client authentication failed due to unknown client, no client authentication \
         included, or unsupported authentication method.",
    )
}

fn invalid_request(description: &'static str) -> ApiError {
    ApiError::oauth(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// Client credentials from `Authorization: Basic` (RFC 6749 2.3.1, form-encoded id and
/// secret) or, failing that, the body (`client_secret_post`).
fn client_credentials(
    headers: &HeaderMap,
    form: &TokenForm,
) -> ApiResult<(Option<String>, Option<String>)> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let value = value.to_str().map_err(|_| invalid_client())?;
        if let Some((scheme, encoded)) = value.trim().split_once(' ')
            && scheme.eq_ignore_ascii_case("basic")
        {
            let decoded = base64_decode(encoded.trim()).ok_or_else(invalid_client)?;
            let decoded = String::from_utf8(decoded).map_err(|_| invalid_client())?;
            let (id, secret) = decoded.split_once(':').ok_or_else(invalid_client)?;
            let unescape = |s: &str| -> String {
                form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            return Ok((Some(unescape(id)), Some(unescape(secret))));
        }
    }
    let nonempty = |s: &Option<String>| s.clone().filter(|v| !v.is_empty());
    Ok((nonempty(&form.client_id), nonempty(&form.client_secret)))
}

/// The authenticated app; with `allow_public`, a client id alone is enough (the caller then
/// needs another proof, PKCE). Returns the app and whether it authenticated with its secret.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    form: &TokenForm,
    allow_public: bool,
) -> ApiResult<(OAuthApp, bool)> {
    let (id, secret) = client_credentials(headers, form)?;
    let id = id.ok_or_else(invalid_client)?;
    match secret {
        Some(secret) => match state.store.authenticate_app(&id, &secret).await? {
            Some(app) => Ok((app, true)),
            None => Err(invalid_client()),
        },
        None if allow_public => match state.store.get_app_by_client_id(&id).await? {
            Some(app) => Ok((app, false)),
            None => Err(invalid_client()),
        },
        None => Err(invalid_client()),
    }
}

#[derive(Debug, serde::Serialize)]
struct TokenBody {
    access_token: String,
    token_type: &'static str,
    scope: String,
    created_at: i64,
}

fn token_response(new: NewToken) -> Response {
    let body = TokenBody {
        access_token: new.token,
        token_type: "Bearer",
        scope: new.info.scopes,
        created_at: new.info.created_at_ms / 1000,
    };
    ([(header::PRAGMA, "no-cache")], Json(body)).into_response()
}

/// `POST /oauth/token`.
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiForm(form): ApiForm<TokenForm>,
) -> ApiResult<Response> {
    match form.grant_type.as_deref() {
        Some("authorization_code") => authorization_code(&state, &headers, &form).await,
        Some("client_credentials") => client_credentials_grant(&state, &headers, &form).await,
        None | Some("") => Err(invalid_request("grant_type is missing.")),
        Some(_) => Err(ApiError::oauth(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        )),
    }
}

async fn authorization_code(
    state: &AppState,
    headers: &HeaderMap,
    form: &TokenForm,
) -> ApiResult<Response> {
    let (app, with_secret) = authenticate(state, headers, form, true).await?;
    let code = form
        .code
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| invalid_request("code is missing."))?;
    let exchange = CodeExchange {
        code,
        app_id: app.id,
        redirect_uri: form.redirect_uri.as_deref().unwrap_or(""),
        code_verifier: form.code_verifier.as_deref(),
        public_client: !with_secret,
    };
    match state.store.exchange_code(exchange).await? {
        Ok(new) => Ok(token_response(new)),
        Err(refusal) => {
            let description = match refusal {
                CodeRefusal::Unknown => {
                    "The authorization code is invalid or was issued to another client."
                }
                CodeRefusal::Expired => "The authorization code has expired.",
                CodeRefusal::Replayed => {
                    "The authorization code was already used; the tokens it gave are revoked."
                }
                CodeRefusal::RedirectMismatch => {
                    "The redirect_uri does not match the one of the authorization request."
                }
                CodeRefusal::VerifierMismatch => {
                    "The code_verifier is missing or does not match the code_challenge."
                }
            };
            Err(ApiError::oauth(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                description,
            ))
        }
    }
}

async fn client_credentials_grant(
    state: &AppState,
    headers: &HeaderMap,
    form: &TokenForm,
) -> ApiResult<Response> {
    let (app, _) = authenticate(state, headers, form, false).await?;
    let scopes = requested_scopes(form.scope.as_deref(), &app)?;
    let new = state
        .store
        .create_token(app.id, None, &scopes.to_string())
        .await?;
    Ok(token_response(new))
}

fn invalid_scope() -> ApiError {
    ApiError::oauth(
        StatusCode::BAD_REQUEST,
        "invalid_scope",
        "The requested scope is invalid, unknown, or malformed.",
    )
}

/// The scopes asked for (default `read`), which the app's registered scopes must cover.
pub fn requested_scopes(raw: Option<&str>, app: &OAuthApp) -> ApiResult<Scopes> {
    let mut asked = Scopes::parse(raw.unwrap_or("")).map_err(|_| invalid_scope())?;
    if asked.is_empty() {
        asked = Scopes::default_read();
    }
    let allowed = Scopes::parse(&app.scopes).unwrap_or_default();
    if allowed.covers_all(&asked) {
        Ok(asked)
    } else {
        Err(invalid_scope())
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RevokeForm {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// `POST /oauth/revoke` (RFC 7009): 200 `{}` whether or not the token was live; a token of
/// another client is left alone. A public client may revoke with its client id alone.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiForm(form): ApiForm<RevokeForm>,
) -> ApiResult<Json<serde_json::Value>> {
    let as_token_form = TokenForm {
        client_id: form.client_id.clone(),
        client_secret: form.client_secret.clone(),
        ..TokenForm::default()
    };
    let (app, _) = authenticate(&state, &headers, &as_token_form, true).await?;
    let token = form
        .token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid_request("token is missing."))?;
    state.store.revoke_token(token, app.id).await?;
    Ok(Json(serde_json::json!({})))
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414).
pub async fn metadata(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Json<serde_json::Value> {
    let base = state.base_url(&headers);
    Json(serde_json::json!({
        "issuer": format!("{base}/"),
        "service_documentation": "https://docs.joinmastodon.org/",
        "authorization_endpoint": format!("{base}/oauth/authorize"),
        "token_endpoint": format!("{base}/oauth/token"),
        "revocation_endpoint": format!("{base}/oauth/revoke"),
        "app_registration_endpoint": format!("{base}/api/v1/apps"),
        "scopes_supported": oauth::all(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

/// Standard base64 (with or without padding); None when malformed.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }
    let trimmed = s.trim_end_matches('=');
    if trimmed.len() % 4 == 1 || s.len() > 4096 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    for chunk in trimmed.as_bytes().chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(
            base64_decode("YWJjOmRlZg==").as_deref(),
            Some(&b"abc:def"[..])
        );
        assert_eq!(
            base64_decode("YWJjOmRlZg").as_deref(),
            Some(&b"abc:def"[..])
        );
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("").as_deref(), Some(&b""[..]));
        assert!(base64_decode("a").is_none());
        assert!(base64_decode("a*bc").is_none());
    }
}
