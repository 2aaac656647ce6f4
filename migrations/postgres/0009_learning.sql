-- When TicketLens learned of each duplicate link (store clock, ms). Learning reads links in
-- this order; rows stored before this migration count as known at 0.
ALTER TABLE ticket_links ADD COLUMN linked_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX ticket_links_linked ON ticket_links (linked_at);

-- Triagers' verdicts on duplicate suggestions: right (a duplicate) or wrong. The latest
-- verdict on a pair replaces the earlier one.
CREATE TABLE duplicate_feedback (
    tracker       TEXT    NOT NULL,
    ticket_id     TEXT    NOT NULL,
    candidate_key TEXT    NOT NULL,
    duplicate     BIGINT  NOT NULL,
    decided_at    BIGINT  NOT NULL,
    PRIMARY KEY (tracker, ticket_id, candidate_key)
);
CREATE INDEX duplicate_feedback_decided ON duplicate_feedback (decided_at);
