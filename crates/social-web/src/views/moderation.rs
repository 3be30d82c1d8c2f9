//! Moderation pages: the report form, the moderators' queue and report page, the audit log,
//! and the notices (with appeals) an account gets about actions against it.

use crate::extract::Cursor;
use crate::views::admin::{admin_nav, role};
use crate::views::forms::{self, FormErrors};
use crate::views::layout::{Chrome, page};
use crate::views::pagination::pager;
use crate::views::post::timestamp;
use axum::response::Html;
use maud::html;
use social_core::{Account, ModAction, Post, ReportCategory};
use social_store::{AuditEntry, Notice, Report};

/// What the report form shows.
pub struct ReportForm<'a> {
    pub target: &'a Account,
    pub posts: &'a [Post],
    pub checked: &'a [i64],
    pub category: &'a str,
    pub comment: &'a str,
}

pub fn report_form(chrome: &Chrome<'_>, f: &ReportForm<'_>, errors: &FormErrors) -> Html<String> {
    page(
        chrome,
        "Report",
        html! {
            h1 { "Report @" (f.target.username) }
            form method="post" action="/reports" {
                (forms::summary(errors))
                (forms::csrf(chrome.csrf()))
                input type="hidden" name="account" value=(f.target.username);
                fieldset id="category" {
                    legend { "Why?" }
                    @if let Some(e) = errors.get("category") { p.field-error { (e) } }
                    @for c in ReportCategory::ALL {
                        p.check {
                            input type="radio" id={ "category-" (c.as_str()) } name="category"
                                value=(c.as_str()) checked[c.as_str() == f.category];
                            " " label for={ "category-" (c.as_str()) } { (category_label(c)) }
                        }
                    }
                }
                @if !f.posts.is_empty() {
                    fieldset id="status_ids" {
                        legend { "Posts to include" }
                        @if let Some(e) = errors.get("status_ids") { p.field-error { (e) } }
                        @for p in f.posts {
                            p.check {
                                input type="checkbox" id={ "post-" (p.id) } name="post_id"
                                    value=(p.id) checked[f.checked.contains(&p.id.0)];
                                " " label for={ "post-" (p.id) } { (excerpt(&p.text)) }
                            }
                        }
                    }
                }
                (forms::textarea("comment", "Anything the moderators should know", f.comment,
                    Some("Up to 1000 characters."), errors))
                button type="submit" { "Send report" }
            }
        },
    )
}

pub fn report_sent(chrome: &Chrome<'_>, target: &str) -> Html<String> {
    page(
        chrome,
        "Report sent",
        html! {
            h1 { "Thank you" }
            p role="status" { "Your report about @" (target) " was sent to the moderators." }
        },
    )
}

fn category_label(c: ReportCategory) -> &'static str {
    match c {
        ReportCategory::Spam => "Spam",
        ReportCategory::Violation => "It breaks the server's rules",
        ReportCategory::Legal => "It is illegal",
        ReportCategory::Other => "Something else",
    }
}

fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(120).collect();
    if text.chars().count() > 120 {
        s.push('…');
    }
    s
}

/// A report with the usernames it needs.
pub struct ReportRow<'a> {
    pub report: &'a Report,
    pub reporter: &'a str,
    pub target: &'a str,
}

/// An appeal with its account's username.
pub struct AppealRow<'a> {
    pub notice: &'a Notice,
    pub username: &'a str,
}

pub fn queue(
    chrome: &Chrome<'_>,
    reports: &[ReportRow<'_>],
    appeals: &[AppealRow<'_>],
    cursor: &Cursor,
    full: bool,
) -> Html<String> {
    let csrf = chrome.csrf();
    page(
        chrome,
        "Reports",
        html! {
            h1 { "Open reports" }
            (admin_nav(role(chrome)))
            @if reports.is_empty() { p { "No open reports." } }
            ul.reports {
                @for r in reports {
                    li {
                        a href={ "/admin/reports/" (r.report.id) } {
                            "@" (r.target) " reported by @" (r.reporter)
                        }
                        " · " (r.report.category.as_str()) " · " (timestamp(r.report.created_at_ms))
                        " · " (r.report.post_ids.len()) " posts"
                    }
                }
            }
            (pager("/admin/reports", reports.first().map(|r| r.report.id),
                reports.last().map(|r| r.report.id), full, cursor))
            h2 { "Appeals" }
            @if appeals.is_empty() { p { "No appeals waiting." } }
            ul.appeals {
                @for a in appeals {
                    li id={ "appeal-" (a.notice.id) } {
                        strong { "@" (a.username) } " appeals " (a.notice.action.as_str())
                        @if let Some(text) = &a.notice.appeal_text { p.bio { (text) } }
                        form method="post" action={ "/admin/appeals/" (a.notice.id) } {
                            (forms::csrf(csrf))
                            label for={ "reason-" (a.notice.id) } { "Reason" }
                            input type="text" id={ "reason-" (a.notice.id) } name="reason" required;
                            button type="submit" name="decision" value="accept" { "Accept (revert)" }
                            button.secondary type="submit" name="decision" value="reject" { "Reject" }
                        }
                    }
                }
            }
        },
    )
}

/// What the report page shows.
pub struct ReportPage<'a> {
    pub row: ReportRow<'a>,
    pub posts: &'a [Post],
    pub limited: bool,
    pub suspended: bool,
    pub reason: &'a str,
    pub message: &'a str,
}

pub fn report_page(chrome: &Chrome<'_>, p: &ReportPage<'_>, errors: &FormErrors) -> Html<String> {
    let r = p.row.report;
    let mut actions = vec![];
    if r.open {
        actions.push((ModAction::Dismiss, "Dismiss"));
        if !r.post_ids.is_empty() {
            actions.push((ModAction::DeletePosts, "Delete the reported posts"));
            actions.push((
                ModAction::MarkSensitive,
                "Mark the reported posts sensitive",
            ));
        }
    }
    actions.push(if p.limited {
        (ModAction::Unlimit, "Lift the limit")
    } else {
        (ModAction::Limit, "Limit")
    });
    actions.push(if p.suspended {
        (ModAction::Unsuspend, "Unsuspend")
    } else {
        (ModAction::Suspend, "Suspend")
    });
    actions.push((ModAction::Warn, "Warn"));
    page(
        chrome,
        "Report",
        html! {
            h1 { "Report about @" (p.row.target) }
            (admin_nav(role(chrome)))
            p {
                "By @" (p.row.reporter) " · " (r.category.as_str()) " · " (timestamp(r.created_at_ms))
                " · " @if r.open { "open" } @else { "resolved" }
            }
            @if p.suspended { p.notice { "This account is suspended." } }
            @if p.limited { p.notice { "This account is limited." } }
            @if !r.comment.is_empty() { blockquote { (r.comment) } }
            @if !r.post_ids.is_empty() {
                h2 { "Reported posts" }
                @if p.posts.is_empty() { p { "They have been deleted." } }
                ul { @for post in p.posts { li { (post.text) } } }
            }
            h2 { "Act" }
            form method="post" action={ "/admin/reports/" (r.id) } {
                (forms::summary(errors))
                (forms::csrf(chrome.csrf()))
                (forms::input(&forms::Field { required: true, ..forms::Field::new(
                    "reason", "Reason (for the audit log)", p.reason) }, errors))
                (forms::textarea("message", "Message to the account (required for a warning)",
                    p.message, None, errors))
                @if let Some(e) = errors.get("action") { p.field-error { (e) } }
                div.actions {
                    @for (a, label) in &actions {
                        button.secondary type="submit" name="action" value=(a.as_str()) { (label) }
                    }
                }
            }
        },
    )
}

pub fn audit(
    chrome: &Chrome<'_>,
    entries: &[(AuditEntry, String, String)],
    cursor: &Cursor,
    full: bool,
) -> Html<String> {
    page(
        chrome,
        "Audit log",
        html! {
            h1 { "Audit log" }
            (admin_nav(role(chrome)))
            table {
                thead { tr { th { "When" } th { "Who" } th { "What" } th { "Target" } th { "Why" } } }
                tbody {
                    @for (e, actor, target) in entries {
                        tr {
                            td { (timestamp(e.created_at_ms)) }
                            td { "@" (actor) }
                            td { (e.action.as_str())
                                @if let Some(r) = e.target_report_id { " (report " (r) ")" } }
                            td { "@" (target) }
                            td { (e.reason) }
                        }
                    }
                }
            }
            (pager("/admin/audit", entries.first().map(|e| e.0.id),
                entries.last().map(|e| e.0.id), full, cursor))
        },
    )
}

/// The account's notices with their appeal forms. `purge_at_ms`: the account is suspended
/// (its session reaches this page only), and a moderator can lift it until then.
pub fn notices(
    chrome: &Chrome<'_>,
    notices: &[Notice],
    purge_at_ms: Option<i64>,
    errors: &FormErrors,
) -> Html<String> {
    page(
        chrome,
        "Moderation",
        html! {
            h1 { "Moderation notices" }
            @if let Some(purge_at) = purge_at_ms {
                p.notice role="status" {
                    "Your account is suspended by the moderators. You can read their notice and \
                     appeal it once below; nothing else is open to it until a moderator lifts \
                     the suspension. If nobody does by " (timestamp(purge_at)) ", your posts, \
                     follows and profile are removed for good."
                }
            }
            @if notices.is_empty() { p { "The moderators have not acted on your account." } }
            (forms::summary(errors))
            @for n in notices {
                section.notice id={ "notice-" (n.id) } {
                    h2 { (notice_title(n.action)) }
                    p { (timestamp(n.created_at_ms)) }
                    @if !n.message.is_empty() { blockquote { (n.message) } }
                    @else if n.action == ModAction::Suspend { p { "The moderators left no message." } }
                    @match (&n.appeal_text, n.appeal_accepted) {
                        (Some(_), Some(true)) => p { "Your appeal was accepted." },
                        (Some(_), Some(false)) => p { "Your appeal was rejected." },
                        (Some(_), None) => p { "Your appeal is waiting for a moderator." },
                        _ => form method="post" action={ "/settings/moderation/" (n.id) "/appeal" } {
                            (forms::csrf(chrome.csrf()))
                            (forms::textarea("appeal", "Appeal (once)", "", None, errors))
                            button type="submit" { "Send appeal" }
                        },
                    }
                }
            }
        },
    )
}

fn notice_title(a: ModAction) -> &'static str {
    match a {
        ModAction::Warn => "You received a warning",
        ModAction::Limit => "Your account was limited: only your followers see your posts",
        ModAction::Suspend => "Your account was suspended",
        ModAction::DeletePosts => "Some of your posts were removed",
        ModAction::MarkSensitive => "Some of your posts were marked sensitive",
        ModAction::RejectPost => "A post of yours held for review was not published",
        _ => "A moderator acted on your account",
    }
}
