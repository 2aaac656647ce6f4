//! A stored module score as the modules API and `ticketlens modules` show it.

use crate::store::ScoreRow;
use serde_json::{json, Value};

/// One module of the hotspot list: id, display name, source files, fragility, owners and
/// the window's counts.
pub fn summary(r: &ScoreRow) -> Value {
    let detail: Value = serde_json::from_str(&r.detail).unwrap_or(Value::Null);
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
    })
}
