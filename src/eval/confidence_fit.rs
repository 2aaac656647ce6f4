//! `ticketlens eval confidence`: the reliability table and the brief comment's length over
//! the analyses `eval localization --dump` wrote, with the confidence mapping as committed;
//! with `--fit`, fits the mapping on those files and prints its constants.

use super::localization::reliability_table;
use crate::eval::confidence::{
    describe, fit, training_rows, CommentWords, DumpRecord, Reliability,
};
use anyhow::Context;
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ConfidenceArgs {
    /// Dumps written by `eval localization --dump`.
    #[arg(required = true)]
    pub dumps: Vec<PathBuf>,
    /// Fits the logistic mapping on all the given dumps together and prints the constants.
    #[arg(long)]
    pub fit: bool,
    /// The share of `likely` records whose first module must be right (for `--fit`).
    #[arg(long, default_value_t = 0.88)]
    pub target: f64,
    /// Prints the brief Markdown comment of the record with this id (repeatable).
    #[arg(long)]
    pub show: Vec<String>,
}

fn read(path: &PathBuf) -> anyhow::Result<Vec<DumpRecord>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("failed to open {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if !line.trim().is_empty() {
            out.push(serde_json::from_str(&line).with_context(|| format!("line {}", i + 1))?);
        }
    }
    Ok(out)
}

pub fn run(args: &ConfidenceArgs) -> anyhow::Result<()> {
    let mut all = Vec::new();
    for path in &args.dumps {
        let mut records = read(path)?;
        let mut table = Reliability::default();
        let mut words = Vec::new();
        for r in records.iter_mut() {
            r.enrichment.confidence = crate::enrich::confidence::assess(&r.enrichment);
            let c = &r.enrichment.confidence;
            table.add(c.level, c.probability, r.first_right());
            words.push(crate::render::comment_words(&r.enrichment));
            if args.show.contains(&r.id) {
                let opts = crate::render::RenderOptions::default();
                let md =
                    crate::render::render(&r.enrichment, crate::render::Format::Markdown, &opts);
                println!(
                    "{} ({}; gold modules {:?}):\n{}",
                    r.id,
                    c.level.as_str(),
                    r.gold_modules,
                    md.unwrap_or_default()
                );
            }
        }
        let w = CommentWords::of(&words);
        println!("{} ({} records)", path.display(), records.len());
        print!("{}", reliability_table(&table.rows()));
        println!("comment words: median {}, max {}\n", w.median, w.max);
        all.extend(records);
    }
    if args.fit {
        let rows = training_rows(&all);
        println!("fitted on {} records:", rows.len());
        print!("{}", describe(&fit(&rows, args.target)));
    }
    Ok(())
}
