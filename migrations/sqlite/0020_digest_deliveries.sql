-- The plan digest's deliveries: one row per (digest, period), inserted by the one replica
-- that claims the period (INSERT … ON CONFLICT DO NOTHING), so a period is sent at most
-- once across restarts and replicas. `state`: sending (claimed), sent, failed; `attempts`:
-- HTTP calls made; `error`: the last failure in words (never the target URL).
-- `period_start` and `updated_at` are epoch ms on the store's clock.
CREATE TABLE digest_deliveries (
    digest TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (digest, period_start)
);
