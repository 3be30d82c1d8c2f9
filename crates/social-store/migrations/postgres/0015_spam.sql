-- Spam defence (P8): the fingerprints of recent post texts (social_core::fingerprint), so a
-- new post's text can be compared with what this and other accounts posted lately. One row
-- per post written or held whose text is long enough to compare; rows older than the
-- comparison window are pruned by the periodic sweep.
CREATE TABLE post_fingerprints (
    fingerprint BIGINT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX post_fingerprints_recent ON post_fingerprints (fingerprint, created_at);
CREATE INDEX post_fingerprints_created ON post_fingerprints (created_at);

-- The spam classifier's training (social_core::classifier): per token, how many posts that
-- moderators rejected from the held queue (spam) and approved (ham) contained it. The row
-- with the empty token holds the totals (no real token is empty).
CREATE TABLE spam_tokens (
    token TEXT PRIMARY KEY,
    spam BIGINT NOT NULL,
    ham BIGINT NOT NULL
);
