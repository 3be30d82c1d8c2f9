//! Instance rules over real HTTP: the admin pages of content filters, sign-up IP blocks and
//! server rules (who may use them, bad input, the audit log), filters applied to web and API
//! posts, blocked sign-ups (directly and through a trusted proxy), and the rules at sign-up,
//! on /about and in the API.

use crate::api_write_support::user as api_user;
use crate::each_backend;
use crate::harness::{Client, TestApp, backends};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;
use social_core::{ModAction, Role};
use social_store::Page;

async fn moderator(app: &TestApp, name: &str) -> Client {
    app.account(name, Role::Moderator).await;
    app.login(name).await
}

/// The actions of the audit log, newest first.
async fn audit_actions(app: &TestApp) -> Vec<ModAction> {
    let entries = app.store.list_audit_log(Page::first(40)).await.unwrap();
    entries.into_iter().map(|e| e.action).collect()
}

async fn add_filter(
    admin: &Client,
    kind: &str,
    pattern: &str,
    action: &str,
) -> crate::harness::Resp {
    admin
        .post(
            "/admin/filters",
            &[("kind", kind), ("pattern", pattern), ("action", action)],
        )
        .await
}

#[tokio::test]
async fn rules_admin_pages_refuse_others() {
    each_backend!(|app: TestApp| async move {
        let admin = app.admin("root").await;
        let user = app.user("alice").await;
        let moderator = moderator(&app, "mod").await;
        let anon = app.client();
        let admin_only = ["/admin/filters", "/admin/ip-blocks", "/admin/rules"];
        for path in admin_only.iter().chain(&["/admin/held"]) {
            admin.get(path).await.assert_status(StatusCode::OK);
            user.get(path).await.assert_status(StatusCode::FORBIDDEN);
            let to_login = anon.get(path).await;
            to_login.assert_status(StatusCode::SEE_OTHER);
            assert!(to_login.location().starts_with("/login"));
        }
        for path in admin_only {
            moderator
                .get(path)
                .await
                .assert_status(StatusCode::FORBIDDEN);
        }
        moderator
            .get("/admin/held")
            .await
            .assert_status(StatusCode::OK);
        let posts: [(&str, &[(&str, &str)]); 9] = [
            (
                "/admin/filters",
                &[("kind", "keyword"), ("pattern", "x"), ("action", "hold")],
            ),
            ("/admin/filters/1/delete", &[]),
            ("/admin/ip-blocks", &[("network", "10.0.0.0/8")]),
            ("/admin/ip-blocks/1/delete", &[]),
            ("/admin/rules", &[("text", "Be kind")]),
            ("/admin/rules/1", &[("text", "Be kind"), ("position", "1")]),
            ("/admin/rules/1/delete", &[]),
            (
                "/admin/held/1",
                &[("decision", "approve"), ("reason", "ok")],
            ),
            ("/admin/held/1", &[("decision", "reject"), ("reason", "no")]),
        ];
        for (path, form) in posts {
            user.post(path, form)
                .await
                .assert_status(StatusCode::FORBIDDEN);
            anon.post_raw(path, form)
                .await
                .assert_status(StatusCode::FORBIDDEN);
            if !path.starts_with("/admin/held") {
                moderator
                    .post(path, form)
                    .await
                    .assert_status(StatusCode::FORBIDDEN);
            }
        }
        // Nothing was written by any of them.
        assert!(app.store.list_filters().await.unwrap().is_empty());
        assert!(app.store.list_ip_blocks().await.unwrap().is_empty());
        assert!(app.store.list_rules().await.unwrap().is_empty());
        assert!(audit_actions(&app).await.is_empty());
    });
}

#[tokio::test]
async fn rules_filters_managed_and_bad_input() {
    each_backend!(|app: TestApp| async move {
        let admin = app.admin("root").await;
        let long = "x".repeat(201);
        let cases: [(&str, &str, &str, &str); 6] = [
            (
                "regex",
                "(unclosed",
                "hold",
                "not a valid regular expression",
            ),
            ("regex", r"\w{1000}\w{1000}", "hold", "too complex"),
            ("keyword", &long, "hold", "At most 200 characters"),
            ("keyword", "  ", "hold", "Enter a pattern"),
            ("glob", "spam", "hold", "Choose how the pattern matches"),
            (
                "keyword",
                "spam",
                "delete",
                "Choose reject, hold or sensitive",
            ),
        ];
        for (kind, pattern, action, message) in cases {
            add_filter(&admin, kind, pattern, action)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(message);
        }
        assert!(app.store.list_filters().await.unwrap().is_empty());
        add_filter(&admin, "word", "casino", "reject")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        add_filter(&admin, "regex", r"(?i)buy\s+now", "sensitive")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let page = admin.get("/admin/filters").await;
        page.assert_contains("casino").assert_contains(r"buy\s+now");
        let list = app.store.list_filters().await.unwrap();
        assert_eq!(list.len(), 2);
        admin
            .post(&format!("/admin/filters/{}/delete", list[0].id), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        admin
            .post(&format!("/admin/filters/{}/delete", list[0].id), &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        admin
            .post("/admin/filters/zz/delete", &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        admin.get("/admin/filters").await.assert_lacks("casino");
        assert_eq!(
            audit_actions(&app).await,
            [
                ModAction::DeleteFilter,
                ModAction::AddFilter,
                ModAction::AddFilter
            ]
        );
        // The audit log page names them.
        admin
            .get("/admin/audit")
            .await
            .assert_contains("add_filter")
            .assert_contains("delete_filter");
    });
}

#[tokio::test]
async fn rules_filters_apply_to_web_and_api_posts() {
    each_backend!(|app: TestApp| async move {
        let admin = app.admin("root").await;
        add_filter(&admin, "word", "casino", "reject")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        add_filter(&admin, "keyword", "crypto", "sensitive")
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let alice = app.user("alice").await;
        let api = api_user(&app, "bob", "read write").await;

        // Reject: web 422 with the composer again; the text and the warning are both checked.
        let resp = alice.post("/posts", &[("text", "Online CASINO!")]).await;
        resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("breaks a rule of this server")
            .assert_contains("Online CASINO!");
        alice
            .post("/posts", &[("text", "hi"), ("spoiler_text", "casino")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        // Not a whole word: posted.
        alice.new_post("casinos are loud", "public").await;
        let error = api
            .post("/api/v1/statuses", json!({"status": "casino night"}))
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error.contains("breaks a rule of this server"), "{error}");

        // Sensitive: published with the flag.
        let s = api
            .post("/api/v1/statuses", json!({"status": "about Crypto"}))
            .await
            .ok();
        assert_eq!(s["sensitive"], true);
        let s = api
            .post("/api/v1/statuses", json!({"status": "about nothing"}))
            .await
            .ok();
        assert_eq!(s["sensitive"], false);

        // Staff posts are not filtered.
        admin.new_post("casino rules explained", "public").await;
        app.client()
            .get("/local")
            .await
            .assert_contains("casino rules explained");

        // A deleted filter stops applying at once (the compiled cache is rebuilt).
        let casino = app.store.list_filters().await.unwrap()[0].id;
        admin
            .post(&format!("/admin/filters/{casino}/delete"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        api.post("/api/v1/statuses", json!({"status": "casino night"}))
            .await
            .ok();
    });
}

#[tokio::test]
async fn rules_ip_blocks_refuse_signup() {
    each_backend!(|app: TestApp| async move {
        let admin = app.admin("root").await;
        let anon = app.client();
        anon.get("/signup").await.assert_status(StatusCode::OK);
        let cases: [(&[(&str, &str)], &str); 6] = [
            (
                &[("network", "10.0.0.0/33")],
                "prefix length must be 1 to 32",
            ),
            (&[("network", "::/0")], "prefix length must be 1 to 128"),
            (&[("network", "not-an-ip")], "not an IP address"),
            (&[("network", "")], "not an IP address"),
            (
                &[("network", "10.0.0.0/8"), ("expires_in_days", "0")],
                "whole number of days",
            ),
            (
                &[("network", "10.0.0.0/8"), ("note", &"n".repeat(501))],
                "At most 500",
            ),
        ];
        for (form, message) in cases {
            admin
                .post("/admin/ip-blocks", form)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(message);
        }
        admin
            .post(
                "/admin/ip-blocks",
                &[("network", "2001:db8::1/32"), ("note", "v6 spam")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        admin
            .post(
                "/admin/ip-blocks",
                &[("network", "127.0.0.9/8"), ("expires_in_days", "7")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        admin
            .post("/admin/ip-blocks", &[("network", "127.1.2.3/8")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("already blocked");
        admin
            .get("/admin/ip-blocks")
            .await
            .assert_contains("2001:db8::/32")
            .assert_contains("127.0.0.0/8")
            .assert_contains("v6 spam");
        // The test client connects from 127.0.0.1.
        anon.get("/signup")
            .await
            .assert_status(StatusCode::FORBIDDEN)
            .assert_contains("Sign-up from your network is blocked");
        let form = [
            ("username", "newbie"),
            ("password", "long enough pw 1"),
            ("password_confirm", "long enough pw 1"),
        ];
        // With a valid CSRF token (from the login page): refused for the address alone.
        anon.post_from("/login", "/signup", &form)
            .await
            .assert_status(StatusCode::FORBIDDEN);
        assert!(
            app.store
                .get_account_by_username("newbie")
                .await
                .unwrap()
                .is_none()
        );
        let blocks = app.store.list_ip_blocks().await.unwrap();
        let v4 = blocks.iter().find(|b| b.network.prefix() == 8).unwrap().id;
        admin
            .post(&format!("/admin/ip-blocks/{v4}/delete"), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        anon.get("/signup").await.assert_status(StatusCode::OK);
        // An expired block no longer counts (nor is it listed).
        let root = app
            .store
            .get_account_by_username("root")
            .await
            .unwrap()
            .unwrap()
            .id;
        let net = "127.0.0.0/8".parse().unwrap();
        app.store
            .add_ip_block(root, net, "old", Some(1))
            .await
            .unwrap();
        anon.get("/signup").await.assert_status(StatusCode::OK);
        assert_eq!(app.store.list_ip_blocks().await.unwrap().len(), 1);
        assert_eq!(
            audit_actions(&app).await,
            [
                ModAction::AddIpBlock,
                ModAction::DeleteIpBlock,
                ModAction::AddIpBlock,
                ModAction::AddIpBlock
            ]
        );
    });
}

/// Behind a trusted proxy the block applies to the forwarded client address.
#[tokio::test]
async fn rules_ip_blocks_use_the_forwarded_address() {
    for backend in backends() {
        let config = social_web::WebConfig {
            trusted_proxies: vec![("127.0.0.1".parse().unwrap(), 32)],
            ..Default::default()
        };
        let app = TestApp::spawn(&backend, config).await;
        let admin = app.admin("root").await;
        admin
            .post("/admin/ip-blocks", &[("network", "203.0.113.0/24")])
            .await
            .assert_status(StatusCode::SEE_OTHER);
        let forwarded = |ip: &str| {
            let mut h = HeaderMap::new();
            h.insert("x-forwarded-for", HeaderValue::from_str(ip).unwrap());
            Client::with_headers(&app.base, h)
        };
        forwarded("203.0.113.40")
            .get("/signup")
            .await
            .assert_status(StatusCode::FORBIDDEN);
        forwarded("198.51.100.1")
            .get("/signup")
            .await
            .assert_status(StatusCode::OK);
        app.client()
            .get("/signup")
            .await
            .assert_status(StatusCode::OK);
    }
}

#[tokio::test]
async fn rules_server_rules_everywhere() {
    each_backend!(|app: TestApp| async move {
        let admin = app.admin("root").await;
        let long = "r".repeat(501);
        for (form, message) in [
            (vec![("text", "  ")], "This field is required"),
            (vec![("text", long.as_str())], "At most 500"),
            (vec![("text", "ok"), ("hint", long.as_str())], "At most 500"),
        ] {
            admin
                .post("/admin/rules", &form)
                .await
                .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
                .assert_contains(message);
        }
        for (text, hint) in [
            ("No spam", "Ads included"),
            ("Be kind", ""),
            ("No bots", ""),
        ] {
            admin
                .post("/admin/rules", &[("text", text), ("hint", hint)])
                .await
                .assert_status(StatusCode::SEE_OTHER);
        }
        let rules = app.store.list_rules().await.unwrap();
        let texts: Vec<_> = rules.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["No spam", "Be kind", "No bots"]);
        // Move "No bots" first and reword it; then delete "Be kind".
        let bots = rules[2].id;
        admin
            .post(
                &format!("/admin/rules/{bots}"),
                &[("position", "0"), ("text", "No bots at all"), ("hint", "")],
            )
            .await
            .assert_status(StatusCode::SEE_OTHER);
        for (form, status) in [
            (
                vec![("position", "x"), ("text", "t")],
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                vec![("position", "1"), ("text", "")],
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            admin
                .post(&format!("/admin/rules/{bots}"), &form)
                .await
                .assert_status(status);
        }
        admin
            .post("/admin/rules/999/delete", &[])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        admin
            .post("/admin/rules/999", &[("position", "1"), ("text", "t")])
            .await
            .assert_status(StatusCode::NOT_FOUND);
        admin
            .post(&format!("/admin/rules/{}/delete", rules[1].id), &[])
            .await
            .assert_status(StatusCode::SEE_OTHER);

        let anon = app.client();
        let signup = anon.get("/signup").await;
        signup
            .assert_contains("No bots at all")
            .assert_contains("Ads included")
            .assert_lacks("Be kind");
        assert!(signup.body.find("No bots at all") < signup.body.find("No spam"));
        anon.get("/about")
            .await
            .assert_status(StatusCode::OK)
            .assert_contains("No spam");
        let api = anon.get("/api/v1/instance/rules").await;
        let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        assert_eq!(
            json,
            json!([
                {"id": bots.to_string(), "text": "No bots at all", "hint": ""},
                {"id": rules[0].id.to_string(), "text": "No spam", "hint": "Ads included"},
            ])
        );
        for path in ["/api/v1/instance", "/api/v2/instance"] {
            let body: serde_json::Value = serde_json::from_str(&anon.get(path).await.body).unwrap();
            assert_eq!(body["rules"], json, "{path}");
        }

        // Checked before the 48 additions below push them off the audit log's first page.
        let actions = audit_actions(&app).await;
        assert!(actions.contains(&ModAction::EditRule));
        assert!(actions.contains(&ModAction::DeleteRule));
        // At most 50.
        let root = app
            .store
            .get_account_by_username("root")
            .await
            .unwrap()
            .unwrap()
            .id;
        for i in 2..50 {
            app.store
                .add_rule(root, &format!("rule {i}"), "")
                .await
                .unwrap();
        }
        admin
            .post("/admin/rules", &[("text", "one too many")])
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY)
            .assert_contains("already has 50 rules");
    });
}
