//! The cache seam: Redis going away mid-run slows the site down at most; it never errors.

use crate::harness::{TestApp, backends};
use crate::redis_server::RedisServer;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

#[tokio::test]
async fn site_keeps_answering_when_redis_stops() {
    for backend in backends() {
        let mut redis = RedisServer::start();
        let app = TestApp::spawn_with(&backend, Default::default(), Some(redis.url())).await;
        assert_eq!(app.store.cache().kind(), "redis");
        let alice = app.user("alice").await;
        let bob = app.user("bob").await;
        bob.post("/@alice/follow", &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        alice.new_post("before the outage", "public").await;
        bob.get("/home")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("before the outage");

        redis.stop();

        // Sessions, posting, timelines, sign-in and readiness all keep working, promptly.
        for round in 0..3 {
            let started = Instant::now();
            let id = alice
                .new_post(&format!("during the outage {round}"), "public")
                .await;
            let home = bob.get("/home").await;
            home.assert_status(StatusCode::OK);
            assert!(home.post_ids().contains(&id));
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "requests do not hang on Redis"
            );
        }
        let carol = app.user("carol").await;
        carol
            .get("/local")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("during the outage");
        let ready = app.client().get("/readyz").await;
        ready.assert_status(StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
        assert_eq!(json["cache"], "redis");
        assert_eq!(json["cache_healthy"], false);
    }
}
