//! TicketLens: receives tracker webhooks, analyses tickets against the team's code and
//! history, and writes one advisory comment back.
//!
//! - `domain`: plain types (trackers, ticket keys, normalized ticket events)
//! - `config`: typed settings from a TOML file and `TICKETLENS_*` variables; secrets wrapped
//! - `trackers`: per-tracker signature checks and webhook parsing
//! - `history`: git2 history miner, per-file and per-module metrics, fragility and its evaluation
//! - `history_refresh`: mine → store → rescore, for one repository
//! - `repositories`: the code index of every repository, kept current, and its history mined
//! - `modules`: what a module is: the one file → module cut, ids and display names
//! - `store`: sqlx over SQLite or PostgreSQL: migrations, deliveries, tickets, the job queue
//! - `codeindex`: repositories indexed with tantivy at a commit, modules, owners, history
//! - `enrich`: the analysis pipeline (`enrich::analyze`) the API, CLI, worker and eval share
//! - `ingest`: verify → parse → durable group commit of deliveries and jobs
//! - `ticketindex`: tantivy ticket index, similar-ticket search with calibrated similarity
//! - `learning`: per-project duplicate models learned from links (back-fill, webhooks),
//!   triagers' verdicts and unlinked searches
//! - `eval`: offline accuracy runs over the shared datasets (`ticketlens eval`)
//! - `moduleview`: stored module scores as the modules API, the web page and the CLI show them
//! - `ticketview`: a stored ticket with its duplicates and analysis (the tickets API, the page)
//! - `render`: one enrichment as Markdown, Atlassian Document Format or Jira wiki markup
//! - `worker`: the job loop with leases, backoff and dead jobs
//! - `writeback`: the one comment per ticket, created once and updated in place
//! - `http`: actix routes, the error body, request metrics, per-peer connection and
//!   failed-authentication limits
//! - `web`: the server-rendered pages for people: overview, modules, tickets, analyze, sign-in
//! - `metrics`, `telemetry`: Prometheus registry and logging
//! - `backfill`: resumable, rate-limit aware import of existing tickets from a tracker API
//! - `startup`, `cli`: the application and the command line

pub mod backfill;
pub mod cli;
pub mod codeindex;
pub mod config;
pub mod domain;
pub mod enrich;
pub mod eval;
pub mod history;
pub mod history_refresh;
pub mod http;
pub mod ingest;
pub mod learning;
pub mod metrics;
pub mod modules;
pub mod moduleview;
pub mod render;
pub mod repositories;
pub mod retention;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod ticketindex;
pub mod ticketview;
pub mod trackers;
pub mod web;
pub mod worker;
pub mod writeback;
