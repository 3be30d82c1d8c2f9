//! The cache seam: Redis going away mid-run slows the site down at most; it never errors.

use crate::harness::{TestApp, backends};
use reqwest::StatusCode;
use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private redis-server for this test only, killed on drop.
struct Redis {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Redis {
    fn start() -> Redis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (the test command installs it)");
        let redis = Redis {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !redis.answers_ping() {
            assert!(Instant::now() < deadline, "redis-server did not come up");
            std::thread::yield_now();
        }
        redis
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut conn) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let mut buf = [0u8; 7];
        conn.write_all(b"PING\r\n").is_ok()
            && conn.read_exact(&mut buf).is_ok()
            && &buf == b"+PONG\r\n"
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn stop(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn site_keeps_answering_when_redis_stops() {
    for backend in backends() {
        let mut redis = Redis::start();
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
