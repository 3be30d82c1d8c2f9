//! Posts held for review (`docs/moderation.md`): the moderators' queue and its two decisions,
//! and the author's own list of posts awaiting review.

use crate::AppState;
use crate::error::{WebError, WebResult};
use crate::extract::{Cursor, WebForm, WebQuery};
use crate::pages::{chrome_for, form_error};
use crate::session::CurrentUser;
use crate::util::see_other;
use crate::views::forms::FormErrors;
use crate::views::held as view;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use social_core::{ValidationError, moderation};
use social_store::Page;

async fn render_queue(
    state: &AppState,
    user: &CurrentUser,
    cursor: &Cursor,
    error: Option<ValidationError>,
) -> WebResult<Response> {
    let page = cursor.page();
    let held = state.store.list_held_posts(page).await?;
    let full = held.len() == page.limit as usize;
    let mut rows = Vec::with_capacity(held.len());
    for h in held {
        let name = state
            .store
            .get_account_by_id(h.insert.author_id)
            .await?
            .map_or_else(|| format!("#{}", h.insert.author_id), |a| a.username);
        rows.push((h, name));
    }
    let chrome = chrome_for(state, user).await?;
    Ok(match error {
        None => view::queue(&chrome, &rows, cursor, full, &FormErrors::default()).into_response(),
        Some(e) => {
            let html = view::queue(&chrome, &rows, cursor, full, &FormErrors::one(e.clone()));
            form_error(StatusCode::UNPROCESSABLE_ENTITY, &e, html)
        }
    })
}

/// `GET /admin/held` (moderators and admins): newest first.
pub async fn queue(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(cursor): WebQuery<Cursor>,
) -> WebResult<Response> {
    user.require_staff()?;
    render_queue(&state, &user, &cursor, None).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

/// `POST /admin/held/{id}`: `decision` approve (published now) or reject (deleted, the
/// author told), with a `reason` for the audit log.
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    WebForm(form): WebForm<DecisionForm>,
) -> WebResult<Response> {
    user.require_staff()?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let approve = match form.decision.as_str() {
        "approve" => Ok(true),
        "reject" => Ok(false),
        _ => Err(ValidationError::new(
            "decision",
            "Choose approve or reject.",
        )),
    };
    let checked = approve.and_then(|a| moderation::reason(&form.reason).map(|r| (a, r)));
    let (approve, reason) = match checked {
        Ok(v) => v,
        Err(e) => return render_queue(&state, &user, &Cursor::default(), Some(e)).await,
    };
    let actor = user.account().id;
    if approve {
        state.store.approve_held_post(actor, id, &reason).await?;
    } else {
        state.store.reject_held_post(actor, id, &reason).await?;
    }
    Ok(see_other("/admin/held"))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MineQuery {
    held: Option<String>,
}

/// `GET /settings/held`: the signed-in user's posts awaiting review (`?held=1` right after
/// posting one).
pub async fn mine(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(q): WebQuery<MineQuery>,
) -> WebResult<Response> {
    let held = state
        .store
        .held_posts_of(user.account().id, Page::first(Page::MAX_LIMIT))
        .await?;
    let chrome = chrome_for(&state, &user).await?;
    Ok(view::mine(&chrome, &held, q.held.is_some()).into_response())
}
