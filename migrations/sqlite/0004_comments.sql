-- The one TicketLens comment per ticket: what was rendered, and where it lives in the tracker.
CREATE TABLE comments (
    tracker       TEXT    NOT NULL,
    ticket_id     TEXT    NOT NULL,
    ticket_key    TEXT    NOT NULL,
    -- The tracker's comment id once created; for Linear chosen by us before creating.
    comment_id    TEXT,
    -- pending (create started, outcome unknown) | sent | dry_run | skipped
    state         TEXT    NOT NULL,
    format        TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    analysis      TEXT    NOT NULL,
    updated_at    BIGINT  NOT NULL,
    PRIMARY KEY (tracker, ticket_id)
);
