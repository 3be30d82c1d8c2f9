//! Follows, follow requests, blocks, mutes and relationships.

use super::common::Ctx;
use crate::error::StoreResult;
use crate::model::{FollowOutcome, Page, Relationship};
use social_core::Account;

pub(crate) async fn follow(_ctx: &Ctx<'_>, _a: i64, _t: i64, _now: i64) -> StoreResult<FollowOutcome> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn unfollow(_ctx: &Ctx<'_>, _a: i64, _t: i64) -> StoreResult<()> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn list_requests(_ctx: &Ctx<'_>, _t: i64, _p: Page) -> StoreResult<Vec<Account>> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn authorize(_ctx: &Ctx<'_>, _t: i64, _r: i64, _now: i64) -> StoreResult<()> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn reject(_ctx: &Ctx<'_>, _t: i64, _r: i64) -> StoreResult<()> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn block(_ctx: &Ctx<'_>, _a: i64, _t: i64, _now: i64) -> StoreResult<()> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn unblock(_ctx: &Ctx<'_>, _a: i64, _t: i64) -> StoreResult<()> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn mute(_ctx: &Ctx<'_>, _a: i64, _t: i64, _now: i64) -> StoreResult<()> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn unmute(_ctx: &Ctx<'_>, _a: i64, _t: i64) -> StoreResult<()> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn relationship(_ctx: &Ctx<'_>, _v: i64, _o: i64) -> StoreResult<Relationship> { Err(crate::StoreError::Internal("not implemented yet".into())) }
pub(crate) async fn list_accounts(_ctx: &Ctx<'_>, _a: i64, _p: Page, _followers: bool) -> StoreResult<Vec<Account>> { Err(crate::StoreError::Internal("not implemented yet".into())) }
