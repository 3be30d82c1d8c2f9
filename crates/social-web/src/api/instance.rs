//! Instance discovery: `/api/v1/instance`, `/api/v2/instance`, nodeinfo, webfinger,
//! host-meta; the default avatar and header images; and the endpoints that are empty but
//! valid here (custom emojis, filters, lists, announcements, trends) plus preferences.

use super::accounts::query_values;
use super::auth::ApiUser;
use super::entities::{self, Urls};
use super::error::ApiError;
use super::pagination::{bad_request, not_found};
use crate::AppState;
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use social_core::{AccountStatus, RegistrationMode};

/// The Mastodon version we claim: clients parse it to decide which features to use.
pub const MASTODON_VERSION: &str = "4.3.0";
/// Largest image upload announced to clients (the media endpoint enforces its own limit).
pub const IMAGE_SIZE_LIMIT: u64 = 16 * 1024 * 1024;

const AVATAR_PNG: &[u8] = include_bytes!("assets/avatar.png");
const HEADER_PNG: &[u8] = include_bytes!("assets/header.png");

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/instance", get(instance_v1))
        .route("/api/v2/instance", get(instance_v2))
        .route("/api/v1/instance/rules", get(rules))
        .route("/api/v1/instance/peers", get(empty))
        .route("/api/v1/instance/activity", get(empty))
        .route("/.well-known/nodeinfo", get(nodeinfo_links))
        .route("/nodeinfo/2.0", get(nodeinfo_20))
        .route("/nodeinfo/2.1", get(nodeinfo_21))
        .route("/.well-known/webfinger", get(webfinger))
        .route("/.well-known/host-meta", get(host_meta))
        .route("/api/v1/custom_emojis", get(empty))
        .route("/api/v1/announcements", get(empty))
        .route("/api/v1/trends", get(empty))
        .route("/api/v1/trends/tags", get(empty))
        .route("/api/v1/trends/statuses", get(empty))
        .route("/api/v1/trends/links", get(empty))
        .route("/api/v1/filters", get(filters))
        .route("/api/v2/filters", get(filters))
        .route("/api/v1/lists", get(lists))
        .route("/api/v1/followed_tags", get(followed_tags))
        .route("/api/v1/preferences", get(preferences))
        .route(entities::DEFAULT_AVATAR, get(|| image(AVATAR_PNG)))
        .route(entities::DEFAULT_HEADER, get(|| image(HEADER_PNG)))
}

/// `social 0.1.0` as Mastodon clients expect it: `4.3.0 (compatible; social 0.1.0)`.
pub fn version() -> String {
    format!(
        "{MASTODON_VERSION} (compatible; social {})",
        env!("CARGO_PKG_VERSION")
    )
}

async fn image(bytes: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/png")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn empty() -> Response {
    Json(Vec::<()>::new()).into_response()
}

/// `GET /api/v1/filters`, `/api/v2/filters` (scope `read:filters`): no filters here.
async fn filters(user: ApiUser) -> Result<Response, ApiError> {
    user.require("read:filters")?;
    Ok(empty().await)
}

/// `GET /api/v1/lists` (scope `read:lists`): no lists here.
async fn lists(user: ApiUser) -> Result<Response, ApiError> {
    user.require("read:lists")?;
    Ok(empty().await)
}

/// `GET /api/v1/followed_tags` (scope `read:follows`): tags cannot be followed here.
async fn followed_tags(user: ApiUser) -> Result<Response, ApiError> {
    user.require("read:follows")?;
    Ok(empty().await)
}

/// `GET /api/v1/preferences` (scope `read:accounts`): the defaults the web UI uses.
async fn preferences(user: ApiUser) -> Result<Response, ApiError> {
    user.require("read:accounts")?;
    Ok(Json(json!({
        "posting:default:visibility": "public",
        "posting:default:sensitive": false,
        "posting:default:language": null,
        "reading:expand:media": "default",
        "reading:expand:spoilers": false,
    }))
    .into_response())
}

/// The server rules in Mastodon's `Rule` shape.
async fn rules_json(state: &AppState) -> Result<Value, ApiError> {
    let rules = state.store.list_rules().await?;
    Ok(Value::Array(
        rules
            .iter()
            .map(|r| json!({ "id": r.id.to_string(), "text": r.text, "hint": r.hint }))
            .collect(),
    ))
}

/// `GET /api/v1/instance/rules` (public).
async fn rules(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(Json(rules_json(&state).await?).into_response())
}

/// What both instance versions share.
struct Facts {
    title: String,
    registrations: RegistrationMode,
    stats: social_store::InstanceStats,
    max_chars: usize,
    rules: Value,
}

async fn facts(state: &AppState) -> Result<Facts, ApiError> {
    Ok(Facts {
        title: state.config.instance_name.clone(),
        registrations: state.store.get_registration_mode().await?,
        stats: state.store.instance_stats().await?,
        max_chars: state.config.post_max_chars,
        rules: rules_json(state).await?,
    })
}

fn description(f: &Facts) -> String {
    format!("{}: a small self-hosted social network.", f.title)
}

/// `(enabled, approval_required)` as Mastodon reports the registration mode.
fn registrations(mode: RegistrationMode) -> (bool, bool) {
    match mode {
        RegistrationMode::Open => (true, false),
        RegistrationMode::Approval => (true, true),
        RegistrationMode::Invite | RegistrationMode::Closed => (false, false),
    }
}

fn configuration(f: &Facts) -> Value {
    json!({
        "urls": { "streaming": null, "status": null },
        "vapid": { "public_key": "" },
        "accounts": { "max_featured_tags": 0, "max_pinned_statuses": 0 },
        "statuses": {
            "max_characters": f.max_chars,
            "max_media_attachments": 4,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
            "description_limit": 1500,
            "image_size_limit": IMAGE_SIZE_LIMIT,
            "image_matrix_limit": 16_777_216,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
        },
        "polls": {
            "max_options": 0,
            "max_characters_per_option": 0,
            "min_expiration": 0,
            "max_expiration": 0,
        },
        "translation": { "enabled": false },
    })
}

fn contact_account(f: &Facts, urls: &Urls) -> Value {
    f.stats
        .contact
        .as_ref()
        .filter(|a| a.status == AccountStatus::Active)
        .map_or(Value::Null, |a| json!(entities::account(a, urls)))
}

/// `GET /api/v1/instance` (Mastodon's older shape, still read by many clients).
async fn instance_v1(State(state): State<AppState>, urls: Urls) -> Result<Response, ApiError> {
    let f = facts(&state).await?;
    let (enabled, approval) = registrations(f.registrations);
    let mut config = configuration(&f);
    if let Some(c) = config.as_object_mut() {
        c.remove("urls");
        c.remove("vapid");
        c.remove("translation");
    }
    Ok(Json(json!({
        "uri": urls.domain,
        "title": f.title,
        "short_description": description(&f),
        "description": description(&f),
        "email": "",
        "version": version(),
        "urls": {},
        "stats": {
            "user_count": f.stats.user_count,
            "status_count": f.stats.status_count,
            "domain_count": 0,
        },
        "thumbnail": urls.to(entities::DEFAULT_HEADER),
        "languages": ["en"],
        "registrations": enabled,
        "approval_required": approval,
        "invites_enabled": f.registrations == RegistrationMode::Invite,
        "configuration": config,
        "contact_account": contact_account(&f, &urls),
        "rules": f.rules,
    }))
    .into_response())
}

/// `GET /api/v2/instance`.
async fn instance_v2(State(state): State<AppState>, urls: Urls) -> Result<Response, ApiError> {
    let f = facts(&state).await?;
    let (enabled, approval) = registrations(f.registrations);
    let config = configuration(&f);
    Ok(Json(json!({
        "domain": urls.domain,
        "title": f.title,
        "version": version(),
        "source_url": "",
        "description": description(&f),
        "usage": { "users": { "active_month": f.stats.user_count } },
        "thumbnail": { "url": urls.to(entities::DEFAULT_HEADER), "blurhash": null, "versions": {} },
        "icon": [],
        "languages": ["en"],
        "configuration": config,
        "registrations": {
            "enabled": enabled,
            "approval_required": approval,
            "message": null,
            "url": null,
        },
        "api_versions": { "mastodon": 2 },
        "contact": { "email": "", "account": contact_account(&f, &urls) },
        "rules": f.rules,
    }))
    .into_response())
}

/// `GET /.well-known/nodeinfo`: where the nodeinfo documents are.
async fn nodeinfo_links(urls: Urls) -> Response {
    Json(json!({
        "links": [
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                "href": urls.to("/nodeinfo/2.0"),
            },
            {
                "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
                "href": urls.to("/nodeinfo/2.1"),
            },
        ]
    }))
    .into_response()
}

async fn nodeinfo(state: &AppState, schema: &'static str) -> Result<Response, ApiError> {
    let f = facts(state).await?;
    let mut software = json!({ "name": "social", "version": env!("CARGO_PKG_VERSION") });
    if schema == "2.1" {
        software["repository"] = json!(env!("CARGO_PKG_REPOSITORY"));
    }
    let body = json!({
        "version": schema,
        "software": software,
        // No federation: the instance speaks no server-to-server protocol.
        "protocols": [],
        "services": { "inbound": [], "outbound": [] },
        "openRegistrations": registrations(f.registrations).0,
        "usage": {
            "users": { "total": f.stats.user_count },
            "localPosts": f.stats.status_count,
        },
        "metadata": { "nodeName": f.title },
    });
    let content_type = format!(
        "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/{schema}#\""
    );
    let mut response = Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    Ok(response)
}

async fn nodeinfo_20(State(state): State<AppState>) -> Result<Response, ApiError> {
    nodeinfo(&state, "2.0").await
}

async fn nodeinfo_21(State(state): State<AppState>) -> Result<Response, ApiError> {
    nodeinfo(&state, "2.1").await
}

/// The username a webfinger `resource` names on this instance: `acct:name@domain` or the
/// profile URL. Err(400) when malformed, Ok(None) for another domain.
fn webfinger_user(resource: &str, urls: &Urls) -> Result<Option<String>, ApiError> {
    let malformed = || bad_request("resource must be acct:user@domain".into());
    if let Some(acct) = resource.strip_prefix("acct:") {
        let (name, domain) = acct
            .trim_start_matches('@')
            .split_once('@')
            .ok_or_else(malformed)?;
        if name.is_empty() || domain.is_empty() || domain.contains('@') {
            return Err(malformed());
        }
        return Ok(domain
            .eq_ignore_ascii_case(&urls.domain)
            .then(|| name.to_owned()));
    }
    if let Some(path) = resource.strip_prefix(&urls.base) {
        return Ok(path.strip_prefix("/@").map(str::to_owned));
    }
    if resource.starts_with("https://") || resource.starts_with("http://") {
        return Ok(None);
    }
    Err(malformed())
}

/// `GET /.well-known/webfinger?resource=acct:user@domain` (JRD).
async fn webfinger(
    State(state): State<AppState>,
    urls: Urls,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let resource = query_values(query.as_deref(), "resource")
        .into_iter()
        .next()
        .ok_or_else(|| bad_request("resource is required".into()))?;
    let name = webfinger_user(resource.trim(), &urls)?.ok_or_else(not_found)?;
    let account = match state.store.get_account_by_username(&name).await? {
        Some(a) if a.status == AccountStatus::Active => a,
        _ => return Err(not_found()),
    };
    let profile = urls.profile(&account.username);
    let body = json!({
        "subject": format!("acct:{}@{}", account.username, urls.domain),
        "aliases": [profile],
        "links": [
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": profile },
        ],
    });
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jrd+json"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}

/// `GET /.well-known/host-meta`: the XRD pointing at webfinger.
async fn host_meta(urls: Urls) -> Response {
    let mut template = String::new();
    entities::escape_into(
        &urls.to("/.well-known/webfinger?resource={uri}"),
        &mut template,
    );
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  \
         <Link rel=\"lrdd\" template=\"{template}\"/>\n</XRD>\n"
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xrd+xml; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webfinger_resources() {
        let urls = Urls::new(true, "s.example");
        assert_eq!(
            webfinger_user("acct:bob@s.example", &urls).ok(),
            Some(Some("bob".into()))
        );
        assert_eq!(
            webfinger_user("acct:@bob@S.example", &urls).ok(),
            Some(Some("bob".into()))
        );
        assert_eq!(
            webfinger_user("acct:bob@other.example", &urls).ok(),
            Some(None)
        );
        assert_eq!(
            webfinger_user("https://s.example/@bob", &urls).ok(),
            Some(Some("bob".into()))
        );
        assert!(webfinger_user("acct:bob", &urls).is_err());
        assert!(webfinger_user("bob", &urls).is_err());
        assert!(webfinger_user("acct:a@b@c", &urls).is_err());
        assert!(version().starts_with("4.3.0 (compatible; social "));
    }
}
