//! The online replay of `ticketlens eval duplicates`: labelled queries and tickets without
//! a known duplicate in creation order, each ranked by the project's model as it stood
//! before it (`ours_online`, `likely_tier_online`).

use super::{
    labelled, rerank, resolved_as_duplicate, DatasetQuery, DatasetTicket, Found, TierCount,
    TierMetrics,
};
use crate::eval::metrics::first_rank;
use crate::ticketindex::{Label, Logistic, OnlineModel, Scored, TicketIndex};
use std::collections::HashMap;

/// The online replay: the labelled queries and the tickets without a known duplicate in
/// creation order; each is ranked and judged by the project's model as it stood before it,
/// then (a query) teaches the model its links or (any other) counts as an unlinked search.
/// Returns each query's rank and the tier's counts.
pub(super) fn online(
    per_query: &[(Vec<Scored>, &DatasetQuery)],
    no_duplicate: &[&DatasetTicket],
    found: &HashMap<String, Found>,
    by_id: &HashMap<&str, &DatasetTicket>,
    likely_threshold: f32,
    limit: usize,
) -> anyhow::Result<(Vec<Option<usize>>, TierMetrics)> {
    enum Step<'a> {
        Query(&'a [Scored], &'a DatasetQuery),
        Unlinked(&'a [Scored], bool),
    }
    let mut steps: Vec<(crate::domain::CreatedOrder, Step)> = Vec::new();
    for (cands, q) in per_query {
        let created = by_id.get(q.query.as_str()).map(|t| t.created_at.as_str());
        let at = TicketIndex::order_of(created, &q.query);
        steps.push((at, Step::Query(cands, q)));
    }
    for t in no_duplicate {
        if let Some((cands, _)) = found.get(&t.id) {
            let at = TicketIndex::order_of(Some(&t.created_at), &t.id);
            steps.push((at, Step::Unlinked(cands, resolved_as_duplicate(t))));
        }
    }
    steps.sort_by(|a, b| a.0.cmp(&b.0));
    let mut model = OnlineModel::new(Logistic::shipped(), likely_threshold, limit);
    let mut ranks = Vec::new();
    let mut c = TierCount::default();
    for (at, step) in steps {
        // asserted, not assumed: every label learned so far was known before this search
        let (current, threshold) = model.for_query(&at)?;
        let current = *current;
        match step {
            Step::Query(cands, q) => {
                let ranked = rerank(&current, cands);
                ranks.push(first_rank(
                    ranked.iter().map(|(_, s)| s.id.as_str()),
                    &q.duplicate_of,
                ));
                let likely: Vec<bool> = ranked
                    .iter()
                    .take(limit)
                    .filter(|(p, _)| *p >= threshold)
                    .map(|(_, s)| q.duplicate_of.contains(&s.id))
                    .collect();
                c.suggestions += likely.len();
                c.correct += likely.iter().filter(|hit| **hit).count();
                c.queries_flagged += usize::from(!likely.is_empty());
                // learned only now: the query's own label never ranks the query
                model.add(Label::Link, at, labelled(cands, q).collect());
                model.refit();
            }
            Step::Unlinked(cands, dup_resolved) => {
                let top = rerank(&current, cands).first().map_or(0.0, |(p, _)| *p);
                c.add_no_duplicate(top >= threshold, dup_resolved);
                let ticket = at.id.clone();
                model.add_unlinked(at, ticket, cands.iter().map(|s| s.features).collect());
            }
        }
    }
    Ok((ranks, c.metrics(model.threshold())))
}
