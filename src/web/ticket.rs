//! `/tickets/{tracker}/{key}`: the analysis behind TicketLens' comment on a ticket — modules,
//! files with their reasons, duplicate candidates with their evidence, hints — and a link to
//! the ticket in its tracker. A ticket not analysed yet (back-filled) is analysed now, by
//! the same pipeline, and the page says so.

use super::layout::{self, ago, Nav};
use super::{analysis, PageError, Viewer};
use crate::domain::{TicketKey, Tracker};
use crate::enrich::{Request, Subject};
use crate::http::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

pub async fn page(
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (tracker, key) = path.into_inner();
    let tracker =
        Tracker::parse(&tracker).ok_or_else(|| PageError::NotFound("no such tracker".into()))?;
    let key = TicketKey::parse(&key).map_err(|e| PageError::NotFound(e.to_string()))?;
    let view = crate::ticketview::ticket_view(
        &state.store,
        state.ticket_index.clone(),
        &state.settings.duplicates,
        tracker,
        key.as_str(),
    )
    .await
    .map_err(PageError::internal)?
    .ok_or_else(|| PageError::NotFound("TicketLens has not seen a ticket with that key".into()))?;
    let (enrichment, fresh) = match &view.analysis {
        Some(a) => (a.clone(), false),
        None => {
            let e = state
                .pipeline
                .enrich(Request {
                    title: view.ticket.title.clone(),
                    body: view.ticket.body.clone(),
                    repository: None,
                    limit: 10,
                    subject: Subject::Ticket {
                        tracker,
                        id: view.ticket.id.clone(),
                        key: view.ticket.key.clone(),
                    },
                })
                .await
                .map_err(crate::http::error::ApiError::from)?;
            (e, true)
        }
    };
    let now = crate::store::now_ms();
    let t = &view.ticket;
    let title = format!("{} {}", t.key, t.title);
    let main = html! {
        p class="muted" { (tracker_name(tracker)) " ticket" @if let Some(p) = &t.project { " · " (p) } @if let Some(s) = &t.status { " · " (s) } }
        h1 { (t.key) ": " (t.title) }
        p class="sub" {
            @if let Some(url) = t.url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
                a href=(url) rel="noreferrer" { "Open " (t.key) " in " (tracker_name(tracker)) }
                " · "
            }
            @match &view.comment {
                Some(c) if c.state == "sent" => { "TicketLens' comment is on the ticket (updated " (ago(Some(c.updated_at), now)) ")." }
                Some(c) if c.state == "dry_run" => { "Analysed " (ago(Some(c.updated_at), now)) "; no comment written (no tracker credentials)." }
                Some(c) if c.state == "pending" => { "The comment is being written." }
                Some(_) => { "Analysed " (ago(view.comment.as_ref().map(|c| c.updated_at), now)) "; nothing confident enough to comment." }
                None => {}
            }
        }
        @if fresh {
            (layout::notice("info", "TicketLens has not commented on this ticket (it came from a back-fill or is waiting its turn); this is a fresh analysis of its text."))
        }
        (analysis::sections(&enrichment, &view.duplicates, now))
    };
    Ok(viewer.respond(
        StatusCode::OK,
        layout::page(&viewer.shell(&title, Nav::Other), main),
    ))
}

fn tracker_name(t: Tracker) -> &'static str {
    match t.as_str() {
        "jira" => "Jira",
        "linear" => "Linear",
        "github" => "GitHub",
        "gitlab" => "GitLab",
        other => other,
    }
}
