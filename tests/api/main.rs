//! The one integration-test binary: the real server on port 0, real databases, real payloads.

mod analyze;
mod contract;
mod health;
mod helpers;
mod queue;
mod render;
mod shutdown;
mod webhooks;
