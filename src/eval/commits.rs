//! `ticketlens eval commits`: the commit classifier against hand-labelled commits (the
//! format of `../shared/datasets/commits/`): fix and sweep precision and recall and the
//! confusion table between kinds.

use super::commit_labels::{evaluate, CommitEvalReport, Label};
use super::localization::repo_dir;
use crate::config::Settings;
use crate::history::{mine_shas, Classifier};
use anyhow::Context;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CommitsArgs {
    /// A JSON Lines file of labelled commits.
    #[arg(long)]
    pub labels: PathBuf,
    /// Directory of bare or checked-out repositories: `<DIR>/<owner>+<name>/repo`,
    /// `<DIR>/<owner>+<name>` or `<DIR>/<owner>/<name>`.
    #[arg(long)]
    pub repos: PathBuf,
    /// Prints machine-readable JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(settings: &Settings, args: &CommitsArgs) -> anyhow::Result<()> {
    let file = std::fs::File::open(&args.labels)
        .with_context(|| format!("failed to open {}", args.labels.display()))?;
    let mut labels: Vec<Label> = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        labels.push(serde_json::from_str(&line).with_context(|| format!("line {}", i + 1))?);
    }
    let classifier = Classifier::new(&settings.history.classifier_rules(), [])
        .context("invalid [history] patterns")?;
    // each repository's commits mined in one pass
    let mut by_repo: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        by_repo.entry(l.repo.as_str()).or_default().push(i);
    }
    let mut commits = vec![None; labels.len()];
    for (repo, idx) in &by_repo {
        let Some(dir) = repo_dir(&args.repos, repo) else {
            tracing::warn!(%repo, "repository not found under --repos; its labels are skipped");
            continue;
        };
        let shas: Vec<String> = idx.iter().map(|&i| labels[i].sha.clone()).collect();
        let mined = mine_shas(&dir, &shas, settings.history.threads)?;
        for (&i, c) in idx.iter().zip(mined) {
            commits[i] = c;
        }
    }
    let report = evaluate(&labels, &commits, &classifier);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report));
    }
    Ok(())
}

fn render(r: &CommitEvalReport) -> String {
    let mut s = format!(
        "{} labelled commits, {} found\n  fix    precision {:.3}  recall {:.3}  (tp {}, fp {}, fn {})\n  sweep  precision {:.3}  recall {:.3}  (tp {}, fp {}, fn {})\n  bot    precision {:.3}  recall {:.3}\n  kind accuracy {:.3}\n  confusion (label → predicted):\n",
        r.labelled, r.evaluated,
        r.fix.precision, r.fix.recall, r.fix.true_positives, r.fix.false_positives, r.fix.false_negatives,
        r.sweep.precision, r.sweep.recall, r.sweep.true_positives, r.sweep.false_positives, r.sweep.false_negatives,
        r.bot.precision, r.bot.recall, r.kind_accuracy,
    );
    for (label, row) in &r.confusion {
        let cells: Vec<String> = row.iter().map(|(k, n)| format!("{k} {n}")).collect();
        s.push_str(&format!("    {label:<13} {}\n", cells.join(", ")));
    }
    s.push_str("  misses (fix or sweep):\n");
    for m in &r.misses {
        s.push_str(&format!(
            "    {} {} [{}{} → {}{}] {} ({})\n",
            m.repo,
            &m.sha[..m.sha.len().min(10)],
            m.label,
            if m.label_sweep { ", sweep" } else { "" },
            m.predicted,
            if m.sweep { ", sweep" } else { "" },
            m.subject,
            m.rule
        ));
    }
    s
}
