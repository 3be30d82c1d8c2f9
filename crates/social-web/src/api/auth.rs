//! Bearer-token authentication of the API: [`ApiUser`] (a user's token), [`MaybeApiUser`]
//! (anonymous allowed, but a bad token is still 401) and [`AppToken`] (any valid token,
//! app-only ones from client_credentials included). Only `Authorization: Bearer` counts: the
//! session cookie is ignored, which is why the API needs no CSRF protection.

use super::error::ApiError;
use crate::AppState;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use social_core::oauth::Scopes;
use social_core::{Account, AccountStatus};
use social_store::TokenAuth;
use std::sync::Arc;

/// A valid token, as resolved once per request (cached in the request extensions so several
/// extractors do not look it up twice).
#[derive(Clone, Debug)]
struct Resolved(Option<Arc<TokenAuth>>);

/// The bearer token of the request, if it sends one. A malformed `Authorization` header is
/// a 401.
pub(crate) fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("The access token is invalid"))?;
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::unauthorized("The access token is invalid"));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::unauthorized("The access token is invalid"));
    }
    Ok(Some(token))
}

/// Looks the token up (once per request). `Ok(None)`: no token sent.
async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<Arc<TokenAuth>>, ApiError> {
    if let Some(Resolved(found)) = parts.extensions.get::<Resolved>() {
        return Ok(found.clone());
    }
    let Some(token) = bearer(&parts.headers)? else {
        parts.extensions.insert(Resolved(None));
        return Ok(None);
    };
    let Some(auth) = state.store.get_token(token).await? else {
        return Err(ApiError::unauthorized("The access token is invalid"));
    };
    let auth = Arc::new(auth);
    parts.extensions.insert(Resolved(Some(auth.clone())));
    Ok(Some(auth))
}

/// 403 for accounts that may not use the API (Mastodon's texts).
fn usable(account: &Account) -> Result<(), ApiError> {
    match account.status {
        AccountStatus::Active => Ok(()),
        AccountStatus::Pending => Err(ApiError::forbidden(
            "Your login is currently pending approval",
        )),
        AccountStatus::Disabled => Err(ApiError::forbidden("Your login is currently disabled")),
    }
}

/// 403 unless `scopes` cover `scope` (`read` covers `read:statuses`, …).
fn require_in(scopes: &Scopes, scope: &str) -> Result<(), ApiError> {
    if scopes.covers(scope) {
        Ok(())
    } else {
        Err(ApiError::scope())
    }
}

/// `FromRequestParts` for an extractor made by its `from_token` from the request's token
/// (`None`: no token sent; a bad one is a 401 before it is called).
macro_rules! from_token {
    ($ty:ty) => {
        impl<S> FromRequestParts<S> for $ty
        where
            S: Send + Sync,
            AppState: FromRef<S>,
        {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
                let state = AppState::from_ref(state);
                Self::from_token(resolve(parts, &state).await?)
            }
        }
    };
}

/// A request made with a user's token.
#[derive(Clone, Debug)]
pub struct ApiUser {
    pub account: Account,
    pub scopes: Scopes,
    pub token_id: i64,
    pub app_id: i64,
}

impl ApiUser {
    /// 403 unless the token's scopes cover `scope` (`read` covers `read:statuses`, …).
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        require_in(&self.scopes, scope)
    }
    /// 403 unless the scopes cover at least one of `scopes`.
    pub fn require_any(&self, scopes: &[&str]) -> Result<(), ApiError> {
        if scopes.iter().any(|s| self.scopes.covers(s)) {
            Ok(())
        } else {
            Err(ApiError::scope())
        }
    }
    pub fn id(&self) -> social_core::AccountId {
        self.account.id
    }
}

fn user_of(auth: &TokenAuth) -> Result<ApiUser, ApiError> {
    let Some(account) = &auth.account else {
        // An app-only token where a user is needed: Mastodon's wording.
        return Err(ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "This method requires an authenticated user",
        ));
    };
    usable(account)?;
    Ok(ApiUser {
        account: account.clone(),
        scopes: Scopes::parse(&auth.info.scopes).unwrap_or_default(),
        token_id: auth.info.id,
        app_id: auth.info.app_id,
    })
}

impl ApiUser {
    fn from_token(auth: Option<Arc<TokenAuth>>) -> Result<Self, ApiError> {
        match auth {
            Some(auth) => user_of(&auth),
            None => Err(ApiError::token_required()),
        }
    }
}

from_token!(ApiUser);

/// The user if a token is sent; None without one. A bad token is a 401 all the same, and an
/// app-only token counts as anonymous.
#[derive(Clone, Debug)]
pub struct MaybeApiUser(pub Option<ApiUser>);

impl MaybeApiUser {
    pub fn id(&self) -> Option<social_core::AccountId> {
        self.0.as_ref().map(ApiUser::id)
    }
    /// With a user: 403 unless the scopes cover `scope`. Anonymous: fine.
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        self.0.as_ref().map_or(Ok(()), |u| u.require(scope))
    }
}

impl MaybeApiUser {
    fn from_token(auth: Option<Arc<TokenAuth>>) -> Result<Self, ApiError> {
        match auth {
            Some(auth) if auth.account.is_some() => Ok(Self(Some(user_of(&auth)?))),
            _ => Ok(Self(None)),
        }
    }
}

from_token!(MaybeApiUser);

/// Any valid token: app-only (client_credentials, `account` None) or a user's.
#[derive(Clone, Debug)]
pub struct AppToken {
    pub app_id: i64,
    pub token_id: i64,
    pub scopes: Scopes,
    pub account: Option<Account>,
}

impl AppToken {
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        require_in(&self.scopes, scope)
    }

    fn from_token(auth: Option<Arc<TokenAuth>>) -> Result<Self, ApiError> {
        let Some(auth) = auth else {
            return Err(ApiError::token_required());
        };
        if let Some(account) = &auth.account {
            usable(account)?;
        }
        Ok(Self {
            app_id: auth.info.app_id,
            token_id: auth.info.id,
            scopes: Scopes::parse(&auth.info.scopes).unwrap_or_default(),
            account: auth.account.clone(),
        })
    }
}

from_token!(AppToken);

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(auth: Option<&str>) -> Parts {
        let mut req = Request::builder().uri("/api/v1/x");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        req.body(()).expect("valid request").into_parts().0
    }

    #[test]
    fn bearer_header() {
        assert_eq!(bearer(&parts(None).headers).ok(), Some(None));
        assert_eq!(
            bearer(&parts(Some("Bearer abc")).headers).ok(),
            Some(Some("abc"))
        );
        assert_eq!(
            bearer(&parts(Some("bearer  abc ")).headers).ok(),
            Some(Some("abc"))
        );
        assert!(bearer(&parts(Some("Basic abc")).headers).is_err());
        assert!(bearer(&parts(Some("Bearer")).headers).is_err());
        assert!(bearer(&parts(Some("Bearer ")).headers).is_err());
    }
}
