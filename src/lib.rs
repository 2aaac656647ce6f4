//! TicketLens: receives tracker webhooks, analyses tickets against the team's code and
//! history, and writes one advisory comment back.
//!
//! A tour, in the order a webhook travels (`ARCHITECTURE.md` has the map and its rules):
//! - `main.rs` calls [`cli::run`]; `serve` builds [`startup::Application`], which wires the
//!   store, both indexes, the pipeline, the workers and the actix application.
//! - A webhook reaches `http` (the JSON API), then [`ingest`]: the tracker's module in
//!   [`trackers`] verifies and parses it, and the delivery and its job are stored durably.
//! - A [`worker`] claims the job and runs [`enrich::Pipeline::enrich`], the one analysis
//!   every front end shares; [`render`] makes the comment and [`writeback`] puts it, once,
//!   on the ticket.
//! - In the background, [`repositories`] keeps each repository indexed ([`codeindex`]) and
//!   its history mined ([`history`], [`history_refresh`]); [`learning`] refits the duplicate
//!   models.
//!
//! The rooms:
//! - `domain`: plain types (trackers, ticket keys, normalized ticket events), the wall clock
//! - `config`: typed settings from a TOML file and `TICKETLENS_*` variables; secrets wrapped
//! - `trackers`: per tracker: signature checks, webhook parsing, API clients, comment sinks
//! - `history`: git2 history miner, per-file and per-module metrics, fragility and its evaluation
//! - `history_refresh`: mine → store → rescore, for one repository
//! - `repositories`: the code index of every repository, kept current, and its history mined
//! - `deps`: the code's own imports of eight languages read, resolved to files, and the module
//!   graph (depends on, used by, blast radius, cycles)
//! - `modules`: what a module is: the one file → module cut, ids and display names
//! - `store`: sqlx over SQLite or PostgreSQL: migrations, deliveries, tickets, the job queue
//! - `codeindex`: repositories indexed with tantivy at a commit, modules, owners, history
//! - `enrich`: the analysis pipeline (`enrich::Pipeline`) the API, CLI, worker and eval share
//! - `ingest`: verify → parse → durable group commit of deliveries and jobs
//! - `ticketindex`: tantivy ticket index, similar-ticket search with calibrated similarity
//! - `learning`: per-project duplicate models learned from links (back-fill, webhooks),
//!   triagers' verdicts and unlinked searches
//! - `eval`: offline accuracy runs over the shared datasets (`ticketlens eval`)
//! - `accuracy`: live accuracy (how analyses did once the tickets' fixes landed), as the
//!   accuracy API, the overview page and `/metrics` show it
//! - `moduleview`: stored module scores as the modules API, the web page and the CLI show them
//! - `planview`: the plan: a sprint's, release's or all open tickets on the modules they land in
//! - `ticketview`: a stored ticket with its duplicates and analysis (the tickets API, the page)
//! - `render`: one enrichment as Markdown, Atlassian Document Format or Jira wiki markup
//! - `worker`: the job loop with leases, backoff and dead jobs
//! - `writeback`: the one comment per ticket, created once and updated in place
//! - `app`: what the API and the pages share: state, tokens and roles, the error codes
//! - `http`: the JSON API's routes, request metrics, per-peer connection and
//!   failed-authentication limits
//! - `web`: the server-rendered pages for people: overview, modules, tickets, analyze, sign-in
//! - `metrics`, `telemetry`: Prometheus registry and logging
//! - `backfill`: resumable, rate-limit aware import of existing tickets from a tracker API
//! - `retention`: the timer that prunes the store
//! - `digest`: the plan's findings sent on a schedule to Slack, Teams or a JSON webhook, once
//!   per period
//! - `startup`, `cli`: the application and the command line

pub mod accuracy;
pub(crate) mod app;
pub mod backfill;
pub mod cli;
pub mod codeindex;
pub mod config;
pub mod deps;
pub mod digest;
pub mod domain;
pub mod enrich;
pub mod eval;
pub mod history;
pub mod history_refresh;
pub mod http;
pub mod ingest;
pub(crate) mod learning;
pub mod metrics;
pub mod modules;
pub(crate) mod moduleview;
pub mod planview;
pub mod render;
pub(crate) mod repositories;
pub(crate) mod retention;
pub mod startup;
pub mod store;
pub(crate) mod telemetry;
pub mod ticketindex;
pub(crate) mod ticketview;
pub mod trackers;
pub(crate) mod web;
pub mod worker;
pub mod writeback;
