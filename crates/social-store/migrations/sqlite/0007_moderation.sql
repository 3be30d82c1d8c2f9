-- Moderation (P8): reports, the append-only audit log, account moderation state, and the
-- notices an account gets for actions against it (each appealable once).
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    reporter_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    category TEXT NOT NULL,
    comment TEXT NOT NULL,
    -- 'open' or 'resolved'
    status TEXT NOT NULL,
    resolved_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    resolved_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX reports_status ON reports (status, id);
CREATE INDEX reports_target ON reports (target_id);

-- The posts a report names. No foreign key on post_id: deleting the posts is one of the
-- actions, and the report keeps naming them.
CREATE TABLE report_posts (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    post_id BIGINT NOT NULL,
    PRIMARY KEY (report_id, post_id)
) WITHOUT ROWID;

-- Who did what, when and why. No foreign keys (entries outlive accounts, reports and posts),
-- and triggers refuse every UPDATE and DELETE: the Store API has no such path either.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    actor_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    target_account_id BIGINT,
    target_report_id BIGINT,
    target_post_id BIGINT,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- One row per account ever limited or suspended.
CREATE TABLE account_moderation (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    limited BOOLEAN NOT NULL DEFAULT FALSE,
    suspended_at BIGINT
) WITHOUT ROWID;

-- What the account is told about an action against it (warn, limit, suspend, delete_posts),
-- and its one appeal with the decision.
CREATE TABLE moderation_notices (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    audit_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    appeal_text TEXT,
    appealed_at BIGINT,
    -- NULL while undecided, then 'accepted' or 'rejected'
    appeal_decision TEXT,
    decided_by BIGINT,
    decided_at BIGINT
);
CREATE INDEX moderation_notices_account ON moderation_notices (account_id, id);
CREATE INDEX moderation_notices_open_appeals ON moderation_notices (appealed_at)
    WHERE appeal_decision IS NULL AND appealed_at IS NOT NULL;
