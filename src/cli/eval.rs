//! `ticketlens eval …`: offline accuracy measurements over datasets and real history.

use super::{eval_duplicates, eval_fragility};
use crate::config::Settings;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Duplicate detection as ../shared/datasets/README.md defines it: RR@1/5/10/20 and MRR
    /// for our ranking (cross-validated) and for a plain BM25 baseline, plus the
    /// likely-duplicate tier's precision and false-alarm rate.
    Duplicates(eval_duplicates::DuplicatesArgs),
    /// Ranks modules and files by fragility at --at and scores the ranking on later fixes.
    Fragility(eval_fragility::FragilityArgs),
}

/// Runs an eval command and prints its report.
pub async fn run(cmd: EvalCommand, settings: Settings) -> anyhow::Result<()> {
    match cmd {
        EvalCommand::Duplicates(a) => {
            tokio::task::spawn_blocking(move || eval_duplicates::run(a, &settings)).await?
        }
        EvalCommand::Fragility(a) => eval_fragility::run(a, &settings).await,
    }
}
