//! `ticketlens analyze "text"`: the same analysis as `POST /api/v1/analyze`, for a terminal.

use crate::config::Settings;
use crate::enrich::{analyze, TicketText};
use crate::startup::open_code_index;

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The ticket's title (or the whole text).
    pub title: String,
    /// The ticket's description.
    #[arg(long, default_value = "")]
    pub body: String,
    /// Only this configured repository.
    #[arg(long)]
    pub repository: Option<String>,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Prints the result as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(settings: &Settings, args: &AnalyzeArgs) -> anyhow::Result<()> {
    let code = open_code_index(settings)?;
    for (name, result) in code.refresh() {
        if let Err(e) = result {
            anyhow::bail!("failed to index {name}: {e:#}");
        }
    }
    let ticket = TicketText {
        title: &args.title,
        body: &args.body,
        repository: args.repository.as_deref(),
    };
    let e = analyze(&code, ticket, args.limit)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
        return Ok(());
    }
    println!("Modules");
    for (i, m) in e.modules.iter().enumerate() {
        let owners = if m.owners.is_empty() {
            String::new()
        } else {
            format!("  owners: {}", m.owners.join(", "))
        };
        println!(
            "{:>3}. {}:{}  ({:.2}){owners}",
            i + 1,
            m.repository,
            m.module,
            m.score
        );
        println!("       files: {}", m.top_files.join(", "));
        println!("       terms: {}", m.matched_terms.join(", "));
    }
    println!("Files");
    for (i, f) in e.files.iter().enumerate() {
        println!(
            "{:>3}. {}:{}  [{}]  ({:.2})",
            i + 1,
            f.repository,
            f.path,
            f.module,
            f.score
        );
        if !f.matched_terms.is_empty() {
            println!("       matched: {}", f.matched_terms.join(", "));
        }
        for r in &f.reasons {
            println!("       why: {r}");
        }
    }
    Ok(())
}
