//! Named fixtures: accounts and a post builder.

use social_core::{Account, AccountStatus, Post, PostId, Role, Visibility};
use social_store::{AccountInsert, PostInsert, Store};

pub const PASSWORD: &str = "correct horse battery";

pub fn account_insert(name: &str) -> AccountInsert {
    AccountInsert {
        username: name.to_owned(),
        password: PASSWORD.to_owned(),
        role: Role::User,
        status: AccountStatus::Active,
        signup_reason: String::new(),
        invite_code: None,
    }
}

pub async fn account(store: &Store, name: &str) -> Account {
    store
        .create_account(account_insert(name))
        .await
        .expect("create account")
}

pub async fn alice(store: &Store) -> Account {
    account(store, "alice").await
}
pub async fn bob(store: &Store) -> Account {
    account(store, "bob").await
}
pub async fn carol(store: &Store) -> Account {
    account(store, "carol").await
}
pub async fn dave(store: &Store) -> Account {
    account(store, "dave").await
}

/// Builder: `post_by(&alice).text("hi").visibility(Private).reply_to(id).create(&store)`.
pub struct PostBuilder {
    insert: PostInsert,
}

pub fn post_by(author: &Account) -> PostBuilder {
    PostBuilder {
        insert: PostInsert {
            author_id: author.id,
            text: format!("a post by {}", author.username),
            visibility: Visibility::Public,
            in_reply_to_id: None,
            spoiler_text: String::new(),
            sensitive: false,
            media_ids: Vec::new(),
        },
    }
}

impl PostBuilder {
    pub fn text(mut self, text: &str) -> Self {
        self.insert.text = text.to_owned();
        self
    }
    pub fn visibility(mut self, v: Visibility) -> Self {
        self.insert.visibility = v;
        self
    }
    pub fn reply_to(mut self, id: PostId) -> Self {
        self.insert.in_reply_to_id = Some(id);
        self
    }
    pub fn warning(mut self, spoiler_text: &str) -> Self {
        self.insert.spoiler_text = spoiler_text.to_owned();
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.insert.sensitive = true;
        self
    }
    pub fn media(mut self, ids: &[social_core::MediaId]) -> Self {
        self.insert.media_ids = ids.to_vec();
        self
    }
    pub fn insert(self) -> PostInsert {
        self.insert
    }
    pub async fn create(self, store: &Store) -> Post {
        store.create_post(self.insert).await.expect("create post")
    }
}
