//! `ticketlens eval duplicates`: accuracy of similar-ticket search on a dataset.

use crate::config::Settings;
use crate::eval::duplicates::{self, DatasetQuery, DatasetTicket};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Duplicate detection as ../shared/datasets/README.md defines it: RR@1/5/10/20 and MRR
    /// for our ranking (cross-validated) and for a plain BM25 baseline, plus the
    /// likely-duplicate tier's precision and false-alarm rate.
    Duplicates(DuplicatesArgs),
}

#[derive(Debug, Args)]
pub struct DuplicatesArgs {
    /// Tickets JSON Lines file (`*-tickets.jsonl`).
    #[arg(long)]
    pub tickets: PathBuf,
    /// Queries JSON Lines file (`*-queries.jsonl`).
    #[arg(long)]
    pub queries: PathBuf,
    /// Prints the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Folds of the cross-validation that fits the re-ranker.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Likely-duplicate threshold (default: `[duplicates] likely_threshold`).
    #[arg(long)]
    pub likely_threshold: Option<f32>,
}

/// Runs an eval command and prints its report.
pub fn run(cmd: EvalCommand, settings: &Settings) -> anyhow::Result<()> {
    match cmd {
        EvalCommand::Duplicates(a) => {
            let tickets: Vec<DatasetTicket> = duplicates::read_jsonl(&a.tickets)?;
            let queries: Vec<DatasetQuery> = duplicates::read_jsonl(&a.queries)?;
            let threshold = a
                .likely_threshold
                .unwrap_or(settings.duplicates.likely_threshold);
            let report = duplicates::run(
                &tickets,
                &queries,
                a.folds,
                threshold,
                settings.duplicates.limit,
            )?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.render());
            }
            Ok(())
        }
    }
}
