//! The command line: `serve` and `migrate` here; one file per further command group
//! (`history`, `backfill`, `eval`).

mod backfill;
mod eval;
mod eval_duplicates;
mod eval_fragility;
mod history;

use crate::config::Settings;
use crate::startup::{cancel_on_signals, Application};
use crate::store::{redact_url, Store};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// TicketLens: code context, fragility and likely duplicates on every ticket.
#[derive(Debug, Parser)]
#[command(name = "ticketlens", version, about)]
pub struct Cli {
    /// TOML configuration file; every key can also be set as TICKETLENS_SECTION__KEY.
    #[arg(long, global = true, env = "TICKETLENS_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the HTTP server and the job workers until SIGTERM or SIGINT.
    Serve,
    /// Applies database migrations and exits.
    Migrate,
    /// Mines git history into the store and recomputes fragility.
    #[command(subcommand)]
    History(history::HistoryCommand),
    /// Imports a tracker's existing tickets (indexed, never commented on); resumable.
    #[command(subcommand)]
    Backfill(backfill::BackfillCommand),
    /// Offline accuracy measurements over datasets and real history.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
}

/// Runs the parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    // tantivy narrates every commit at info level
    let level = format!("{},tantivy=warn", settings.log.level);
    crate::telemetry::init(&settings.log.format, &level);
    match cli.command {
        Command::Serve => {
            let app = Application::build(settings).await?;
            cancel_on_signals(app.shutdown_token());
            app.run_until_stopped().await
        }
        Command::Migrate => {
            let url = settings.database.url.expose();
            let store = Store::connect(url, 1).await?;
            store.migrate().await?;
            tracing::info!(database = %redact_url(url), "migrations applied");
            store.close().await;
            Ok(())
        }
        Command::History(cmd) => history::run(cmd, &settings).await,
        Command::Backfill(cmd) => backfill::run(cmd, &settings).await,
        Command::Eval(cmd) => eval::run(cmd, settings).await,
    }
}
