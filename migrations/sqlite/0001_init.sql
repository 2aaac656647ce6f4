-- Deliveries: every webhook accepted, stored before it is acknowledged.
CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tracker       TEXT    NOT NULL,
    delivery_id   TEXT    NOT NULL,
    body_sha256   TEXT    NOT NULL,
    received_at   BIGINT  NOT NULL,
    outcome       TEXT    NOT NULL,
    ticket_key    TEXT,
    raw_body      TEXT    NOT NULL,
    UNIQUE (tracker, delivery_id),
    UNIQUE (tracker, body_sha256)
);

-- The durable job queue. Times are milliseconds since the Unix epoch.
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    state         TEXT    NOT NULL DEFAULT 'queued',
    attempts      BIGINT  NOT NULL DEFAULT 0,
    max_attempts  BIGINT  NOT NULL,
    run_at        BIGINT  NOT NULL,
    lease_owner   TEXT,
    lease_until   BIGINT,
    last_error    TEXT,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_at, id);
CREATE INDEX jobs_lease ON jobs (state, lease_until);

-- Tickets as last seen; the source of truth the ticket index is derived from.
CREATE TABLE tickets (
    tracker       TEXT    NOT NULL,
    ticket_id     TEXT    NOT NULL,
    ticket_key    TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    labels        TEXT    NOT NULL,
    components    TEXT    NOT NULL,
    project       TEXT,
    status        TEXT,
    issue_type    TEXT,
    priority      TEXT,
    reporter      TEXT,
    url           TEXT,
    created_at    TEXT,
    updated_at    TEXT,
    deleted       BIGINT  NOT NULL DEFAULT 0,
    stored_at     BIGINT  NOT NULL,
    PRIMARY KEY (tracker, ticket_id)
);
CREATE INDEX tickets_key ON tickets (tracker, ticket_key);
