-- The link patterns the stored ticket ↔ commit links were read with: when the configured
-- patterns change (a key template added), every mined commit is linked again.
ALTER TABLE history_repos ADD COLUMN links_fingerprint TEXT;

-- What each ticket's analysis named (the modules and files shown, in rank order, as JSON)
-- and when; and, once a mined commit names the ticket as its fix after that analysis, how
-- the analysis did against the fix's files. One row per ticket: the latest analysis until it
-- is measured, then fixed. Counts are 0 or 1; a fix with only files it created is recorded
-- as measured with null results (nothing the analysis could have named).
CREATE TABLE analysis_outcomes (
    tracker             TEXT    NOT NULL,
    ticket_id           TEXT    NOT NULL,
    ticket_key          TEXT    NOT NULL,
    project             TEXT    NOT NULL,
    analysed_at         BIGINT  NOT NULL,
    prediction          TEXT    NOT NULL,
    measured_at         BIGINT,
    repository          TEXT,
    fix_sha             TEXT,
    first_module_right  BIGINT,
    any_module_right    BIGINT,
    any_file_right      BIGINT,
    PRIMARY KEY (tracker, ticket_id)
);
CREATE INDEX analysis_outcomes_key ON analysis_outcomes (ticket_key);
CREATE INDEX analysis_outcomes_measured ON analysis_outcomes (repository, measured_at);
