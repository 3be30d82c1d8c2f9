//! Screening a new post against the content filters before it is written (web and API): it is
//! posted, posted as sensitive, held for review, or refused. Staff posts are not screened.

use crate::AppState;
use social_core::Account;
use social_core::rules::FilterAction;
use social_store::{HeldPost, PostInsert, StoreResult};

/// What the author is told when a filter refuses the post (the pattern stays secret).
pub const REJECTED: &str = "This post breaks a rule of this server and was not published.";

pub enum Screened {
    /// Post it (a `sensitive` filter has set the flag).
    Post(PostInsert),
    /// Held for review: not posted.
    Held(HeldPost),
    /// Refused: tell the author [`REJECTED`].
    Rejected,
}

pub async fn screen(
    state: &AppState,
    author: &Account,
    mut insert: PostInsert,
) -> StoreResult<Screened> {
    if author.role.is_staff() {
        return Ok(Screened::Post(insert));
    }
    let filters = state.store.compiled_filters().await?;
    let Some(hit) = filters.check(&[&insert.text, &insert.spoiler_text]) else {
        return Ok(Screened::Post(insert));
    };
    Ok(match hit.action {
        FilterAction::Sensitive => {
            insert.sensitive = true;
            Screened::Post(insert)
        }
        FilterAction::Hold => Screened::Held(state.store.hold_post(insert, &hit.reason).await?),
        FilterAction::Reject => Screened::Rejected,
    })
}
