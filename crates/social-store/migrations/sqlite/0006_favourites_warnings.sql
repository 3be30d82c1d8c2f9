-- GET /api/v1/favourites lists a viewer's favourites newest first, paged by favourite id.
CREATE INDEX favourites_account ON favourites (account_id, id);
