//! Moderation: reporting an account, the moderators' queue and actions (appeal decisions
//! included), the admins' audit log (`docs/moderation.md`). The affected account's side is
//! `appeals`.

use crate::AppState;
use crate::client_addr::ClientIp;
use crate::error::{WebError, WebResult};
use crate::extract::{Cursor, WebForm, WebQuery};
use crate::pages::{chrome_for, form_error};
use crate::ratelimit;
use crate::session::CurrentUser;
use crate::util::see_other;
use crate::views::forms::FormErrors;
use crate::views::moderation as view;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use social_core::{Account, AccountId, ModAction, Post, PostId, Role, ValidationError, moderation};
use social_store::{ModerationInput, Page, ReportInsert, StoreError};

/// The web message for a store error of a moderation write: conflicts say what collided.
pub fn store_error(e: StoreError) -> WebError {
    match e {
        StoreError::Conflict { what } => WebError::Conflict(format!("Not done: {what}.").into()),
        other => other.into(),
    }
}

async fn active_account(state: &AppState, username: &str) -> WebResult<Account> {
    match state.store.get_account_by_username(username.trim()).await? {
        Some(a) if a.status == social_core::AccountStatus::Active => Ok(a),
        _ => Err(WebError::NotFound),
    }
}

/// The target's recent original posts that `viewer` can see, for the checkboxes.
async fn recent_posts(
    state: &AppState,
    viewer: AccountId,
    target: AccountId,
) -> WebResult<Vec<Post>> {
    let views = state
        .store
        .account_timeline(Some(viewer), target, Page::first(Page::MAX_LIMIT))
        .await?;
    Ok(views
        .into_iter()
        .filter(|v| v.reblog.is_none())
        .map(|v| v.post)
        .take(20)
        .collect())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewReportQuery {
    account: String,
    post: Option<String>,
}

/// `GET /reports/new?account=NAME[&post=ID]`.
pub async fn new_report(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(q): WebQuery<NewReportQuery>,
) -> WebResult<Response> {
    let target = active_account(&state, &q.account).await?;
    if target.id == user.account().id {
        return Err(WebError::Invalid(ValidationError::new(
            "account",
            "You cannot report yourself.",
        )));
    }
    let posts = recent_posts(&state, user.account().id, target.id).await?;
    let checked: Vec<i64> = q.post.and_then(|p| p.parse().ok()).into_iter().collect();
    let chrome = chrome_for(&state, &user).await?;
    let form = view::ReportForm {
        target: &target,
        posts: &posts,
        checked: &checked,
        category: "",
        comment: "",
    };
    Ok(view::report_form(&chrome, &form, &FormErrors::default()).into_response())
}

/// `POST /reports`: fields `account`, `category`, `comment`, and `post_id` once per post.
pub async fn create_report(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    WebForm(fields): WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let limits = &state.config.rate_limits;
    let account = (limits.reports, user.account().id.0);
    ratelimit::check_action(&state, "reports", account, (limits.reports_per_address, ip)).await?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let target = active_account(&state, field("account")).await?;
    let mut post_ids = Vec::new();
    for (_, v) in fields.iter().filter(|(k, _)| k == "post_id") {
        let id = v
            .trim()
            .parse::<i64>()
            .map_err(|_| WebError::Invalid(ValidationError::new("status_ids", "Unknown post.")))?;
        post_ids.push(PostId(id));
    }
    let checked: Vec<i64> = post_ids.iter().map(|p| p.0).collect();
    let checked_input = moderation::report_category(field("category")).and_then(|category| {
        moderation::report_comment(field("comment")).map(|comment| (category, comment))
    });
    let outcome = match checked_input {
        Ok((category, comment)) => {
            let insert = ReportInsert {
                reporter: user.account().id,
                target: target.id,
                post_ids,
                category,
                comment,
            };
            match state.store.create_report(insert).await {
                Ok(_) => Ok(()),
                Err(StoreError::Invalid(v)) => Err(v),
                Err(e) => return Err(e.into()),
            }
        }
        Err(v) => Err(v),
    };
    let chrome = chrome_for(&state, &user).await?;
    match outcome {
        Ok(()) => Ok(view::report_sent(&chrome, &target.username).into_response()),
        Err(error) => {
            let posts = recent_posts(&state, user.account().id, target.id).await?;
            let form = view::ReportForm {
                target: &target,
                posts: &posts,
                checked: &checked,
                category: field("category"),
                comment: field("comment"),
            };
            let page = view::report_form(&chrome, &form, &FormErrors::one(error.clone()));
            Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &error, page))
        }
    }
}

async fn username(state: &AppState, id: AccountId) -> WebResult<String> {
    Ok(state
        .store
        .get_account_by_id(id)
        .await?
        .map_or_else(|| format!("#{id}"), |a| a.username))
}

/// `GET /admin/reports`: open reports newest first, then appeals waiting for a decision.
pub async fn queue(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(cursor): WebQuery<Cursor>,
) -> WebResult<Response> {
    user.require_staff()?;
    let page = cursor.page();
    let reports = state.store.list_open_reports(page).await?;
    let mut names = Vec::with_capacity(reports.len());
    for r in &reports {
        names.push((
            username(&state, r.reporter_id).await?,
            username(&state, r.target_id).await?,
        ));
    }
    let appeals = state.store.list_open_appeals().await?;
    let mut appeal_names = Vec::with_capacity(appeals.len());
    for a in &appeals {
        appeal_names.push(username(&state, a.account_id).await?);
    }
    let rows: Vec<_> = reports
        .iter()
        .zip(&names)
        .map(|(report, (reporter, target))| view::ReportRow {
            report,
            reporter,
            target,
        })
        .collect();
    let appeal_rows: Vec<_> = appeals
        .iter()
        .zip(&appeal_names)
        .map(|(notice, username)| view::AppealRow { notice, username })
        .collect();
    let full = reports.len() == page.limit as usize;
    let chrome = chrome_for(&state, &user).await?;
    Ok(view::queue(&chrome, &rows, &appeal_rows, &cursor, full).into_response())
}

fn report_id(raw: &str) -> WebResult<i64> {
    raw.parse().map_err(|_| WebError::NotFound)
}

/// Renders the report page (with `errors` and the typed values, status 422 when not empty).
async fn render_report(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: &ActionForm,
    error: Option<ValidationError>,
) -> WebResult<Response> {
    let report = state
        .store
        .get_report(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let mut posts = Vec::new();
    for p in &report.post_ids {
        posts.extend(state.store.get_post(*p).await?);
    }
    let st = state.store.moderation_state(report.target_id).await?;
    let reporter = username(state, report.reporter_id).await?;
    let target = username(state, report.target_id).await?;
    let chrome = chrome_for(state, user).await?;
    let p = view::ReportPage {
        row: view::ReportRow {
            report: &report,
            reporter: &reporter,
            target: &target,
        },
        posts: &posts,
        limited: st.limited,
        suspended: st.suspended_at_ms.is_some(),
        reason: &form.reason,
        message: &form.message,
    };
    Ok(match error {
        None => view::report_page(&chrome, &p, &FormErrors::default()).into_response(),
        Some(e) => {
            let page = view::report_page(&chrome, &p, &FormErrors::one(e.clone()));
            form_error(StatusCode::UNPROCESSABLE_ENTITY, &e, page)
        }
    })
}

/// `GET /admin/reports/{id}`.
pub async fn report_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    user.require_staff()?;
    let id = report_id(&id)?;
    render_report(&state, &user, id, &ActionForm::default(), None).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActionForm {
    action: String,
    reason: String,
    message: String,
}

/// Checks an action form: a known action, a reason, and a message for warnings.
fn check_action(form: &ActionForm) -> Result<(ModAction, String, String), ValidationError> {
    let action = form
        .action
        .parse::<ModAction>()
        .ok()
        .filter(|a| a.on_account())
        .ok_or_else(|| ValidationError::new("action", "Choose one of the actions."))?;
    let reason = moderation::reason(&form.reason)?;
    let message = if action == ModAction::Warn {
        moderation::warning_message(&form.message)?
    } else {
        form.message
            .trim()
            .chars()
            .take(moderation::REASON_MAX_CHARS)
            .collect()
    };
    Ok((action, reason, message))
}

/// `POST /admin/reports/{id}`: one action on the report's account (and the report).
pub async fn act_on_report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    WebForm(form): WebForm<ActionForm>,
) -> WebResult<Response> {
    user.require_staff()?;
    let id = report_id(&id)?;
    let report = state
        .store
        .get_report(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let (action, reason, message) = match check_action(&form) {
        Ok(checked) => checked,
        Err(e) => return render_report(&state, &user, id, &form, Some(e)).await,
    };
    // Once resolved, a report's page acts on the account alone (and lifting a limit or a
    // suspension never resolves it); dismissing or deleting always goes through the report,
    // so doing it twice is a conflict.
    let on_report = action.needs_report()
        || (report.open && !matches!(action, ModAction::Unlimit | ModAction::Unsuspend));
    let input = ModerationInput {
        actor: user.account().id,
        action,
        target: report.target_id,
        report_id: on_report.then_some(id),
        reason,
        message: message.clone(),
    };
    match state.store.moderate(input).await {
        Ok(_) => {
            crate::email::send_notice(&state, report.target_id, action, &message).await;
            Ok(see_other(&format!("/admin/reports/{id}")))
        }
        Err(StoreError::Invalid(v)) => render_report(&state, &user, id, &form, Some(v)).await,
        Err(e) => Err(store_error(e)),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AppealDecisionForm {
    decision: String,
    reason: String,
}

/// `POST /admin/appeals/{notice_id}`: `decision` accept (reverts) or reject, with a reason.
pub async fn decide_appeal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    WebForm(form): WebForm<AppealDecisionForm>,
) -> WebResult<Response> {
    user.require_staff()?;
    let id = report_id(&id)?;
    let accept = match form.decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => {
            return Err(WebError::Invalid(ValidationError::new(
                "decision",
                "Choose accept or reject.",
            )));
        }
    };
    let reason = moderation::reason(&form.reason)?;
    state
        .store
        .decide_appeal(user.account().id, id, accept, &reason)
        .await
        .map_err(store_error)?;
    Ok(see_other("/admin/reports"))
}

/// `GET /admin/audit` (admins only).
pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(cursor): WebQuery<Cursor>,
) -> WebResult<Response> {
    if user.account().role != Role::Admin {
        return Err(WebError::Forbidden(
            "Only admins may read the audit log.".into(),
        ));
    }
    let page = cursor.page();
    let entries = state.store.list_audit_log(page).await?;
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        let actor = username(&state, e.actor_id).await?;
        let target = match e.target_account_id {
            Some(t) => username(&state, t).await?,
            None => String::new(),
        };
        rows.push((e, actor, target));
    }
    let full = rows.len() == page.limit as usize;
    let chrome = chrome_for(&state, &user).await?;
    Ok(view::audit(&chrome, &rows, &cursor, full).into_response())
}
