//! The command line: `serve`, `migrate` and `index` here; one file per further command
//! (`analyze`, `history`, `backfill`, `eval …`).

mod analyze;
mod backfill;
mod deps;
mod eval;
mod history;
mod modules;

use crate::codeindex::CodeIndex;
use crate::config::Settings;
use crate::domain::redact::url_without_credentials as redact_url;
use crate::startup::{cancel_on_signals, Application};
use crate::store::Store;
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
    /// Builds the code index of every configured repository, or refreshes it incrementally.
    Index,
    /// Prints the modules and files a ticket text likely touches.
    Analyze(analyze::AnalyzeArgs),
    /// Lists modules with their fragility, reasons and owners (the hotspot list).
    Modules(modules::ModulesArgs),
    /// What each module depends on and what uses it, from the code's own imports.
    Deps(deps::DepsArgs),
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
    let level = format!("{},tantivy=error", settings.log.level);
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
        Command::Index => tokio::task::spawn_blocking(move || index(&settings)).await?,
        Command::Analyze(args) => analyze::run(&settings, &args).await,
        Command::Modules(args) => modules::run(&settings, &args).await,
        Command::Deps(args) => deps::run(&settings, &args).await,
        Command::History(cmd) => history::run(cmd, &settings).await,
        Command::Backfill(cmd) => backfill::run(cmd, &settings).await,
        Command::Eval(cmd) => eval::run(cmd, settings).await,
    }
}

fn index(settings: &Settings) -> anyhow::Result<()> {
    anyhow::ensure!(
        !settings.repositories.is_empty(),
        "no [[repositories]] configured"
    );
    let code = CodeIndex::configured(settings)?;
    let mut failed = false;
    for (name, result) in code.refresh() {
        match result {
            Ok(r) => println!(
                "{name}: {} files at {} ({} re-indexed, {} missing objects skipped)",
                r.files,
                &r.commit[..12.min(r.commit.len())],
                r.indexed,
                r.missing_objects
            ),
            Err(e) => {
                failed = true;
                eprintln!("{name}: {e:#}");
            }
        }
    }
    anyhow::ensure!(!failed, "some repositories could not be indexed");
    Ok(())
}
