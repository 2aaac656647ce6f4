//! `ticketlens eval duplicates`: accuracy of similar-ticket search on a dataset.

use crate::config::Settings;
use crate::eval::duplicates::{self, DatasetQuery, DatasetTicket};
use clap::Args;
use std::path::PathBuf;

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
    /// Only fits the model on all queries and prints it (JSON): on the shared Hadoop files
    /// this is the shipped prior, `Logistic::shipped`.
    #[arg(long)]
    pub fit: bool,
}

/// Runs the evaluation and prints its report.
pub fn run(a: DuplicatesArgs, settings: &Settings) -> anyhow::Result<()> {
    {
        {
            let tickets: Vec<DatasetTicket> = duplicates::read_jsonl(&a.tickets)?;
            let queries: Vec<DatasetQuery> = duplicates::read_jsonl(&a.queries)?;
            if a.fit {
                let model = duplicates::fit_prior(&tickets, &queries)?;
                println!("{}", serde_json::to_string(&model)?);
                return Ok(());
            }
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
