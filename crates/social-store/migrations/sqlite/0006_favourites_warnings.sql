-- GET /api/v1/favourites lists a viewer's favourites newest first, paged by favourite id.
CREATE INDEX favourites_account ON favourites (account_id, id);

-- Content warnings (Mastodon's spoiler_text) and sensitive media.
ALTER TABLE posts ADD COLUMN spoiler_text TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN sensitive BOOLEAN NOT NULL DEFAULT FALSE;
