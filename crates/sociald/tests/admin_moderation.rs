//! `sociald admin` moderation verbs on the real binary (SQLite): the queue, an action with
//! its audit entry, invites, IP and e-mail blocks; bad input and every change attempted by an
//! account whose role does not allow it are refused with a message.

mod common;

use common::{TempDir, run, sociald};
use serde_json::Value;
use social_core::{AccountStatus, ReportCategory, Role};
use social_store::{AccountInsert, PostInsert, ReportInsert, Store, StoreOptions};
use std::path::Path;

fn admin(dir: &TempDir, args: &[&str]) -> std::process::Command {
    let mut cmd = sociald();
    cmd.arg("admin")
        .args(args)
        .arg("--config")
        .arg(dir.empty_config())
        .arg("--data-dir")
        .arg(dir.path());
    cmd
}

/// Runs the verb; its stdout when it succeeds, panics otherwise.
fn ok(dir: &TempDir, args: &[&str]) -> String {
    let (status, out, err) = run(admin(dir, args), "");
    assert!(status.success(), "{args:?} failed: {err}");
    out
}

/// Runs the verb, expects it to fail, returns its stderr.
fn refused(dir: &TempDir, args: &[&str]) -> String {
    let (status, out, err) = run(admin(dir, args), "");
    assert!(!status.success(), "{args:?} should fail, printed {out}");
    err
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn json(dir: &TempDir, args: &[&str]) -> Vec<Value> {
    let out = ok(dir, args);
    match serde_json::from_str(out.trim()) {
        Ok(Value::Array(items)) => items,
        other => panic!("{args:?}: not a JSON array: {other:?} from {out}"),
    }
}

fn with_store<T>(data_dir: &Path, f: impl AsyncFnOnce(&Store) -> T) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let store = Store::open(StoreOptions {
            database_url: format!("sqlite://{}", data_dir.join("social.db").display()),
            max_connections: 0,
            redis_url: None,
        })
        .await
        .expect("open store");
        let out = f(&store).await;
        store.close().await;
        out
    })
}

#[test]
fn moderation_verbs_work_for_staff_only() {
    let dir = TempDir::new("admin-moderation");
    let report_id = with_store(dir.path(), async |store| {
        let mut ids = Vec::new();
        for (name, role) in [
            ("root", Role::Admin),
            ("mod", Role::Moderator),
            ("alice", Role::User),
            ("bob", Role::User),
        ] {
            let account = store
                .create_account(AccountInsert {
                    username: name.into(),
                    password: "correct horse battery".into(),
                    role,
                    status: AccountStatus::Active,
                    signup_reason: String::new(),
                    invite_code: None,
                })
                .await
                .expect("account");
            ids.push(account.id);
        }
        let post = store
            .create_post(PostInsert {
                author_id: ids[2],
                text: "buy now at spam.example".into(),
                visibility: social_core::Visibility::Public,
                in_reply_to_id: None,
                spoiler_text: String::new(),
                sensitive: false,
                media_ids: Vec::new(),
            })
            .await
            .expect("post");
        store
            .create_report(ReportInsert {
                reporter: ids[3],
                target: ids[2],
                post_ids: vec![post.id],
                category: ReportCategory::Spam,
                comment: "spam".into(),
            })
            .await
            .expect("report")
            .id
    });
    let rid = report_id.to_string();

    // The queue.
    let queue = json(&dir, &["reports", "--json"]);
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["account"], "alice");
    assert_eq!(queue[0]["reporter"], "bob");
    assert!(ok(&dir, &["reports"]).contains("alice"));

    // Acting: users may not, bad input is named, then a moderator limits alice.
    let act = |who: &str, action: &str| {
        vec![
            "act",
            "--as",
            who,
            "--account",
            "alice",
            "--action",
            action,
            "--reason",
            "spam links",
            "--report",
            &rid,
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>()
    };
    let as_user = act("bob", "limit");
    assert!(refused(&dir, &strs(&as_user)).contains("moderator or admin"));
    let unknown = act("nobody", "limit");
    assert!(refused(&dir, &strs(&unknown)).contains("no such account"));
    let bad = act("mod", "ban_forever");
    assert!(refused(&dir, &strs(&bad)).contains("choose one of"));
    let err = refused(
        &dir,
        &[
            "act",
            "--as",
            "mod",
            "--account",
            "alice",
            "--action",
            "dismiss",
            "--reason",
            "x",
        ],
    );
    assert!(err.contains("--report"), "{err}");
    let err = refused(
        &dir,
        &[
            "act",
            "--as",
            "mod",
            "--account",
            "alice",
            "--action",
            "warn",
            "--reason",
            "x",
        ],
    );
    assert!(err.contains("--message"), "{err}");
    let err = refused(
        &dir,
        &[
            "act",
            "--as",
            "mod",
            "--account",
            "alice",
            "--action",
            "limit",
            "--reason",
            " ",
        ],
    );
    assert!(err.contains("--reason"), "{err}");
    let limit = act("mod", "limit");
    assert!(ok(&dir, &strs(&limit)).contains("limit on alice: done"));
    // Twice is a conflict, and the report is resolved.
    let again = act("mod", "limit");
    assert!(refused(&dir, &strs(&again)).contains("refused"));
    assert!(json(&dir, &["reports", "--json"]).is_empty());
    let limited = with_store(dir.path(), async |store| {
        let alice = store
            .get_account_by_username("alice")
            .await
            .unwrap()
            .unwrap();
        store.moderation_state(alice.id).await.unwrap().limited
    });
    assert!(limited);

    // Invites: staff.
    assert!(refused(&dir, &["invites", "create", "--as", "bob"]).contains("moderator or admin"));
    assert!(
        refused(
            &dir,
            &["invites", "create", "--as", "mod", "--max-uses", "0"]
        )
        .contains("at least 1")
    );
    let code = ok(
        &dir,
        &[
            "invites",
            "create",
            "--as",
            "mod",
            "--max-uses",
            "2",
            "--expires-days",
            "3",
        ],
    );
    let code = code.trim();
    let invites = json(&dir, &["invites", "list", "--json"]);
    assert!(
        invites
            .iter()
            .any(|i| i["code"] == code && i["max_uses"] == 2),
        "{invites:?}"
    );
    assert!(
        refused(&dir, &["invites", "delete", "--as", "alice", code]).contains("moderator or admin")
    );
    ok(&dir, &["invites", "delete", "--as", "mod", code]);
    assert!(refused(&dir, &["invites", "delete", "--as", "mod", code]).contains("no invite code"));

    // IP blocks: admins.
    let add = [
        "ip-blocks",
        "add",
        "--as",
        "mod",
        "203.0.113.0/24",
        "--note",
        "spam wave",
    ];
    assert!(refused(&dir, &add).contains("an admin"));
    assert!(!refused(&dir, &["ip-blocks", "add", "--as", "root", "not-a-network"]).is_empty());
    let out = ok(
        &dir,
        &[
            "ip-blocks",
            "add",
            "--as",
            "root",
            "203.0.113.0/24",
            "--json",
        ],
    );
    let block: Value = serde_json::from_str(out.trim()).unwrap();
    let id = block["id"].to_string();
    assert_eq!(block["network"], "203.0.113.0/24");
    let blocks = json(&dir, &["ip-blocks", "list", "--json"]);
    assert_eq!(blocks.len(), 1, "{blocks:?}");
    assert!(refused(&dir, &["ip-blocks", "delete", "--as", "mod", &id]).contains("an admin"));
    assert!(
        refused(&dir, &["ip-blocks", "delete", "--as", "root", "x1"]).contains("not a block ID")
    );
    ok(&dir, &["ip-blocks", "delete", "--as", "root", &id]);
    assert!(refused(&dir, &["ip-blocks", "delete", "--as", "root", &id]).contains("no IP block"));

    // E-mail domain blocks: admins.
    assert!(
        refused(
            &dir,
            &["email-blocks", "add", "--as", "mod", "spam.example"]
        )
        .contains("an admin")
    );
    assert!(
        !refused(
            &dir,
            &["email-blocks", "add", "--as", "root", "not a domain"]
        )
        .is_empty()
    );
    ok(
        &dir,
        &[
            "email-blocks",
            "add",
            "--as",
            "root",
            "Spam.Example",
            "--note",
            "wave",
        ],
    );
    assert!(
        refused(
            &dir,
            &["email-blocks", "add", "--as", "root", "spam.example"]
        )
        .contains("already")
    );
    let domains = json(&dir, &["email-blocks", "list", "--json"]);
    assert_eq!(domains.len(), 1, "{domains:?}");
    assert_eq!(domains[0]["domain"], "spam.example");
    ok(
        &dir,
        &["email-blocks", "delete", "--as", "root", "spam.example"],
    );
    assert!(
        refused(
            &dir,
            &["email-blocks", "delete", "--as", "root", "spam.example"]
        )
        .contains("not blocked")
    );

    // Every change is in the audit log, newest first, with its actor.
    let audit = json(&dir, &["audit", "--json"]);
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    for expected in [
        ("mod", "limit"),
        ("root", "add_ip_block"),
        ("root", "delete_ip_block"),
        ("root", "block_email_domain"),
        ("root", "unblock_email_domain"),
    ] {
        assert!(
            actions.contains(&expected),
            "{expected:?} not in {actions:?}"
        );
    }
    assert_eq!(actions[0], ("root", "unblock_email_domain"));
    assert!(refused(&dir, &["audit", "--limit", "0"]).contains("0"));
}
