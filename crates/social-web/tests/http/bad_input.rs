//! Client mistakes get a clear 4xx with a reason, never a 500, and write nothing.

use crate::each_backend;
use crate::harness::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn post_validation() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let cases: [(&[(&str, &str)], StatusCode); 5] = [
            (
                &[("text", "   "), ("visibility", "public")],
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                &[("text", &"x".repeat(501)), ("visibility", "public")],
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                &[("text", "hi"), ("visibility", "everyone")],
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                &[
                    ("text", "hi"),
                    ("visibility", "public"),
                    ("in_reply_to_id", "abc"),
                ],
                StatusCode::BAD_REQUEST,
            ),
            (&[("visibility", "public")], StatusCode::BAD_REQUEST),
        ];
        for (form, expected) in cases {
            let resp = alice.post("/posts", form).await;
            assert_eq!(resp.status, expected, "{form:?}: {}", resp.body);
            assert!(
                resp.body.len() > 50,
                "an explained error page: {}",
                resp.body
            );
        }
        alice
            .post(
                "/posts",
                &[("text", &"é".repeat(500)), ("visibility", "public")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        assert_eq!(
            alice.get("/@alice").await.post_ids().len(),
            1,
            "only the valid post landed"
        );
    });
}

#[tokio::test]
async fn oversized_bodies_are_refused_early() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let token = alice.get("/home").await.csrf();
        let body = format!(
            "csrf={token}&visibility=public&text={}",
            "a".repeat(200 * 1024)
        );
        let resp = alice
            .post_body(
                "/posts",
                "application/x-www-form-urlencoded",
                body.into_bytes(),
                &[],
            )
            .await;
        resp.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
        assert!(alice.get("/@alice").await.post_ids().is_empty());
    });
}

#[tokio::test]
async fn malformed_requests_get_4xx() {
    each_backend!(|app: TestApp| async move {
        let alice = app.user("alice").await;
        let token = alice.get("/home").await.csrf();
        // Not a form at all.
        let resp = alice
            .post_body(
                "/posts",
                "application/json",
                b"{\"text\":\"hi\"}".to_vec(),
                &[],
            )
            .await;
        assert!(
            resp.status == StatusCode::UNSUPPORTED_MEDIA_TYPE
                || resp.status == StatusCode::BAD_REQUEST
                || resp.status == StatusCode::FORBIDDEN,
            "{resp:?}"
        );
        // Broken percent-encoding / invalid UTF-8.
        let body = format!("csrf={token}&visibility=public&text=%FF%FE");
        let resp = alice
            .post_body(
                "/posts",
                "application/x-www-form-urlencoded",
                body.into_bytes(),
                &[],
            )
            .await;
        assert!(resp.status.is_client_error(), "{resp:?}");
        // Bad path and query parameters.
        for path in [
            "/posts/not-a-number/favourite",
            "/follow_requests/xyz/authorize",
        ] {
            let resp = alice.post(path, &[]).await;
            assert!(
                resp.status == StatusCode::BAD_REQUEST || resp.status == StatusCode::NOT_FOUND,
                "{path}: {resp:?}"
            );
        }
        for path in [
            "/local?max_id=abc",
            "/home?min_id=-",
            "/@alice/notanid",
            "/local?max_id=99999999999999999999999",
        ] {
            let resp = alice.get(path).await;
            assert!(
                resp.status == StatusCode::BAD_REQUEST || resp.status == StatusCode::NOT_FOUND,
                "{path}: {resp:?}"
            );
        }
        app.client()
            .get("/no/such/page")
            .await
            .assert_status(StatusCode::NOT_FOUND);
        // JSON clients get JSON errors.
        let resp = app
            .client()
            .get_with("/@nobody", &[("accept", "application/json")])
            .await;
        resp.assert_status(StatusCode::NOT_FOUND);
        let json: serde_json::Value = serde_json::from_str(&resp.body).expect("JSON error body");
        assert!(
            json["error"].is_string() && json["message"].is_string(),
            "{json}"
        );
        assert!(alice.get("/@alice").await.post_ids().is_empty());
    });
}

#[tokio::test]
async fn health_endpoints() {
    each_backend!(|app: TestApp| async move {
        app.client()
            .get("/healthz")
            .await
            .assert_status(StatusCode::OK);
        let ready = app.client().get("/readyz").await;
        ready.assert_status(StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
        assert_eq!(json["database"], "ok");
    });
}
