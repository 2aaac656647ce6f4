-- The modules each analysed ticket lands in (its latest analysis), so a module's page can
-- list the open tickets that will touch it. Replaced whole with each analysis.
CREATE TABLE ticket_modules (
    tracker       TEXT    NOT NULL,
    ticket_id     TEXT    NOT NULL,
    repository    TEXT    NOT NULL,
    module        TEXT    NOT NULL,
    -- 0 for the analysis' top module
    rank          BIGINT  NOT NULL,
    analysed_at   BIGINT  NOT NULL,
    PRIMARY KEY (tracker, ticket_id, repository, module)
);
CREATE INDEX ticket_modules_module ON ticket_modules (repository, module, analysed_at);
-- History scores also hold one row of kind `repository` per repository: its activity.
