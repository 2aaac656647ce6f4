//! The one integration-test binary: the real server on port 0, real databases, real payloads.

mod analyze;
mod backfill;
mod backfill_forges;
mod contract;
mod duplicates;
mod fakes;
mod fakes_github;
mod fakes_gitlab;
mod forge_harness;
mod forge_specs;
mod forges;
mod health;
mod helpers;
mod history;
mod hostile;
mod limits;
mod octokit;
mod one_comment;
mod one_comment_forges;
mod one_comment_linear;
mod queue;
mod render;
mod shutdown;
mod store_rules;
mod webhooks;
mod writeback;
