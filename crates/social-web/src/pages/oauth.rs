//! `GET /oauth/authorize` (the consent page, behind the web log-in) and `POST
//! /oauth/authorize` (approve or deny; a CSRF-protected form of the signed-in session).
//!
//! Problems with `client_id` or `redirect_uri` are shown as an error page: nothing is ever
//! sent to a redirect URI the app did not register. Other problems, once the URI is known
//! good, go back to the client as `error=…` on the redirect (RFC 6749 4.1.2.1).

use crate::error::{WebError, WebResult};
use crate::extract::{WebForm, WebQuery};
use crate::pages::chrome_for;
use crate::session::{CurrentUser, MaybeUser};
use crate::views::oauth::{self as view, ConsentRequest};
use crate::{AppState, headers};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use social_core::oauth::{OOB_REDIRECT, Scopes};
use social_store::{CodeInsert, OAuthApp};

#[derive(Debug, Default, serde::Deserialize)]
pub struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    /// `approve` or `deny` (the consent form's buttons).
    decision: Option<String>,
}

/// A checked authorization request.
struct Checked {
    app: OAuthApp,
    redirect_uri: String,
    scopes: Scopes,
    state: Option<String>,
    code_challenge: Option<String>,
}

/// `uri?key=value&…` (or `&…` when the URI has a query already).
fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{query}")
}

/// 302 to the client. The URI is a registered one (checked ASCII without spaces at
/// registration), so the header value is valid; a page otherwise.
fn found(location: &str) -> WebResult<Response> {
    let value = HeaderValue::from_str(location)
        .map_err(|_| WebError::BadRequest("The redirect URI cannot be used.".into()))?;
    Ok((StatusCode::FOUND, [(header::LOCATION, value)]).into_response())
}

/// An error sent back to the client on its redirect URI (a page for out-of-band clients).
fn client_error(
    redirect_uri: &str,
    error: &str,
    description: &'static str,
    state: Option<&str>,
) -> WebResult<Response> {
    if redirect_uri == OOB_REDIRECT {
        return Err(WebError::BadRequest(description.into()));
    }
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(s) = state {
        pairs.push(("state", s));
    }
    found(&with_query(redirect_uri, &pairs))
}

/// Checks a request; `Err(Ok(response))` is an error already addressed to the client.
async fn check(state: &AppState, p: &AuthorizeParams) -> Result<Checked, WebResult<Response>> {
    let client_id = p.client_id.as_deref().unwrap_or("");
    let app = match state.store.get_app_by_client_id(client_id).await {
        Ok(Some(app)) => app,
        Ok(None) => {
            return Err(Err(WebError::BadRequest(
                "This application is not registered here (unknown client_id).".into(),
            )));
        }
        Err(e) => return Err(Err(e.into())),
    };
    let redirect_uri = match p.redirect_uri.as_deref().filter(|u| !u.is_empty()) {
        None if app.redirect_uris.len() == 1 => app.redirect_uris[0].clone(),
        None => {
            return Err(Err(WebError::BadRequest(
                "The request names no redirect_uri.".into(),
            )));
        }
        Some(u) if app.redirect_uris.iter().any(|r| r == u) => u.to_owned(),
        Some(_) => {
            return Err(Err(WebError::BadRequest(
                "The redirect_uri is not one this application registered.".into(),
            )));
        }
    };
    let st = p.state.as_deref();
    if p.response_type.as_deref() != Some("code") {
        return Err(client_error(
            &redirect_uri,
            "unsupported_response_type",
            "Only response_type=code is supported.",
            st,
        ));
    }
    let scopes = match crate::api::oauth::requested_scopes(p.scope.as_deref(), &app) {
        Ok(s) => s,
        Err(_) => {
            return Err(client_error(
                &redirect_uri,
                "invalid_scope",
                "The requested scope is invalid, unknown, or not registered by the application.",
                st,
            ));
        }
    };
    let code_challenge = match p.code_challenge.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => {
            // RFC 7636 4.3: without a method the method is "plain", which is refused.
            if p.code_challenge_method.as_deref() != Some("S256") {
                return Err(client_error(
                    &redirect_uri,
                    "invalid_request",
                    "code_challenge_method must be S256.",
                    st,
                ));
            }
            let well_formed = c.len() == 43
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !well_formed {
                return Err(client_error(
                    &redirect_uri,
                    "invalid_request",
                    "code_challenge must be the base64url SHA-256 of the code verifier.",
                    st,
                ));
            }
            Some(c.to_owned())
        }
    };
    Ok(Checked {
        app,
        redirect_uri,
        scopes,
        state: p.state.clone().filter(|s| !s.is_empty()),
        code_challenge,
    })
}

/// The consent page's CSP: the form may redirect to the client's redirect URI (browsers
/// apply `form-action` to the redirects that follow a form submission).
fn consent_csp(redirect_uri: &str) -> Option<HeaderValue> {
    if redirect_uri == OOB_REDIRECT {
        return None;
    }
    let (scheme, rest) = redirect_uri.split_once(':')?;
    let source = match rest.strip_prefix("//") {
        Some(after) if matches!(scheme, "http" | "https") => {
            let authority = after.split(['/', '?', '#']).next().unwrap_or("");
            let plain = !authority.is_empty()
                && authority
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
            if plain {
                format!("{scheme}://{authority}")
            } else {
                format!("{scheme}:")
            }
        }
        _ => format!("{scheme}:"),
    };
    let csp = headers::CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {source}"),
    );
    HeaderValue::from_str(&csp).ok()
}

/// `GET /oauth/authorize`.
pub async fn authorize_page(
    State(state): State<AppState>,
    user: MaybeUser,
    uri: Uri,
    WebQuery(p): WebQuery<AuthorizeParams>,
) -> WebResult<Response> {
    let checked = match check(&state, &p).await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    let Some(user) = user.0 else {
        let next = uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        return Err(WebError::LoginRequired { next });
    };
    let chrome = chrome_for(&state, &user).await?;
    let scopes: Vec<&str> = checked.scopes.iter().collect();
    let request = ConsentRequest {
        app_name: &checked.app.name,
        website: checked.app.website.as_deref(),
        client_id: &checked.app.client_id,
        redirect_uri: &checked.redirect_uri,
        scopes,
        state: checked.state.as_deref(),
        code_challenge: checked.code_challenge.as_deref(),
        code_challenge_method: checked.code_challenge.as_ref().map(|_| "S256"),
    };
    let mut response = view::consent(&chrome, &request).into_response();
    if let Some(csp) = consent_csp(&checked.redirect_uri) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    Ok(response)
}

/// `POST /oauth/authorize`: the user's decision.
pub async fn authorize_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    WebForm(p): WebForm<AuthorizeParams>,
) -> WebResult<Response> {
    let checked = match check(&state, &p).await {
        Ok(c) => c,
        Err(answer) => return answer,
    };
    if p.decision.as_deref() != Some("approve") {
        return client_error(
            &checked.redirect_uri,
            "access_denied",
            "The user denied the request.",
            checked.state.as_deref(),
        );
    }
    let code = state
        .store
        .create_code(CodeInsert {
            app_id: checked.app.id,
            account_id: user.account().id,
            scopes: checked.scopes.to_string(),
            redirect_uri: checked.redirect_uri.clone(),
            code_challenge: checked.code_challenge,
        })
        .await?;
    if checked.redirect_uri == OOB_REDIRECT {
        let chrome = chrome_for(&state, &user).await?;
        return Ok(view::oob_code(&chrome, &checked.app.name, &code).into_response());
    }
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = &checked.state {
        pairs.push(("state", s));
    }
    found(&with_query(&checked.redirect_uri, &pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_query_and_csp() {
        assert_eq!(
            with_query("https://a.example/cb", &[("code", "x y"), ("state", "s&t")]),
            "https://a.example/cb?code=x+y&state=s%26t"
        );
        assert_eq!(
            with_query("myapp://cb?v=1", &[("code", "c")]),
            "myapp://cb?v=1&code=c"
        );
        let csp = consent_csp("https://a.example:8443/cb?x=1").expect("a csp");
        assert!(
            csp.to_str()
                .expect("ascii")
                .contains("form-action 'self' https://a.example:8443;")
        );
        let csp = consent_csp("myapp://cb").expect("a csp");
        assert!(
            csp.to_str()
                .expect("ascii")
                .contains("form-action 'self' myapp:;")
        );
        assert!(consent_csp(OOB_REDIRECT).is_none());
    }
}
