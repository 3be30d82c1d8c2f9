-- The 30-day purge of suspended accounts (P8): when an account's content was deleted. The
-- account row stays (its name stays taken; reports, notices and the audit log keep naming it),
-- and it can no longer be unsuspended.
ALTER TABLE account_moderation ADD COLUMN purged_at BIGINT;
