//! Scoring: field-weighted BM25 (tantivy) × a length prior, plus explicit evidence (paths,
//! stack frames, dotted and class names written in the ticket), history (similar commits,
//! recent changes) and the team's past (precedents' fixes, change coupling); then modules
//! by aggregating their files.

use super::fileindex::{FileIndex, RawHit};
use super::neighbours::neighbour_evidence;
use super::precedent::{coupling_evidence, precedent_evidence};
use super::query::TicketQuery;
use super::signals::{Cand, HistoryView, Params};
use super::snapshot::Snapshot;
use crate::domain::{FileHit, ModuleHit, Precedent};
use std::collections::HashMap;

/// Ranks the snapshot's files for a ticket; the best `limit` with evidence.
pub fn rank_files(
    index: &FileIndex,
    snap: &Snapshot,
    history: Option<&HistoryView>,
    q: &TicketQuery,
    precedents: &[Precedent],
    p: &Params,
    limit: usize,
) -> anyhow::Result<Vec<FileHit>> {
    let searcher = index.searcher();
    let terms = code_terms(index, &searcher, q, p);

    let hits = index.search(
        &searcher,
        &terms,
        &p.boosts,
        snap.allowed.clone(),
        p.candidates,
    )?;
    let max_lex = hits.first().map_or(1.0, |h| h.score.max(1e-6));
    let mut cands: HashMap<&str, Cand> = HashMap::new();
    for h in &hits {
        if let Some(f) = snap.by_key(h.key) {
            let prior = if p.length > 0.0 {
                snap.length_factor(f).powf(p.length)
            } else {
                1.0
            };
            let c = cands.entry(f.path.as_str()).or_default();
            c.lex = h.score / max_lex * prior;
            c.hit = Some(*h);
        }
    }
    explicit_evidence(snap, q, p, &mut cands);
    if let Some(hv) = history {
        history_evidence(snap, hv, &terms, p, &mut cands);
        for (path, gain, reason) in team_words(hv, &q.terms, p) {
            let Some(f) = snap.by_path(path) else {
                continue;
            };
            let c = cands.entry(f.path.as_str()).or_default();
            c.bonus += gain;
            c.reasons.extend(reason);
        }
    }
    // the seeds of coupling and neighbours: what a file has so far, tests discounted
    let test = |path: &str| if is_test_path(path) { p.test } else { 1.0 };
    let seed = |path: &str, c: &Cand| (c.lex + c.bonus) * test(path);
    if let Some(hv) = history {
        coupling_evidence(snap, hv, p, seed, &mut cands);
    }
    neighbour_evidence(snap, p, seed, &mut cands);

    let mut ranked: Vec<(&str, Cand)> = cands.into_iter().collect();
    for (path, c) in ranked.iter_mut() {
        if p.test != 1.0 && is_test_path(path) {
            c.lex *= p.test;
            c.bonus *= p.test;
        }
    }
    let score = |c: &Cand| c.lex + c.bonus;
    ranked.sort_by(|a, b| score(&b.1).total_cmp(&score(&a.1)).then(a.0.cmp(b.0)));
    precedent_evidence(snap, precedents, p, &mut ranked);
    ranked.truncate(limit);
    file_hits(index, &searcher, snap, ranked, &terms, p)
}

/// The ranked files as hits: the query terms each one's code matched, and its reasons with
/// the docs beside it when they weigh and say what its code does not.
fn file_hits(
    index: &FileIndex,
    searcher: &tantivy::Searcher,
    snap: &Snapshot,
    ranked: Vec<(&str, Cand)>,
    terms: &[(String, f32)],
    p: &Params,
) -> anyhow::Result<Vec<FileHit>> {
    let with_hits: Vec<RawHit> = ranked.iter().filter_map(|(_, c)| c.hit).collect();
    let mut matched = index
        .matched_terms(searcher, &with_hits, terms)?
        .into_iter();
    let mut in_docs = match p.boosts[Params::DOCS] > 0.0 {
        true => index.docs_terms(searcher, &with_hits, terms)?,
        false => vec![Vec::new(); with_hits.len()],
    }
    .into_iter();
    Ok(ranked
        .into_iter()
        .map(|(path, mut c)| {
            let (matched_terms, docs_terms) = if c.hit.is_some() {
                let m = matched.next().unwrap_or_default();
                (m, in_docs.next().unwrap_or_default())
            } else {
                Default::default()
            };
            let file = snap.by_path(path);
            let doc = file.and_then(|f| f.doc.as_deref());
            let telling =
                |w: &&String| !matched_terms.contains(w) && index.telling_in_docs(searcher, w);
            c.reasons
                .extend(docs_reason(path, doc, docs_terms.iter().filter(telling)));
            FileHit {
                repository: snap.repository.clone(),
                path: path.to_string(),
                module: file.map(|f| f.module.clone()).unwrap_or_default(),
                score: c.lex + c.bonus,
                matched_terms,
                reasons: c.reasons,
                history: None,
            }
        })
        .collect())
}

/// Why a file ranks through the docs beside it, in plain words: `said`, the ticket's
/// telling words its directory's doc says and its own code does not (`None` when there are
/// none).
fn docs_reason<'w>(
    path: &str,
    doc: Option<&str>,
    said: impl Iterator<Item = &'w String>,
) -> Option<String> {
    let doc = doc?;
    let words: Vec<String> = said.take(5).map(|w| format!("`{w}`")).collect();
    if words.is_empty() {
        return None;
    }
    let (doc_dir, name) = doc.rsplit_once('/').unwrap_or(("", doc));
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let whose = if doc_dir == dir {
        format!("its directory's {name}")
    } else {
        format!("the {name} of `{doc_dir}/`")
    };
    Some(format!("{whose} says {}", words.join(", ")))
}

/// The ticket's terms the code uses, the strongest `p.max_terms` by weight × idf.
fn code_terms(
    index: &FileIndex,
    searcher: &tantivy::Searcher,
    q: &TicketQuery,
    p: &Params,
) -> Vec<(String, f32)> {
    let n_docs = searcher.num_docs() as f32;
    let mut terms: Vec<(String, f32, f32)> = q
        .terms
        .iter()
        .filter_map(|(t, w)| {
            let df = index.doc_freq(searcher, t, p.boosts[Params::DOCS] > 0.0) as f32;
            let w = if p.prose > 0.0 {
                w * (1.0 - p.prose * (1.0 - index.code_share(searcher, t)))
            } else {
                *w
            };
            (df > 0.0).then(|| (t.clone(), w, w * (1.0 + n_docs / (df + 1.0)).ln()))
        })
        .collect();
    terms.sort_by(|a, b| b.2.total_cmp(&a.2));
    terms.truncate(p.max_terms);
    terms.into_iter().map(|(t, w, _)| (t, w)).collect()
}

fn explicit_evidence<'a>(
    snap: &'a Snapshot,
    q: &TicketQuery,
    p: &Params,
    cands: &mut HashMap<&'a str, Cand>,
) {
    let mut add = |path: &'a str, bonus: f32, reason: String| {
        let c = cands.entry(path).or_default();
        if !c.reasons.contains(&reason) && bonus > 0.0 {
            c.bonus += bonus;
            c.reasons.push(reason);
        }
    };
    for written in &q.paths {
        let found = snap.resolve_suffix(written);
        // a bare or common name (`conf.py`, `__init__.py`) names no file in particular
        if found.len() > 2 {
            continue;
        }
        for f in found {
            add(
                &f.path,
                p.path,
                format!("path `{written}` named in the ticket"),
            );
        }
    }
    let mut depth = 0;
    for frame in &q.frames {
        let found = snap.resolve_suffix(frame);
        if found.is_empty() || found.len() > 3 {
            continue;
        }
        for f in found {
            add(
                &f.path,
                p.frame / (1.0 + 0.5 * depth as f32),
                format!("in the stack trace (frame {})", depth + 1),
            );
        }
        depth += 1;
    }
    for dotted in &q.qualified {
        let comps: Vec<&str> = dotted.split('/').collect();
        for k in (2..=comps.len()).rev() {
            let found = snap.resolve_stem_path(&comps[..k].join("/"));
            if !found.is_empty() && found.len() <= 3 {
                for f in found {
                    add(
                        &f.path,
                        p.qualified,
                        format!("`{}` named in the ticket", dotted.replace('/', ".")),
                    );
                }
                break;
            }
        }
    }
    for ident in &q.identifiers {
        let found = snap.named(ident);
        if !found.is_empty() && found.len() <= 3 {
            for f in found {
                add(&f.path, p.name, format!("file named like `{ident}`"));
            }
        }
    }
}

fn history_evidence<'a>(
    snap: &'a Snapshot,
    hv: &HistoryView,
    terms: &[(String, f32)],
    p: &Params,
    cands: &mut HashMap<&'a str, Cand>,
) {
    if p.history > 0.0 {
        let similar = hv.history.similar_files(terms, hv.mask);
        let max = similar
            .values()
            .map(|v| v.0)
            .fold(0.0f32, f32::max)
            .max(1e-6);
        for (path, (s, subject)) in similar {
            if let Some(f) = snap.by_path(&path) {
                let c = cands.entry(f.path.as_str()).or_default();
                let share = s / max;
                c.bonus += p.history * share;
                if share > 0.3 {
                    c.reasons
                        .push(format!("changed by a similar commit: {subject}"));
                }
            }
        }
    }
    if p.recency > 0.0 {
        let max = hv
            .recency
            .values()
            .copied()
            .fold(0.0f32, f32::max)
            .max(1e-6);
        for (path, c) in cands.iter_mut() {
            if let Some(r) = hv.recency.get(*path) {
                c.bonus += p.recency * r / max;
            }
        }
    }
}

/// The team's words: files whose commit messages (and past tickets' texts) share the
/// ticket's rare words, each with its gain (the best file of a source gets the source's
/// weight) and, when the match is strong, the reason.
fn team_words<'h>(
    hv: &HistoryView<'h>,
    terms: &'h [(String, f32)],
    p: &Params,
) -> Vec<(&'h str, f32, Option<String>)> {
    let mut sources = Vec::new();
    if p.commit_words > 0.0 {
        let found = hv.words.files(hv.history, terms, hv.mask);
        sources.push((found, p.commit_words, "its commits say"));
    }
    if let Some(t) = hv.tickets.as_ref().filter(|_| p.ticket_words > 0.0) {
        let found = t.words.files(t.history, terms, Some(t.mask));
        sources.push((found, p.ticket_words, "changed for past tickets saying"));
    }
    let mut out = Vec::new();
    for (found, weight, says) in sources {
        let max = found.iter().map(|m| m.score).fold(0.0f32, f32::max);
        if max <= 0.0 {
            continue;
        }
        for m in found {
            let share = m.score / max;
            let reason = (share > 0.3).then(|| {
                let words: Vec<String> = m.words().iter().map(|(w, _)| format!("`{w}`")).collect();
                format!("{says} {}: {}", words.join(", "), m.subject)
            });
            out.push((m.path, weight * share, reason));
        }
    }
    out
}

/// True for test code: a `test`/`tests`/`testing` directory or a test-named file.
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let (dirs, name) = lower.rsplit_once('/').unwrap_or(("", &lower));
    let stem = name.split('.').next().unwrap_or(name);
    dirs.split('/').any(|d| {
        matches!(
            d,
            "test" | "tests" | "testing" | "__tests__" | "spec" | "testsrc"
        )
    }) || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("test") && name.ends_with(".java")
        || stem.ends_with("tests")
        || name.contains(".test.")
        || name.contains(".spec.")
}

/// Modules ranked by their best files (score, then half of the next, a quarter of the third…).
pub fn rank_modules(snap: &Snapshot, files: &[FileHit], limit: usize) -> Vec<ModuleHit> {
    let mut by_module: Vec<ModuleHit> = Vec::new();
    for f in files {
        let m = match by_module.iter_mut().position(|m| m.module == f.module) {
            Some(i) => &mut by_module[i],
            None => {
                let codeowners = snap.owners(&f.module);
                let module = snap.cut.get(&f.module);
                by_module.push(ModuleHit {
                    repository: f.repository.clone(),
                    module: f.module.clone(),
                    name: snap.cut.name_of(&f.module).to_string(),
                    files: module.map_or(0, |m| m.files as u32),
                    score: 0.0,
                    owners: codeowners.clone(),
                    codeowners,
                    top_files: Vec::new(),
                    top_files_history: Vec::new(),
                    matched_terms: Vec::new(),
                    fragility: None,
                    history: None,
                    dependents: None,
                });
                by_module.last_mut().expect("just pushed")
            }
        };
        m.score += f.score * 0.5f32.powi(m.top_files.len() as i32);
        if m.top_files.len() < 3 {
            m.top_files.push(f.path.clone());
        }
        for t in &f.matched_terms {
            if m.matched_terms.len() < 10 && !m.matched_terms.contains(t) {
                m.matched_terms.push(t.clone());
            }
        }
    }
    by_module.sort_by(|a, b| b.score.total_cmp(&a.score));
    by_module.truncate(limit);
    by_module
}
