//! `POST /api/v1/apps` (client registration) and `GET /api/v1/apps/verify_credentials`.

use super::{ApiError, ApiForm, ApiResult, AppToken};
use crate::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use social_core::oauth::{self, Scopes};
use social_store::{AppInsert, OAuthApp};

/// Limits on registration fields.
const NAME_MAX_CHARS: usize = 100;
const WEBSITE_MAX_CHARS: usize = 2000;
const REDIRECT_URIS_MAX: usize = 10;

#[derive(Debug, serde::Deserialize)]
pub struct CreateApp {
    client_name: Option<String>,
    /// One string (URIs separated by newlines) or a list.
    #[serde(default)]
    redirect_uris: Vec<String>,
    scopes: Option<String>,
    website: Option<String>,
}

/// The Application entity. `client_id` and `client_secret` only at registration.
#[derive(Debug, Serialize)]
pub struct AppEntity {
    id: String,
    name: String,
    website: Option<String>,
    scopes: Vec<String>,
    redirect_uri: String,
    redirect_uris: Vec<String>,
    vapid_key: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret_expires_at: Option<i64>,
}

impl AppEntity {
    fn of(app: &OAuthApp) -> Self {
        Self {
            id: app.id.to_string(),
            name: app.name.clone(),
            website: app.website.clone(),
            scopes: app.scopes.split(' ').map(str::to_owned).collect(),
            redirect_uri: app.redirect_uris.join("\n"),
            redirect_uris: app.redirect_uris.clone(),
            vapid_key: "",
            client_id: None,
            client_secret: None,
            client_secret_expires_at: None,
        }
    }
}

/// Checks the registration form; the store form on success, 422 otherwise.
fn validate(form: CreateApp) -> ApiResult<AppInsert> {
    let name = form.client_name.unwrap_or_default().trim().to_owned();
    if name.is_empty() {
        return Err(ApiError::invalid("Application name can't be blank"));
    }
    if name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "Application name must be at most {NAME_MAX_CHARS} characters, without control characters"
        )));
    }
    let uris: Vec<String> = form
        .redirect_uris
        .iter()
        .flat_map(|u| u.lines())
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .collect();
    if uris.is_empty() {
        return Err(ApiError::invalid("Redirect URI can't be blank"));
    }
    if uris.len() > REDIRECT_URIS_MAX {
        return Err(ApiError::invalid(format!(
            "Redirect URI: at most {REDIRECT_URIS_MAX} are allowed"
        )));
    }
    for uri in &uris {
        oauth::check_redirect_uri(uri)
            .map_err(|why| ApiError::invalid(format!("Redirect URI {why}")))?;
    }
    let mut scopes = Scopes::parse(form.scopes.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::invalid(format!("Scopes: {e}")))?;
    if scopes.is_empty() {
        scopes = Scopes::default_read();
    }
    let website = match form.website.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(w) => {
            let web = w.starts_with("https://") || w.starts_with("http://");
            if !web || w.chars().count() > WEBSITE_MAX_CHARS || w.contains(char::is_whitespace) {
                return Err(ApiError::invalid("Website is not a valid http(s) URL"));
            }
            Some(w.to_owned())
        }
    };
    Ok(AppInsert {
        name,
        website,
        redirect_uris: uris,
        scopes: scopes.to_string(),
    })
}

/// `POST /api/v1/apps`.
pub async fn create(
    State(state): State<AppState>,
    ApiForm(form): ApiForm<CreateApp>,
) -> ApiResult<Json<AppEntity>> {
    let insert = validate(form)?;
    let new = state.store.create_app(insert).await?;
    let mut entity = AppEntity::of(&new.app);
    entity.client_id = Some(new.app.client_id.clone());
    entity.client_secret = Some(new.client_secret);
    entity.client_secret_expires_at = Some(0);
    Ok(Json(entity))
}

/// `GET /api/v1/apps/verify_credentials`: the app of the token (user or app-only).
pub async fn verify_credentials(
    State(state): State<AppState>,
    token: AppToken,
) -> ApiResult<Json<AppEntity>> {
    let app = state
        .store
        .get_app(token.app_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("The access token is invalid"))?;
    Ok(Json(AppEntity::of(&app)))
}
