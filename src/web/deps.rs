//! A module page's "Depends on" and "Used by": the modules its code imports and the
//! modules whose code imports it, with the import statements behind each, drawn as a small
//! graph; and its neighbours that change with it without importing it (hidden coupling).

use super::layout::num;
use super::svg::{dependency_graph, GraphEnd};
use maud::{html, Markup};
use serde_json::Value;

/// Modules drawn on each side of the graph (the lists below it hold them all).
const DRAWN: usize = 8;

/// The section for one module, from `moduleview::module_dependencies`.
pub fn section(d: &Value) -> Markup {
    let m = &d["modules"][0];
    let used_by = m["used_by"].as_array().cloned().unwrap_or_default();
    let depends_on = m["depends_on"].as_array().cloned().unwrap_or_default();
    let hidden: Vec<&Value> = d["pairs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["link"] == "history")
        .collect();
    fn ends(list: &[Value]) -> Vec<GraphEnd<'_>> {
        list.iter()
            .take(DRAWN)
            .map(|e| GraphEnd {
                name: e["name"].as_str().unwrap_or_default(),
                href: format!("/modules/{}", e["id"].as_str().unwrap_or_default()),
                imports: e["imports"].as_u64().unwrap_or(0),
            })
            .collect()
    }
    let name = m["name"].as_str().unwrap_or_default();
    html! {
        section aria-labelledby="deps-h" class="deps" {
            h2 id="deps-h" { "What it depends on and what uses it" }
            @if d["commit"].is_null() {
                p class="muted" { "The code's imports have not been read yet." }
            } @else if used_by.is_empty() && depends_on.is_empty() {
                p class="muted" { "No other module imports it, and it imports no other module." }
            } @else {
                p class="sub" { "From the code's own import statements. Used by " (plural(used_by.len() as u64, "module")) " ("
                    (plural(m["blast_radius"]["files"].as_u64().unwrap_or(0), "file")) "; " (num(&m["blast_radius"]["files_two_steps"])) " within two steps)." }
                div class="chart-wrap" { (dependency_graph(name, &ends(&used_by), &ends(&depends_on),
                    &format!("{name}: used by {} modules on the left, depends on {} on the right", used_by.len(), depends_on.len()))) }
                div class="grid" {
                    (edge_list("used-h", "Used by", &used_by))
                    (edge_list("on-h", "Depends on", &depends_on))
                }
            }
            @if !hidden.is_empty() {
                h3 { "Changes with it, without an import" }
                ul {
                    @for p in &hidden {
                        li { a href={ "/modules/" (p["id"].as_str().unwrap_or_default()) } { (p["module"].as_str().unwrap_or_default()) }
                            ": " (num(&p["shared_commits"])) " shared commits, no import either way (a shared configuration, protocol or copy?)" }
                    }
                }
            }
        }
    }
}

fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn edge_list(id: &str, title: &str, list: &[Value]) -> Markup {
    html! {
        div {
            h3 id=(id) { (title) }
            @if list.is_empty() { p class="muted" { "none" } }
            @else {
                ul class="edges" aria-labelledby=(id) {
                    @for e in list {
                        li { a href={ "/modules/" (e["id"].as_str().unwrap_or_default()) } { (e["name"].as_str().unwrap_or_default()) }
                            " " span class="muted" { "(" (plural(e["imports"].as_u64().unwrap_or(0), "import")) ")" } }
                    }
                }
            }
        }
    }
}
