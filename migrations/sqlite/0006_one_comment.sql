-- Which ticket a job is for ("tracker:ticket id"): jobs of one ticket run one at a time (the
-- unique index lets at most one of them be running, whichever process claims it).
ALTER TABLE jobs ADD COLUMN ticket_ref TEXT;
CREATE UNIQUE INDEX jobs_one_running_per_ticket ON jobs (ticket_ref) WHERE state = 'running';
CREATE INDEX jobs_ticket ON jobs (ticket_ref, state);
-- The tracker's last update as an instant (ms), so events are ordered as times, not text.
ALTER TABLE tickets ADD COLUMN updated_ms BIGINT;
-- The owner of a pending create (a compare-and-set token), and how often a comment a
-- person deleted was made anew.
ALTER TABLE comments ADD COLUMN intent TEXT;
ALTER TABLE comments ADD COLUMN recreated BIGINT NOT NULL DEFAULT 0;
-- Retention prunes by age, and keeps the deliveries that unfinished jobs came from.
CREATE INDEX deliveries_received ON deliveries (received_at);
CREATE INDEX jobs_delivery ON jobs (delivery_row);
CREATE INDEX jobs_finished ON jobs (state, finished_at);
