//! `/modules/{id}`: one module as a PM asks about it — how fragile and why, how it changed
//! month by month, who knows it, what it depends on and what uses it, what changes with it,
//! its hottest files, and the open tickets that land in it.

use super::home::{month_table, monthly};
use super::layout::{self, ago, date, level_badge, num, pct, Nav};
use super::{svg, PageError, Viewer};
use crate::app::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde_json::Value;

pub async fn page(
    viewer: Viewer,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let window = state.settings.history.window_days;
    let m = crate::moduleview::module_detail(&state.store, window, &id)
        .await
        .map_err(PageError::internal)?
        .ok_or_else(|| {
            PageError::NotFound(
                "no module with that id (its repository may have been re-cut)".into(),
            )
        })?;
    let deps = crate::moduleview::module_dependencies(&state.store, &id)
        .await
        .map_err(PageError::internal)?;
    let now = crate::store::now_ms();
    let name = m["name"].as_str().unwrap_or_default().to_string();
    let months = monthly(&m["monthly"]);
    let main = html! {
        p class="muted" { a href={ "/?repository=" (super::viewer::urlencode(m["repository"].as_str().unwrap_or_default())) } { (m["repository"].as_str().unwrap_or_default()) } " › module" }
        h1 { (name) " " (level_badge(m["fragility"]["level"].as_str().unwrap_or("low"), m["fragility"]["score"].as_f64())) }
        p class="sub" { code { (m["module"].as_str().unwrap_or_default()) } " · " (num(&m["files"])) " source files · " (num(&m["size_lines"])) " lines" }
        div class="grid" {
            (why(&m, window, now))
            (who(&m, now))
        }
        section aria-labelledby="act-h" {
            h2 id="act-h" { "Changes and fixes per month" }
            @if months.is_empty() { p class="muted" { "No monthly history yet." } }
            @else {
                div class="chart-wrap" { (svg::monthly_bars(&months, &format!("Changes and fixes per month in {name}, last 24 months"))) }
                (month_table(&months))
            }
        }
        @if let Some(d) = &deps { (super::deps::section(d)) }
        div class="grid" {
            (changes_with(&m))
            section aria-labelledby="files-h" {
                h2 id="files-h" { "Hottest files" }
                (hottest(&m["hottest_files"], m["module"].as_str().unwrap_or_default()))
            }
        }
        (open_tickets(&m))
    };
    Ok(viewer.respond(
        StatusCode::OK,
        layout::page(&viewer.shell(&name, Nav::Other), main),
    ))
}

/// Why the score: its reasons and the facts behind them.
fn why(m: &Value, window: i64, now: i64) -> maud::Markup {
    let h = &m["history"];
    html! {
        section aria-labelledby="why-h" {
            h2 id="why-h" { "Why this score" }
            ul class="reasons" {
                @for r in m["fragility"]["reasons"].as_array().into_iter().flatten() { li { (r.as_str().unwrap_or_default()) } }
            }
            dl class="facts" {
                dt { "Changes" } dd { (num(&h["commits"])) " in the last " (window) " days, " (num(&h["commits_all"])) " in all"
                    @if h["sweeps"].as_u64().unwrap_or(0) + h["bot_commits"].as_u64().unwrap_or(0) > 0 {
                        " (not counted: " (num(&h["sweeps"])) " sweeps, " (num(&h["bot_commits"])) " by bots)"
                    } }
                dt { "Fixes" } dd { (num(&h["fixes"])) " in the last " (window) " days, " (num(&h["fixes_all"])) " in all" }
                dt { "People" } dd { (num(&h["authors"])) " in the last " (window) " days" }
                dt { "Last change" } dd { (ago(h["last_change_ms"].as_i64(), now)) " (" (date(h["last_change_ms"].as_i64())) "; a fix, feature or refactoring)" }
                dt { "Last refactored" } dd { @if h["last_refactor_ms"].is_i64() { (ago(h["last_refactor_ms"].as_i64(), now)) " (" (date(h["last_refactor_ms"].as_i64())) ")" } @else { "not in the mined history" } }
                dt { "Last fix" } dd { (ago(h["last_fix_ms"].as_i64(), now)) }
                dt { "First seen" } dd { @if h["older_than_history"].as_bool() == Some(true) { "older than the history (" (date(h["history_start_ms"].as_i64()).chars().take(4).collect::<String>()) ")" } @else { (date(h["first_change_ms"].as_i64())) } }
            }
        }
    }
}

/// Who knows it, with knowledge at risk flagged.
fn who(m: &Value, now: i64) -> maud::Markup {
    html! {
        section aria-labelledby="who-h" {
            h2 id="who-h" { "Who knows it" }
            @let experts = m["experts"].as_array().cloned().unwrap_or_default();
            @if experts.is_empty() {
                p class="muted" { "No author history yet." }
            } @else {
                div class="table-wrap" { table {
                    thead { tr { th scope="col" { "Person" } th scope="col" class="num" { "Share" } th scope="col" class="num" { "Commits" } th scope="col" { "Last commit" } } }
                    tbody {
                        @for x in &experts {
                            tr {
                                td { (x["author"].as_str().unwrap_or_default())
                                    @if x["at_risk"].as_bool() == Some(true) { br; span class="flag" { "knowledge at risk: no commit anywhere in the repository since " (date(x["last_commit_anywhere_ms"].as_i64())) } } }
                                td class="num" { (pct(x["share"].as_f64().unwrap_or(0.0))) }
                                td class="num" { (num(&x["commits"])) }
                                td { (ago(x["last_commit_ms"].as_i64(), now)) }
                            }
                        }
                    }
                } }
            }
        }
    }
}

/// What changes with it, each claim with the commits behind it.
fn changes_with(m: &Value) -> maud::Markup {
    html! {
        section aria-labelledby="with-h" {
            h2 id="with-h" { "What changes with it" }
            @let coupled = m["coupled"].as_array().cloned().unwrap_or_default();
            @if coupled.is_empty() { p class="muted" { "It usually changes alone." } }
            @else {
                ul {
                    @for c in &coupled {
                        li {
                            a href={ "/modules/" (c["id"].as_str().unwrap_or_default()) } { (c["name"].as_str().unwrap_or_default()) }
                            ": in " (pct(c["share"].as_f64().unwrap_or(0.0))) " of its changes (" (num(&c["shared"])) " commits, sweeps and bots left out"
                            @let shas = c["commits"].as_array().cloned().unwrap_or_default();
                            @if !shas.is_empty() {
                                "; the newest: "
                                @for (i, sha) in shas.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    code { (sha.as_str().unwrap_or_default().chars().take(10).collect::<String>()) }
                                }
                            }
                            ")"
                        }
                    }
                }
            }
        }
    }
}

/// A priority's place (urgent first, none last), its word, and the release.
type DemandGroup = (u8, String, String);

/// The open demand on the module: the open tickets whose latest analysis lands in it,
/// grouped by priority (most urgent first) and, within one, by release.
fn open_tickets(m: &Value) -> maud::Markup {
    let tickets = m["open_tickets"].as_array().cloned().unwrap_or_default();
    let mut groups: Vec<(DemandGroup, Vec<&Value>)> = Vec::new();
    for t in &tickets {
        let priority = t["priority"].as_str().unwrap_or("no priority").to_string();
        let rank = crate::domain::Priority::ALL
            .iter()
            .position(|p| p.as_str() == priority)
            .map_or(9, |i| i as u8);
        let release = t["release"]
            .as_str()
            .map_or("no release".into(), |r| format!("release {r}"));
        let key = (rank, priority, release);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(t),
            None => groups.push((key, vec![t])),
        }
    }
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    html! {
        section aria-labelledby="tickets-h" {
            h2 id="tickets-h" { "Open tickets that land here" }
            @if tickets.is_empty() { p class="muted" { "No open ticket analysed by TicketLens lands in this module." } }
            @else {
                dl class="demand" {
                    @for ((_, priority, release), list) in &groups {
                        dt { (priority) " · " (release) " (" (list.len()) ")" }
                        dd { ul {
                            @for t in list {
                                li {
                                    a href={ "/tickets/" (t["tracker"].as_str().unwrap_or_default()) "/" (super::viewer::urlencode(t["key"].as_str().unwrap_or_default())) } { (t["key"].as_str().unwrap_or_default()) }
                                    " " (t["title"].as_str().unwrap_or_default())
                                    @if let Some(s) = t["status"].as_str() { " " span class="muted" { "(" (s) ")" } }
                                }
                            }
                        } }
                    }
                }
            }
        }
    }
}

/// The module's hottest files, each path shown inside the module's directory (the whole
/// path in its tooltip).
fn hottest(files: &Value, module: &str) -> maud::Markup {
    let prefix = format!("{}/", module.trim_end_matches('/'));
    let files = files.as_array().cloned().unwrap_or_default();
    html! {
        @if files.is_empty() { p class="muted" { "No file history yet." } }
        @else {
            div class="table-wrap" { table {
                thead { tr { th scope="col" { "File" } th scope="col" { "Fragility" } th scope="col" class="num" { "Changes" } th scope="col" class="num" { "Fixes" } } }
                tbody {
                    @for f in &files {
                        tr {
                            @let path = f["path"].as_str().unwrap_or_default();
                            td { span class="path" title=(path) { (path.strip_prefix(prefix.as_str()).unwrap_or(path)) } }
                            td { (level_badge(f["level"].as_str().unwrap_or("low"), f["score"].as_f64())) }
                            td class="num" { (num(&f["commits"])) }
                            td class="num" { (num(&f["fixes"])) }
                        }
                    }
                }
            } }
        }
    }
}
