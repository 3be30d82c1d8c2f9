-- Instance rules (P8): posts held for review, content filters, sign-up blocks by IP network,
-- and the server rules shown at sign-up and served by the API.

-- A post held for review is not a post yet: it lives here, outside every timeline, thread,
-- search and lookup, until a moderator approves it (it is then posted as if just written,
-- with a new id) or rejects it (the row goes, the author gets a notice).
CREATE TABLE held_posts (
    id BIGINT PRIMARY KEY,
    author_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    visibility TEXT NOT NULL,
    in_reply_to_id BIGINT,
    spoiler_text TEXT NOT NULL,
    sensitive BOOLEAN NOT NULL,
    -- Why it is held: the filter that matched, later a spam score.
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX held_posts_author ON held_posts (author_id, id);

-- Uploaded media a held post will carry; the orphan sweep leaves these alone.
CREATE TABLE held_post_media (
    held_id BIGINT NOT NULL REFERENCES held_posts (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    media_id BIGINT NOT NULL,
    PRIMARY KEY (held_id, position)
);
CREATE INDEX held_post_media_media ON held_post_media (media_id);

-- kind: 'keyword' | 'word' | 'regex'; action: 'reject' | 'hold' | 'sensitive'.
CREATE TABLE content_filters (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    pattern TEXT NOT NULL,
    action TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- network: canonical CIDR text (host bits cleared); expires_at NULL: never.
CREATE TABLE ip_blocks (
    id BIGINT PRIMARY KEY,
    network TEXT NOT NULL UNIQUE,
    note TEXT NOT NULL,
    expires_at BIGINT,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Shown in ascending position, then id.
CREATE TABLE server_rules (
    id BIGINT PRIMARY KEY,
    position BIGINT NOT NULL,
    text TEXT NOT NULL,
    hint TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
