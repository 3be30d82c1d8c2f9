-- Initial schema (SQLite). Times are unix milliseconds; IDs are time-ordered 64-bit integers.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    bio TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    signup_reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    followers_count BIGINT NOT NULL DEFAULT 0,
    following_count BIGINT NOT NULL DEFAULT 0,
    posts_count BIGINT NOT NULL DEFAULT 0,
    notifications_read_id BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX accounts_username_key ON accounts (username_key);
CREATE INDEX accounts_status ON accounts (status, id);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE invites (
    code TEXT PRIMARY KEY,
    created_by BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    max_uses BIGINT,
    uses BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    author_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    visibility TEXT NOT NULL,
    in_reply_to_id BIGINT,
    in_reply_to_account_id BIGINT,
    reblog_of_id BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    replies_count BIGINT NOT NULL DEFAULT 0,
    favourites_count BIGINT NOT NULL DEFAULT 0,
    reblogs_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX posts_author ON posts (author_id, id);
CREATE INDEX posts_in_reply_to ON posts (in_reply_to_id);
CREATE INDEX posts_reblog_of ON posts (reblog_of_id);
CREATE UNIQUE INDEX posts_one_boost ON posts (author_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;
CREATE INDEX posts_local ON posts (id) WHERE visibility = 'public' AND reblog_of_id IS NULL;

CREATE TABLE post_mentions (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, account_id)
) WITHOUT ROWID;
CREATE INDEX post_mentions_account ON post_mentions (account_id, post_id);

CREATE TABLE post_tags (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (post_id, tag)
) WITHOUT ROWID;
CREATE INDEX post_tags_tag ON post_tags (tag, post_id);

CREATE TABLE home_feed (
    account_id BIGINT NOT NULL,
    post_id BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    PRIMARY KEY (account_id, post_id)
) WITHOUT ROWID;
CREATE INDEX home_feed_post ON home_feed (post_id);
CREATE INDEX home_feed_author ON home_feed (account_id, author_id);

CREATE TABLE favourites (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX favourites_unique ON favourites (account_id, post_id);
CREATE INDEX favourites_post ON favourites (post_id);

CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX follows_unique ON follows (account_id, target_id);
CREATE INDEX follows_target ON follows (target_id, account_id);

CREATE TABLE follow_requests (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX follow_requests_unique ON follow_requests (account_id, target_id);
CREATE INDEX follow_requests_target ON follow_requests (target_id, account_id);

CREATE TABLE blocks (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, target_id)
) WITHOUT ROWID;
CREATE INDEX blocks_target ON blocks (target_id, account_id);

CREATE TABLE mutes (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, target_id)
) WITHOUT ROWID;
CREATE INDEX mutes_target ON mutes (target_id, account_id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    from_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    post_id BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_account ON notifications (account_id, id);
CREATE INDEX notifications_post ON notifications (post_id);
CREATE INDEX notifications_from ON notifications (from_account_id);
