//! The Status entity.

use super::misc::TagRef;
use super::{RawJson, SharedStr, Urls, account_json, iso_ms, post_content};
use serde::Serialize;
use social_core::{AccountId, PostId};
use social_store::PostView;

/// A mention inside a Status.
#[derive(Clone, Debug, Serialize)]
pub struct MentionJson {
    pub id: AccountId,
    pub username: String,
    pub url: String,
    pub acct: String,
}

/// Mastodon's Status entity. Boosts carry the boosted post in `reblog` and have empty content.
#[derive(Clone, Debug, Serialize)]
pub struct StatusJson {
    pub id: PostId,
    pub uri: String,
    pub url: Option<String>,
    pub created_at: String,
    pub account: RawJson,
    pub content: SharedStr,
    /// `public`, `unlisted`, `private` (followers only) or `direct`.
    pub visibility: &'static str,
    pub sensitive: bool,
    pub spoiler_text: String,
    pub media_attachments: Vec<crate::api::media::MediaAttachmentJson>,
    pub application: Option<()>,
    pub mentions: Vec<MentionJson>,
    pub tags: Vec<TagRef>,
    pub emojis: [(); 0],
    pub reblogs_count: i64,
    pub favourites_count: i64,
    pub replies_count: i64,
    pub in_reply_to_id: Option<PostId>,
    pub in_reply_to_account_id: Option<AccountId>,
    pub reblog: Option<Box<StatusJson>>,
    pub poll: Option<()>,
    pub card: Option<()>,
    pub language: Option<String>,
    pub text: Option<String>,
    pub edited_at: Option<String>,
    pub favourited: bool,
    pub reblogged: bool,
    pub muted: bool,
    pub bookmarked: bool,
    pub pinned: bool,
    pub filtered: [(); 0],
}

pub fn status(v: &PostView, urls: &Urls) -> StatusJson {
    let p = &v.post;
    let page = urls.post(&v.author.username, p.id);
    StatusJson {
        id: p.id,
        uri: page.clone(),
        url: Some(page),
        created_at: iso_ms(p.created_at_ms),
        account: account_json(&v.author, urls),
        content: post_content(p.id.0, &p.text, &v.mentions, urls),
        visibility: p.visibility.as_str(),
        sensitive: p.sensitive,
        spoiler_text: p.spoiler_text.clone(),
        media_attachments: v
            .media
            .iter()
            .map(|m| crate::api::media::media_attachment_entity(m, &urls.base))
            .collect(),
        application: None,
        mentions: v
            .mentions
            .iter()
            .map(|m| MentionJson {
                id: m.account_id,
                username: m.username.clone(),
                url: urls.profile(&m.username),
                acct: m.username.clone(),
            })
            .collect(),
        tags: v
            .tags
            .iter()
            .map(|t| TagRef {
                name: t.clone(),
                url: urls.tag(t),
            })
            .collect(),
        emojis: [],
        reblogs_count: p.reblogs_count,
        favourites_count: p.favourites_count,
        replies_count: p.replies_count,
        in_reply_to_id: p.in_reply_to_id,
        in_reply_to_account_id: p.in_reply_to_account_id,
        reblog: v.reblog.as_ref().map(|r| Box::new(status(r, urls))),
        poll: None,
        card: None,
        language: None,
        text: None,
        edited_at: None,
        favourited: v.favourited,
        reblogged: v.reblogged,
        muted: false,
        bookmarked: false,
        pinned: false,
        filtered: [],
    }
}

pub fn statuses(views: &[PostView], urls: &Urls) -> Vec<StatusJson> {
    views.iter().map(|v| status(v, urls)).collect()
}
