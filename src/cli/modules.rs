//! `ticketlens modules`: the hotspot list in a terminal, the same data as
//! `GET /api/v1/modules` (name, files, score, level, reasons, owners).

use crate::config::Settings;
use crate::moduleview::summary;
use crate::store::{ScoreSort, Store};
use serde_json::Value;

#[derive(Debug, clap::Args)]
pub struct ModulesArgs {
    /// Only this repository.
    #[arg(long)]
    pub repository: Option<String>,
    /// score, commits, fixes, churn, authors, last_change, size or name.
    #[arg(long, default_value = "score")]
    pub sort: String,
    /// Ascending instead of descending.
    #[arg(long)]
    pub asc: bool,
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    /// Prints `{"modules": [...]}` as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(settings: &Settings, args: &ModulesArgs) -> anyhow::Result<()> {
    let sort: ScoreSort = serde_json::from_value(Value::String(args.sort.clone()))
        .map_err(|_| anyhow::anyhow!("unknown --sort `{}`", args.sort))?;
    let store = Store::connect(settings.database.url.expose(), 1).await?;
    store.migrate().await?;
    let rows = store
        .list_scores(
            "module",
            args.repository.as_deref(),
            sort,
            !args.asc,
            args.limit.clamp(1, 10_000),
            0,
        )
        .await?;
    store.close().await;
    let modules: Vec<Value> = rows.iter().map(summary).collect();
    if args.json {
        println!("{}", serde_json::json!({ "modules": modules }));
        return Ok(());
    }
    if modules.is_empty() {
        println!(
            "no modules scored yet: `serve` mines the configured repositories \
             (or run `ticketlens history mine`)"
        );
    }
    for m in &modules {
        let f = &m["fragility"];
        let owners = strings(&m["owners"]);
        println!(
            "{:>5.1} {:<6} {:<40} {:>5} files  {}",
            f["score"].as_f64().unwrap_or(0.0),
            f["level"].as_str().unwrap_or(""),
            m["name"].as_str().unwrap_or(""),
            m["files"],
            owners.join(", ")
        );
        let reasons = strings(&f["reasons"]);
        if !reasons.is_empty() {
            println!("      {}", reasons.join("; "));
        }
    }
    Ok(())
}

/// The strings of a JSON array (none when it is not one).
fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}
