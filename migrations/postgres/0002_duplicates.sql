-- Back-fill progress: one row per source (tracker + query), so an interrupted run resumes.
CREATE TABLE backfill_cursors (
    source        TEXT    NOT NULL PRIMARY KEY,
    cursor        TEXT,
    fetched       BIGINT  NOT NULL DEFAULT 0,
    done          BIGINT  NOT NULL DEFAULT 0,
    updated_at    BIGINT  NOT NULL
);

-- Duplicate links the tracker already has: shown as such, never suggested again.
CREATE TABLE ticket_links (
    tracker       TEXT    NOT NULL,
    ticket_id     TEXT    NOT NULL,
    linked_key    TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    PRIMARY KEY (tracker, ticket_id, linked_key)
);

-- The ticket index follows the tickets table in the order rows were stored.
CREATE INDEX tickets_stored ON tickets (stored_at);
