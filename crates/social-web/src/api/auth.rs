//! INTERIM STUB (the oauth helper owns this file; replaced on merge).
use super::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use social_core::Account;

#[derive(Clone, Debug)]
pub struct ApiUser {
    pub account: Account,
}
impl ApiUser {
    pub fn require(&self, _scope: &str) -> Result<(), ApiError> {
        Ok(())
    }
}
#[derive(Clone, Debug)]
pub struct MaybeApiUser(pub Option<ApiUser>);

impl FromRequestParts<crate::AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(_: &mut Parts, _: &crate::AppState) -> Result<Self, ApiError> {
        Err(ApiError::Unauthorized)
    }
}
impl FromRequestParts<crate::AppState> for MaybeApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(_: &mut Parts, _: &crate::AppState) -> Result<Self, ApiError> {
        Ok(MaybeApiUser(None))
    }
}
