//! `ticketlens analyze "text"`: the same analysis as `POST /api/v1/analyze` (modules with
//! fragility, owners and history, files, likely duplicates), for a terminal.

use crate::codeindex::CodeIndex;
use crate::config::Settings;
use crate::domain::{Enrichment, Tracker};
use crate::enrich::{Pipeline, Request, Subject};
use crate::render::{date, render, Format};
use crate::store::Store;
use crate::ticketindex::TicketIndex;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// The ticket's title (or the whole text).
    #[arg(required_unless_present = "ticket")]
    pub title: Option<String>,
    /// Analyses a stored ticket instead (`jira:TOM-12`, `github:acme/app#3`): its text, with
    /// itself left out of its duplicates and precedents.
    #[arg(long, conflicts_with = "title")]
    pub ticket: Option<String>,
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
    /// Prints the comment TicketLens would write: `markdown` (Linear), `wiki` (Jira Data
    /// Center) or `adf` (Jira Cloud).
    #[arg(long, value_parser = ["markdown", "wiki", "adf"])]
    pub comment: Option<String>,
}

pub async fn run(settings: &Settings, args: &AnalyzeArgs) -> anyhow::Result<()> {
    let (store, pipeline) = open_pipeline(settings).await?;
    let (title, body, subject) = match &args.ticket {
        Some(t) => stored(&store, t).await?,
        None => (
            args.title.clone().unwrap_or_default(),
            args.body.clone(),
            Subject::Draft,
        ),
    };
    let e = pipeline
        .enrich(Request {
            title,
            body,
            repository: args.repository.clone(),
            limit: args.limit,
            subject,
        })
        .await?;
    store.close().await;
    if let Some(format) = &args.comment {
        let format = match format.as_str() {
            "wiki" => Format::Wiki,
            "adf" => Format::Adf,
            _ => Format::Markdown,
        };
        let opts = settings.comments.render_options();
        print!("{}", render(&e, format, &opts).unwrap_or_default());
    } else if args.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
    } else {
        print!("{}", text(&e));
    }
    Ok(())
}

/// The store, both indexes (the code index built now, the ticket index caught up with the
/// store) and the analysis over them, for a one-shot command.
async fn open_pipeline(settings: &Settings) -> anyhow::Result<(Store, Pipeline)> {
    let store = Store::connect(settings.database.url.expose(), 2).await?;
    store.migrate().await?;
    let code = {
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
            let code = CodeIndex::configured(&settings)?;
            for (name, result) in code.refresh() {
                if let Err(e) = result {
                    anyhow::bail!("failed to index {name}: {e:#}");
                }
            }
            Ok(code)
        })
        .await??
    };
    let index_dir = settings.duplicates.index_dir.clone();
    let (tickets, fresh) =
        tokio::task::spawn_blocking(move || TicketIndex::open(index_dir.as_deref())).await??;
    let tickets = Arc::new(tickets);
    crate::worker::index_sync::prepare(&store, tickets.clone(), fresh).await?;
    let code = Arc::new(code);
    for r in &settings.repositories {
        crate::history_refresh::load_past_tickets(&store, &code, &r.name, None).await?;
    }
    let pipeline = Pipeline::open(settings, store.clone(), code, tickets);
    Ok((store, pipeline))
}

/// A stored ticket's text and subject, from `tracker:key`.
async fn stored(store: &Store, spec: &str) -> anyhow::Result<(String, String, Subject)> {
    let (tracker, key) = spec
        .split_once(':')
        .ok_or_else(|| anyhow::anyhow!("--ticket takes tracker:key, e.g. jira:TOM-12"))?;
    let tracker =
        Tracker::parse(tracker).ok_or_else(|| anyhow::anyhow!("unknown tracker `{tracker}`"))?;
    let t = store
        .ticket_by_key(tracker.as_str(), key)
        .await?
        .filter(|t| !t.deleted)
        .ok_or_else(|| anyhow::anyhow!("no stored ticket {spec}"))?;
    let subject = Subject::Ticket {
        tracker,
        id: t.id,
        key: t.key,
    };
    Ok((t.title, t.body, subject))
}

/// "12 changes by 3 people in 180 days; last change …, last fix …; since …", indented.
fn history_line(h: &crate::domain::ModuleHistory) -> String {
    let fix = h.last_fix_ms.map_or("none on record".to_string(), date);
    let since = if h.older_than_history {
        let year: String = date(h.history_start_ms).chars().take(4).collect();
        format!("older than the history ({year})")
    } else {
        format!("since {}", date(h.first_change_ms))
    };
    let refactored = h
        .last_refactor_ms
        .map_or("never refactored on record".to_string(), |t| {
            format!("last refactored {}", date(t))
        });
    format!(
        "       {} changes by {} people in {} days; last change {}, last fix {fix}, {refactored}; {since}\n",
        h.commits,
        h.authors,
        h.window_days,
        date(h.last_change_ms),
    )
}

/// The analysis for a terminal.
fn text(e: &Enrichment) -> String {
    let c = &e.confidence;
    let mut s = format!(
        "Confidence: {} ({:.0}%): {}\nModules\n",
        c.level.as_str(),
        c.probability * 100.0,
        c.reason
    );
    for (i, m) in e.modules.iter().enumerate() {
        let level = m
            .fragility
            .as_ref()
            .map(|f| format!("  {} {:.0}", f.level, f.score))
            .unwrap_or_else(|| "  (no history)".into());
        s += &format!(
            "{:>3}. {}:{} [{}] {} files{level}\n",
            i + 1,
            m.repository,
            m.name,
            m.module,
            m.files
        );
        if let Some(f) = &m.fragility {
            s += &format!("       why: {}\n", f.reasons.join("; "));
        }
        if !m.owners.is_empty() {
            s += &format!("       who knows it: {}\n", m.owners.join(", "));
        }
        if let Some(h) = &m.history {
            s += &history_line(h);
        }
        s += &format!("       files: {}\n", m.top_files.join(", "));
    }
    s += "Files\n";
    for (i, f) in e.files.iter().enumerate() {
        s += &format!(
            "{:>3}. {}:{}  [{}]  ({:.2})\n",
            i + 1,
            f.repository,
            f.path,
            f.module,
            f.score
        );
        for r in &f.reasons {
            s += &format!("       why: {r}\n");
        }
    }
    if !e.duplicates.is_empty() {
        s += "Similar tickets\n";
        for d in &e.duplicates {
            s += &format!(
                "     {} {} ({:.0}%)\n",
                d.key,
                d.title,
                d.similarity * 100.0
            );
        }
    }
    if !e.precedents.is_empty() {
        s += "Similar past work\n";
        for p in &e.precedents {
            let took = p.days.map_or_else(
                || format!("fixed {}", date(p.fixed_ms)),
                |d| format!("fixed in {d:.0} days"),
            );
            s += &format!(
                "     {} {} ({:.0}% similar): {took}, {} commit(s), touched {}\n",
                p.key,
                p.title,
                p.similarity * 100.0,
                p.commits.len(),
                p.files.join(", ")
            );
        }
        if let Some(f) = &e.footprint {
            s += &format!("     {}\n", crate::render::footprint(f));
        }
    }
    for h in &e.estimation_hints {
        s += &format!("Hint: {h}\n");
    }
    s
}
