-- Ticket ↔ commit links: the ticket keys each mined commit's message names. Written with the
-- commits in the same transaction and dropped with them (force-push, reset).
CREATE TABLE history_links (
    repository  TEXT    NOT NULL,
    sha         TEXT    NOT NULL,
    ticket_key  TEXT    NOT NULL,
    PRIMARY KEY (repository, sha, ticket_key)
);
CREATE INDEX history_links_key ON history_links (ticket_key);
