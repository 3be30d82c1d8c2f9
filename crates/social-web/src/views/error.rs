//! The error page: status, a message a person can act on, and the request id on 500s.

use crate::AppState;
use crate::session::SessionCtx;
use crate::views::layout::{Chrome, document};
use axum::http::StatusCode;
use maud::html;

pub fn page(
    state: &AppState,
    user: Option<&SessionCtx>,
    status: StatusCode,
    message: &str,
    request_id: Option<&str>,
) -> String {
    let chrome = Chrome {
        instance: &state.config.instance_name,
        user,
        unread: 0,
    };
    let title = status.canonical_reason().unwrap_or("Error");
    document(
        &chrome,
        title,
        html! {
            h1 { (title) " (" (status.as_u16()) ")" }
            p { (message) }
            @if let Some(id) = request_id {
                p { "If this keeps happening, tell the operator this request id: " code { (id) } }
            }
            p { a href="/" { "Go to the front page" } }
        },
    )
    .into_string()
}
