//! `ticketlens eval fragility`: scores from history up to a date, checked against where the
//! bug fixes of the following horizon landed, next to size and commit-count baselines.

use crate::config::Settings;
use crate::history::eval::{evaluate, EvalReport};
use crate::history::{mine, BugfixMatcher, DirDepth, MineRequest, Params};
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
    /// Module depth; defaults to `[history] module_depth`.
    #[arg(long)]
    module_depth: Option<usize>,
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
        module_depth,
        json,
    } = cmd;
    let h = &settings.history;
    let dates: Vec<i64> = at.iter().map(|d| parse_date(d)).collect::<Result<_, _>>()?;
    let horizon_days = parse_days(&horizon)?;
    let depth = module_depth.unwrap_or(h.module_depth);
    let matcher = BugfixMatcher::new(&h.bugfix_pattern, [])?;
    let (window_days, mass_change_files) = (h.window_days, h.mass_change_files);
    let req = MineRequest {
        path: repo,
        branch,
        known_tip: None,
        next_seq: 0,
        threads: h.threads,
    };
    let reports = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<EvalReport>> {
        let t = Instant::now();
        let mined = mine(&req)?;
        tracing::info!(
            commits = mined.commits.len(),
            missing = mined.missing_objects,
            ms = t.elapsed().as_millis() as u64,
            "mined"
        );
        let eval = |now_ms| {
            let p = Params {
                now_ms,
                window_days,
                mass_change_files,
            };
            evaluate(&mined.commits, &DirDepth(depth), &matcher, &p, horizon_days)
        };
        Ok(dates.into_iter().map(eval).collect())
    })
    .await
    .context("evaluation thread failed")??;
    for (report, date) in reports.iter().zip(&at) {
        if json {
            println!("{}", serde_json::to_string_pretty(report)?);
        } else {
            print!("{}", render(report, date, depth));
        }
    }
    Ok(())
}

fn render(r: &EvalReport, at: &str, depth: usize) -> String {
    let mut s = format!(
        "fragility at {at}, fixes in the next {} days: {} fix commits, {} file touches \
         ({} commits before; modules at depth {depth})\n",
        r.horizon_days, r.fix_commits_after, r.touches, r.commits_before
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
    }
    s
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
