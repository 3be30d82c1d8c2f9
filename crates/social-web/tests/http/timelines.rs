//! Timelines: pagination by cursor, hashtags, profiles.

use crate::each_backend;
use crate::harness::{Resp, TestApp};
use reqwest::StatusCode;

/// The href of the link whose text is `label` ("Older" / "Newer").
fn link(page: &Resp, label: &str) -> Option<String> {
    let at = page.body.find(&format!(">{label}<"))?;
    let start = page.body[..at].rfind("href=\"")? + 6;
    let end = start + page.body[start..].find('"')?;
    Some(page.body[start..end].replace("&amp;", "&"))
}

#[tokio::test]
async fn cursor_pagination_walks_without_gaps_or_repeats() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let mut written = Vec::new();
        for i in 0..45 {
            written.push(
                alice
                    .new_post(&format!("numbered post {i}"), "public")
                    .await,
            );
        }
        written.reverse(); // newest first, as timelines are

        for start in ["/local", "/@alice", "/home"] {
            let client = if start == "/home" {
                &alice
            } else {
                &app.client()
            };
            let mut seen = Vec::new();
            let mut page = client.get(start).await;
            loop {
                page.assert_status(StatusCode::OK);
                let ids = page.post_ids();
                assert!(ids.len() <= 20, "{start}: pages hold at most 20");
                seen.extend(ids);
                match link(&page, "Older") {
                    Some(next) if seen.len() < 100 => page = client.get(&next).await,
                    _ => break,
                }
            }
            assert_eq!(seen, written, "{start}: every post once, newest first");

            // Going back from the oldest page with min_id gives the page just above it.
            let oldest = *written.last().unwrap();
            let newer = client.get(&format!("{start}?min_id={oldest}")).await;
            assert_eq!(
                newer.post_ids(),
                written[24..44].to_vec(),
                "{start}: min_id"
            );
            let older = client.get(&format!("{start}?max_id={}", written[10])).await;
            assert_eq!(
                older.post_ids(),
                written[11..31].to_vec(),
                "{start}: max_id"
            );
        }
    });
}

#[tokio::test]
async fn hashtag_timeline_lists_public_tagged_posts() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let tagged = alice.new_post("learning #Rust today", "public").await;
        let unlisted = alice.new_post("quiet #rust note", "unlisted").await;
        let other = alice.new_post("about #go", "public").await;
        let ids = app.client().get("/tags/rust").await.post_ids();
        assert!(ids.contains(&tagged));
        assert!(!ids.contains(&unlisted) && !ids.contains(&other));
        let ids = app.client().get("/tags/RUST").await.post_ids();
        assert!(ids.contains(&tagged), "tags ignore case");
        app.client()
            .get("/tags/nothing_here")
            .await
            .assert_status(StatusCode::OK);
    });
}

#[tokio::test]
async fn unknown_profile_is_404() {
    each_backend!(|app: TestApp| async move {
        app.client()
            .get("/@nobody")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        app.client()
            .get("/nobody")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        app.client()
            .get("/@nobody/12")
            .await
            .assert_status(StatusCode::NOT_FOUND);
    });
}
