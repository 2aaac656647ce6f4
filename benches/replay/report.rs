//! The replay's report: throughput, latency, comments per ticket, and the duplicate
//! candidates the comments name against `ticketlens eval duplicates`' ranking.

use super::{fake_jira, webhook, Args, KEY_PREFIX};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use ticketlens::eval::duplicates::{shipped_rankings, DatasetQuery, DatasetTicket};
use ticketlens::eval::{first_rank, RankMetrics};

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

#[allow(clippy::too_many_arguments)]
pub fn report(
    a: &Args,
    tickets: &[webhook::Ticket],
    queries: &[DatasetQuery],
    keys: &[String],
    recorder: &fake_jira::Shared,
    sent_at: &Mutex<Vec<Option<Instant>>>,
    started: Instant,
    all_sent: f64,
) {
    let r = recorder.lock().unwrap();
    let sent = sent_at.lock().unwrap();
    let mut latencies = Vec::new();
    let (mut lost, mut doubled, mut last) = (0, 0, started);
    for (i, key) in keys.iter().enumerate() {
        match r.comments.get(key) {
            None => lost += 1,
            Some(cs) => {
                doubled += usize::from(cs.len() > 1);
                let first = cs[0].created;
                last = last.max(first);
                if let Some(s) = sent[i] {
                    latencies.push(first.saturating_duration_since(s).as_secs_f64() * 1000.0);
                }
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    let n = keys.len();
    let elapsed = last.duration_since(started).as_secs_f64();
    println!(
        "{n} tickets: all webhooks acknowledged after {all_sent:.2} s, last comment after {elapsed:.2} s → {:.1} tickets/s end to end",
        n as f64 / elapsed
    );
    println!(
        "webhook → comment latency: p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        pct(&latencies, 0.5),
        pct(&latencies, 0.99),
        pct(&latencies, 1.0)
    );
    println!(
        "comments: {} tickets without a comment, {doubled} with more than one; {} POST, {} PUT, {} GET; {} requests rejected{}",
        lost,
        r.posts,
        r.puts,
        r.gets,
        r.rejected.len(),
        r.rejected.first().map(|e| format!(" (first: {e})")).unwrap_or_default()
    );

    // Duplicates: the candidates each query's comment names, against the eval's ranking.
    let replayed: HashMap<&str, usize> = tickets
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let in_run: Vec<DatasetQuery> = queries
        .iter()
        .filter(|q| replayed.contains_key(q.query.as_str()))
        .cloned()
        .collect();
    let dataset: Vec<DatasetTicket> = tickets
        .iter()
        .map(|t| DatasetTicket {
            id: t.id.clone(),
            project: "hadoop".into(),
            title: t.title.clone(),
            body: t.body.clone(),
            created_at: t.created_at.clone(),
            resolution: None,
        })
        .collect();
    let eval = shipped_rankings(&dataset, &in_run, a.shown).expect("eval ranking");
    // When a ticket was sent and when its first comment came (its job had indexed it).
    let timing = |id: &str| {
        let i = *replayed.get(id)?;
        let done = r.comments.get(&keys[i]).map(|cs| cs[0].created);
        Some((sent[i]?, done))
    };
    let ms = |a: Instant, b: Instant| {
        if a >= b {
            a.duration_since(b).as_secs_f64() * 1000.0
        } else {
            -(b.duration_since(a).as_secs_f64() * 1000.0)
        }
    };
    let mut late_targets = 0;
    let (mut from_comments, mut from_eval, mut differ) = (Vec::new(), Vec::new(), Vec::new());
    for (q, (qid, eval_ids)) in in_run.iter().zip(&eval) {
        let key = format!("{KEY_PREFIX}{qid}");
        let named = r
            .comments
            .get(&key)
            .and_then(|cs| cs.last())
            .map(|c| fake_jira::named_candidates(&key, &c.body))
            .unwrap_or_default();
        let rc = first_rank(named.iter().map(String::as_str), &q.duplicate_of);
        let re = first_rank(eval_ids.iter().map(String::as_str), &q.duplicate_of);
        if rc != re {
            // Was the target still being processed when the query's webhook went out?
            let gap = q
                .duplicate_of
                .iter()
                .find_map(|t| timing(t))
                .zip(timing(qid));
            let why = match gap {
                Some(((t_sent, Some(t_done)), (q_sent, _))) => {
                    let late = t_done > q_sent;
                    late_targets += usize::from(late);
                    format!(
                        "target sent {:.0} ms before the query, its comment came {:.0} ms {} the query was sent",
                        ms(q_sent, t_sent),
                        ms(t_done, q_sent).abs(),
                        if late { "after" } else { "before" }
                    )
                }
                _ => "target not replayed".into(),
            };
            differ.push(format!(
                "  {qid} (targets {:?}): comment rank {rc:?} of {:?}…; eval rank {re:?} of {:?}…; {why}",
                q.duplicate_of,
                &named[..named.len().min(3)],
                &eval_ids[..eval_ids.len().min(3)]
            ));
        }
        from_comments.push(rc);
        from_eval.push(re);
    }
    let skipped = queries.len() - in_run.len();
    println!(
        "{}",
        RankMetrics::from_ranks(&from_comments, skipped).line("duplicates named in comments")
    );
    println!(
        "{}",
        RankMetrics::from_ranks(&from_eval, skipped).line("eval ranking (shipped model)")
    );
    println!(
        "{} queries ranked differently; in {late_targets} of them the target's own job was still running when the query was sent:",
        differ.len()
    );
    for d in &differ {
        println!("{d}");
    }
}
