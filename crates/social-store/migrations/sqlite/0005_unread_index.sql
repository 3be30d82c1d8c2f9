-- Every signed-in page counts the viewer's unread notifications, leaving out muted and blocked
-- senders. With the sender in the index SQLite counts from the index alone (a covering index)
-- instead of reading each notification's row.
CREATE INDEX notifications_account_from ON notifications (account_id, id, from_account_id);
DROP INDEX notifications_account;
