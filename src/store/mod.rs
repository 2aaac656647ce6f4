//! The store: one sqlx pool over SQLite (embedded default) or PostgreSQL (scale-out), the
//! migrations of both, and every SQL statement of the service (mined history and fragility
//! scores included). Times are epoch milliseconds.

mod backfill;
mod backtests;
mod comments;
mod deliveries;
mod dependencies;
mod digests;
mod history;
mod job_admin;
mod jobs;
mod learning;
mod links;
mod outcomes;
mod plan;
mod retention;
mod scores;
mod sessions;
mod ticket_modules;
mod tickets;

pub use backfill::BackfillCursor;
pub use backtests::{LinkedPastTicket, NamingCommit, MAX_LINKED_TICKETS};
pub use comments::CommentRecord;
pub use deliveries::{DeliveryOutcome, NewDelivery, NewJob};
pub use digests::{DigestDelivery, DigestState, PLAN_DIGEST};
pub use history::{CommitKindRow, HistoryBatch, HistoryState, StoredCommit};
pub use job_admin::RetryFilter;
pub use jobs::{enqueue_for_in, enqueue_in, FailOutcome, Job, JobState, RetryPolicy};
pub use learning::{LabelPosition, LearnedLabel, UnlinkedTicket};
pub use links::{LinkedCommit, MAX_KEYS_PER_READ};
pub use outcomes::{AnalysedTicket, Unmeasured};
pub use plan::{PlanChoice, PlanFilter, PlanTicket, LANDS_IN, PLAN_TICKETS};
pub use retention::Pruned;
pub use scores::{score_id, ModuleFacts, ScoreRow, ScoreSort};
pub use ticket_modules::{is_closed_status, ModuleTicket};
pub use tickets::{FeedPosition, IndexFeed, StoredTicket};

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database the URL scheme selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Errors of the store as the rest of the service sees them.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database url scheme `{0}` (use sqlite:// or postgres://)")]
    UnsupportedScheme(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    /// Every read and every write that can be redone: on SQLite its commits are not fsynced
    /// one by one (`synchronous = NORMAL`), on PostgreSQL they do not wait for the WAL flush
    /// (`synchronous_commit = off`). A process crash loses none of them; only an OS crash or
    /// power loss can lose the latest, and those are redone (the job is not marked done).
    pool: AnyPool,
    /// Every write. On SQLite one connection: writers queue here in order instead of
    /// fighting over the file lock (a lost race sleeps in SQLite's busy handler); on
    /// PostgreSQL the same pool as reads.
    writer: AnyPool,
    /// PostgreSQL: connections whose commits wait for the WAL flush, for the writes whose
    /// loss would break a promise (an acknowledged webhook, the intent recorded before a
    /// tracker call). SQLite does those on `writer` with `synchronous = FULL` for the
    /// transaction. Either way the flush also covers every earlier commit (the log is
    /// sequential), so what was acknowledged after a write is never older than that write.
    durable: AnyPool,
    backend: Backend,
    /// Set when the last durable write failed (a full disk, a database fault), cleared by the
    /// next one that succeeds: readiness reports it.
    write_failing: Arc<AtomicBool>,
    /// The database's clock minus this process's (ms), measured by [`Store::sync_clock`]:
    /// every time that orders rows across replicas (due times, leases, the stored order the
    /// ticket index follows) is read on the database's clock, so replicas whose wall clocks
    /// disagree still agree on them.
    clock_offset: Arc<AtomicI64>,
    /// What this process's wall clock is off by; only tests set it, to simulate a replica
    /// with a wrong clock.
    skew_ms: Arc<AtomicI64>,
}

/// A connection for a durable write; see [`Store::durable`].
pub(crate) struct DurableConn {
    conn: sqlx::pool::PoolConnection<sqlx::Any>,
    sqlite: bool,
}

impl std::ops::Deref for DurableConn {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl std::ops::DerefMut for DurableConn {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.conn
    }
}

impl DurableConn {
    /// Hands the connection back (on SQLite, to unflushed commits again).
    pub(crate) async fn release(mut self) -> Result<(), sqlx::Error> {
        if self.sqlite {
            self.conn.execute("PRAGMA synchronous = NORMAL").await?;
        }
        Ok(())
    }
}

/// Picks the backend from a database URL's scheme.
pub fn backend_of(url: &str) -> Result<Backend, StoreError> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        other => Err(StoreError::UnsupportedScheme(other.to_string())),
    }
}

impl Store {
    /// Connects to the database the URL names; an SQLite file is created when missing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = Self::open_pool(&options, backend, max_connections.max(1), false).await?;
        let (writer, durable) = match backend {
            Backend::Sqlite => {
                let writer = Self::open_pool(&options, backend, 1, false).await?;
                (writer.clone(), writer)
            }
            Backend::Postgres => {
                let durable = Self::open_pool(&options, backend, 2, true).await?;
                (pool.clone(), durable)
            }
        };
        let store = Store {
            pool,
            writer,
            durable,
            backend,
            write_failing: Arc::new(AtomicBool::new(false)),
            clock_offset: Arc::new(AtomicI64::new(0)),
            skew_ms: Arc::new(AtomicI64::new(0)),
        };
        store.sync_clock().await?;
        Ok(store)
    }

    /// Milliseconds since the epoch on the database's clock (this process's clock plus the
    /// last measured offset). Use it for every time stored to order rows across processes.
    pub fn now(&self) -> i64 {
        self.local_now() + self.clock_offset.load(Ordering::Relaxed)
    }

    fn local_now(&self) -> i64 {
        now_ms() + self.skew_ms.load(Ordering::Relaxed)
    }

    /// Measures the database clock's offset from this process's (PostgreSQL: the server's
    /// `clock_timestamp()`, read half a round trip late). SQLite is a file on this host, and
    /// every process that opens it shares this host's clock: the offset stays 0. Returns it.
    pub async fn sync_clock(&self) -> Result<i64, sqlx::Error> {
        if self.backend != Backend::Postgres {
            return Ok(0);
        }
        let before = self.local_now();
        let db: i64 = sqlx::query_scalar(
            "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        )
        .fetch_one(&self.pool)
        .await?;
        let after = self.local_now();
        let offset = db - (before + after) / 2;
        self.clock_offset.store(offset, Ordering::Relaxed);
        Ok(offset)
    }

    /// Pretends this process's wall clock is off by `ms` (a replica with a wrong clock), and
    /// measures the offset again. For tests.
    pub async fn simulate_clock_skew(&self, ms: i64) -> Result<(), sqlx::Error> {
        self.skew_ms.store(ms, Ordering::Relaxed);
        self.sync_clock().await.map(|_| ())
    }

    async fn open_pool(
        options: &AnyConnectOptions,
        backend: Backend,
        max_connections: u32,
        durable: bool,
    ) -> Result<AnyPool, sqlx::Error> {
        AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .before_acquire(move |conn, _meta| {
                Box::pin(async move {
                    if backend != Backend::Sqlite {
                        return Ok(true);
                    }
                    // A commit that failed (a full disk) can leave SQLite inside its
                    // transaction, where setting the safety level fails: such a connection
                    // is closed and a fresh one opened, so the store recovers by itself
                    // once space is back. A healthy one is set back to unflushed commits.
                    match conn.execute("PRAGMA synchronous = NORMAL").await {
                        Ok(_) => Ok(true),
                        Err(e) => {
                            tracing::warn!(error = %e, "replacing a database connection left inside a transaction");
                            Ok(false)
                        }
                    }
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match (backend, durable) {
                        (Backend::Sqlite, _) => {
                            // WAL lets readers run beside the single writer.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA busy_timeout = 30000").await?;
                        }
                        (Backend::Postgres, false) => {
                            conn.execute("SET synchronous_commit = off").await?;
                        }
                        (Backend::Postgres, true) => {}
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await
    }

    /// True while durable writes fail (the last one did).
    pub fn write_failing(&self) -> bool {
        self.write_failing.load(Ordering::Relaxed)
    }

    pub(crate) fn note_write(&self, ok: bool) {
        self.write_failing.store(!ok, Ordering::Relaxed);
    }

    /// After a failed write, tries a harmless durable write (it needs space as any other
    /// does) and clears the failure when it goes through. Readiness calls it, so a process
    /// that receives no webhooks while unready still finds out that it can write again.
    pub async fn probe_write(&self) -> anyhow::Result<()> {
        if !self.write_failing() {
            return Ok(());
        }
        let mut conn = self.durable().await?;
        let result = sqlx::query(
            "UPDATE _sqlx_migrations SET success = success \
             WHERE version = (SELECT MIN(version) FROM _sqlx_migrations)",
        )
        .execute(&mut *conn)
        .await;
        conn.release().await?;
        self.note_write(result.is_ok());
        result.context("the database cannot be written")?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// Tells whether the database answers and every migration is applied.
    pub async fn ready(&self) -> anyhow::Result<()> {
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await
                .context("failed to read applied migrations")?;
        let expected = self.migrator().iter().count() as i64;
        anyhow::ensure!(
            applied >= expected,
            "{applied} of {expected} migrations applied"
        );
        Ok(())
    }

    /// A connection whose commits are flushed to disk before they return.
    pub(crate) async fn durable(&self) -> Result<DurableConn, sqlx::Error> {
        let mut conn = self.durable.acquire().await?;
        let sqlite = self.backend == Backend::Sqlite;
        if sqlite {
            conn.execute("PRAGMA synchronous = FULL").await?;
        }
        Ok(DurableConn { conn, sqlite })
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
        self.durable.close().await;
    }
}

/// A text column read into its type; a value the type does not know is a decode error
/// naming the column, never a default.
pub(crate) fn typed<T>(
    r: &sqlx::any::AnyRow,
    column: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    let text: String = sqlx::Row::try_get(r, column)?;
    parse(&text).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: format!("unknown value `{text}`").into(),
    })
}

/// `($1, …, $n), ($n+1, …)` for `rows` rows of `cols` columns.
pub(crate) fn placeholders(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        s.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push_str(&format!("${}", r * cols + c + 1));
        }
        s.push(')');
    }
    s
}

/// The wall clock, for the store's callers (defined once, in `domain`).
pub use crate::domain::now_ms;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_scheme_picks_the_backend() {
        assert_eq!(backend_of("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(backend_of("postgres://h/db").unwrap(), Backend::Postgres);
        assert_eq!(backend_of("postgresql://h/db").unwrap(), Backend::Postgres);
        assert!(backend_of("mysql://h/db").is_err());
    }

    #[test]
    fn both_migration_sets_are_kept_in_step() {
        let names = |m: &Migrator| {
            m.iter()
                .map(|x| (x.version, x.description.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS));
        for (a, b) in SQLITE_MIGRATIONS.iter().zip(POSTGRES_MIGRATIONS.iter()) {
            assert_eq!(columns(&a.sql), columns(&b.sql), "{}", a.description);
        }
    }

    /// Table and column names declared in a migration, for the in-step check.
    fn columns(sql: &str) -> Vec<String> {
        sql.lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("--") && !l.is_empty())
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_lowercase)
            .collect()
    }
}
