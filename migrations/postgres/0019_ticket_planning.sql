-- The tracker's planning data about each ticket: priority on one scale (1 urgent … 4 low;
-- the tracker's own word stays in `priority`), sprint, cycle or iteration, fix version or
-- milestone (`release_name`), epic, parent or project (`parent`), estimate, assignee and
-- status category (`todo`, `in_progress`, `done`). Rows stored before this migration
-- have none until their next event or back-fill.
ALTER TABLE tickets ADD COLUMN priority_rank BIGINT;
ALTER TABLE tickets ADD COLUMN sprint TEXT;
ALTER TABLE tickets ADD COLUMN release_name TEXT;
ALTER TABLE tickets ADD COLUMN parent TEXT;
ALTER TABLE tickets ADD COLUMN estimate DOUBLE PRECISION;
ALTER TABLE tickets ADD COLUMN assignee TEXT;
ALTER TABLE tickets ADD COLUMN status_category TEXT;
CREATE INDEX tickets_sprint ON tickets (sprint);
CREATE INDEX tickets_release ON tickets (release_name);
