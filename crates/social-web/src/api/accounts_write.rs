//! Account writes: follow / unfollow, block / unblock, mute / unmute (each answering with the
//! Relationship), and `PATCH /api/v1/accounts/update_credentials`. The rules (blocks stop
//! follows, locked accounts get requests) are the store's, shared with the web UI.

use super::accounts::active_account;
use super::auth::ApiUser;
use super::entities::{self, CredentialAccount, RelationshipJson, Urls};
use super::error::{ApiError, ApiResult};
use super::extract::ApiForm;
use crate::AppState;
use crate::client_addr::ClientIp;
use crate::ratelimit;
use axum::Json;
use axum::extract::{Path, State};
use axum::routing::{patch, post};
use social_core::{Account, ValidationError, validate};
use social_store::{Page, ProfileUpdate};
use std::net::IpAddr;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/api/v1/accounts/{id}/follow", post(follow))
        .route("/api/v1/accounts/{id}/unfollow", post(unfollow))
        .route("/api/v1/accounts/{id}/block", post(block))
        .route("/api/v1/accounts/{id}/unblock", post(unblock))
        .route("/api/v1/accounts/{id}/mute", post(mute))
        .route("/api/v1/accounts/{id}/unmute", post(unmute))
        .route(
            "/api/v1/accounts/update_credentials",
            patch(update_credentials),
        )
}

/// One relationship action.
#[derive(Clone, Copy, Debug)]
enum Action {
    Follow,
    Unfollow,
    Block,
    Unblock,
    Mute,
    Unmute,
}

impl Action {
    /// The granular scope Mastodon asks for (`follow` and `write` cover them).
    fn scope(self) -> &'static str {
        match self {
            Action::Follow | Action::Unfollow => "write:follows",
            Action::Block | Action::Unblock => "write:blocks",
            Action::Mute | Action::Unmute => "write:mutes",
        }
    }
}

/// Checks the scope, finds the target (404 for unknown or inactive accounts), acts, and
/// answers with the relationship as it now is. A locked target gets a request
/// (`requested: true`); following someone who blocks you is 403, following yourself 422.
async fn act(
    state: &AppState,
    (user, ip): (&ApiUser, IpAddr),
    raw_id: &str,
    action: Action,
) -> ApiResult<Json<RelationshipJson>> {
    user.require(action.scope())?;
    let target = active_account(state, raw_id).await?;
    let (me, them) = (user.id(), target.id);
    if matches!(action, Action::Follow) {
        let limits = &state.config.rate_limits;
        let address = (limits.follows_per_address, ip);
        ratelimit::check_action(state, "follows", (limits.follows, me.0), address).await?;
    }
    match action {
        Action::Follow => drop(state.store.follow(me, them).await?),
        Action::Unfollow => state.store.unfollow(me, them).await?,
        Action::Block => state.store.block(me, them).await?,
        Action::Unblock => state.store.unblock(me, them).await?,
        Action::Mute => state.store.mute(me, them).await?,
        Action::Unmute => state.store.unmute(me, them).await?,
    }
    let rel = state.store.relationship(me, them).await?;
    Ok(Json(entities::relationship(them, &rel)))
}

macro_rules! relationship_handlers {
    ($($name:ident => $action:ident),* $(,)?) => {
        $(
            #[doc = concat!("`POST /api/v1/accounts/{id}/", stringify!($name), "`.")]
            async fn $name(
                State(state): State<AppState>,
                user: ApiUser,
                ClientIp(ip): ClientIp,
                Path(id): Path<String>,
            ) -> ApiResult<Json<RelationshipJson>> {
                act(&state, (&user, ip), &id, Action::$action).await
            }
        )*
    };
}

relationship_handlers! {
    follow => Follow,
    unfollow => Unfollow,
    block => Block,
    unblock => Unblock,
    mute => Mute,
    unmute => Unmute,
}

/// `update_credentials` parameters: absent ones keep their value. `bot`, `discoverable`,
/// `source[…]`, `fields_attributes` and images are accepted and ignored (the store has no
/// such fields yet).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CredentialParams {
    display_name: Option<String>,
    note: Option<String>,
    locked: Option<bool>,
}

/// A refused profile field in Mastodon's words ("Display name is too long (maximum is 30
/// characters)"), or the web UI's reason for anything else.
fn field_error(label: &str, max: usize, raw: &str, e: &ValidationError) -> ApiError {
    if raw.trim().chars().count() > max {
        ApiError::invalid(format_args!(
            "{label} is too long (maximum is {max} characters)"
        ))
    } else {
        ApiError::invalid(format_args!("{label} {}", e.message))
    }
}

/// The profile after applying the parameters, validated like the web UI's settings form.
fn updated(current: &Account, p: CredentialParams) -> ApiResult<ProfileUpdate> {
    let display_name = match p.display_name {
        Some(d) => validate::display_name(&d)
            .map_err(|e| field_error("Display name", validate::DISPLAY_NAME_MAX_CHARS, &d, &e))?,
        None => current.display_name.clone(),
    };
    let bio = match p.note {
        Some(n) => {
            validate::bio(&n).map_err(|e| field_error("Note", validate::BIO_MAX_CHARS, &n, &e))?
        }
        None => current.bio.clone(),
    };
    Ok(ProfileUpdate {
        display_name,
        bio,
        locked: p.locked.unwrap_or(current.locked),
    })
}

/// `PATCH /api/v1/accounts/update_credentials` (scope `write:accounts`): the updated
/// CredentialAccount. JSON or form-urlencoded bodies.
async fn update_credentials(
    State(state): State<AppState>,
    urls: Urls,
    user: ApiUser,
    ApiForm(params): ApiForm<CredentialParams>,
) -> ApiResult<Json<CredentialAccount>> {
    user.require("write:accounts")?;
    let current = state
        .store
        .get_account_by_id(user.id())
        .await?
        .ok_or_else(ApiError::not_found)?;
    let update = updated(&current, params)?;
    let account = state.store.update_profile(user.id(), update).await?;
    let requests = state
        .store
        .list_follow_requests(account.id, Page::first(Page::MAX_LIMIT))
        .await?;
    let count = i64::try_from(requests.len()).unwrap_or(0);
    Ok(Json(entities::credential_account(&account, count, &urls)))
}
