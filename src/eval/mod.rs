//! Offline accuracy measurements over the shared benchmark datasets (`ticketlens eval`),
//! and the localization run's time-ordered precedent pool.

pub mod duplicates;
mod metrics;
pub mod precedents;

pub use metrics::{first_rank, RankMetrics};
