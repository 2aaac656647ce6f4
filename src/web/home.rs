//! `/`: per repository, the module map sized by code and coloured by fragility, the hotspot
//! list, activity per month, and what changed most in the last 30 days.

use super::layout::{self, ago, count, level_badge, num, Nav};
use super::svg::{self, Tile};
use super::{PageError, Viewer};
use crate::app::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub struct HomeQuery {
    repository: Option<String>,
}

/// Hotspots listed beside the map.
const HOTSPOTS: usize = 15;

pub async fn page(
    viewer: Viewer,
    state: web::Data<AppState>,
    q: web::Query<HomeQuery>,
) -> Result<HttpResponse, PageError> {
    let repos = state.code_index.statuses();
    let selected = q
        .repository
        .clone()
        .filter(|r| repos.iter().any(|s| &s.name == r))
        .or_else(|| repos.first().map(|s| s.name.clone()));
    if q.repository.is_some() && selected.as_deref() != q.repository.as_deref() {
        return Err(PageError::NotFound(
            "no repository by that name is configured".into(),
        ));
    }
    let overview = match &selected {
        Some(name) => crate::moduleview::repository_overview(&state.store, name)
            .await
            .map_err(PageError::internal)?,
        None => None,
    };
    let keys = match &selected {
        Some(name) if overview.is_some() => state
            .store
            .key_match(Some(name))
            .await
            .map_err(PageError::internal)?
            .problem(),
        _ => None,
    };
    let accuracy = match &selected {
        Some(name) => Some(
            crate::accuracy::of_repository(
                &state.store,
                name,
                state.settings.accuracy.recent_tickets,
            )
            .await
            .map_err(PageError::internal)?,
        ),
        None => None,
    };
    let duplicates = crate::accuracy::of_duplicates(&state.store)
        .await
        .map_err(PageError::internal)?;
    let title = selected.as_deref().unwrap_or("Overview");
    let main = html! {
        h1 { (title) }
        @if repos.len() > 1 {
            form method="get" action="/" class="repos" {
                div {
                    label for="repository" { "Repository" }
                    select id="repository" name="repository" {
                        @for r in &repos {
                            option value=(r.name) selected[Some(&r.name) == selected.as_ref()] { (r.name) }
                        }
                    }
                }
                button type="submit" { "Show" }
            }
        }
        @match (&selected, &overview) {
            (None, _) => (layout::notice("info", "No repository is configured yet: add one under [[repositories]] and TicketLens indexes it and mines its history.")),
            (Some(name), None) => {
                @let st = repos.iter().find(|r| &r.name == name);
                (layout::notice("info", &format!(
                    "{name}'s history is not mined yet (index: {}). This page fills in once it is.",
                    st.map_or("unknown", |s| s.state)
                )))
            }
            (Some(_), Some(o)) => {
                @if let Some(problem) = &keys {
                    (layout::notice("error", &format!("No precedents can be found: {problem}.")))
                }
                (overview_body(o, state.settings.history.window_days))
            }
        }
        @if let Some(a) = &accuracy {
            (accuracy_section(a))
        }
        (suggestions_section(accuracy.as_ref().map(|a| &a.precedents), &duplicates))
    };
    Ok(viewer.respond(
        StatusCode::OK,
        layout::page(&viewer.shell(title, Nav::Overview), main),
    ))
}

/// The module map's tiles: sized by lines (or files), coloured by fragility.
fn tiles(modules: &[Value]) -> Vec<Tile> {
    modules
        .iter()
        .map(|m| {
            let name = m["name"].as_str().unwrap_or_default().to_string();
            let level = m["fragility"]["level"].as_str().unwrap_or("low");
            let score = m["fragility"]["score"].as_f64().unwrap_or(0.0);
            let lines = m["size_lines"].as_f64().unwrap_or(0.0);
            let files = m["files"].as_f64().unwrap_or(0.0);
            Tile {
                title: format!(
                    "{name}: {level} fragility ({score:.0}), {files:.0} files, {lines:.0} lines"
                ),
                label: name,
                weight: lines.max(files * 10.0).max(1.0),
                level: level.to_string(),
                href: format!("/modules/{}", m["id"].as_str().unwrap_or_default()),
            }
        })
        .collect()
}

fn overview_body(o: &Value, window_days: i64) -> Markup {
    let modules = o["modules"].as_array().cloned().unwrap_or_default();
    let tiles = tiles(&modules);
    let months = monthly(&o["monthly"]);
    let recent = &o["recent"];
    let last_change = modules
        .iter()
        .filter_map(|m| m["last_change_ms"].as_i64())
        .max();
    let now = crate::store::now_ms();
    html! {
        p class="sub" {
            (count(modules.len() as u64, "module", "modules")) ". "
            @if let Some(c) = recent["commits"].as_u64() {
                (count(c, "change", "changes")) " and " (count(recent["fixes"].as_u64().unwrap_or(0), "fix", "fixes")) " in the last 30 days"
                @if c == 0 { "; the last change was " (ago(last_change, now)) }
                "."
            }
        }
        div class="grid" {
            section class="panel" aria-labelledby="map-h" {
                h2 id="map-h" { "Module map" }
                p class="muted" { "Each tile is a module, sized by its lines of code and coloured by fragility. Select one for its history and owners." }
                (svg::treemap(&tiles, 640.0, 520.0, "Modules sized by code and coloured by fragility"))
                div class="legend" aria-hidden="true" {
                    span { svg width="14" height="14" class="swatch" { rect width="14" height="14" fill=(svg::level_fill("low")) {} } "low" }
                    span { svg width="14" height="14" class="swatch" { rect width="14" height="14" fill=(svg::level_fill("medium")) {} } "medium" }
                    span { svg width="14" height="14" class="swatch" { rect width="14" height="14" fill=(svg::level_fill("high")) {} } "high" }
                }
            }
            section aria-labelledby="hot-h" {
                h2 id="hot-h" { "Hotspots" }
                p class="muted" { "The most fragile modules now: changed often, fixed often, by many hands (counts of the last " (window_days) " days)." }
                ol class="hotspots" {
                    @for m in modules.iter().take(HOTSPOTS) {
                        li {
                            a href={ "/modules/" (m["id"].as_str().unwrap_or_default()) } { (m["name"].as_str().unwrap_or_default()) }
                            " " (level_badge(m["fragility"]["level"].as_str().unwrap_or("low"), m["fragility"]["score"].as_f64()))
                            br;
                            span class="muted" {
                                (count(m["commits"].as_u64().unwrap_or(0), "change", "changes")) ", " (count(m["fixes"].as_u64().unwrap_or(0), "fix", "fixes"))
                                @if let Some(owner) = m["owners"][0].as_str() { " · knows it: " (owner) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="act-h" {
            h2 id="act-h" { "Activity" }
            @if months.is_empty() {
                p class="muted" { "No activity recorded yet." }
            } @else {
                div class="chart-wrap" { (svg::monthly_bars(&months, "Changes and fixes per month, last 24 months")) }
                div class="legend" {
                    span { span class="swatch bar-swatch" {} "changes" }
                    span { span class="swatch fix-swatch" {} "fixes among them" }
                }
                (month_table(&months))
            }
        }
        (most_used(&o["most_used"]))
        section aria-labelledby="recent-h" {
            h2 id="recent-h" { "Changed most in the last 30 days" }
            @let changed = o["changed_most"].as_array().cloned().unwrap_or_default();
            @if changed.is_empty() {
                p class="muted" { "Nothing changed in the last 30 days." }
            } @else {
                div class="table-wrap" {
                    table {
                        thead { tr { th scope="col" { "Module" } th scope="col" class="num" { "Changes" } th scope="col" class="num" { "Fixes" } th scope="col" class="num" { "Lines changed" } } }
                        tbody {
                            @for c in &changed {
                                tr {
                                    td { a href={ "/modules/" (c["id"].as_str().unwrap_or_default()) } { (c["name"].as_str().unwrap_or_default()) } }
                                    td class="num" { (num(&c["commits"])) }
                                    td class="num" { (num(&c["fixes"])) }
                                    td class="num" { (num(&c["churn"])) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The modules most others import, from the code's own imports (nothing until the graph
/// is built).
fn most_used(list: &Value) -> Markup {
    let list = list.as_array().cloned().unwrap_or_default();
    html! {
        @if !list.is_empty() {
            section aria-labelledby="used-most-h" {
                h2 id="used-most-h" { "Most depended on" }
                div class="table-wrap" {
                    table class="most-used" {
                        thead { tr { th scope="col" { "Module" } th scope="col" class="num" { "Modules using it" } th scope="col" class="num" { "Files using it" } th scope="col" class="num" { "Imports" } } }
                        tbody {
                            @for m in &list {
                                tr {
                                    td { a href={ "/modules/" (m["id"].as_str().unwrap_or_default()) } { (m["name"].as_str().unwrap_or_default()) } }
                                    td class="num" { (num(&m["used_by"])) }
                                    td class="num" { (num(&m["files"])) }
                                    td class="num" { (num(&m["imports"])) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// How often the analyses were right on this repository's fixed tickets: the headline
/// sentence and the numbers behind it, or why there are none yet.
fn accuracy_section(a: &crate::accuracy::RepositoryAccuracy) -> Markup {
    let share = |s: Option<f64>| s.map_or("—".to_string(), layout::pct);
    let row = |label: &str, x: &crate::domain::Accuracy| {
        html! {
            tr {
                th scope="row" { (label) }
                td class="num" { (x.tickets) }
                td class="num" { (share(x.first_module_right)) }
                td class="num" { (share(x.any_module_right)) }
                td class="num" { (share(x.any_file_right)) }
            }
        }
    };
    html! {
        section aria-labelledby="accuracy-h" class="accuracy" {
            h2 id="accuracy-h" { "How often it is right" }
            @let backtest = a.backtest.as_ref().and_then(|b| b.sentence(&layout::date(Some(b.ran_at))));
            @if !a.enough() {
                @if let Some(b) = &backtest { p class="headline backtest" { (b) "." } }
            }
            @match a.sentence() {
                Some(s) => p class="headline" { (s) "." },
                None => p class="muted" { "No fixed ticket is measured yet: once a commit names a ticket TicketLens analysed before it, the analysis is judged against the fix's files." },
            }
            @if a.enough() {
                div class="table-wrap" {
                    table {
                        thead { tr {
                            th scope="col" { "Fixed tickets" } th scope="col" class="num" { "Measured" }
                            th scope="col" class="num" { "First module right" } th scope="col" class="num" { "A module shown right" }
                            th scope="col" class="num" { "A file shown right" }
                        } }
                        tbody {
                            (row(&format!("The last {}", a.recent_limit), &a.recent))
                            (row("All time", &a.all))
                            @for p in &a.projects {
                                (row(&format!("Project {}", if p.project.is_empty() { "(none)" } else { &p.project }), &p.all))
                            }
                        }
                    }
                }
                @if let Some(b) = &backtest { p class="muted backtest" { (b) "." } }
            }
        }
    }
}

/// How the suggestions besides modules held up: the similar past work named (this
/// repository's fixed tickets) and the likely duplicates (every project); nothing before
/// either has a measured case.
fn suggestions_section(
    precedents: Option<&crate::domain::PrecedentAccuracy>,
    duplicates: &[crate::domain::DuplicateAccuracy],
) -> Markup {
    let precedents = precedents.and_then(|p| p.sentence(crate::accuracy::MIN_FOR_SHARE));
    if precedents.is_none() && duplicates.is_empty() {
        return html! {};
    }
    html! {
        section aria-labelledby="suggestions-h" class="suggestions" {
            h2 id="suggestions-h" { "How the suggestions held up" }
            @if let Some(p) = precedents {
                p { (p) "." }
            }
            @if !duplicates.is_empty() {
                ul class="duplicate-outcomes" {
                    @for d in duplicates {
                        li { (d.sentence()) "." }
                    }
                }
            }
        }
    }
}

/// `(month, commits, fixes)` from a stored series.
pub fn monthly(v: &Value) -> Vec<(String, u32, u32)> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["month"].as_str().unwrap_or_default().to_string(),
                m["commits"].as_u64().unwrap_or(0) as u32,
                m["fixes"].as_u64().unwrap_or(0) as u32,
            )
        })
        .collect()
}

/// The chart's numbers as a table, for screen readers and for reading exact values.
pub fn month_table(months: &[(String, u32, u32)]) -> Markup {
    html! {
        details {
            summary { "The numbers per month" }
            div class="table-wrap" {
                table {
                    thead { tr { th scope="col" { "Month" } th scope="col" class="num" { "Changes" } th scope="col" class="num" { "Fixes" } } }
                    tbody {
                        @for (m, c, f) in months.iter().rev() {
                            tr { td { (svg::month_name(m)) } td class="num" { (c) } td class="num" { (f) } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accuracy::RepositoryAccuracy;
    use crate::domain::{Accuracy, Backtest};

    fn with_live(measured: i64) -> RepositoryAccuracy {
        let live = Accuracy::of(measured, measured / 2, measured, 0);
        RepositoryAccuracy {
            repository: "app".into(),
            all: live,
            recent_limit: 120,
            recent: live,
            projects: vec![],
            precedents: Default::default(),
            backtest: Some(Backtest {
                accuracy: Accuracy::of(200, 142, 170, 90),
                sample: 210,
                ran_at: 1_796_601_600_000,
                took_ms: 1,
            }),
        }
    }

    #[test]
    fn the_backtest_leads_until_live_numbers_are_enough_then_follows_them() {
        let backtest = "Backtest on 200 past fixed tickets (replayed as of each ticket's time, \
                        run 2026-12-07): the first module named was right 71% of the time";
        let few = accuracy_section(&with_live(2)).into_string();
        let (b, live) = (
            few.find(backtest),
            few.find("2 fixed tickets measured so far"),
        );
        assert!(b.is_some() && live.is_some() && b < live, "{few}");
        let many = accuracy_section(&with_live(10)).into_string();
        let (b, live) = (
            many.find(backtest),
            many.find("On the 10 fixed tickets measured"),
        );
        assert!(b.is_some() && live.is_some() && live < b, "{many}");
        assert!(
            many.find("A file shown right") < b,
            "below the table: {many}"
        );
    }
}
