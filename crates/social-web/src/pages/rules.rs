//! Admin pages of the instance rules (`docs/moderation.md`): content filters, sign-up IP
//! blocks, server rules; and `/about`, which shows the rules to everyone.

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::extract::WebForm;
use crate::pages::{chrome_for, chrome_maybe, form_error};
use crate::session::{CurrentUser, MaybeUser};
use crate::util::see_other;
use crate::views::forms::FormErrors;
use crate::views::rules as view;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use social_core::rules::{self, Filter, FilterAction, FilterKind};
use social_core::{Role, ValidationError};
use social_store::{ServerRule, StoreError};

/// Filters, IP blocks and rules are admins' business (moderators get 403 too).
fn require_admin(user: &CurrentUser) -> WebResult<()> {
    if user.account().role == Role::Admin {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "Only admins may change the instance rules.".into(),
        ))
    }
}

fn path_id(raw: &str) -> WebResult<i64> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// A store error of a form: Invalid is the form's error (422), the rest as usual.
fn form_outcome<T>(r: Result<T, StoreError>) -> WebResult<Result<T, ValidationError>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(StoreError::Invalid(e)) => Ok(Err(e)),
        Err(StoreError::Conflict { what }) => Ok(Err(ValidationError::new(
            "network",
            format!("Not done: {what}."),
        ))),
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/filters`.
pub async fn filters_page(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require_admin(&user)?;
    let list = state.store.list_filters().await?;
    let chrome = chrome_for(&state, &user).await?;
    let values = view::FilterValues::default();
    Ok(view::filters(&chrome, &list, &values, &FormErrors::default()).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FilterForm {
    kind: String,
    pattern: String,
    action: String,
}

fn check_filter(f: &FilterForm) -> Result<Filter, ValidationError> {
    let kind = f
        .kind
        .parse::<FilterKind>()
        .map_err(|_| ValidationError::new("kind", "Choose how the pattern matches."))?;
    let action = f
        .action
        .parse::<FilterAction>()
        .map_err(|_| ValidationError::new("action", "Choose reject, hold or sensitive."))?;
    let pattern = rules::filter_pattern(kind, &f.pattern)?;
    Ok(Filter {
        id: 0,
        kind,
        pattern,
        action,
    })
}

/// `POST /admin/filters`: `kind`, `pattern`, `action`.
pub async fn add_filter(
    State(state): State<AppState>,
    user: CurrentUser,
    WebForm(form): WebForm<FilterForm>,
) -> WebResult<Response> {
    require_admin(&user)?;
    let outcome = match check_filter(&form) {
        Ok(f) => form_outcome(state.store.add_filter(user.account().id, f).await)?.map(|_| ()),
        Err(e) => Err(e),
    };
    let Err(error) = outcome else {
        return Ok(see_other("/admin/filters"));
    };
    let list = state.store.list_filters().await?;
    let chrome = chrome_for(&state, &user).await?;
    let values = view::FilterValues {
        kind: &form.kind,
        pattern: &form.pattern,
        action: &form.action,
    };
    let page = view::filters(&chrome, &list, &values, &FormErrors::one(error.clone()));
    Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &error, page))
}

/// `POST /admin/filters/{id}/delete`.
pub async fn delete_filter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    require_admin(&user)?;
    state
        .store
        .delete_filter(user.account().id, path_id(&id)?)
        .await?;
    Ok(see_other("/admin/filters"))
}

/// `GET /admin/ip-blocks`.
pub async fn ip_blocks_page(
    State(state): State<AppState>,
    user: CurrentUser,
) -> WebResult<Response> {
    require_admin(&user)?;
    let list = state.store.list_ip_blocks().await?;
    let chrome = chrome_for(&state, &user).await?;
    let values = view::BlockValues::default();
    Ok(view::ip_blocks(&chrome, &list, &values, &FormErrors::default()).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BlockForm {
    network: String,
    note: String,
    expires_in_days: String,
}

const DAY_MS: i64 = 24 * 3600 * 1000;

fn check_block(f: &BlockForm) -> Result<(rules::IpNet, String, Option<i64>), ValidationError> {
    let network = rules::ip_network(&f.network)?;
    let note = rules::ip_block_note(&f.note)?;
    let expires = match f.expires_in_days.trim() {
        "" => None,
        n => Some(
            n.parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| {
                    ValidationError::new(
                        "expires_in_days",
                        "Enter a whole number of days from 1 to 3650, or leave it empty.",
                    )
                })?,
        ),
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    Ok((network, note, expires.map(|d| now + d * DAY_MS)))
}

/// `POST /admin/ip-blocks`: `network`, `note`, `expires_in_days` (empty: never).
pub async fn add_ip_block(
    State(state): State<AppState>,
    user: CurrentUser,
    WebForm(form): WebForm<BlockForm>,
) -> WebResult<Response> {
    require_admin(&user)?;
    let outcome = match check_block(&form) {
        Ok((network, note, expires)) => form_outcome(
            state
                .store
                .add_ip_block(user.account().id, network, &note, expires)
                .await,
        )?
        .map(|_| ()),
        Err(e) => Err(e),
    };
    let Err(error) = outcome else {
        return Ok(see_other("/admin/ip-blocks"));
    };
    let list = state.store.list_ip_blocks().await?;
    let chrome = chrome_for(&state, &user).await?;
    let values = view::BlockValues {
        network: &form.network,
        note: &form.note,
        expires_in_days: &form.expires_in_days,
    };
    let page = view::ip_blocks(&chrome, &list, &values, &FormErrors::one(error.clone()));
    Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &error, page))
}

/// `POST /admin/ip-blocks/{id}/delete`.
pub async fn delete_ip_block(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    require_admin(&user)?;
    state
        .store
        .delete_ip_block(user.account().id, path_id(&id)?)
        .await?;
    Ok(see_other("/admin/ip-blocks"))
}

/// `GET /admin/rules`.
pub async fn rules_page(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    require_admin(&user)?;
    render_rules(&state, &user, &RuleForm::default(), None).await
}

async fn render_rules(
    state: &AppState,
    user: &CurrentUser,
    form: &RuleForm,
    error: Option<ValidationError>,
) -> WebResult<Response> {
    let list = state.store.list_rules().await?;
    let chrome = chrome_for(state, user).await?;
    let values = view::RuleValues {
        text: &form.text,
        hint: &form.hint,
    };
    Ok(match error {
        None => view::rules_admin(&chrome, &list, &values, &FormErrors::default()).into_response(),
        Some(e) => {
            let page = view::rules_admin(&chrome, &list, &values, &FormErrors::one(e.clone()));
            form_error(StatusCode::UNPROCESSABLE_ENTITY, &e, page)
        }
    })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RuleForm {
    text: String,
    hint: String,
    position: String,
}

/// `POST /admin/rules`: `text`, `hint`; appended after the last rule.
pub async fn add_rule(
    State(state): State<AppState>,
    user: CurrentUser,
    WebForm(form): WebForm<RuleForm>,
) -> WebResult<Response> {
    require_admin(&user)?;
    let checked = rules::rule_text(&form.text)
        .and_then(|text| rules::rule_hint(&form.hint).map(|hint| (text, hint)));
    let outcome = match checked {
        Ok((text, hint)) => {
            form_outcome(state.store.add_rule(user.account().id, &text, &hint).await)?.map(|_| ())
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(see_other("/admin/rules")),
        Err(e) => render_rules(&state, &user, &form, Some(e)).await,
    }
}

/// `POST /admin/rules/{id}`: `position`, `text`, `hint`.
pub async fn update_rule(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    WebForm(form): WebForm<RuleForm>,
) -> WebResult<Response> {
    require_admin(&user)?;
    let id = path_id(&id)?;
    let checked = form
        .position
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|p| (0..=1000).contains(p))
        .ok_or_else(|| ValidationError::new("position", "The position is a number from 0 to 1000."))
        .and_then(|position| {
            let text = rules::rule_text(&form.text)?;
            let hint = rules::rule_hint(&form.hint)?;
            Ok(ServerRule {
                id,
                position,
                text,
                hint,
            })
        });
    let outcome = match checked {
        Ok(rule) => form_outcome(state.store.update_rule(user.account().id, &rule).await)?,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(see_other("/admin/rules")),
        Err(e) => render_rules(&state, &user, &RuleForm::default(), Some(e)).await,
    }
}

/// `POST /admin/rules/{id}/delete`.
pub async fn delete_rule(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    require_admin(&user)?;
    state
        .store
        .delete_rule(user.account().id, path_id(&id)?)
        .await?;
    Ok(see_other("/admin/rules"))
}

/// `GET /about`: the server and its rules, for everyone.
pub async fn about(State(state): State<AppState>, user: MaybeUser) -> WebResult<Response> {
    let rules = state.store.list_rules().await?;
    let chrome = chrome_maybe(&state, user.0.as_ref()).await?;
    Ok(view::about(&chrome, &rules).into_response())
}
