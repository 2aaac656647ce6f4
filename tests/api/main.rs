//! The one integration-test binary: the real server on port 0, real databases, real payloads.

mod analyze;
mod backfill;
mod contract;
mod duplicates;
mod fakes;
mod health;
mod helpers;
mod history;
mod hostile;
mod limits;
mod one_comment;
mod one_comment_linear;
mod precedents;
mod queue;
mod render;
mod shutdown;
mod store_rules;
mod webhooks;
mod writeback;
