//! The HTTP layer of the social appliance: the axum [`router`] serving HTML pages (complete
//! without JavaScript), sessions, CSRF protection, security headers and health endpoints.
//! `WebConfig`, `AppState::new` and `router` are the contract with `sociald`.
//!
//! Middleware, outermost first: request id + tracing span, security headers, the API edge
//! (CORS, trailing slashes; API paths only), routing. Pages then get error pages, session
//! lookup, CSRF / body limit / origin check (the routes of `docs/web.md`); the API routes
//! (`api::routes`, `docs/api.md`) get the API rate limit, JSON errors and a body limit instead.

pub mod api;
pub mod assets;
pub mod client_addr;
pub mod csrf;
pub mod email;
pub mod error;
pub mod extract;
pub mod headers;
pub mod login_guard;
pub mod mail;
pub mod media;
pub mod mx;
pub mod pages;
pub mod ratelimit;
pub mod request_id;
pub mod screening;
pub mod session;
pub mod signup;
pub mod signup_pow;
pub mod util;
pub mod views;

#[cfg(test)]
mod tests;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use pages::{
    accounts, admin, appeals, auth, email_blocks, email_links, health, held, moderation,
    notifications, oauth, posts, rules, security, sessions, settings, timelines, two_factor,
};

use social_store::Store;
use std::net::IpAddr;
use std::sync::Arc;

/// Settings the web layer needs, resolved by `sociald` from its configuration.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Shown in page titles and the header.
    pub instance_name: String,
    /// Post length limit in characters (default 500).
    pub post_max_chars: usize,
    /// Peers whose `X-Forwarded-For` is believed. Each entry is a network: address + prefix.
    pub trusted_proxies: Vec<(IpAddr, u8)>,
    /// Served over TLS: cookies get `Secure` and the `__Host-` prefix; HSTS is sent.
    pub tls: bool,
    /// Request bodies above this are refused with 413 before they are read.
    pub max_body_bytes: usize,
    /// Where uploaded media files live (`<data_dir>/media`); created on the first upload.
    pub media_dir: std::path::PathBuf,
    /// Largest accepted media upload in bytes (the upload routes' own body limit).
    pub media_max_bytes: usize,
    /// Most pixels (width × height) an uploaded image may have, read before decoding.
    pub media_max_pixels: u64,
    /// The public URL of the site (`https://social.example`, no trailing slash), used in
    /// absolute URLs of the API (OAuth metadata, entity URLs). None: built from each
    /// request's `Host` header.
    pub base_url: Option<String>,
    /// Rate limits (`ratelimit`). The default here is none at all (tests, tools); sociald sets
    /// its configured ones, which default to `RateLimits::default()`.
    pub rate_limits: ratelimit::RateLimits,
    /// The spam defence (new-account limits, spam score, posts held for review). None here,
    /// by default, turns it off (tests, tools); sociald turns it on.
    pub spam: Option<screening::SpamDefence>,
    /// The sign-up proof of work in open registration mode (`signup_pow`). None here, by
    /// default, turns it off (tests, tools); sociald turns it on unless configured off.
    pub signup_pow: Option<signup_pow::SignupPow>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            instance_name: "social".into(),
            post_max_chars: social_core::validate::DEFAULT_POST_MAX_CHARS,
            trusted_proxies: Vec::new(),
            tls: false,
            max_body_bytes: 64 * 1024,
            media_dir: std::path::PathBuf::from("/var/lib/social/media"),
            media_max_bytes: 10 * 1024 * 1024,
            media_max_pixels: 33_177_600,
            base_url: None,
            rate_limits: ratelimit::RateLimits::off(),
            spam: None,
            signup_pow: None,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<WebConfig>,
    pub store: Store,
    /// The e-mail sender when SMTP is configured; None: no e-mail (no address at sign-up, no
    /// password reset).
    pub mailer: Option<mail::Mailer>,
}

impl AppState {
    pub fn new(config: WebConfig, store: Store) -> Self {
        Self {
            config: Arc::new(config),
            store,
            mailer: None,
        }
    }

    /// With e-mail: sign-up asks for an address to confirm, and passwords can be reset.
    pub fn with_mailer(mut self, mailer: mail::Mailer) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// The site's public URL without trailing slash: `base_url` from the configuration, or
    /// `http(s)://` + the request's `Host` when that is a plausible host name.
    pub fn base_url(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(base) = &self.config.base_url {
            return base.trim_end_matches('/').to_owned();
        }
        let scheme = if self.config.tls { "https" } else { "http" };
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.len() <= 255
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .unwrap_or("localhost");
        format!("{scheme}://{host}")
    }
}

/// The whole site. Serve it with
/// `into_make_service_with_connect_info::<std::net::SocketAddr>()` so handlers see the peer.
pub fn router(state: AppState) -> axum::Router {
    let max_body = state.config.max_body_bytes;
    let api = api::routes()
        .merge(api::media::routes(&state.config))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(from_fn(api::json_errors))
        .layer(from_fn_with_state(state.clone(), ratelimit::api));
    let app = axum::Router::new()
        .route("/", get(auth::landing))
        .route("/signup", get(auth::signup_page).post(auth::signup_submit))
        .route("/signup/pending", get(auth::signup_pending))
        .route("/signup/check-email", get(email_links::check_email))
        .route(
            "/confirm/resend",
            get(email_links::resend_page).post(email_links::resend_submit),
        )
        .route("/confirm/{token}", get(email_links::confirm))
        .route(
            "/password/reset",
            get(email_links::reset_page).post(email_links::reset_submit),
        )
        .route(
            "/password/reset/{token}",
            get(email_links::new_password_page).post(email_links::new_password_submit),
        )
        .route("/login", get(auth::login_page).post(auth::login_submit))
        .route(
            "/login/two-factor",
            get(two_factor::code_page).post(two_factor::code_submit),
        )
        .route("/logout", post(auth::logout))
        .route("/home", get(timelines::home))
        .route("/local", get(timelines::local))
        .route("/tags/{tag}", get(timelines::tag))
        .route("/@{username}", get(accounts::profile))
        .route(
            "/@{username}/{item}",
            get(posts::thread).post(accounts::act),
        )
        .route("/posts", post(posts::create))
        .route("/posts/{id}/{action}", post(posts::act))
        .route("/follow_requests", get(accounts::follow_requests))
        .route(
            "/follow_requests/{account_id}/{action}",
            post(accounts::answer_follow_request),
        )
        .route("/notifications", get(notifications::list))
        .route(
            "/settings/profile",
            get(settings::profile_page).post(settings::profile_submit),
        )
        .route("/settings/security", get(security::security_page))
        .route("/settings/security/totp", post(security::start_totp))
        .route(
            "/settings/security/totp/confirm",
            post(security::confirm_totp),
        )
        .route(
            "/settings/security/totp/disable",
            post(security::disable_totp),
        )
        .route("/settings/password", post(security::change_password))
        .route("/settings/sessions", get(sessions::sessions_page))
        .route(
            "/settings/sessions/revoke_others",
            post(sessions::revoke_others),
        )
        .route(
            "/settings/sessions/{id}/revoke",
            post(sessions::revoke_session),
        )
        .route(
            "/settings/authorizations/{id}/revoke",
            post(sessions::revoke_authorization),
        )
        .route("/admin/registrations", get(admin::registrations))
        .route(
            "/admin/registrations/{account_id}/{action}",
            post(admin::decide_registration),
        )
        .route(
            "/admin/settings",
            get(admin::settings_page).post(admin::settings_submit),
        )
        .route(
            "/admin/invites",
            get(admin::invites_page).post(admin::invites_submit),
        )
        .route("/reports/new", get(moderation::new_report))
        .route("/reports", post(moderation::create_report))
        .route("/admin/reports", get(moderation::queue))
        .route(
            "/admin/reports/{id}",
            get(moderation::report_page).post(moderation::act_on_report),
        )
        .route("/admin/appeals/{id}", post(moderation::decide_appeal))
        .route("/admin/audit", get(moderation::audit))
        .route(
            "/admin/email-blocks",
            get(email_blocks::list).post(email_blocks::add),
        )
        .route("/admin/email-blocks/delete", post(email_blocks::delete))
        .route("/admin/held", get(held::queue))
        .route("/admin/held/{id}", post(held::decide))
        .route("/settings/held", get(held::mine))
        .route(
            "/admin/filters",
            get(rules::filters_page).post(rules::add_filter),
        )
        .route("/admin/filters/{id}/delete", post(rules::delete_filter))
        .route(
            "/admin/ip-blocks",
            get(rules::ip_blocks_page).post(rules::add_ip_block),
        )
        .route("/admin/ip-blocks/{id}/delete", post(rules::delete_ip_block))
        .route("/admin/rules", get(rules::rules_page).post(rules::add_rule))
        .route("/admin/rules/{id}", post(rules::update_rule))
        .route("/admin/rules/{id}/delete", post(rules::delete_rule))
        .route("/about", get(rules::about))
        // A suspended account's session reaches these two and /logout only
        // (`session::appeal_only_allows`).
        .route("/settings/moderation", get(appeals::notices))
        .route("/settings/moderation/{id}/appeal", post(appeals::appeal))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/static/{file}", get(assets::get_static))
        .route("/media/{dir}/{file}", get(media::get_file))
        .route(
            "/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize_submit),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .layer(from_fn_with_state(state.clone(), csrf::protect))
        .layer(from_fn_with_state(state.clone(), session::load))
        .layer(from_fn_with_state(state.clone(), error::render_errors))
        // Added after the page layers, so the API routes do not get them.
        .merge(api)
        .with_state(state.clone());
    // A router around the one above so `api::edge` runs before routing (it rewrites paths).
    axum::Router::new()
        .fallback_service(app)
        .layer(from_fn(api::edge))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .layer(from_fn(request_id::assign))
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if api::is_api_path(uri.path()) {
        api::ApiError::not_found().into_response()
    } else {
        error::WebError::NotFound.into_response()
    }
}
