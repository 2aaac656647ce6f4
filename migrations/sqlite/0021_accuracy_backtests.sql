-- The latest backtest of each repository (`ticketlens eval self`): its linked past tickets
-- replayed as of each ticket's time and judged as live accuracy judges them. Counts, not
-- shares, so the shares are computed the one way live accuracy computes them. One row per
-- repository, replaced by each run, so every replica shows the same.
CREATE TABLE accuracy_backtests (
    repository          TEXT    NOT NULL PRIMARY KEY,
    ran_at              BIGINT  NOT NULL,
    took_ms             BIGINT  NOT NULL,
    sample              BIGINT  NOT NULL,
    tickets             BIGINT  NOT NULL,
    first_module_right  BIGINT  NOT NULL,
    any_module_right    BIGINT  NOT NULL,
    any_file_right      BIGINT  NOT NULL
);
