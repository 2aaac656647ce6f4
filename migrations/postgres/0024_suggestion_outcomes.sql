-- Live accuracy of the suggestions besides modules and files.
--
-- Precedents: once a ticket's fix lands, whether a precedent its comment named had its fix
-- change a file this fix changed (1 or 0); null when none was named, or when the fix only
-- created files.
ALTER TABLE analysis_outcomes ADD COLUMN precedent_right BIGINT;

-- Likely duplicates the comment suggested, each pair once, from the first analysis that
-- suggested it. What became of it (linked later, confirmed or refused by a triager) is read
-- from ticket_links and duplicate_feedback.
CREATE TABLE duplicate_suggestions (
    tracker        TEXT    NOT NULL,
    ticket_id      TEXT    NOT NULL,
    ticket_key     TEXT    NOT NULL,
    project        TEXT    NOT NULL,
    candidate_id   TEXT    NOT NULL,
    candidate_key  TEXT    NOT NULL,
    suggested_at   BIGINT  NOT NULL,
    PRIMARY KEY (tracker, ticket_id, candidate_key)
);
CREATE INDEX duplicate_suggestions_project ON duplicate_suggestions (project);
