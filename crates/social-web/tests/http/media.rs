//! Media uploads over real HTTP: each accepted format is re-encoded without metadata, EXIF
//! orientation applied; refusals (type, size, dimensions, missing file) with JSON errors;
//! tokens and scopes; own media only; attached images in the post page; serving the files.

use crate::each_backend;
use crate::harness::{self, TestApp};
use image::{DynamicImage, ImageFormat};
use reqwest::StatusCode;
use serde_json::Value;
use social_core::{AccountId, MediaId, Visibility};
use social_media::samples;
use social_store::PostInsert;
use social_web::WebConfig;

/// A bearer token of `account` with `scopes`, issued directly by the store.
async fn token(app: &TestApp, account: AccountId, scopes: &str) -> String {
    crate::api_support::api_token(app, account, scopes).await
}

/// One multipart part: name, optional (file name, content type), bytes.
type Part<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a [u8]);

const BOUNDARY: &str = "media-test-boundary-7MA4YWxkTrZu0gW";

fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some((filename, ctype)) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n\
                     Content-Type: {ctype}\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload_to(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    parts: &[Part<'_>],
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(parts));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, json)
}

async fn upload(app: &TestApp, token: &str, file: &[u8], name: &str) -> (StatusCode, Value) {
    upload_to(
        app,
        "/api/v2/media",
        Some(token),
        &[("file", Some((name, "application/octet-stream")), file)],
    )
    .await
}

/// Fetches a media URL from the entity; returns the response headers and body.
async fn fetch(url: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let resp = reqwest::get(url).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, headers, resp.bytes().await.unwrap().to_vec())
}

fn sample(format: ImageFormat) -> Vec<u8> {
    samples::encoded(
        &DynamicImage::ImageRgb8(samples::two_colours(64, 48)),
        format,
    )
}

#[tokio::test]
async fn api_media_upload_reencodes_and_strips_metadata() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", social_core::Role::User).await;
        let t = token(&app, alice, "read write:media").await;
        let original = samples::jpeg_with_exif(40, 20, 6);
        assert!(samples::has_metadata(&original), "the upload carries EXIF");
        let (status, m) = upload_to(
            &app,
            "/api/v2/media",
            Some(&t),
            &[
                ("description", None, "a red and blue flag".as_bytes()),
                ("file", Some(("holiday.jpg", "image/jpeg")), &original),
                ("focus", None, b"0.5,-0.5"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{m}");
        assert!(m["id"].as_str().unwrap().parse::<i64>().is_ok());
        assert_eq!(m["type"], "image");
        assert_eq!(m["remote_url"], Value::Null);
        assert_eq!(m["text_url"], Value::Null);
        assert_eq!(m["description"], "a red and blue flag");
        assert_eq!(m["blurhash"].as_str().unwrap().len(), 28);
        // Orientation 6 turned 40×20 into 20×40.
        assert_eq!(
            m["meta"]["original"],
            serde_json::json!({"width": 20, "height": 40, "size": "20x40", "aspect": 0.5})
        );
        assert_eq!(m["meta"]["small"]["width"], 20);
        assert_eq!(m["meta"]["focus"], serde_json::json!({"x": 0.5, "y": -0.5}));
        let url = m["url"].as_str().unwrap();
        assert!(url.starts_with(&format!("{}/media/", app.base)), "{url}");
        assert!(url.ends_with(".jpg"), "{url}");
        let (status, headers, bytes) = fetch(url).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "image/jpeg");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .starts_with("default-src 'none'")
        );
        assert!(
            headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age=31536000")
        );
        assert!(!samples::has_metadata(&bytes), "EXIF/GPS/comment survived");
        let stored = image::load_from_memory(&bytes).unwrap().to_rgb8();
        assert_eq!(stored.dimensions(), (20, 40));
        assert!(
            stored.get_pixel(10, 5).0[0] > 150,
            "red is on top after rotation"
        );
        let (status, _, thumb) = fetch(m["preview_url"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!samples::has_metadata(&thumb));

        // PNG (with transparency: stays PNG), GIF and WebP through v1, named as anything.
        let png = samples::png_with_alpha(30, 20);
        let (status, m) = upload_to(
            &app,
            "/api/v1/media",
            Some(&t),
            &[("file", Some(("x.gif", "image/gif")), &png)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{m}");
        let (_, headers, bytes) = fetch(m["url"].as_str().unwrap()).await;
        assert_eq!(headers["content-type"], "image/png");
        assert!(image::load_from_memory(&bytes).unwrap().color().has_alpha());
        for format in [ImageFormat::Gif, ImageFormat::WebP, ImageFormat::Png] {
            let (status, m) = upload(&app, &t, &sample(format), "upload.bin").await;
            assert_eq!(status, StatusCode::OK, "{format:?}: {m}");
            assert_eq!(m["meta"]["original"]["size"], "64x48", "{format:?}");
            let (status, headers, bytes) = fetch(m["url"].as_str().unwrap()).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(headers["content-type"], "image/jpeg", "{format:?}");
            assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
        }
    });
}

/// The MediaAttachment entity of a real upload, whole, as a snapshot (`snapshots/`), the same
/// on both backends: a fixed image gives fixed sizes and blurhash.
#[tokio::test]
async fn api_media_attachment_snapshot() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", social_core::Role::User).await;
        let t = token(&app, alice, "write:media").await;
        let png = sample(ImageFormat::Png);
        let (status, m) = upload_to(
            &app,
            "/api/v2/media",
            Some(&t),
            &[
                ("file", Some(("flag.png", "image/png")), &png),
                ("description", None, "a red and blue flag".as_bytes()),
                ("focus", None, b"-0.25,0.5"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{m}");
        crate::api_support::assert_snapshot("media_attachment", &m, &app.base);
    });
}

#[tokio::test]
async fn api_media_refusals() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", social_core::Role::User).await;
        let t = token(&app, alice, "write").await;
        let unsupported = serde_json::json!({"error": "File type not supported"});
        let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        for (bytes, name) in [
            (&b"hello, I am text\n"[..], "notes.jpg"),
            (&svg[..], "image.svg"),
            (&b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"[..], "doc.png"),
            (&b"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0"[..], "bitmap.bmp"),
        ] {
            let (status, body) = upload(&app, &t, bytes, name).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
            assert_eq!(body, unsupported, "{name}");
        }
        let jpeg = sample(ImageFormat::Jpeg);
        let (status, body) = upload(&app, &t, &jpeg[..jpeg.len() / 2], "cut.jpg").await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "truncated: {body}"
        );
        assert!(body["error"].as_str().is_some());
        let (status, body) =
            upload(&app, &t, &samples::png_claiming(60_000, 60_000), "bomb.png").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "bomb: {body}");
        let (status, body) = upload(&app, &t, &samples::png_claiming(8000, 6000), "big.png").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "48 Mpx: {body}");
        let (status, body) = upload_to(
            &app,
            "/api/v2/media",
            Some(&t),
            &[("description", None, b"no file")],
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing file: {body}"
        );
        let long = "x".repeat(1501);
        let (status, body) = upload_to(
            &app,
            "/api/v2/media",
            Some(&t),
            &[
                ("file", Some(("a.jpg", "image/jpeg")), &jpeg),
                ("description", None, long.as_bytes()),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "long alt: {body}");
        // Nothing refused left a file behind.
        let left = std::fs::read_dir(&app.media_dir)
            .map(|d| {
                d.flat_map(|e| std::fs::read_dir(e.unwrap().path()).unwrap())
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(left, 0, "files of refused uploads");
    });
}

#[tokio::test]
async fn api_media_size_limit() {
    for backend in harness::backends() {
        let config = WebConfig {
            media_max_bytes: 100_000,
            ..WebConfig::default()
        };
        let app = TestApp::spawn(&backend, config).await;
        let alice = app.account("alice", social_core::Role::User).await;
        let t = token(&app, alice, "write:media").await;
        // Declared far above the limit: refused from the header, before the body is read.
        let (status, body) = upload(&app, &t, &vec![0xFF; 400_000], "big.jpg").await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert!(body["error"].as_str().is_some());
        // Within the framing slack but the file itself is over the limit.
        let mut big = vec![0xFF, 0xD8, 0xFF];
        big.resize(120_000, 0);
        let (status, body) = upload(&app, &t, &big, "big.jpg").await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        // Below it, fine.
        let (status, body) = upload(&app, &t, &sample(ImageFormat::Jpeg), "ok.jpg").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // Other API routes keep their small limit.
        let resp = reqwest::Client::new()
            .put(format!(
                "{}/api/v1/media/{}",
                app.base,
                body["id"].as_str().unwrap()
            ))
            .bearer_auth(&t)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("description={}", "a".repeat(200_000)))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
}

#[tokio::test]
async fn api_media_tokens_scopes_and_owners() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", social_core::Role::User).await;
        let bob = app.account("bob", social_core::Role::User).await;
        let jpeg = sample(ImageFormat::Jpeg);
        let file: Part<'_> = ("file", Some(("a.jpg", "image/jpeg")), &jpeg);
        let (status, body) = upload_to(&app, "/api/v2/media", None, &[file]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        let (status, body) = upload_to(&app, "/api/v2/media", Some("not-a-token"), &[file]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        let read_only = token(&app, alice, "read").await;
        let (status, body) = upload_to(&app, "/api/v2/media", Some(&read_only), &[file]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

        let ta = token(&app, alice, "write").await;
        let tb = token(&app, bob, "write:media").await;
        let (status, m) = upload_to(&app, "/api/v2/media", Some(&ta), &[file]).await;
        assert_eq!(status, StatusCode::OK, "{m}");
        let id = m["id"].as_str().unwrap();
        let http = reqwest::Client::new();
        let get = |t: &str, id: &str| {
            http.get(format!("{}/api/v1/media/{id}", app.base))
                .bearer_auth(t)
                .send()
        };
        let resp = get(&ta, id).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.json::<Value>().await.unwrap(), m);
        let resp = get(&tb, id).await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            resp.json::<Value>().await.unwrap()["error"],
            "Record not found"
        );
        assert_eq!(
            get(&ta, "12345").await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get(&ta, "nope").await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get(&read_only, id).await.unwrap().status(),
            StatusCode::FORBIDDEN
        );

        let put = |t: &str, body: &'static str| {
            http.put(format!("{}/api/v1/media/{id}", app.base))
                .bearer_auth(t)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
        };
        let resp = put(&tb, "description=mine%20now").await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        let resp = put(&ta, "description=a%20flag&focus=-0.25,0.75")
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let updated: Value = resp.json().await.unwrap();
        assert_eq!(updated["description"], "a flag");
        assert_eq!(
            updated["meta"]["focus"],
            serde_json::json!({"x": -0.25, "y": 0.75})
        );
        assert_eq!(
            put(&ta, "focus=3,0").await.unwrap().status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        // JSON bodies too.
        let resp = http
            .put(format!("{}/api/v1/media/{id}", app.base))
            .bearer_auth(&ta)
            .json(&serde_json::json!({"description": "json alt"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let updated: Value = resp.json().await.unwrap();
        assert_eq!(updated["description"], "json alt");
        assert_eq!(
            updated["meta"]["focus"],
            serde_json::json!({"x": -0.25, "y": 0.75})
        );
        // Bob cannot attach Alice's media to his post either.
        let err = app
            .store
            .create_post(PostInsert {
                author_id: bob,
                text: "stolen".into(),
                visibility: Visibility::Public,
                in_reply_to_id: None,
                spoiler_text: String::new(),
                sensitive: false,
                media_ids: vec![id.parse::<MediaId>().unwrap()],
            })
            .await;
        assert!(err.is_err());
    });
}

#[tokio::test]
async fn api_media_attached_shows_in_post_page() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", social_core::Role::User).await;
        let t = token(&app, alice, "write:media").await;
        let (status, m) = upload_to(
            &app,
            "/api/v2/media",
            Some(&t),
            &[
                (
                    "file",
                    Some(("a.png", "image/png")),
                    &sample(ImageFormat::Png),
                ),
                ("description", None, "two <colours> & a line".as_bytes()),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{m}");
        let id: MediaId = m["id"].as_str().unwrap().parse().unwrap();
        let post = app
            .store
            .create_post(PostInsert {
                author_id: alice,
                text: "look".into(),
                visibility: Visibility::Public,
                in_reply_to_id: None,
                spoiler_text: String::new(),
                sensitive: false,
                media_ids: vec![id],
            })
            .await
            .unwrap();
        let view = app.store.get_post_view(None, post.id).await.unwrap();
        assert_eq!(view.media.len(), 1);
        let thumb = &view.media[0].thumb_name;
        let page = app.client().get(&format!("/@alice/{}", post.id)).await;
        page.assert_status(StatusCode::OK)
            .assert_contains(&format!("src=\"/media/{thumb}\""))
            .assert_contains("alt=\"two &lt;colours&gt; &amp; a line\"")
            .assert_contains("loading=\"lazy\"")
            .assert_contains("width=\"64\" height=\"48\"");
        // The Status entity embeds the MediaAttachment entity.
        let status: Value = reqwest::Client::new()
            .get(format!("{}/api/v1/statuses/{}", app.base, post.id))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(status["media_attachments"], serde_json::json!([m]));
        // The local timeline shows it too.
        app.client()
            .get("/local")
            .await
            .assert_contains(&format!("/media/{thumb}"));
    });
}

#[tokio::test]
async fn media_files_no_traversal() {
    each_backend!(|app: TestApp| async move {
        let http = reqwest::Client::new();
        for path in [
            "/media/..%2fsocial.db",
            "/media/ab/..%2f..%2fsocial.db",
            "/media/%2e%2e/social.db",
            "/media/ab/ab0123456789abcdef0123456789abcd.jpg",
            "/media/ab/ab0123456789abcdef0123456789abcd.svg",
            "/media/social.db",
            "/media/",
        ] {
            let resp = http
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        }
    });
}

#[tokio::test]
async fn media_orphan_sweep_removes_rows_and_files() {
    each_backend!(|app: TestApp| async move {
        let alice = app.account("alice", social_core::Role::User).await;
        let t = token(&app, alice, "write:media").await;
        let jpeg = sample(ImageFormat::Jpeg);
        let (_, orphan) = upload(&app, &t, &jpeg, "orphan.jpg").await;
        let (_, used) = upload(&app, &t, &jpeg, "used.jpg").await;
        let used_id: MediaId = used["id"].as_str().unwrap().parse().unwrap();
        app.store
            .create_post(PostInsert {
                author_id: alice,
                text: "kept".into(),
                visibility: Visibility::Public,
                in_reply_to_id: None,
                spoiler_text: String::new(),
                sensitive: false,
                media_ids: vec![used_id],
            })
            .await
            .unwrap();
        let state = social_web::AppState::new(
            WebConfig {
                media_dir: app.media_dir.clone(),
                ..WebConfig::default()
            },
            app.store.clone(),
        );
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap();
        // Fresh uploads are kept for a day.
        assert_eq!(
            social_web::media::sweep_orphans(&state, now).await.unwrap(),
            0
        );
        let later = now + social_web::media::ORPHAN_AGE_MS + 1000;
        assert_eq!(
            social_web::media::sweep_orphans(&state, later)
                .await
                .unwrap(),
            1
        );
        for key in ["url", "preview_url"] {
            let (status, _, _) = fetch(orphan[key].as_str().unwrap()).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{key} of the orphan");
            let (status, _, _) = fetch(used[key].as_str().unwrap()).await;
            assert_eq!(status, StatusCode::OK, "{key} of the attached one");
        }
    });
}
