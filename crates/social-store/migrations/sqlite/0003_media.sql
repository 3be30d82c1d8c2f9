-- Media attachments (P7): uploaded images, re-encoded and stored under <data_dir>/media by the
-- file names here. post_id is NULL until a post is created with the media; unattached rows
-- older than a day are swept (with their files) by the periodic orphan sweep.
CREATE TABLE media_attachments (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    post_id BIGINT REFERENCES posts (id) ON DELETE SET NULL,
    -- Order within the post (0..3), as the media ids were given.
    position INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL DEFAULT 'image',
    file_name TEXT NOT NULL,
    thumb_name TEXT NOT NULL,
    mime TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    size BIGINT NOT NULL,
    thumb_width INTEGER NOT NULL,
    thumb_height INTEGER NOT NULL,
    focus_x REAL NOT NULL DEFAULT 0,
    focus_y REAL NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    blurhash TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX media_attachments_file ON media_attachments (file_name);
CREATE INDEX media_attachments_post ON media_attachments (post_id, position) WHERE post_id IS NOT NULL;
CREATE INDEX media_attachments_unattached ON media_attachments (created_at) WHERE post_id IS NULL;
