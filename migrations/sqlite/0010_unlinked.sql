-- When TicketLens first stored each ticket (store clock, ms); `stored_at` moves with every
-- update, this never does. Learning counts a ticket known this long without a duplicate
-- link as an unlinked search. Rows stored before this migration count from their latest
-- store.
ALTER TABLE tickets ADD COLUMN first_stored_at BIGINT;
UPDATE tickets SET first_stored_at = stored_at;
CREATE INDEX tickets_first_stored ON tickets (first_stored_at);

-- Whether a ticket is named by a duplicate link of another (the unlinked feed asks).
CREATE INDEX ticket_links_linked_key ON ticket_links (tracker, linked_key);
