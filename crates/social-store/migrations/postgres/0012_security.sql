-- Account security (P8): TOTP two-factor credentials, their single-use recovery codes, and the
-- client address of web sessions (shown on /settings/sessions).

-- One per account. The secret is the base32 text the user's app holds: it must be readable
-- to check codes, so it is never logged and never sent again after enrolment.
CREATE TABLE totp_credentials (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    -- NULL while enrolment waits for its first code.
    confirmed_at BIGINT,
    -- The last time step whose code was accepted: that code and older ones are refused.
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Only the SHA-256 of each recovery code is stored.
CREATE TABLE recovery_codes (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

ALTER TABLE sessions ADD COLUMN client_addr TEXT NOT NULL DEFAULT '';
