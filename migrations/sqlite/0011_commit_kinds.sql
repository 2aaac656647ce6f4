-- What the commit classifier (history::classify) made of each mined commit: its kind
-- (bugfix, revert, feature, refactor, housekeeping, test), the sweep and bot flags and the
-- rule that decided. Derived data: re-written whenever the rules or the types of the tickets
-- the commits name change (`rules_fingerprint`), without re-mining; dropped with the commits.
CREATE TABLE history_commit_kinds (
    repository  TEXT    NOT NULL,
    sha         TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    sweep       BIGINT  NOT NULL,
    bot         BIGINT  NOT NULL,
    rule        TEXT    NOT NULL,
    PRIMARY KEY (repository, sha)
);
CREATE INDEX history_commit_kinds_kind ON history_commit_kinds (repository, kind);

ALTER TABLE history_repos ADD COLUMN rules_fingerprint TEXT NOT NULL DEFAULT '';
