-- What a timeline row shows of a post and never changes after posting is kept on the row itself,
-- so a timeline page reads it with the post instead of probing three tables per post: its tags
-- (space-separated, as post_tags holds them), its mentions ("account_id:username",
-- space-separated; post_mentions stays the index for who is mentioned) and whether it has media.
-- A home feed entry carries its post's reblog_of_id, so the home page checks a boost's original
-- without reading the boost's row first. Both are written once, when the post or entry is made.
ALTER TABLE posts ADD COLUMN tags TEXT;
ALTER TABLE posts ADD COLUMN mentions TEXT;
ALTER TABLE posts ADD COLUMN has_media BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE home_feed ADD COLUMN reblog_of_id BIGINT;

UPDATE posts SET tags = (SELECT string_agg(t.tag, ' ') FROM post_tags t WHERE t.post_id = posts.id)
WHERE id IN (SELECT post_id FROM post_tags);
UPDATE posts SET mentions = (
    SELECT string_agg(CAST(m.account_id AS TEXT) || ':' || ma.username, ' ')
    FROM post_mentions m JOIN accounts ma ON ma.id = m.account_id WHERE m.post_id = posts.id)
WHERE id IN (SELECT post_id FROM post_mentions);
UPDATE posts SET has_media = TRUE
WHERE id IN (SELECT post_id FROM media_attachments WHERE post_id IS NOT NULL);
UPDATE home_feed SET reblog_of_id = (SELECT p.reblog_of_id FROM posts p WHERE p.id = home_feed.post_id)
WHERE post_id IN (SELECT id FROM posts WHERE reblog_of_id IS NOT NULL);
