//! Offline accuracy measurements over the shared benchmark datasets (`ticketlens eval`),
//! the localization run's time-ordered precedent pool, and the reliability of the stated
//! confidence.

pub mod confidence;
pub mod duplicates;
mod metrics;
pub mod precedents;

pub use metrics::{first_rank, RankMetrics};
