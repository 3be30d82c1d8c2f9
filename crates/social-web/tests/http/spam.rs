//! The spam defence over real HTTP: new accounts' posts that mass-mention strangers or repeat
//! what other accounts posted are held for review (in the moderators' queue, not on the local
//! timeline); established accounts' ordinary posts are not; new-account limits refuse a post
//! with a message saying which limit (web form and API, 422).

use crate::api_write_support::user as api_user;
use crate::harness::{Client, TestApp, backends};
use reqwest::StatusCode;
use serde_json::json;
use social_core::Role;
use social_core::spam::NewAccountLimits;
use social_store::Page;
use social_web::WebConfig;
use social_web::screening::SpamDefence;

const HOUR_MS: i64 = 3_600_000;

fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

fn config(limits: NewAccountLimits) -> WebConfig {
    WebConfig {
        spam: Some(SpamDefence {
            limits,
            ..SpamDefence::default()
        }),
        ..WebConfig::default()
    }
}

/// A logged-in user whose account was created `age_ms` ago.
async fn user_aged(app: &TestApp, name: &str, age_ms: i64) -> Client {
    let id = app.account(name, Role::User).await;
    app.store
        .set_account_created_at(id, now_ms() - age_ms)
        .await
        .unwrap();
    app.login(name).await
}

/// Posts through the web form; true when held (redirected to the author's held posts).
async fn post_is_held(client: &Client, text: &str) -> bool {
    let resp = client.post("/posts", &[("text", text)]).await;
    resp.assert_status(StatusCode::SEE_OTHER);
    resp.location() == "/settings/held?held=1"
}

async fn held_count(app: &TestApp) -> usize {
    app.store
        .list_held_posts(Page::first(50))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn spam_new_account_mentioning_many_strangers_is_held() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        // Limits only in the first hour, so the two-hour-old account reaches the score.
        let limits = NewAccountLimits {
            young_hours: 1,
            ..NewAccountLimits::default()
        };
        let app = TestApp::spawn(&backend, config(limits)).await;
        for name in ["s1", "s2", "s3", "s4", "s5"] {
            app.account(name, Role::User).await;
        }
        app.account("mod", Role::Moderator).await;
        let moderator = app.login("mod").await;
        let reader = app.user("reader").await;
        let newbie = user_aged(&app, "newbie", 2 * HOUR_MS).await;

        // Mentioning four strangers is fine, five is held.
        assert!(!post_is_held(&newbie, "hi @s1 @s2 @s3 @s4, welcome").await);
        let text = "look at this @s1 @s2 @s3 @s4 @s5";
        assert!(post_is_held(&newbie, text).await);
        reader.get("/local").await.assert_contains("welcome");
        reader.get("/local").await.assert_lacks("look at this");
        moderator
            .get("/admin/held")
            .await
            .assert_contains("look at this")
            .assert_contains("@newbie")
            .assert_contains("spam score")
            .assert_contains("5 mentions of accounts that do not follow the author");
        // A day later the same post is published.
        let old = user_aged(&app, "oldie", 48 * HOUR_MS).await;
        assert!(!post_is_held(&old, "hello @s1 @s2 @s3 @s4 @s5").await);
        assert_eq!(held_count(&app).await, 1);
    }
}

#[tokio::test]
async fn spam_same_text_from_many_new_accounts_is_held_from_the_fourth() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let app = TestApp::spawn(&backend, config(NewAccountLimits::default())).await;
        let reader = app.user("reader").await;
        let text = "Make money fast from home, ask me how!";
        for (i, name) in ["a1", "a2", "a3", "a4", "a5"].into_iter().enumerate() {
            let client = app.user(name).await;
            // Numbers and case vary; the message is the same.
            let varied = format!("{text} Code {i}{i}");
            assert_eq!(post_is_held(&client, &varied).await, i >= 3, "post {i}");
        }
        assert_eq!(held_count(&app).await, 2);
        let held = app.store.list_held_posts(Page::first(1)).await.unwrap();
        assert!(
            held[0]
                .reason
                .contains("the same text was posted recently by 4 other accounts"),
            "{}",
            held[0].reason
        );
        let local = reader.get("/local").await;
        assert_eq!(local.body.matches("Make money fast").count(), 3);
    }
}

#[tokio::test]
async fn spam_established_accounts_ordinary_posts_are_never_held() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let app = TestApp::spawn(&backend, config(NewAccountLimits::default())).await;
        for name in ["s1", "s2", "s3"] {
            app.account(name, Role::User).await;
        }
        let old = user_aged(&app, "oldie", 365 * 24 * HOUR_MS).await;
        let topics = [
            "sourdough",
            "bicycles",
            "gardening",
            "astronomy",
            "chess",
            "knitting",
            "rust",
            "jazz",
            "hiking",
            "pottery",
            "birds",
            "tea",
        ];
        for topic in topics {
            let text = format!(
                "My notes on {topic}: https://blog.example/{topic} and \
                 https://docs.example/{topic} for @s1 @s2 @s3"
            );
            assert!(!post_is_held(&old, &text).await, "{topic}");
        }
        // A retry of the same text is fine too.
        assert!(!post_is_held(&old, "Post 1: my notes, again, sorry about that").await);
        assert!(!post_is_held(&old, "Post 1: my notes, again, sorry about that").await);
        // So is a new account's post with a link that mentions a follower.
        let newbie = app.user("newbie").await;
        app.login("s1")
            .await
            .post("/@newbie/follow", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        assert!(!post_is_held(&newbie, "hello @s1, see https://blog.example/me").await);
        assert_eq!(held_count(&app).await, 0);
        let local = app.user("reader").await.get("/local").await;
        assert!(local.body.contains("hello"));
    }
}

#[tokio::test]
async fn spam_new_account_limits_refuse_with_the_message() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let app = TestApp::spawn(&backend, config(NewAccountLimits::default())).await;
        for name in ["s1", "s2", "s3"] {
            app.account(name, Role::User).await;
        }
        let newbie = app.user("newbie").await;
        newbie
            .post(
                "/posts",
                &[(
                    "text",
                    "https://a.example https://b.example https://c.example",
                )],
            )
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("For their first 24 hours, accounts may include at most 2 links");
        newbie
            .post("/posts", &[("text", "hey @s1 @s2 @s3")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("may mention at most 2 people who do not follow them");
        // The API answers a Mastodon-style error with the same message.
        let api = api_user(&app, "apinew", "read write").await;
        let error = api
            .post(
                "/api/v1/statuses",
                json!({"status": "hey @s1 @s2 @s3, look"}),
            )
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error,
            "For their first 24 hours, accounts may mention at most 2 people who do not \
             follow them in a post."
        );
        // Ten posts an hour, then a refusal; nothing was held or posted by the refusals.
        let words = [
            "apple", "banana", "cherry", "damson", "elder", "fig", "grape", "hazel", "ice",
            "juniper",
        ];
        for w in words {
            assert!(!post_is_held(&newbie, w).await, "{w}");
        }
        newbie
            .post("/posts", &[("text", "kiwi")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("at most 10 posts an hour");
        assert_eq!(held_count(&app).await, 0);
        // Established accounts are not limited.
        let old = user_aged(&app, "oldie", 48 * HOUR_MS).await;
        assert!(
            !post_is_held(
                &old,
                "https://a.example https://b.example https://c.example"
            )
            .await
        );
    }
}

#[tokio::test]
async fn spam_classifier_trained_by_moderators_tips_the_score() {
    for backend in backends() {
        eprintln!("--- backend {backend:?}");
        let app = TestApp::spawn(&backend, config(NewAccountLimits::default())).await;
        let admin = app.account("root", Role::Admin).await;
        let newbie = app.user("newbie").await;
        // Two links on one site from a new account: 4 points, published.
        let links = "https://shop.example/a https://shop.example/b";
        assert!(!post_is_held(&newbie, &format!("cheap watches for you {links}")).await);

        // Moderators reject five such posts and approve five others.
        let trainer = app.account("trainer", Role::User).await;
        for i in 0..5 {
            for (text, spam) in [
                (
                    format!("cheap watches {i} buy now https://shop.example/{i}"),
                    true,
                ),
                (
                    format!("our garden club meets on day {i}, bring tea"),
                    false,
                ),
            ] {
                let insert = social_store::PostInsert {
                    author_id: trainer,
                    text,
                    visibility: social_core::Visibility::Public,
                    in_reply_to_id: None,
                    spoiler_text: String::new(),
                    sensitive: false,
                    media_ids: Vec::new(),
                };
                let held = app.store.hold_post(insert, "test").await.unwrap();
                if spam {
                    app.store
                        .reject_held_post(admin, held.id, "spam")
                        .await
                        .unwrap();
                } else {
                    app.store
                        .approve_held_post(admin, held.id, "ok")
                        .await
                        .unwrap();
                }
            }
        }
        // The same kind of post now scores over the threshold.
        assert!(post_is_held(&newbie, &format!("cheap watches, buy now {links}")).await);
        let held = app.store.list_held_posts(Page::first(1)).await.unwrap();
        assert!(
            held[0].reason.contains("the spam classifier rates it"),
            "{}",
            held[0].reason
        );
        // A hammy post with the same links is not.
        assert!(!post_is_held(&newbie, &format!("garden club photos {links}")).await);
    }
}
