//! An analysis (`Enrichment`) as page sections: the modules a ticket lands in, the files
//! with their reasons, duplicate candidates with their evidence, and estimation hints. The
//! ticket page and the analyze page show the same sections.

use super::layout::{ago, count, level_badge, pct};
use crate::domain::{DuplicateCandidate, DuplicateTier, Enrichment, ModuleHit};
use crate::store::score_id;
use maud::{html, Markup};

/// Modules shown at once; the rest wait behind "more".
const SHOWN_MODULES: usize = 5;

/// Everything the analysis says, in the order a reader needs it.
pub fn sections(
    e: &Enrichment,
    duplicates: &[DuplicateCandidate],
    verdicts: Option<&Verdicts>,
    now_ms: i64,
) -> Markup {
    html! {
        section aria-labelledby="modules-h" {
            h2 id="modules-h" { "Where the work lands" }
            @if e.modules.is_empty() {
                p class="muted" { "No module stands out for this text. Naming a class, file, error message or stack trace helps." }
            } @else {
                div class="table-wrap" {
                    table class="modules" {
                        thead { tr {
                            th scope="col" { "Module" } th scope="col" { "Fragility" }
                            th scope="col" { "Who knows it" } th scope="col" { "Recent history" }
                        } }
                        tbody {
                            @for m in e.modules.iter().take(SHOWN_MODULES) { (module_row(m, now_ms)) }
                        }
                    }
                }
                @if e.modules.len() > SHOWN_MODULES {
                    details {
                        summary { (e.modules.len() - SHOWN_MODULES) " more, less likely" }
                        div class="table-wrap" {
                            table class="modules-more" {
                                thead { tr {
                                    th scope="col" { "Module" } th scope="col" { "Fragility" }
                                    th scope="col" { "Who knows it" } th scope="col" { "Recent history" }
                                } }
                                tbody {
                                    @for m in e.modules.iter().skip(SHOWN_MODULES) { (module_row(m, now_ms)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(why) = &e.no_precedents {
            section aria-labelledby="past-h" {
                h2 id="past-h" { "Similar past work" }
                p class="muted" { "None shown, because " (why) "." }
            }
        }
        @if !e.files.is_empty() {
            section aria-labelledby="files-h" {
                h2 id="files-h" { "Likely files" }
                div class="table-wrap" {
                    table class="files" {
                        thead { tr {
                            th scope="col" { "File" } th scope="col" { "Why" }
                            th scope="col" class="num" { "Changes" } th scope="col" class="num" { "Fixes" }
                        } }
                        tbody {
                            @for f in &e.files {
                                tr {
                                    td { span class="path" { (f.path) } br; span class="muted" { (f.repository) } }
                                    td {
                                        @if f.reasons.is_empty() {
                                            @if !f.matched_terms.is_empty() { "matches " (f.matched_terms.join(", ")) }
                                        } @else {
                                            (f.reasons.join("; "))
                                        }
                                    }
                                    td class="num" { @if let Some(h) = &f.history { (h.commits) } @else { "—" } }
                                    td class="num" { @if let Some(h) = &f.history { (h.fixes) } @else { "—" } }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !e.estimation_hints.is_empty() {
            section aria-labelledby="hints-h" {
                h2 id="hints-h" { "For the estimate" }
                ul { @for h in &e.estimation_hints { li { (h) } } }
            }
        }
        section aria-labelledby="dups-h" {
            h2 id="dups-h" { "Possible duplicates" }
            @if duplicates.is_empty() {
                p class="muted" { "No earlier ticket looks like this one." }
            } @else {
                (duplicate_table(duplicates, verdicts))
            }
            @if let Some(v) = verdicts { p class="muted model" { (v.model_line) } }
        }
    }
}

fn module_row(m: &ModuleHit, now_ms: i64) -> Markup {
    let name = if m.name.is_empty() {
        &m.module
    } else {
        &m.name
    };
    let href = format!("/modules/{}", score_id(&m.repository, "module", &m.module));
    html! {
        tr {
            td {
                @if m.fragility.is_some() || m.history.is_some() {
                    a href=(href) { (name) }
                } @else { (name) }
                br; span class="muted" { (m.repository) " · " (m.files) " files" }
                @if !m.top_files.is_empty() {
                    br; span class="muted" { "best files: " }
                    span class="path" { (within(&m.module, &m.top_files)) }
                }
            }
            td {
                @match &m.fragility {
                    Some(f) => {
                        (level_badge(&f.level, Some(f64::from(f.score))))
                        @if !f.reasons.is_empty() { ul class="reasons" { @for r in &f.reasons { li { (r) } } } }
                    }
                    None => span class="muted" { "no history yet" },
                }
            }
            td {
                @match &m.history {
                    Some(h) if !h.experts.is_empty() => {
                        @for (i, x) in h.experts.iter().take(3).enumerate() {
                            @if i > 0 { ", " }
                            (x.name) " (" (pct(f64::from(x.share))) ")"
                            @if x.at_risk { " " span class="flag" { "at risk" } }
                        }
                    }
                    _ => {
                        @if m.owners.is_empty() && m.codeowners.is_empty() { span class="muted" { "—" } }
                        @else { (m.owners.iter().chain(&m.codeowners).cloned().collect::<Vec<_>>().join(", ")) }
                    }
                }
            }
            td {
                @if let Some(h) = &m.history {
                    (count(u64::from(h.commits), "change", "changes")) ", " (count(u64::from(h.fixes), "fix", "fixes")) " in " (h.window_days) " days"
                    br; span class="muted" { "last fix " (ago(h.last_fix_ms, now_ms)) }
                } @else { span class="muted" { "—" } }
            }
        }
    }
}

/// Up to three paths, each shown inside the module's directory.
fn within(module: &str, paths: &[String]) -> String {
    let prefix = format!("{}/", module.trim_end_matches('/'));
    paths
        .iter()
        .take(3)
        .map(|p| p.strip_prefix(prefix.as_str()).unwrap_or(p))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a stored ticket's page adds to its candidates: a triager's verdict on each
/// suggestion (posted to `action` with the page's CSRF value), and which model ranked them.
pub struct Verdicts {
    pub action: String,
    pub csrf: String,
    pub model_line: String,
}

/// Candidates with their evidence: similarity, tier, the terms and modules both share; on a
/// stored ticket's page also a "same issue" / "not a duplicate" verdict for each suggestion.
pub fn duplicate_table(duplicates: &[DuplicateCandidate], verdicts: Option<&Verdicts>) -> Markup {
    html! {
        div class="table-wrap" {
            table class="duplicates" {
                thead { tr {
                    th scope="col" { "Ticket" } th scope="col" { "How alike" }
                    th scope="col" { "Evidence" }
                    @if verdicts.is_some() { th scope="col" { "Your verdict" } }
                } }
                tbody {
                    @for d in duplicates {
                        tr {
                            td {
                                a href={ "/tickets/" (d.tracker.as_str()) "/" (super::viewer::urlencode(&d.key)) } { (d.key) }
                                @if !d.title.is_empty() { " " (d.title) }
                                @if let Some(s) = &d.status { br; span class="muted" { (s) } }
                            }
                            td {
                                (tier_label(d.tier))
                                @if d.tier != DuplicateTier::AlreadyLinked { br; span class="muted" { (pct(f64::from(d.similarity))) " similar" } }
                            }
                            td {
                                @if !d.shared_terms.is_empty() { "shares " (d.shared_terms.iter().take(6).cloned().collect::<Vec<_>>().join(", ")) }
                                @if !d.shared_modules.is_empty() { br; "same code: " (d.shared_modules.join(", ")) }
                            }
                            @if let Some(v) = verdicts {
                                td { @if d.tier != DuplicateTier::AlreadyLinked { (verdict_forms(v, &d.key)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Two one-button forms: the suggestion is the same issue, or it is not a duplicate.
fn verdict_forms(v: &Verdicts, candidate: &str) -> Markup {
    html! {
        @for (duplicate, label) in [("true", "Same issue"), ("false", "Not a duplicate")] {
            form class="verdict" method="post" action=(v.action) {
                input type="hidden" name="csrf" value=(v.csrf);
                input type="hidden" name="candidate" value=(candidate);
                input type="hidden" name="duplicate" value=(duplicate);
                button type="submit" aria-label={ (label) ": " (candidate) } { (label) }
            }
        }
    }
}

fn tier_label(t: DuplicateTier) -> &'static str {
    match t {
        DuplicateTier::LikelyDuplicate => "likely duplicate",
        DuplicateTier::Related => "related",
        DuplicateTier::AlreadyLinked => "already linked",
    }
}
