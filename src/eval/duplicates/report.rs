//! The human-readable report of `ticketlens eval duplicates`.

use super::{DuplicateReport, TierMetrics};

impl DuplicateReport {
    /// The human-readable report.
    pub fn render(&self) -> String {
        let tier = |name: &str, t: &TierMetrics| {
            format!(
                "{name:<34} threshold {:.2}: precision {:.3} ({}/{} suggestions, {} queries flagged); \
                 false alarms {:.3} ({}/{} tickets without a known duplicate; {:.3} = {}/{} without \
                 tickets resolved as Duplicate)\n",
                t.threshold, t.precision, t.correct, t.suggestions, t.queries_flagged,
                t.false_alarm_rate, t.false_alarms, t.no_duplicate_tickets,
                t.false_alarm_rate_excluding_resolved_duplicates,
                t.false_alarms_excluding_resolved_duplicates,
                t.no_duplicate_tickets_excluding_resolved_duplicates
            )
        };
        let m = &self.fitted_on_all_queries;
        let sweep: String = self
            .threshold_sweep_cross_validated
            .iter()
            .map(|t| tier("  sweep (cross-validated)", t))
            .collect();
        format!(
            "duplicate detection: {} tickets, {} queries, {}-fold cross-validation\n{}\n{}\n{}\n{}\n{}{}{}{}\
             model fitted on all queries: bias {:.3}, weights {:?}\n",
            self.tickets,
            self.queries,
            self.folds,
            self.baseline_bm25.line("baseline: plain BM25 title+body"),
            self.ours_cross_validated.line("ours (cross-validated)"),
            self.ours_shipped_model.line("ours (shipped model, in-sample)"),
            self.ours_online.line("ours (online, prior = shipped)"),
            tier("likely tier (cross-validated)", &self.likely_tier_cross_validated),
            tier("likely tier (shipped model)", &self.likely_tier_shipped_model),
            tier("likely tier (online)", &self.likely_tier_online),
            sweep,
            m.bias,
            m.weights
        )
    }
}
