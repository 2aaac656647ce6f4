-- Who may see each ticket, as its tracker's payload told (`public`, `internal`, `private`,
-- `restricted`: a Jira security level, a GitLab confidential issue): which other tickets'
-- comments may quote it. Rows stored before this migration are taken as `private` (quoted
-- only in their own project) until their next event or back-fill says more.
ALTER TABLE tickets ADD COLUMN visibility TEXT NOT NULL DEFAULT 'private';
