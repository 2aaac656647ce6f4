-- Web sessions ended by "Sign out" before their cookie expires. A session is a signed
-- cookie any replica can check alone; this list, shared through the store, is what makes a
-- replayed cookie fail after sign-out on every replica. A row goes once the cookie it names
-- has expired anyway (`expires_at`, epoch ms, the cookie's own expiry).
CREATE TABLE revoked_sessions (
    session_id TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_sessions_expires ON revoked_sessions (expires_at);
