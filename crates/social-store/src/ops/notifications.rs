//! Notifications: listing (without muted or blocked senders), unread count, read marker.

use super::common::Ctx;
use crate::error::StoreResult;
use crate::model::{NotificationView, Page};

pub(crate) async fn list(_ctx: &Ctx<'_>, _a: i64, _p: Page) -> StoreResult<Vec<NotificationView>> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn count_unread(_ctx: &Ctx<'_>, _a: i64) -> StoreResult<i64> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn mark_read(_ctx: &Ctx<'_>, _a: i64, _up: i64) -> StoreResult<()> { Err(crate::StoreError::Internal("not implemented yet".into())) }
