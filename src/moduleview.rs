//! Stored module scores as the modules API, the web page and `ticketlens modules` show
//! them: one module in the hotspot list, one module in full, and a repository's overview;
//! and the stored dependency graphs (what a module depends on, what uses it).

use crate::domain::{DependencyGraph, ModuleDeps, ModuleEdge};
use crate::store::{score_id, ScoreRow, ScoreSort, Store};
use anyhow::Context;
use serde_json::{json, Value};

/// Open tickets listed on a module.
const MODULE_TICKETS: usize = 20;
/// Modules an overview holds (the modules API's own page limit).
pub const OVERVIEW_MODULES: i64 = 500;

/// One module of the hotspot list: id, display name, source files, fragility, owners and
/// the window's counts.
pub fn summary(r: &ScoreRow) -> Value {
    let detail: Value = serde_json::from_str(&r.detail).unwrap_or(Value::Null);
    summary_of(r, &detail)
}

fn summary_of(r: &ScoreRow, detail: &Value) -> Value {
    let owners: Vec<Value> = detail["history"]["experts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| x["name"].clone())
        .collect();
    json!({
        "id": r.id,
        "repository": r.repository,
        "module": r.name,
        "name": detail.get("display_name").cloned().unwrap_or_else(|| json!(r.name)),
        "files": detail.get("source_files").cloned().unwrap_or(json!(0)),
        "fragility": detail["fragility"],
        "owners": owners,
        "commits": r.commits,
        "fixes": r.fixes,
        "churn": r.churn,
        "authors": r.authors,
        "last_change_ms": r.last_change_ms,
        "size_lines": r.size_lines,
        "recent": detail["metrics"]["recent"],
    })
}

/// One module in full: the summary with its metrics (window and all time), experts,
/// history facts, coupled modules, hottest files, activity per month and the open tickets
/// whose analysis lands in it; `None` when there is no such module.
pub async fn module_detail(
    store: &Store,
    window_days: i64,
    id: &str,
) -> anyhow::Result<Option<Value>> {
    let Some(row) = module_row(store, id).await? else {
        return Ok(None);
    };
    let detail: Value = serde_json::from_str(&row.detail).unwrap_or(Value::Null);
    let metrics = &detail["metrics"];
    let owners: Vec<Value> = detail["history"]["experts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            json!({
                "author": x["name"],
                "commits": x["commits"],
                "share": x["share"],
                "last_commit_ms": x["last_commit_ms"],
                "last_commit_anywhere_ms": x["last_commit_anywhere_ms"],
                "at_risk": x["at_risk"],
            })
        })
        .collect();
    let tickets = store
        .open_tickets_in_module(&row.repository, &row.name, MODULE_TICKETS)
        .await
        .context("failed to read the module's tickets")?;
    let mut body = summary_of(&row, &detail);
    body["metrics"] = json!({
        "window_days": window_days,
        "window": strip_authors(&metrics["window"]),
        "all_time": strip_authors(&metrics["all_time"]),
        "age_days": metrics["age_days"],
        "size_lines": metrics["size_lines"],
        "files": metrics["files"],
    });
    body["experts"] = json!(owners);
    body["history"] = detail["history"].clone();
    body["coupled"] = with_ids(&row.repository, &metrics["coupled"]);
    body["hottest_files"] = detail["hottest_files"].clone();
    body["monthly"] = metrics["monthly"].clone();
    body["open_tickets"] = json!(tickets);
    Ok(Some(body))
}

/// A repository at a glance: every scored module (summaries, most fragile first, at most
/// `OVERVIEW_MODULES`), the repository's commits and fixes per month, and the modules that
/// changed most in the recent days; `None` when nothing of it is scored yet.
pub async fn repository_overview(store: &Store, repository: &str) -> anyhow::Result<Option<Value>> {
    let rows = store
        .list_scores(
            "module",
            Some(repository),
            ScoreSort::Score,
            true,
            OVERVIEW_MODULES,
            0,
        )
        .await
        .context("failed to list modules")?;
    let activity = store
        .score_by_id(&score_id(repository, "repository", ""))
        .await
        .context("failed to read the repository's activity")?;
    if rows.is_empty() && activity.is_none() {
        return Ok(None);
    }
    let activity: Value = activity
        .and_then(|a| serde_json::from_str(&a.detail).ok())
        .unwrap_or(Value::Null);
    let modules: Vec<Value> = rows.iter().map(summary).collect();
    let mut recent: Vec<&Value> = modules
        .iter()
        .filter(|m| m["recent"]["commits"].as_u64().unwrap_or(0) > 0)
        .collect();
    recent.sort_by_key(|m| {
        std::cmp::Reverse((
            m["recent"]["commits"].as_u64().unwrap_or(0),
            m["recent"]["churn"].as_u64().unwrap_or(0),
        ))
    });
    recent.truncate(10);
    let changed_most: Vec<Value> = recent
        .into_iter()
        .map(|m| {
            json!({
                "id": m["id"], "module": m["module"], "name": m["name"],
                "commits": m["recent"]["commits"], "fixes": m["recent"]["fixes"],
                "churn": m["recent"]["churn"],
            })
        })
        .collect();
    let graph = store
        .dependencies(Some(repository))
        .await
        .context("failed to read the dependency graph")?
        .pop()
        .map(|(_, g)| g);
    Ok(Some(json!({
        "repository": repository,
        "monthly": activity["monthly"],
        "recent": activity["recent"],
        "changed_most": changed_most,
        "most_used": graph.as_ref().map_or_else(Vec::new, |g| most_used(repository, g)),
        "modules": modules,
    })))
}

/// Modules shown as the most depended on.
const MOST_USED: usize = 10;

/// The modules the most other modules import (then the most files), each with the counts.
fn most_used(repository: &str, g: &DependencyGraph) -> Vec<Value> {
    let mut used: Vec<&ModuleDeps> = g.modules.iter().filter(|m| !m.used_by.is_empty()).collect();
    used.sort_by(|a, b| {
        (b.used_by.len(), b.blast.files)
            .cmp(&(a.used_by.len(), a.blast.files))
            .then_with(|| a.module.cmp(&b.module))
    });
    used.iter()
        .take(MOST_USED)
        .map(|m| {
            json!({
                "id": score_id(repository, "module", &m.module), "module": m.module, "name": m.name,
                "used_by": m.used_by.len(), "files": m.blast.files,
                "imports": m.used_by.iter().map(|e| e.imports).sum::<u64>(),
            })
        })
        .collect()
}

/// The stored row of the module with score id `id`, if there is one.
async fn module_row(store: &Store, id: &str) -> anyhow::Result<Option<ScoreRow>> {
    Ok(store
        .score_by_id(id)
        .await
        .context("failed to read the module")?
        .filter(|r| r.kind == "module"))
}

/// Coupled modules with the id of each, so a page can link to them.
fn with_ids(repository: &str, coupled: &Value) -> Value {
    let list: Vec<Value> = coupled
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let mut c = c.clone();
            if let Some(m) = c["module"].as_str() {
                c["id"] = json!(score_id(repository, "module", m));
            }
            c
        })
        .collect();
    json!(list)
}

fn strip_authors(stats: &Value) -> Value {
    let mut s = stats.clone();
    if let Some(o) = s.as_object_mut() {
        o.remove("top_authors");
    }
    s
}

/// A repository's module graph as the dependencies API and `ticketlens deps` show it:
/// `imports` counts every import statement read, `modules` each module (or only
/// `module`, by id or display name) with what it depends on and what uses it; `None` when
/// `module` is not in the graph.
pub fn dependencies_json(
    repository: &str,
    g: &DependencyGraph,
    module: Option<&str>,
) -> Option<Value> {
    let chosen: Vec<&ModuleDeps> = match module {
        None => g.modules.iter().collect(),
        Some(m) => vec![g
            .modules
            .iter()
            .find(|d| d.module == m)
            .or_else(|| g.modules.iter().find(|d| d.name == m))?],
    };
    let names: std::collections::HashMap<&str, &str> = g
        .modules
        .iter()
        .map(|m| (m.module.as_str(), m.name.as_str()))
        .collect();
    let edges = |list: &[ModuleEdge]| -> Vec<Value> {
        list.iter()
            .map(|e| {
                json!({
                    "module": e.module,
                    "imports": e.imports,
                    "name": names.get(e.module.as_str()).copied().unwrap_or(e.module.as_str()),
                    "id": score_id(repository, "module", &e.module),
                })
            })
            .collect()
    };
    let modules: Vec<Value> = chosen
        .iter()
        .map(|d| {
            json!({
                "module": d.module,
                "id": score_id(repository, "module", &d.module),
                "name": d.name,
                "depends_on": edges(&d.depends_on),
                "used_by": edges(&d.used_by),
                "imports": d.imports,
                "blast_radius": d.blast,
            })
        })
        .collect();
    let cycles: Vec<&Vec<String>> = g
        .cycles
        .iter()
        .filter(|c| chosen.iter().any(|d| c.contains(&d.module)))
        .collect();
    Some(json!({
        "repository": repository,
        "commit": g.commit,
        "imports": g.imports,
        "languages": g.languages,
        "files": g.files,
        "modules": modules,
        "cycles": cycles,
        "external": if module.is_none() { json!(g.external) } else { json!([]) },
        "unresolved": if module.is_none() { json!(g.unresolved) } else { json!([]) },
    }))
}

/// Why a repository's dependencies cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum DepsError {
    #[error("no dependency graph stored yet: `serve` builds one when it indexes a repository")]
    NoGraph,
    #[error("several repositories have graphs ({0}): choose one")]
    Ambiguous(String),
    #[error("no module `{0}` in the dependency graph")]
    NoModule(String),
    #[error(transparent)]
    Store(#[from] sqlx::Error),
}

/// The stored graph of `repository` (the only one stored, when not given), as
/// `dependencies_json` shows it.
pub async fn repository_dependencies(
    store: &Store,
    repository: Option<&str>,
    module: Option<&str>,
) -> Result<Value, DepsError> {
    let mut graphs = store.dependencies(repository).await?;
    if graphs.len() > 1 {
        let names: Vec<&str> = graphs.iter().map(|(n, _)| n.as_str()).collect();
        return Err(DepsError::Ambiguous(names.join(", ")));
    }
    let (name, g) = graphs.pop().ok_or(DepsError::NoGraph)?;
    dependencies_json(&name, &g, module)
        .ok_or_else(|| DepsError::NoModule(module.unwrap_or_default().to_string()))
}

/// The dependencies of the module with score id `id` (`GET /api/v1/modules/{id}/dependencies`);
/// `None` when there is no such module. A module without imports either way has empty lists.
pub async fn module_dependencies(store: &Store, id: &str) -> anyhow::Result<Option<Value>> {
    let Some(row) = module_row(store, id).await? else {
        return Ok(None);
    };
    let graph = store
        .dependencies(Some(&row.repository))
        .await
        .context("failed to read the dependency graph")?
        .pop()
        .map(|(_, g)| g);
    let empty = DependencyGraph::default();
    let g = graph.as_ref().unwrap_or(&empty);
    let detail: Value = serde_json::from_str(&row.detail).unwrap_or(Value::Null);
    let pairs = structure_beside_history(
        &row.repository,
        g.module(&row.name),
        &detail["history"]["coupled"],
    );
    let mut body = dependencies_json(&row.repository, g, Some(&row.name)).unwrap_or_else(|| {
        json!({
            "repository": row.repository,
            "commit": graph.as_ref().map(|g| g.commit.clone()),
            "imports": g.imports,
            "languages": g.languages,
            "files": g.files,
            "modules": [{
                "module": row.name,
                "id": row.id,
                "name": row.name,
                "depends_on": [],
                "used_by": [],
                "imports": crate::domain::ImportCounts::default(),
                "blast_radius": crate::domain::BlastRadius::default(),
            }],
            "cycles": [],
            "external": [],
            "unresolved": [],
        })
    });
    body["pairs"] = json!(pairs);
    Ok(Some(body))
}

/// The module's neighbours by imports (either way) and by change coupling (the history's
/// coupled modules, which already need five shared commits), each marked `both`,
/// `imports` or `history`; `history` alone is hidden coupling: the modules change
/// together although neither imports the other. Strongest first.
fn structure_beside_history(
    repository: &str,
    deps: Option<&ModuleDeps>,
    coupled: &Value,
) -> Vec<Value> {
    let mut imports: std::collections::BTreeMap<&str, (u64, u64)> = Default::default();
    for d in deps.into_iter() {
        for e in &d.depends_on {
            imports.entry(e.module.as_str()).or_default().0 += e.imports;
        }
        for e in &d.used_by {
            imports.entry(e.module.as_str()).or_default().1 += e.imports;
        }
    }
    let coupled: Vec<&Value> = coupled.as_array().into_iter().flatten().collect();
    let mut out: Vec<(u8, Value)> = Vec::new();
    for c in &coupled {
        let Some(m) = c["module"].as_str() else {
            continue;
        };
        let (to, from) = imports.remove(m).unwrap_or_default();
        let link = if to + from > 0 { "both" } else { "history" };
        out.push((
            if link == "both" { 0 } else { 1 },
            json!({ "module": m, "id": score_id(repository, "module", m), "link": link,
                    "imports_to": to, "imports_from": from, "shared_commits": c["shared"], "share": c["share"] }),
        ));
    }
    for (m, (to, from)) in imports {
        out.push((
            2,
            json!({ "module": m, "id": score_id(repository, "module", m), "link": "imports",
                    "imports_to": to, "imports_from": from, "shared_commits": null, "share": null }),
        ));
    }
    out.sort_by_key(|(rank, _)| *rank);
    out.into_iter().map(|(_, v)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(m: &str, imports: u64) -> ModuleEdge {
        ModuleEdge {
            module: m.into(),
            imports,
        }
    }

    #[test]
    fn neighbours_are_marked_by_imports_history_or_both_and_hidden_coupling_is_history_alone() {
        let deps = ModuleDeps {
            module: "core".into(),
            name: "core".into(),
            depends_on: vec![edge("util", 4)],
            used_by: vec![edge("web", 2), edge("util", 1)],
            imports: Default::default(),
            blast: Default::default(),
        };
        let coupled = json!([
            { "module": "web", "shared": 12, "share": 0.4 },
            { "module": "config", "shared": 7, "share": 0.2 },
        ]);
        let pairs = structure_beside_history("app", Some(&deps), &coupled);
        let seen: Vec<(&str, &str, u64, u64)> = pairs
            .iter()
            .map(|p| {
                (
                    p["module"].as_str().unwrap(),
                    p["link"].as_str().unwrap(),
                    p["imports_to"].as_u64().unwrap(),
                    p["imports_from"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("web", "both", 0, 2),
                ("config", "history", 0, 0),
                ("util", "imports", 4, 1),
            ]
        );
        assert_eq!(pairs[1]["shared_commits"], 7);
        assert!(pairs[2]["shared_commits"].is_null());
        // without a graph, coupling alone is all there is
        let alone = structure_beside_history("app", None, &coupled);
        assert!(alone.iter().all(|p| p["link"] == "history"));
    }
}
