//! Values of the moderation part of the store: reports, audit log entries, the notices an
//! account gets about actions against it, and its moderation state.

use social_core::{AccountId, ModAction, PostId, ReportCategory};

/// A new report, already validated by the caller (`social_core::moderation`); the store checks
/// that the target exists, is not the reporter, and wrote every named post.
#[derive(Clone, Debug)]
pub struct ReportInsert {
    pub reporter: AccountId,
    pub target: AccountId,
    pub post_ids: Vec<PostId>,
    pub category: ReportCategory,
    pub comment: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub reporter_id: AccountId,
    pub target_id: AccountId,
    /// Ascending; posts deleted since stay named.
    pub post_ids: Vec<PostId>,
    pub category: ReportCategory,
    pub comment: String,
    /// False once a moderator acted on it or dismissed it.
    pub open: bool,
    pub resolved_by: Option<AccountId>,
    pub resolved_at_ms: Option<i64>,
    pub created_at_ms: i64,
}

/// A moderator's action on an account (optionally through one of its reports). Appeal
/// decisions go through `Store::decide_appeal` instead.
#[derive(Clone, Debug)]
pub struct ModerationInput {
    pub actor: AccountId,
    pub action: ModAction,
    pub target: AccountId,
    /// Required for `dismiss` and `delete_posts`; resolved by any action.
    pub report_id: Option<i64>,
    /// Why (required: it goes to the audit log).
    pub reason: String,
    /// What the account is told (required for `warn`; optional for the others).
    pub message: String,
}

/// One audit log row: who did what, to whom, when and why. Append-only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub actor_id: AccountId,
    pub action: ModAction,
    pub target_account_id: Option<AccountId>,
    pub target_report_id: Option<i64>,
    pub target_post_id: Option<PostId>,
    pub reason: String,
    pub created_at_ms: i64,
}

/// What an account is told about an action against it, with its one appeal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: i64,
    pub account_id: AccountId,
    pub action: ModAction,
    pub message: String,
    pub created_at_ms: i64,
    pub appeal_text: Option<String>,
    pub appealed_at_ms: Option<i64>,
    /// `Some(true)` accepted (the action reverted), `Some(false)` rejected.
    pub appeal_accepted: Option<bool>,
}

/// Whether an account is limited or suspended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModerationState {
    pub limited: bool,
    pub suspended_at_ms: Option<i64>,
    /// When the purge removed the content of the suspended account (it stays suspended).
    pub purged_at_ms: Option<i64>,
}

#[cfg(test)]
pub(crate) mod tests {
    /// Applies the SQLite migrations, in order, to a bare connection (schema tests).
    pub(crate) fn apply_sqlite_migrations(conn: &rusqlite::Connection) {
        let mut migrations: Vec<_> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
        migrations.sort();
        for m in migrations {
            conn.execute_batch(&std::fs::read_to_string(m).unwrap())
                .unwrap();
        }
    }

    /// The SQLite schema itself refuses to change or delete audit entries (the PostgreSQL
    /// migration has the same rule as a trigger function).
    #[test]
    fn audit_log_is_append_only_in_the_schema() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        apply_sqlite_migrations(&conn);
        conn.execute(
            "INSERT INTO audit_log (id, actor_id, action, reason, created_at) \
             VALUES (1, 2, 'warn', 'why', 3)",
            [],
        )
        .unwrap();
        for sql in [
            "UPDATE audit_log SET reason = 'other'",
            "DELETE FROM audit_log",
        ] {
            let e = conn.execute(sql, []).unwrap_err();
            assert!(e.to_string().contains("append-only"), "{sql}: {e}");
        }
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM audit_log WHERE reason = 'why'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
    }
}
