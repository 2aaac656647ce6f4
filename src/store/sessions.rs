//! Revoked web sessions: the sign-outs every replica must honour until the cookie they
//! name would have expired anyway.

use super::Store;

/// How long past its expiry a revocation is kept, so a replica whose clock is behind still
/// refuses the cookie (ms).
const CLOCK_MARGIN_MS: i64 = 3_600_000;

impl Store {
    /// Records that the session `id` (valid until `expires_at`, epoch ms) was signed out, and
    /// prunes revocations whose sessions have expired.
    pub async fn revoke_session(&self, id: &str, expires_at: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO revoked_sessions (session_id, expires_at) VALUES ($1, $2) \
             ON CONFLICT (session_id) DO NOTHING",
        )
        .bind(id)
        .bind(expires_at)
        .execute(&self.writer)
        .await?;
        sqlx::query("DELETE FROM revoked_sessions WHERE expires_at < $1")
            .bind(now_minus_margin())
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Whether the session `id` was signed out.
    pub async fn is_session_revoked(&self, id: &str) -> Result<bool, sqlx::Error> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT expires_at FROM revoked_sessions WHERE session_id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }
}

fn now_minus_margin() -> i64 {
    super::now_ms() - CLOCK_MARGIN_MS
}
