//! `POST /api/v1/reports`: a user reports an account (and some of its posts) to the
//! moderators, as Mastodon's client API does. The rules are the store's, shared with the web
//! report form.

use super::accounts::active_account;
use super::auth::ApiUser;
use super::entities::{self, AccountJson, Urls};
use super::error::{ApiError, ApiResult};
use super::extract::ApiForm;
use crate::AppState;
use crate::client_addr::ClientIp;
use axum::Json;
use axum::extract::State;
use axum::routing::post;
use social_core::{PostId, moderation};
use social_store::ReportInsert;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/api/v1/reports", post(create))
}

/// Parameters (Mastodon's names). `forward` and `rule_ids` are accepted and ignored: there is
/// no federation and no rule list yet.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReportParams {
    account_id: Option<String>,
    status_ids: Vec<String>,
    comment: Option<String>,
    category: Option<String>,
    forward: Option<serde::de::IgnoredAny>,
    rule_ids: Option<serde::de::IgnoredAny>,
}

/// Mastodon's Report entity.
#[derive(Debug, serde::Serialize)]
pub struct ReportJson {
    id: String,
    action_taken: bool,
    action_taken_at: Option<String>,
    category: &'static str,
    comment: String,
    forwarded: bool,
    created_at: String,
    status_ids: Vec<String>,
    rule_ids: Vec<String>,
    target_account: AccountJson,
}

/// `POST /api/v1/reports` (scope `write:reports`).
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    urls: Urls,
    ClientIp(ip): ClientIp,
    ApiForm(p): ApiForm<ReportParams>,
) -> ApiResult<Json<ReportJson>> {
    user.require("write:reports")?;
    let limits = &state.config.rate_limits;
    let account = (limits.reports, user.id().0);
    let address = (limits.reports_per_address, ip);
    crate::ratelimit::check_action(&state, "reports", account, address).await?;
    let raw_id = p
        .account_id
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("Validation failed: account_id is missing"))?;
    let target = active_account(&state, raw_id).await?;
    let post_ids = super::extract::id_list(&p.status_ids, "Status")?
        .into_iter()
        .map(PostId)
        .collect();
    let category = moderation::report_category(p.category.as_deref().unwrap_or("other"))?;
    let comment = moderation::report_comment(p.comment.as_deref().unwrap_or(""))?;
    let _ = (&p.forward, &p.rule_ids);
    let report = state
        .store
        .create_report(ReportInsert {
            reporter: user.id(),
            target: target.id,
            post_ids,
            category,
            comment,
        })
        .await?;
    Ok(Json(ReportJson {
        id: report.id.to_string(),
        action_taken: !report.open,
        action_taken_at: report.resolved_at_ms.map(entities::iso_ms),
        category: report.category.as_str(),
        comment: report.comment,
        forwarded: false,
        created_at: entities::iso_ms(report.created_at_ms),
        status_ids: report.post_ids.iter().map(|p| p.0.to_string()).collect(),
        rule_ids: Vec::new(),
        target_account: entities::account(&target, &urls),
    }))
}
