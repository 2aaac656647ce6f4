//! `ticketlens eval fragility`: scores from history up to a date, checked against where the
//! bug fixes of the following horizon landed, next to size and commit-count baselines.

use super::fragility_metrics::{evaluate_all, EvalReport};
use crate::config::Settings;
use crate::history::{mine, tree_paths, Classifier, MineRequest, Params};
use crate::modules::{ModuleCut, ModuleMap};
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

/// Ranks modules and files by fragility at --at and scores the ranking on later fixes.
#[derive(Debug, Args)]
pub struct FragilityArgs {
    #[arg(long)]
    repo: PathBuf,
    /// The date to compute the scores at, `YYYY-MM-DD` (UTC midnight); repeat it to
    /// evaluate several dates from one mining pass.
    #[arg(long, required = true)]
    at: Vec<String>,
    /// How far after the date fixes count: `180d`.
    #[arg(long, default_value = "180d")]
    horizon: String,
    #[arg(long, default_value = "main")]
    branch: String,
    /// Rank and count every file, not only source files (changelogs, docs, build files).
    #[arg(long)]
    all_files: bool,
    /// Score with these weights instead of the shipped ones:
    /// `fixes,fixes_window,commits,commits_all,authors,churn,size,decayed`; repeat it to
    /// score several weightings from one mining pass (fitting).
    #[arg(long)]
    weights: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub async fn run(cmd: FragilityArgs, settings: &Settings) -> anyhow::Result<()> {
    let FragilityArgs {
        repo,
        at,
        horizon,
        branch,
        all_files,
        weights,
        json,
    } = cmd;
    let weights: Vec<crate::history::Weights> = if weights.is_empty() {
        vec![crate::history::WEIGHTS]
    } else {
        weights
            .iter()
            .map(|w| {
                crate::history::Weights::parse(w).map_err(|e| anyhow::anyhow!("--weights: {e}"))
            })
            .collect::<Result<_, _>>()?
    };
    let h = &settings.history;
    let dates: Vec<i64> = at.iter().map(|d| parse_date(d)).collect::<Result<_, _>>()?;
    let horizon_days = parse_days(&horizon)?;
    let rules = settings.modules.clone();
    let matcher = Classifier::new(&h.classifier_rules(), [])?;
    let (window_days, mass_change_files) = (h.window_days, h.mass_change_files);
    let req = MineRequest {
        path: repo,
        branch,
        known_tip: None,
        next_seq: 0,
        threads: h.threads,
    };
    let reports = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<(EvalReport, i64)>> {
        let t = Instant::now();
        let mined = mine(&req)?;
        tracing::info!(
            commits = mined.commits.len(),
            missing = mined.missing_objects,
            ms = t.elapsed().as_millis() as u64,
            "mined"
        );
        let mut out = Vec::new();
        for now_ms in dates {
            // modules are cut from the tree as it was at the date
            let at = mined
                .commits
                .iter()
                .filter(|c| c.time_ms <= now_ms)
                .max_by_key(|c| c.seq)
                .context("no commit before the date")?;
            let paths = tree_paths(&req.path, &at.sha)?;
            let cut = ModuleCut::build(paths.iter().map(String::as_str), &rules);
            let p = Params {
                now_ms,
                window_days,
                mass_change_files,
            };
            let map: &dyn ModuleMap = if all_files { &EveryFile(&cut) } else { &cut };
            let reports = evaluate_all(&mined.commits, map, &matcher, &p, horizon_days, &weights);
            out.extend(reports.into_iter().map(|r| (r, now_ms)));
        }
        Ok(out)
    })
    .await
    .context("evaluation thread failed")??;
    for (report, at_ms) in &reports {
        let date = crate::render::date(*at_ms);
        if json {
            println!("{}", serde_json::to_string_pretty(report)?);
        } else {
            print!("{}", render(report, &date, all_files));
        }
    }
    Ok(())
}

fn render(r: &EvalReport, at: &str, all_files: bool) -> String {
    let what = if all_files { "file" } else { "source-file" };
    let mut s = format!(
        "fragility at {at} (weights {}), real fixes in the next {} days: {} fix commits, \
         {} {what} touches ({} commits before; modules cut from the tree at the date)\n",
        r.weights, r.horizon_days, r.fix_commits_after, r.touches, r.commits_before
    );
    for (what, level) in [("files", &r.files), ("modules", &r.modules)] {
        s.push_str(&format!("  {what} ranked: {}\n", level.ranked));
        for x in &level.rankings {
            s.push_str(&format!(
                "    {:<20} top 10%: {:>5.1}%   top 20%: {:>5.1}%\n",
                x.ranking,
                x.top10 * 100.0,
                x.top20 * 100.0
            ));
        }
        let l = &level.levels;
        s.push_str(&format!(
            "    levels: {} high, {} medium, {} low; a real fix within {} days: {:.1}% of high, {:.1}% of all (lift {:.2})\n",
            l.high,
            l.medium,
            l.low,
            super::fragility_metrics::LIFT_DAYS,
            level.high_fixed * 100.0,
            level.all_fixed * 100.0,
            level.lift
        ));
    }
    s
}

/// The cut, counting every file (non-source files go to their nearest module).
struct EveryFile<'a>(&'a ModuleCut);

impl ModuleMap for EveryFile<'_> {
    fn module_of(&self, path: &str) -> String {
        self.0.module_of(path)
    }
}

fn parse_date(s: &str) -> anyhow::Result<i64> {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, &f).with_context(|| format!("--at `{s}` is not YYYY-MM-DD"))?;
    Ok(d.midnight().assume_utc().unix_timestamp() * 1000)
}

fn parse_days(s: &str) -> anyhow::Result<i64> {
    s.trim_end_matches('d')
        .parse::<i64>()
        .with_context(|| format!("--horizon `{s}` is not a number of days like 180d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_horizons_parse() {
        assert_eq!(parse_date("1970-01-02").unwrap(), 86_400_000);
        assert_eq!(parse_days("180d").unwrap(), 180);
        assert!(parse_days("six months").is_err());
    }
}
