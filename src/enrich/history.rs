//! Joins what history says into located modules and files, by module id: fragility, who
//! knows it, changes, last fix, age and coupling; per file its changes and fixes. Change
//! coupling of the top modules becomes estimation hints.

use crate::domain::{Dependents, Enrichment};

/// An estimation hint ("estimate for both") needs more than a coupling claim's five shared
/// changes: at least half of the module's changes touch the other, on at least ten shared
/// changes. Ten of twenty keeps the share's 95% Wilson lower bound near 0.3 (the old hint's
/// floor), so the hint holds even at its weakest; five of ten would put it near 0.24, a
/// coin toss dressed as a plan.
pub const HINT_MIN_SHARED: u32 = 10;
pub const HINT_MIN_SHARE: f32 = 0.5;
use crate::store::Store;
use std::collections::HashMap;

/// Fills `history`, `fragility` and `owners` of each module and `history` of each file from
/// the stored scores, and adds coupling hints.
pub async fn join_history(store: &Store, e: &mut Enrichment) -> anyhow::Result<()> {
    let mut by_repo = HashMap::new();
    for m in &e.modules {
        if !by_repo.contains_key(&m.repository) {
            by_repo.insert(
                m.repository.clone(),
                store.module_facts(&m.repository).await?,
            );
        }
    }
    for m in &mut e.modules {
        let Some(facts) = by_repo.get(&m.repository).and_then(|f| f.get(&m.module)) else {
            continue;
        };
        m.fragility = Some(facts.fragility.clone());
        m.history = facts.history.clone();
        if let Some(h) = &m.history {
            if !h.experts.is_empty() {
                m.owners = h.experts.iter().map(|x| x.name.clone()).collect();
            }
        }
    }
    let mut paths: HashMap<&str, Vec<&str>> = HashMap::new();
    for f in &e.files {
        paths.entry(&f.repository).or_default().push(&f.path);
    }
    for m in &e.modules {
        let list = paths.entry(&m.repository).or_default();
        list.extend(m.top_files.iter().map(String::as_str));
        list.sort_unstable();
        list.dedup();
    }
    let mut file_facts = HashMap::new();
    for (repo, list) in paths {
        file_facts.insert(repo.to_string(), store.file_facts(repo, &list).await?);
    }
    for m in &mut e.modules {
        let facts = file_facts.get(&m.repository);
        m.top_files_history = m
            .top_files
            .iter()
            .map(|p| facts.and_then(|f| f.get(p)).cloned())
            .collect();
    }
    for f in &mut e.files {
        f.history = file_facts
            .get(&f.repository)
            .and_then(|m| m.get(&f.path))
            .cloned();
    }
    let mut hints = Vec::new();
    let mut paired: Vec<(&str, &str)> = Vec::new();
    for m in e.modules.iter().take(3) {
        let Some(c) = m.history.as_ref().and_then(|h| h.coupled.first()) else {
            continue;
        };
        // one hint per pair of modules, whichever side it is seen from
        if paired.contains(&(c.module.as_str(), m.module.as_str())) {
            continue;
        }
        paired.push((m.module.as_str(), c.module.as_str()));
        if c.share >= HINT_MIN_SHARE && c.shared >= HINT_MIN_SHARED {
            let pct = (c.share * 100.0).round();
            hints.push(format!(
                "{pct}% of the changes to {} also touched {} ({} shared changes): estimate for both.",
                m.name, c.name, c.shared
            ));
        }
    }
    e.estimation_hints = hints;
    join_dependents(store, e).await
}

/// Fills `dependents` of each module from its repository's stored dependency graph.
async fn join_dependents(store: &Store, e: &mut Enrichment) -> anyhow::Result<()> {
    let mut graphs = HashMap::new();
    for m in &e.modules {
        if !graphs.contains_key(&m.repository) {
            let g = store
                .dependencies(Some(&m.repository))
                .await?
                .pop()
                .map(|(_, g)| g);
            graphs.insert(m.repository.clone(), g);
        }
    }
    for m in &mut e.modules {
        let graph = graphs.get(&m.repository).and_then(Option::as_ref);
        m.dependents = graph.and_then(|g| Dependents::of(g, &m.module));
    }
    Ok(())
}
