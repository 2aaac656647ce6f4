-- Each repository's module graph from its code's own imports (the `deps` room), at the
-- commit its code index holds: derived data, written by whichever replica indexed that
-- commit and read by every replica, so all of them show the same graph. One row per
-- repository, replaced whole; `graph` is the JSON of `domain::DependencyGraph`.
CREATE TABLE dependency_graphs (
    repository  TEXT    NOT NULL PRIMARY KEY,
    commit_sha  TEXT    NOT NULL,
    graph       TEXT    NOT NULL,
    built_at    BIGINT  NOT NULL
);
