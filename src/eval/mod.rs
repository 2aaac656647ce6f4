//! Offline accuracy measurements (`ticketlens eval …`), all of them here, the CLI only
//! dispatching: localization over the shared datasets (`localization`, its metrics and its
//! time-ordered precedent pool), duplicate detection (`duplicates`), the commit classifier
//! against hand labels (`commits`), fragility against later fixes (`fragility`), the
//! reliability of the stated confidence (`confidence`, `confidence_fit`), and the backtest
//! on the store's own linked tickets (`self_test`); `replay` is the time rule the
//! localization eval and the backtest share.

mod commit_labels;
pub mod commits;
pub mod confidence;
pub mod confidence_fit;
pub mod duplicates;
pub mod duplicates_run;
pub mod fragility;
mod fragility_metrics;
pub mod localization;
mod localization_metrics;
mod metrics;
mod past_fixes;
pub mod precedents;
mod replay;
pub mod self_test;

pub use metrics::{first_rank, RankMetrics};
