//! `ticketlens eval …`: offline accuracy measurements over datasets and real history; each
//! lives in the `eval` room, this file only dispatches.

use crate::config::Settings;
use crate::eval::{
    commits as eval_commits, confidence_fit as eval_confidence, duplicates_run as eval_duplicates,
    fragility as eval_fragility, localization as eval_localization, self_test as eval_self,
};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// The commit classifier against hand labels: fix and sweep precision and recall, and
    /// the confusion table between kinds.
    Commits(eval_commits::CommitsArgs),
    /// The reliability of the stated confidence over `eval localization --dump` files, and
    /// with --fit the logistic mapping fitted on them.
    Confidence(eval_confidence::ConfidenceArgs),
    /// Duplicate detection as ../shared/datasets/README.md defines it: RR@1/5/10/20 and MRR
    /// for our ranking (cross-validated) and for a plain BM25 baseline, plus the
    /// likely-duplicate tier's precision and false-alarm rate.
    Duplicates(eval_duplicates::DuplicatesArgs),
    /// Ranks modules and files by fragility at --at and scores the ranking on later fixes.
    Fragility(eval_fragility::FragilityArgs),
    /// Bug localization: ranked files and modules against the files each fix changed.
    Localization(eval_localization::LocalizationArgs),
    /// A backtest on the repository's own linked past tickets, each replayed as of its
    /// report (as `localization` does) and judged as live accuracy judges; stored and shown
    /// until live numbers exist.
    #[command(name = "self")]
    SelfTest(eval_self::SelfArgs),
}

/// Runs an eval command and prints its report.
pub async fn run(cmd: EvalCommand, settings: Settings) -> anyhow::Result<()> {
    match cmd {
        EvalCommand::Commits(a) => {
            tokio::task::spawn_blocking(move || eval_commits::run(&settings, &a)).await?
        }
        EvalCommand::Confidence(a) => eval_confidence::run(&a),
        EvalCommand::Duplicates(a) => {
            tokio::task::spawn_blocking(move || eval_duplicates::run(a, &settings)).await?
        }
        EvalCommand::Fragility(a) => eval_fragility::run(a, &settings).await,
        EvalCommand::Localization(a) => {
            tokio::task::spawn_blocking(move || eval_localization::run(&settings, &a)).await?
        }
        EvalCommand::SelfTest(a) => eval_self::run(&settings, &a).await,
    }
}
