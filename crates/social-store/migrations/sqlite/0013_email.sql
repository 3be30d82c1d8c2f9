-- E-mail (P8): an account's address and when it was confirmed, the single-use tokens of
-- confirmation and password-reset links (only their SHA-256 is kept), and the e-mail domains
-- staff refuse at sign-up.
ALTER TABLE accounts ADD COLUMN email TEXT;
-- The address lower-cased: unique, so one address serves one account. NULL for accounts
-- made without e-mail (no SMTP configured, or made by the operator).
ALTER TABLE accounts ADD COLUMN email_key TEXT;
ALTER TABLE accounts ADD COLUMN email_confirmed_at BIGINT;
CREATE UNIQUE INDEX accounts_email_key ON accounts (email_key);

CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- 'confirm' or 'reset'
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX email_tokens_account ON email_tokens (account_id, purpose);

CREATE TABLE email_domain_blocks (
    domain TEXT PRIMARY KEY,
    note TEXT NOT NULL,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
