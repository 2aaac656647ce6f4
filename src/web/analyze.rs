//! `/analyze`: a form (title, body, repository) for engineers estimating and PMs drafting a
//! ticket. `GET /analyze?title=…&body=…` renders the same result as the form's POST, so an
//! analysis can be shared as a link. The analysis is the API's own (`enrich::Pipeline`).

use super::layout::{self, Nav};
use super::{analysis, PageError, Viewer};
use crate::app::AppState;
use crate::enrich::MAX_TITLE_CHARS;
use crate::enrich::{Request, Subject};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

/// Longest shareable link; longer texts are analysed but get no link.
const MAX_LINK: usize = 6_000;

#[derive(Debug, Default, Deserialize)]
pub struct Draft {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    repository: String,
    #[serde(default)]
    csrf: String,
}

pub async fn page(
    viewer: Viewer,
    state: web::Data<AppState>,
    q: web::Query<Draft>,
) -> Result<HttpResponse, PageError> {
    render(&viewer, &state, q.into_inner()).await
}

pub async fn submit(
    viewer: Viewer,
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<Draft>,
) -> Result<HttpResponse, PageError> {
    viewer.check_form(&req, &form.csrf)?;
    render(&viewer, &state, form.into_inner()).await
}

async fn render(viewer: &Viewer, state: &AppState, d: Draft) -> Result<HttpResponse, PageError> {
    let repos: Vec<String> = state
        .code_index
        .statuses()
        .into_iter()
        .map(|s| s.name)
        .collect();
    let asked = !(d.title.trim().is_empty() && d.body.trim().is_empty());
    let mut status = StatusCode::OK;
    let result: Option<Markup> = if !asked {
        None
    } else {
        let repository = Some(d.repository.clone()).filter(|r| !r.is_empty());
        let outcome = state
            .pipeline
            .enrich(Request {
                title: d.title.clone(),
                body: d.body.clone(),
                repository,
                limit: 10,
                subject: Subject::Draft,
            })
            .await;
        Some(match outcome {
            Ok(e) => {
                let link = share_link(&d);
                html! {
                    @if let Some(link) = link {
                        p { a href=(link) { "Link to this analysis" } " (anyone signed in can open it)" }
                    }
                    (analysis::sections(&e, &e.duplicates, None, crate::store::now_ms()))
                }
            }
            Err(e) => {
                let e = crate::app::error::ApiError::from(e);
                status = e.status();
                layout::notice("error", &e.message)
            }
        })
    };
    let main = html! {
        h1 { "Analyze a ticket" }
        p class="sub" { "Paste a ticket you are drafting or estimating: TicketLens names the code it likely touches, how fragile that code is, who knows it, and earlier tickets like it. Nothing is written anywhere." }
        form method="post" action="/analyze" class="stack" {
            input type="hidden" name="csrf" value=(viewer.csrf.value);
            label for="title" { "Title" }
            input type="text" id="title" name="title" value=(d.title) maxlength=(MAX_TITLE_CHARS) required;
            label for="body" { "Description " span class="muted" { "(steps, error messages, stack traces help most)" } }
            textarea id="body" name="body" { (d.body) }
            @if repos.len() > 1 {
                label for="repository" { "Repository" }
                select id="repository" name="repository" {
                    option value="" selected[d.repository.is_empty()] { "All repositories" }
                    @for r in &repos { option value=(r) selected[&d.repository == r] { (r) } }
                }
            }
            div { button type="submit" { "Analyze" } }
        }
        @if let Some(r) = result {
            section aria-labelledby="result-h" aria-live="polite" {
                h2 id="result-h" class="visually-hidden" { "Result" }
                (r)
            }
        }
    };
    Ok(viewer.respond(
        status,
        layout::page(&viewer.shell("Analyze a ticket", Nav::Analyze), main),
    ))
}

/// `/analyze?title=…&body=…[&repository=…]`, unless it would be too long to share.
fn share_link(d: &Draft) -> Option<String> {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("title", &d.title);
    if !d.body.is_empty() {
        q.append_pair("body", &d.body);
    }
    if !d.repository.is_empty() {
        q.append_pair("repository", &d.repository);
    }
    let link = format!("/analyze?{}", q.finish());
    (link.len() <= MAX_LINK).then_some(link)
}
