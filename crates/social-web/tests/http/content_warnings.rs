//! Content warnings (`spoiler_text`) and sensitive media over real HTTP, on both faces: the API
//! stores and returns them, counts the warning within the length limit and refuses bad ones
//! with 422; the web form takes an optional warning, and pages show warned posts and
//! sensitive media closed behind `<details>` (no script).

use crate::api_write_support::{ALL, posts_count, upload, user};
use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use social_core::validate::DEFAULT_POST_MAX_CHARS as MAX;

/// `sensitive` and `spoiler_text` of a Status.
fn flags(s: &Value) -> (Option<bool>, Option<&str>) {
    (s["sensitive"].as_bool(), s["spoiler_text"].as_str())
}

#[tokio::test]
async fn api_content_warnings_stored_counted_and_checked() {
    each_backend!(|app: TestApp| async move {
        let alice = user(&app, "alice", ALL).await;
        let bob = user(&app, "bob", ALL).await;
        let s = alice
            .create(json!({"status": "the butler did it", "spoiler_text": "  film spoilers "}))
            .await
            .ok();
        assert_eq!(s["spoiler_text"], "film spoilers");
        assert_eq!(s["sensitive"], true, "a warning makes the status sensitive");
        let id = s["id"].as_str().unwrap().to_owned();
        let got = bob.get(&format!("/api/v1/statuses/{id}")).await.ok();
        assert_eq!(
            (&got["spoiler_text"], &got["sensitive"]),
            (&s["spoiler_text"], &s["sensitive"])
        );
        // In timelines too (the batched read path), and inside a boost only.
        let home = alice.get("/api/v1/timelines/home").await.ok();
        assert_eq!(home[0]["spoiler_text"], "film spoilers");
        let boost = bob.act("statuses", &id, "reblog").await.ok();
        assert_eq!(boost["spoiler_text"], "");
        assert_eq!(boost["reblog"]["spoiler_text"], "film spoilers");

        // `sensitive` alone, as a form field; no warning, no sensitivity.
        let media = upload(&app, alice.id, "api").await;
        let s = alice
            .post_form(
                "/api/v1/statuses",
                &[
                    ("status", "look"),
                    ("sensitive", "true"),
                    ("media_ids[]", &media),
                ],
            )
            .await
            .ok();
        assert_eq!(flags(&s), (Some(true), Some("")));
        let s = alice
            .create(json!({"status": "plain", "spoiler_text": ""}))
            .await
            .ok();
        assert_eq!(flags(&s), (Some(false), Some("")));

        // The warning counts within the limit: MAX in all passes, MAX + 1 does not.
        let warning = "w".repeat(MAX - 10);
        alice
            .create(json!({"status": "x".repeat(10), "spoiler_text": warning}))
            .await
            .ok();
        let err = alice
            .create(json!({"status": "x".repeat(11), "spoiler_text": warning}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err.contains("character limit"), "{err}");
        let before = posts_count(&app, alice.id).await;
        for bad in [
            "x".repeat(MAX + 1),
            "two\nlines".into(),
            "bell\u{7}".into(),
            "nul\0".into(),
        ] {
            let err = alice
                .create(json!({"status": "hi", "spoiler_text": bad}))
                .await
                .error(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(err.contains("spoiler_text"), "{err}");
        }
        alice
            .create(json!({"status": "hi", "sensitive": "maybe"}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        let after = posts_count(&app, alice.id).await;
        assert_eq!(before, after, "refused statuses are not stored");
    });
}

#[tokio::test]
async fn web_content_warnings_form_and_details() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let home = alice.get("/home").await;
        home.assert_status(StatusCode::OK)
            .assert_contains(r#"<label for="spoiler_text">Content warning</label>"#)
            .assert_contains(r#"name="spoiler_text""#);
        let resp = alice
            .post(
                "/posts",
                &[
                    ("text", "the butler did it"),
                    ("spoiler_text", "film <spoilers>"),
                ],
            )
            .await;
        resp.assert_status(StatusCode::SEE_OTHER);
        let profile = alice.get("/@alice").await;
        let id = *profile.post_ids().iter().max().unwrap();
        let page = alice.get(&format!("/@alice/{id}")).await;
        page.assert_status(StatusCode::OK).assert_contains(
            "<details class=\"warning\"><summary>Content warning: film &lt;spoilers&gt;</summary>\
             <div class=\"text\">",
        );
        // The body sits inside the closed details; no `open`, no script.
        let details = page.body.find("<details class=\"warning\">").unwrap();
        let text = page.body.find("the butler did it").unwrap();
        let end = page.body[details..].find("</details>").unwrap() + details;
        assert!(details < text && text < end);
        page.assert_lacks("<details class=\"warning\" open")
            .assert_lacks("<script");
        // The reply form keeps the warning, as on Mastodon.
        page.assert_contains(r#"value="film &lt;spoilers&gt;""#);
        // Plain posts have no details.
        let plain = alice.new_post("nothing to hide", "public").await;
        alice
            .get(&format!("/@alice/{plain}"))
            .await
            .assert_lacks("<details");

        // Bad warnings: the form again with 422, the message at the field, the input kept.
        let resp = alice
            .post("/posts", &[("text", "hi"), ("spoiler_text", "bell\u{7}")])
            .await;
        resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains(r#"id="spoiler_text-error""#)
            .assert_contains(r##"href="#spoiler_text""##)
            .assert_contains(r#"aria-invalid="true""#);
        let warning = "w".repeat(MAX - 5);
        let resp = alice
            .post("/posts", &[("text", "123456"), ("spoiler_text", &warning)])
            .await;
        resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("with the content warning")
            .assert_contains(&format!("value=\"{warning}\""))
            .assert_contains(">123456</textarea>");
        alice
            .post("/posts", &[("text", "12345"), ("spoiler_text", &warning)])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        // A missing CSRF token changes nothing.
        alice
            .post_raw("/posts", &[("text", "x"), ("spoiler_text", "cw")])
            .await
            .assert_status(StatusCode::FORBIDDEN);
    });
}

#[tokio::test]
async fn web_sensitive_media_behind_details() {
    each_backend!(|app: TestApp| async move {
        let api = user(&app, "alice", ALL).await;
        let viewer = app.user("bob").await;
        let hidden = upload(&app, api.id, "hidden").await;
        let s = api
            .create(json!({"status": "look", "sensitive": true, "media_ids": [hidden]}))
            .await
            .ok();
        let id = s["id"].as_str().unwrap();
        let page = viewer.get(&format!("/@alice/{id}")).await;
        page.assert_status(StatusCode::OK).assert_contains(
            "<details class=\"sensitive\"><summary>Sensitive media (1)</summary>\
             <div class=\"media\">",
        );
        // The text stays visible; only the thumbnails are behind the summary.
        let details = page.body.find("<details class=\"sensitive\">").unwrap();
        assert!(page.body.find("<div class=\"text\">").unwrap() < details);
        assert!(page.body.find("hidden-small.jpg").unwrap() > details);

        let shown = upload(&app, api.id, "shown").await;
        let s = api
            .create(json!({"status": "fine", "media_ids": [shown]}))
            .await
            .ok();
        let page = viewer
            .get(&format!("/@alice/{}", s["id"].as_str().unwrap()))
            .await;
        page.assert_contains("shown-small.jpg")
            .assert_lacks("<details");
    });
}
