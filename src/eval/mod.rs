//! Offline accuracy measurements over the shared benchmark datasets (`ticketlens eval`).

pub mod duplicates;
mod metrics;

pub use metrics::{first_rank, RankMetrics};
