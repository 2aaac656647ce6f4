-- Mined history, per repository: where mining stopped, commits and the files they changed.
CREATE TABLE history_repos (
    repository      TEXT    NOT NULL PRIMARY KEY,
    branch          TEXT    NOT NULL,
    tip             TEXT    NOT NULL,
    next_seq        BIGINT  NOT NULL,
    missing_objects BIGINT  NOT NULL DEFAULT 0,
    mined_at        BIGINT  NOT NULL
);

CREATE TABLE history_commits (
    repository      TEXT    NOT NULL,
    sha             TEXT    NOT NULL,
    seq             BIGINT  NOT NULL,
    author_name     TEXT    NOT NULL,
    author_email    TEXT    NOT NULL,
    time_ms         BIGINT  NOT NULL,
    message         TEXT    NOT NULL,
    is_merge        BIGINT  NOT NULL,
    missing_objects BIGINT  NOT NULL,
    PRIMARY KEY (repository, sha)
);
CREATE INDEX history_commits_seq ON history_commits (repository, seq);

CREATE TABLE history_changes (
    repository      TEXT    NOT NULL,
    sha             TEXT    NOT NULL,
    path            TEXT    NOT NULL,
    old_path        TEXT,
    kind            TEXT    NOT NULL,
    added           BIGINT  NOT NULL,
    deleted         BIGINT  NOT NULL
);
CREATE INDEX history_changes_commit ON history_changes (repository, sha);

-- Computed fragility per module and per file; replaced whole after each mining run.
CREATE TABLE history_scores (
    id              TEXT    NOT NULL,
    repository      TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    module          TEXT    NOT NULL,
    score           REAL NOT NULL,
    level           TEXT    NOT NULL,
    commits         BIGINT  NOT NULL,
    fixes           BIGINT  NOT NULL,
    churn           BIGINT  NOT NULL,
    authors         BIGINT  NOT NULL,
    last_change_ms  BIGINT  NOT NULL,
    size_lines      BIGINT  NOT NULL,
    detail          TEXT    NOT NULL,
    computed_at     BIGINT  NOT NULL,
    PRIMARY KEY (repository, kind, name)
);
CREATE INDEX history_scores_id ON history_scores (id);
CREATE INDEX history_scores_rank ON history_scores (kind, score);
