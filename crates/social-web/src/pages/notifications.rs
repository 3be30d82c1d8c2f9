//! The notifications page; viewing it marks what it shows as read.

use crate::AppState;
use crate::error::WebResult;
use crate::extract::{Cursor, WebQuery};
use crate::session::CurrentUser;
use crate::views::Chrome;
use crate::views::notifications as view;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

/// `GET /notifications`.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    WebQuery(cursor): WebQuery<Cursor>,
) -> WebResult<Response> {
    let me = user.account().id;
    let items = state.store.notifications(me, cursor.page()).await?;
    if let Some(newest) = items.iter().filter(|n| n.unread).map(|n| n.id).max() {
        state.store.mark_notifications_read(me, newest).await?;
    }
    let unread = state.store.count_unread_notifications(me).await?;
    let chrome = Chrome {
        instance: &state.config.instance_name,
        user: Some(user.ctx()),
        unread,
    };
    Ok(view::notifications(&chrome, &items, &cursor).into_response())
}
