-- Which delivery a job came from: provenance for operators, and how a batch of webhooks
-- committed in one statement finds its jobs again.
ALTER TABLE jobs ADD COLUMN delivery_row BIGINT;
