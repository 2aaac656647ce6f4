//! `/plan`: a sprint's, a release's or every open ticket as a PM plans with them — which
//! modules the work lands in, how fragile each is and who knows it, where two tickets
//! collide on fragile code, and which urgent tickets carry the most risk, in words.

use super::layout::{self, date, level_badge, Nav};
use super::viewer::urlencode;
use super::{PageError, Viewer};
use crate::app::AppState;
use crate::planview::{ModuleLine, Plan, PlanQuery, TicketLine};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};

pub async fn page(
    viewer: Viewer,
    state: web::Data<AppState>,
    q: web::Query<PlanQuery>,
) -> Result<HttpResponse, PageError> {
    let plan = crate::planview::plan(&state.store, &q.filter())
        .await
        .map_err(PageError::internal)?;
    let title = match (&plan.scope.kind, &plan.scope.name) {
        (&"sprint", Some(n)) => format!("Plan: {n}"),
        (&"release", Some(n)) => format!("Plan: release {n}"),
        _ => "Plan: open tickets by priority".to_string(),
    };
    let main = html! {
        h1 { (title) }
        (chooser(&plan))
        @if plan.tickets.is_empty() {
            p class="muted" { "No open ticket here." }
        } @else {
            (riskiest(&plan))
            (modules(&plan))
            (tickets(&plan))
        }
    };
    Ok(viewer.respond(
        StatusCode::OK,
        layout::page(&viewer.shell(&title, Nav::Plan), main),
    ))
}

/// One form per kind (a select and a button), and the link to every open ticket.
fn chooser(plan: &Plan) -> Markup {
    let form = |field: &str, label: &str, choices: &[crate::store::PlanChoice]| {
        let current = plan
            .scope
            .name
            .as_deref()
            .filter(|_| plan.scope.kind == field);
        html! {
            @if !choices.is_empty() {
                form method="get" action="/plan" class="repos" {
                    label for=(field) { (label) " " }
                    select id=(field) name=(field) {
                        option value="" selected[current.is_none()] { "choose…" }
                        @for c in choices {
                            option value=(c.name) selected[current == Some(c.name.as_str())] {
                                (c.name) " (" (c.open_tickets) " open)"
                            }
                        }
                    }
                    " " button type="submit" { "Show" }
                }
            }
        }
    };
    html! {
        nav aria-label="Choose a plan" class="chooser" {
            (form("sprint", "Sprint or cycle", &plan.sprints))
            (form("release", "Release or milestone", &plan.releases))
            p { a href="/plan?open=true" aria-current=[(plan.scope.kind == "open").then_some("page")] { "Every open ticket, by priority" } }
        }
    }
}

fn ticket_link(tracker: &str, key: &str) -> Markup {
    html! { a href={ "/tickets/" (tracker) "/" (urlencode(key)) } { (key) } }
}

fn priority(p: Option<crate::domain::Priority>, word: Option<&str>) -> Markup {
    html! {
        @match p {
            Some(p) => span class={ "prio " (p.as_str()) } { (p.as_str()) @if let Some(w) = word.filter(|w| !w.eq_ignore_ascii_case(p.as_str())) { " (" (w) ")" } },
            None => span class="muted" { "no priority" },
        }
    }
}

/// A section with its heading, saying `none` in place of an empty body.
fn section(id: &str, heading: &str, empty: bool, none: &str, body: Markup) -> Markup {
    html! {
        section aria-labelledby=(id) {
            h2 id=(id) { (heading) }
            @if empty { p class="muted" { (none) } } @else { (body) }
        }
    }
}

/// The urgent and high tickets on fragile code or knowledge at risk, with why.
fn riskiest(plan: &Plan) -> Markup {
    let body = html! {
        ul class="reasons" {
            @for r in &plan.riskiest {
                li {
                    (ticket_link(&r.tracker, &r.key)) " " (priority(r.priority, None)) " " (r.title)
                    ": " (r.reasons.join("; "))
                }
            }
        }
    };
    let none = "No urgent or high-priority ticket lands on fragile code or on knowledge at risk.";
    section(
        "risk-h",
        "Riskiest tickets",
        plan.riskiest.is_empty(),
        none,
        body,
    )
}

/// Where the work lands: collisions first.
fn modules(plan: &Plan) -> Markup {
    let body = html! {
        div class="table-wrap" { table {
            thead { tr { th scope="col" { "Module" } th scope="col" { "Fragility" } th scope="col" { "Tickets" } th scope="col" { "Who knows it" } } }
            tbody { @for m in &plan.modules { (module_row(plan, m)) } }
        } }
    };
    let none = "None of these tickets has been analysed yet.";
    section(
        "mod-h",
        "Where the work lands",
        plan.modules.is_empty(),
        none,
        body,
    )
}

fn module_row(plan: &Plan, m: &ModuleLine) -> Markup {
    let word = |key: &str| -> Option<String> {
        plan.tickets
            .iter()
            .find(|t| t.key == key)
            .and_then(|t| t.priority_word.clone())
    };
    html! {
        tr {
            td { a href={ "/modules/" (m.id) } { (m.name) } br; span class="muted" { (m.repository) }
                @if m.collision { br; span class="flag" { "collision: " (m.tickets.len()) " tickets on this fragile module" } } }
            td { @match &m.fragility {
                Some(f) => (level_badge(f["level"].as_str().unwrap_or("low"), f["score"].as_f64())),
                None => span class="muted" { "not mined yet" },
            } }
            td { ul { @for t in &m.tickets { li { (ticket_link(&t.tracker, &t.key)) " " (priority(t.priority, word(&t.key).as_deref())) } } } }
            td {
                @if m.owners.is_empty() { span class="muted" { "no author history yet" } }
                @else { (m.owners.join(", ")) }
                @for p in &m.knowledge_at_risk {
                    br; span class="flag" { "knowledge at risk: " (p.name) " has made no commit to the repository since " (date(p.last_commit_anywhere_ms)) }
                }
            }
        }
    }
}

/// Every ticket of the plan with its planning data and where it lands.
fn tickets(plan: &Plan) -> Markup {
    let name_of = |id: &str| {
        plan.modules
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.name.clone())
            .unwrap_or_default()
    };
    html! {
        section aria-labelledby="t-h" {
            h2 id="t-h" { "Tickets (" (plan.tickets.len()) ")" }
            div class="table-wrap" { table {
                thead { tr { th scope="col" { "Ticket" } th scope="col" { "Priority" } th scope="col" { "Sprint · release" } th scope="col" { "Assignee" } th scope="col" { "Lands in" } th scope="col" { "Precedents' fixes" } } }
                tbody { @for t in &plan.tickets { (ticket_row(t, &name_of)) } }
            } }
        }
    }
}

fn ticket_row(t: &TicketLine, name_of: &dyn Fn(&str) -> String) -> Markup {
    html! {
        tr {
            td { (ticket_link(&t.tracker, &t.key)) " " (t.title) }
            td { (priority(t.plan.priority, t.priority_word.as_deref())) }
            td { (t.plan.sprint.as_deref().unwrap_or("—")) " · " (t.plan.release.as_deref().unwrap_or("—")) }
            td { (t.plan.assignee.as_deref().unwrap_or("—")) }
            td {
                @if t.modules.is_empty() { span class="muted" { "not analysed yet" } }
                @else {
                    (t.modules.iter().take(3).map(|id| name_of(id)).collect::<Vec<_>>().join(", "))
                    @if let Some(c) = t.confidence { " " span class="muted" { "(" (c.as_str()) ")" } }
                }
            }
            td { @match &t.footprint {
                Some(f) => { (f.files_min) "–" (f.files_max) " files in " (f.modules_min) "–" (f.modules_max) " modules (" (f.precedents) " precedents)" },
                None => span class="muted" { "—" },
            } }
        }
    }
}
