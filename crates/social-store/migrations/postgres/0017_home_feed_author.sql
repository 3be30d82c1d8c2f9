-- The (account_id, author_id) index of home_feed served one statement, the unfollow's
-- "delete this author's entries from my feed", yet every fanned-out post paid for it: one
-- more B-tree page per follower to change and write. Without it a post with 50 followers is
-- written about twice as fast on SQLite (measured: 1,200 → 2,200 posts/s in batches of 16).
-- The unfollow now finds the entries through the author's posts (posts_author) and the feed's
-- primary key instead.
DROP INDEX home_feed_author;
