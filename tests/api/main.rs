//! The one integration-test binary: the real server on port 0, real databases, real payloads.

mod accuracy;
mod analyze;
mod architecture;
mod backfill;
mod backfill_forges;
mod backtest;
mod contract;
mod dependencies;
mod digest;
mod duplicates;
mod first_runs;
mod forge_specs;
mod forges;
mod hardening;
mod health;
mod history;
mod hostile;
mod inert;
mod itself;
mod job_retry;
mod learning;
mod learning_links;
mod limits;
mod one_comment;
mod one_comment_forges;
mod one_comment_linear;
mod past_tickets;
mod plan;
mod planning;
mod precedents;
mod prior;
mod queue;
mod render;
mod shutdown;
mod store_rules;
mod support;
mod web;
mod web_rules;
mod webhooks;
mod writeback;

// the support modules by their short names: `crate::helpers::spawn_app`, `crate::fakes::…`
use support::{browser, db, fakes, fakes_github, fakes_gitlab, forge_harness, helpers, octokit};
