//! `ticketlens eval duplicates`: the duplicate-detection protocol of
//! `../shared/datasets/README.md`, for our ranking and a plain BM25 baseline in one run.
//!
//! Only tickets created before a query are searchable, and only `title`, `body`,
//! `created_at` and `project` are read (`status` and `resolution` never reach the ranking).
//! The logistic re-ranker is fitted by k-fold cross-validation over the queries: each fold is
//! ranked by a model fitted on the other folds only, and those are the headline numbers.

use super::metrics::{first_rank, RankMetrics};
use crate::domain::{SimilarQuery, TicketDoc, Tracker};
use crate::ticketindex::{BaselineHit, Logistic, Scored, TicketIndex};
use crate::trackers::text::jira_wiki_to_text;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::Path;

mod online;
mod report;

/// One line of a `*-tickets.jsonl` file (only the fields ranking may read, plus
/// `resolution`, used solely to describe the false-alarm sample).
#[derive(Debug, Clone, Deserialize)]
pub struct DatasetTicket {
    pub id: String,
    pub project: String,
    pub title: String,
    pub body: String,
    pub created_at: String,
    #[serde(default)]
    pub resolution: Option<String>,
}

/// One line of a `*-queries.jsonl` file.
#[derive(Debug, Clone, Deserialize)]
pub struct DatasetQuery {
    pub query: String,
    pub duplicate_of: Vec<String>,
}

/// How the "likely duplicate" tier did.
#[derive(Debug, Clone, Serialize)]
pub struct TierMetrics {
    pub threshold: f32,
    /// Likely-duplicate suggestions over all queries, and how many were true targets.
    pub suggestions: usize,
    pub correct: usize,
    pub precision: f64,
    /// Queries with at least one likely-duplicate suggestion.
    pub queries_flagged: usize,
    /// Tickets without a known earlier duplicate that were searched, and how many got any
    /// likely-duplicate suggestion.
    pub no_duplicate_tickets: usize,
    pub false_alarms: usize,
    pub false_alarm_rate: f64,
    /// The same, leaving out tickets the tracker resolved as `Duplicate` (unlabelled
    /// duplicates: the pair file lists only some of them).
    pub no_duplicate_tickets_excluding_resolved_duplicates: usize,
    pub false_alarms_excluding_resolved_duplicates: usize,
    pub false_alarm_rate_excluding_resolved_duplicates: f64,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateReport {
    pub tickets: usize,
    pub queries: usize,
    pub folds: usize,
    pub baseline_bm25: RankMetrics,
    /// Ours, each fold ranked by a model fitted on the other folds.
    pub ours_cross_validated: RankMetrics,
    /// Ours with the model the service ships (fitted on these queries: in-sample here).
    pub ours_shipped_model: RankMetrics,
    pub likely_tier_cross_validated: TierMetrics,
    pub likely_tier_shipped_model: TierMetrics,
    /// The cross-validated tier at other thresholds, to choose one.
    pub threshold_sweep_cross_validated: Vec<TierMetrics>,
    /// Ours online: tickets and queries streamed in creation order, each query ranked by
    /// the model learned from the links known before it (the earlier queries' links),
    /// starting from the shipped model as the prior; no fold sees a later label.
    pub ours_online: RankMetrics,
    /// The likely tier online: each search judged with the threshold calibrated on the
    /// labels known before it (`threshold` is the one reached at the end).
    pub likely_tier_online: TierMetrics,
    /// The model fitted on all queries (what `Logistic::shipped` holds for the shared
    /// Hadoop queries; see `fit_prior`).
    pub fitted_on_all_queries: Logistic,
}

/// The prior's fit: L2 penalty and gradient steps (`fit_prior`, the cross-validation).
const FIT_L2: f32 = 1e-3;
const FIT_ITERATIONS: usize = 3000;

/// Rounds a model to 3 decimals, as `Logistic::shipped` writes it.
fn rounded(m: Logistic) -> Logistic {
    let r = |x: f32| (x * 1000.0).round() / 1000.0;
    Logistic {
        bias: r(m.bias),
        weights: m.weights.map(r),
    }
}

/// Tells whether the tracker resolved a ticket as a duplicate (`Duplicate`, `DUPLICATE`...).
fn resolved_as_duplicate(t: &DatasetTicket) -> bool {
    t.resolution
        .as_deref()
        .is_some_and(|r| r.trim().eq_ignore_ascii_case("duplicate"))
}

/// The shipped prior: the model fitted on every query of a dataset with its candidates as
/// the service finds them (tickets streamed in creation order), rounded to 3 decimals.
/// `ticketlens eval duplicates --fit` on the shared Hadoop files prints what
/// `Logistic::shipped` holds.
pub fn fit_prior(tickets: &[DatasetTicket], queries: &[DatasetQuery]) -> anyhow::Result<Logistic> {
    let searched: HashSet<&str> = queries.iter().map(|q| q.query.as_str()).collect();
    let found = stream(tickets, &searched)?;
    let examples: Vec<_> = queries
        .iter()
        .filter_map(|q| found.get(&q.query).map(|(c, _)| (c, q)))
        .flat_map(|(cands, q)| labelled(cands, q))
        .collect();
    Ok(rounded(Logistic::fit(&examples, FIT_L2, FIT_ITERATIONS)))
}

/// A query's candidates as training examples: is each one of its targets?
fn labelled<'a>(
    cands: &'a [Scored],
    q: &'a DatasetQuery,
) -> impl Iterator<Item = (crate::ticketindex::Features, bool)> + 'a {
    cands
        .iter()
        .map(|s| (s.features, q.duplicate_of.contains(&s.id)))
}

/// Reads a JSON Lines file.
pub fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}: line {} is not a record", path.display(), i + 1))
        })
        .collect()
}

/// The description as the service stores it: Jira webhooks and searches carry wiki markup,
/// which the service turns into plain text before indexing (`{code}`, `*bold*`, `h2.`...).
fn body_of(t: &DatasetTicket) -> String {
    jira_wiki_to_text(&t.body)
}

fn doc_of(t: &DatasetTicket) -> TicketDoc {
    TicketDoc {
        tracker: Tracker::Jira,
        id: t.id.clone(),
        key: t.id.clone(),
        title: t.title.clone(),
        body: body_of(t),
        labels: Vec::new(),
        components: Vec::new(),
        project: Some(t.project.clone()),
        visibility: Default::default(),
        status: None,
        url: None,
        created_at: Some(t.created_at.clone()),
    }
}

fn query_of(t: &DatasetTicket) -> SimilarQuery {
    SimilarQuery {
        title: t.title.clone(),
        body: body_of(t),
        project: Some(t.project.clone()),
        components: Vec::new(),
        created_at: Some(t.created_at.clone()),
        created_before: Some(TicketIndex::order_of(Some(&t.created_at), &t.id)),
        exclude_ids: vec![t.id.clone()],
        linked: Vec::new(),
        audience: None,
    }
}

/// Orders candidates by a model, best first, keeping at most 20.
fn rerank<'a>(model: &Logistic, c: &'a [Scored]) -> Vec<(f32, &'a Scored)> {
    let mut v: Vec<(f32, &Scored)> = c.iter().map(|s| (model.predict(&s.features), s)).collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    v.truncate(20);
    v
}

/// What a search found for one ticket: our candidates and the BM25 baseline's hits.
type Found = (Vec<Scored>, Vec<BaselineHit>);

/// Replays the tickets in creation order the way the service meets them: each `searched`
/// ticket is searched against the tickets indexed before it, then indexed itself, one commit
/// per ticket. So the index statistics (term frequencies, boilerplate lines) are those of
/// the past only, as in the service, never of tickets created later.
fn stream(
    tickets: &[DatasetTicket],
    searched: &HashSet<&str>,
) -> anyhow::Result<HashMap<String, Found>> {
    let (index, _) = TicketIndex::open(None)?;
    let index = index.with_baseline();
    let mut ordered: Vec<&DatasetTicket> = tickets.iter().collect();
    ordered.sort_by_cached_key(|t| TicketIndex::order_of(Some(&t.created_at), &t.id));
    let mut found = HashMap::new();
    for t in ordered {
        if searched.contains(t.id.as_str()) {
            let q = query_of(t);
            let cands = index.candidates(&q, true, crate::ticketindex::FIRST_STAGE)?;
            let base = index.baseline_search(&q, 20)?;
            found.insert(t.id.clone(), (cands, base));
        }
        index.upsert(std::slice::from_ref(&doc_of(t)))?;
    }
    Ok(found)
}

/// Each query's top `limit` candidate ids as the service ranks them (shipped model, tickets
/// streamed in creation order): what a comment written at the query's creation should name.
/// Queries whose ticket is not in `tickets` are left out.
pub fn shipped_rankings(
    tickets: &[DatasetTicket],
    queries: &[DatasetQuery],
    limit: usize,
) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let searched: HashSet<&str> = queries.iter().map(|q| q.query.as_str()).collect();
    let found = stream(tickets, &searched)?;
    let shipped = Logistic::shipped();
    Ok(queries
        .iter()
        .filter_map(|q| {
            let (cands, _) = found.get(&q.query)?;
            let ids = rerank(&shipped, cands)
                .into_iter()
                .take(limit)
                .map(|(_, s)| s.id.clone())
                .collect();
            Some((q.query.clone(), ids))
        })
        .collect())
}

/// Runs the evaluation. `folds` ≥ 2; `likely_threshold` and `limit` as the service uses them.
pub fn run(
    tickets: &[DatasetTicket],
    queries: &[DatasetQuery],
    folds: usize,
    likely_threshold: f32,
    limit: usize,
) -> anyhow::Result<DuplicateReport> {
    let folds = folds.max(2);
    let by_id: HashMap<&str, &DatasetTicket> = tickets.iter().map(|t| (t.id.as_str(), t)).collect();
    let query_ids: HashSet<&str> = queries.iter().map(|q| q.query.as_str()).collect();
    let no_duplicate = labelled_period(tickets, queries, &by_id, &query_ids);
    let searched: HashSet<&str> = query_ids
        .iter()
        .copied()
        .chain(no_duplicate.iter().map(|t| t.id.as_str()))
        .collect();
    let mut found = stream(tickets, &searched)?;

    let mut base_ranks = Vec::new();
    let mut per_query: Vec<(Vec<Scored>, &DatasetQuery)> = Vec::new();
    let mut skipped = 0;
    for q in queries {
        let Some((cands, base)) = found.remove(&q.query) else {
            skipped += 1;
            continue;
        };
        base_ranks.push(first_rank(
            base.iter().map(|h| h.id.as_str()),
            &q.duplicate_of,
        ));
        per_query.push((cands, q));
    }
    let examples = |skip_fold: Option<usize>| {
        per_query
            .iter()
            .enumerate()
            .filter(|(i, _)| skip_fold != Some(i % folds))
            .flat_map(|(_, (cands, q))| labelled(cands, q))
            .collect::<Vec<_>>()
    };
    let fit = |skip: Option<usize>| Logistic::fit(&examples(skip), FIT_L2, FIT_ITERATIONS);
    let fold_models: Vec<Logistic> = (0..folds).map(|f| fit(Some(f))).collect();
    let fitted_all = rounded(fit(None));
    let shipped = Logistic::shipped();

    let models = |i: usize| [&fold_models[i % folds], &shipped];
    let (shown, ranks) = shown_by_model(&per_query, models, limit);
    let mut best: [Vec<(f32, bool)>; 2] = [Vec::new(), Vec::new()];
    // False alarms: each no-duplicate ticket's best similarity against the tickets before it.
    for (n, t) in no_duplicate.iter().enumerate() {
        let Some((cands, _)) = found.get(&t.id) else {
            continue;
        };
        let dup_resolved = resolved_as_duplicate(t);
        for (m, model) in models(n).into_iter().enumerate() {
            let top = rerank(model, cands).first().map_or(0.0, |(p, _)| *p);
            best[m].push((top, dup_resolved));
        }
    }
    let tier = |m: usize, threshold: f32| {
        let mut c = TierCount::default();
        for q in &shown[m] {
            let likely: Vec<&(f32, bool)> = q.iter().filter(|(p, _)| *p >= threshold).collect();
            c.suggestions += likely.len();
            c.correct += likely.iter().filter(|(_, hit)| *hit).count();
            c.queries_flagged += usize::from(!likely.is_empty());
        }
        for (top, dup_resolved) in &best[m] {
            c.add_no_duplicate(*top >= threshold, *dup_resolved);
        }
        c.metrics(threshold)
    };
    let (online_ranks, likely_tier_online) = online::online(
        &per_query,
        &no_duplicate,
        &found,
        &by_id,
        likely_threshold,
        limit,
    )?;
    Ok(DuplicateReport {
        tickets: tickets.len(),
        queries: per_query.len(),
        folds,
        baseline_bm25: RankMetrics::from_ranks(&base_ranks, skipped),
        ours_cross_validated: RankMetrics::from_ranks(&ranks[0], skipped),
        ours_shipped_model: RankMetrics::from_ranks(&ranks[1], skipped),
        likely_tier_cross_validated: tier(0, likely_threshold),
        likely_tier_shipped_model: tier(1, likely_threshold),
        threshold_sweep_cross_validated: SWEEP.iter().map(|t| tier(0, *t)).collect(),
        ours_online: RankMetrics::from_ranks(&online_ranks, skipped),
        likely_tier_online,
        fitted_on_all_queries: fitted_all,
    })
}

/// Searched for false alarms besides the queries: every other ticket created inside the
/// labelled period, after the first query up to the last one.
fn labelled_period<'a>(
    tickets: &'a [DatasetTicket],
    queries: &[DatasetQuery],
    by_id: &HashMap<&str, &DatasetTicket>,
    query_ids: &HashSet<&str>,
) -> Vec<&'a DatasetTicket> {
    let order = |id: &str| {
        by_id
            .get(id)
            .map(|t| TicketIndex::order_of(Some(&t.created_at), id))
    };
    let first = queries.first().and_then(|q| order(&q.query));
    let last = queries.last().and_then(|q| order(&q.query));
    match (&first, &last) {
        (Some(first), Some(last)) => tickets
            .iter()
            .filter(|t| {
                let o = TicketIndex::order_of(Some(&t.created_at), &t.id);
                !query_ids.contains(t.id.as_str()) && first.is_before(&o) && !last.is_before(&o)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Each query's shown candidates as (similarity, is a target).
type Shown = Vec<Vec<(f32, bool)>>;

/// Per model (0: cross-validated, 1: shipped; `models(i)` gives both for query `i`): each
/// query's shown candidates as (similarity, is a target), and its first target's rank.
fn shown_by_model<'m>(
    per_query: &[(Vec<Scored>, &DatasetQuery)],
    models: impl Fn(usize) -> [&'m Logistic; 2],
    limit: usize,
) -> ([Shown; 2], [Vec<Option<usize>>; 2]) {
    let mut shown: [Shown; 2] = [Vec::new(), Vec::new()];
    let mut ranks = [Vec::new(), Vec::new()];
    for (i, (cands, q)) in per_query.iter().enumerate() {
        for (m, model) in models(i).into_iter().enumerate() {
            let ranked = rerank(model, cands);
            ranks[m].push(first_rank(
                ranked.iter().map(|(_, s)| s.id.as_str()),
                &q.duplicate_of,
            ));
            shown[m].push(
                ranked
                    .iter()
                    .take(limit)
                    .map(|(p, s)| (*p, q.duplicate_of.contains(&s.id)))
                    .collect(),
            );
        }
    }
    (shown, ranks)
}

/// Thresholds the report also shows the cross-validated tier at.
const SWEEP: [f32; 7] = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9];

#[derive(Default)]
struct TierCount {
    suggestions: usize,
    correct: usize,
    queries_flagged: usize,
    tickets: usize,
    alarms: usize,
    tickets_excl: usize,
    alarms_excl: usize,
}

impl TierCount {
    fn add_no_duplicate(&mut self, flagged: bool, resolved_duplicate: bool) {
        self.tickets += 1;
        self.alarms += usize::from(flagged);
        if !resolved_duplicate {
            self.tickets_excl += 1;
            self.alarms_excl += usize::from(flagged);
        }
    }

    fn metrics(&self, threshold: f32) -> TierMetrics {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        TierMetrics {
            threshold,
            suggestions: self.suggestions,
            correct: self.correct,
            precision: ratio(self.correct, self.suggestions),
            queries_flagged: self.queries_flagged,
            no_duplicate_tickets: self.tickets,
            false_alarms: self.alarms,
            false_alarm_rate: ratio(self.alarms, self.tickets),
            no_duplicate_tickets_excluding_resolved_duplicates: self.tickets_excl,
            false_alarms_excluding_resolved_duplicates: self.alarms_excl,
            false_alarm_rate_excluding_resolved_duplicates: ratio(
                self.alarms_excl,
                self.tickets_excl,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(resolution: Option<&str>) -> DatasetTicket {
        DatasetTicket {
            id: "1".into(),
            project: "p".into(),
            title: String::new(),
            body: String::new(),
            created_at: "2020-01-01T00:00:00".into(),
            resolution: resolution.map(str::to_string),
        }
    }

    #[test]
    fn resolutions_compare_without_case() {
        assert!(resolved_as_duplicate(&ticket(Some("Duplicate"))));
        assert!(resolved_as_duplicate(&ticket(Some("DUPLICATE"))));
        assert!(!resolved_as_duplicate(&ticket(Some("Fixed"))));
        assert!(!resolved_as_duplicate(&ticket(None)));
    }
}
