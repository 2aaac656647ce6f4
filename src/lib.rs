//! TicketLens: receives tracker webhooks, analyses tickets against the team's code and
//! history, and writes one advisory comment back.
//!
//! - `domain`: plain types (trackers, ticket keys, normalized ticket events)
//! - `config`: typed settings from a TOML file and `TICKETLENS_*` variables; secrets wrapped
//! - `trackers`: per-tracker signature checks and webhook parsing
//! - `store`: sqlx over SQLite or PostgreSQL: migrations, deliveries, tickets, the job queue
//! - `codeindex`: repositories indexed with tantivy at a commit, modules, owners, history
//! - `enrich`: the analysis pipeline (`enrich::analyze`) the API, CLI, worker and eval share
//! - `ingest`: verify → parse → durable group commit of deliveries and jobs
//! - `render`: one enrichment as Markdown, Atlassian Document Format or Jira wiki markup
//! - `worker`: the job loop with leases, backoff and dead jobs
//! - `writeback`: the one comment per ticket, created once and updated in place
//! - `http`: actix routes, the error body, request metrics
//! - `metrics`, `telemetry`: Prometheus registry and logging
//! - `startup`, `cli`: the application and the command line

pub mod cli;
pub mod codeindex;
pub mod config;
pub mod domain;
pub mod enrich;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod render;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod trackers;
pub mod worker;
pub mod writeback;
