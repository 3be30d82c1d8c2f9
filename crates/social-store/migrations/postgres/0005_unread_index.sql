-- Every signed-in page counts the viewer's unread notifications, leaving out muted and blocked
-- senders. Carrying the sender in the index lets PostgreSQL count from the index alone instead
-- of visiting one heap page per notification.
CREATE INDEX notifications_account_from ON notifications (account_id, id) INCLUDE (from_account_id);
DROP INDEX notifications_account;
