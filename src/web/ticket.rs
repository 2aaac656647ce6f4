//! `/tickets/{tracker}/{key}`: the analysis behind TicketLens' comment on a ticket — modules,
//! files with their reasons, duplicate candidates with their evidence, hints — and a link to
//! the ticket in its tracker. A ticket not analysed yet (back-filled) is analysed now, by
//! the same pipeline, and the page says so.

use super::layout::{self, ago, Nav};
use super::{analysis, viewer::urlencode, PageError, Viewer};
use crate::app::AppState;
use crate::domain::{CommentState, Format, TicketKey, Tracker};
use crate::enrich::{Request, Subject};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

/// What the page says after a verdict was posted (`?verdict=`).
#[derive(Debug, serde::Deserialize)]
pub struct Shown {
    verdict: Option<String>,
}

/// A triager's verdict on one suggestion, from the page's own form.
#[derive(Debug, serde::Deserialize)]
pub struct VerdictForm {
    #[serde(default)]
    csrf: String,
    candidate: String,
    duplicate: bool,
}

fn ticket_of(path: (String, String)) -> Result<(Tracker, TicketKey), PageError> {
    let (tracker, key) = path;
    let tracker =
        Tracker::parse(&tracker).ok_or_else(|| PageError::NotFound("no such tracker".into()))?;
    let key = TicketKey::parse(&key).map_err(|e| PageError::NotFound(e.to_string()))?;
    Ok((tracker, key))
}

fn page_path(tracker: Tracker, key: &str) -> String {
    format!("/tickets/{}/{}", tracker.as_str(), urlencode(key))
}

/// `POST /tickets/{tracker}/{key}/duplicates/feedback`: records the verdict the way the
/// feedback API does (the learner learns it with its next round), then back to the page.
pub async fn verdict(
    viewer: Viewer,
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<VerdictForm>,
) -> Result<HttpResponse, PageError> {
    viewer.check_form(&req, &form.csrf)?;
    let (tracker, key) = ticket_of(path.into_inner())?;
    let candidate = TicketKey::parse(&form.candidate)
        .map_err(|e| PageError::BadRequest(format!("candidate: {e}")))?;
    let recorded = crate::ticketview::record_feedback(
        &state.store,
        tracker,
        key.as_str(),
        candidate.as_str(),
        form.duplicate,
    )
    .await
    .map_err(PageError::internal)?;
    match recorded {
        crate::ticketview::Feedback::Recorded { .. } => {
            let shown = if form.duplicate {
                "duplicate"
            } else {
                "distinct"
            };
            let to = format!(
                "{}?verdict={shown}#dups-h",
                page_path(tracker, key.as_str())
            );
            Ok(HttpResponse::SeeOther()
                .insert_header((actix_web::http::header::LOCATION, to))
                .finish())
        }
        crate::ticketview::Feedback::Itself => Err(PageError::BadRequest(
            "a ticket cannot be a duplicate of itself".into(),
        )),
        crate::ticketview::Feedback::NoTicket => Err(PageError::NotFound(
            "TicketLens has not seen a ticket with that key".into(),
        )),
        crate::ticketview::Feedback::NoCandidate => Err(PageError::NotFound(
            "TicketLens has not seen the suggested ticket".into(),
        )),
    }
}

/// Which model ranked a project's candidates, in words.
fn model_line(state: &AppState, project: Option<&str>) -> String {
    let Some(project) = project else {
        return "Ranked by the shipped model (this ticket belongs to no project).".into();
    };
    let m = state.learner.model_of(project).summary;
    let threshold = format!("{:.0}%", f64::from(m.likely_threshold) * 100.0);
    match m.source {
        crate::ticketindex::ModelSource::Shipped => format!(
            "Ranked by the shipped model: {project} has no duplicate links or verdicts learned yet. \
             \"Likely duplicate\" from {threshold} similar."
        ),
        crate::ticketindex::ModelSource::Learned => format!(
            "Ranked by {project}'s own model, learned from {} and {}. \"Likely duplicate\" from \
             {threshold} similar{}.",
            plural(m.links_learned, "duplicate link"),
            plural(m.feedback_learned, "verdict"),
            if m.threshold_calibrated {
                ", calibrated on the project's own tickets"
            } else {
                ""
            }
        ),
    }
}

fn plural(n: u64, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

pub async fn page(
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    shown: web::Query<Shown>,
) -> Result<HttpResponse, PageError> {
    let (tracker, key) = ticket_of(path.into_inner())?;
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
                .map_err(crate::app::error::ApiError::from)?;
            (e, true)
        }
    };
    let now = crate::store::now_ms();
    let t = &view.ticket;
    let verdicts = analysis::Verdicts {
        action: format!("{}/duplicates/feedback", page_path(tracker, &t.key)),
        csrf: viewer.csrf.value.clone(),
        model_line: model_line(&state, t.project.as_deref()),
    };
    let title = format!("{} {}", t.key, t.title);
    let why_dry = if state.settings.comments.mode == crate::config::CommentMode::Shadow {
        "shadow mode: TicketLens analyses and measures, and writes nothing to the tracker"
    } else {
        "no tracker credentials"
    };
    let main = html! {
        p class="muted" { (tracker_name(tracker)) " ticket" @if let Some(p) = &t.project { " · " (p) } @if let Some(s) = &t.status { " · " (s) } }
        h1 { (t.key) ": " (t.title) }
        p class="sub" {
            @if let Some(url) = t.url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
                a href=(url) rel="noreferrer" { "Open " (t.key) " in " (tracker_name(tracker)) }
                " · "
            }
            @match &view.comment {
                Some(c) if c.state == CommentState::Sent => { "TicketLens' comment is on the ticket (updated " (ago(Some(c.updated_at), now)) ")." }
                Some(c) if c.state == CommentState::DryRun => { "Analysed " (ago(Some(c.updated_at), now)) "; no comment written (" (why_dry) ")." }
                Some(c) if c.state == CommentState::Pending => { "The comment is being written." }
                Some(_) => { "Analysed " (ago(view.comment.as_ref().map(|c| c.updated_at), now)) "; nothing confident enough to comment." }
                None => {}
            }
        }
        @match shown.verdict.as_deref() {
            Some("duplicate") => { (layout::notice("info", "Recorded: the same issue. TicketLens learns from your verdict with its next round; the tracker is not changed.")) }
            Some("distinct") => { (layout::notice("info", "Recorded: not a duplicate. TicketLens learns from your verdict with its next round; the tracker is not changed.")) }
            _ => {}
        }
        @if fresh {
            (layout::notice("info", "TicketLens has not commented on this ticket (it came from a back-fill or is waiting its turn); this is a fresh analysis of its text."))
        }
        @if let Some(c) = view.comment.as_ref().filter(|c| !c.body.is_empty()) {
            section aria-labelledby="comment-h" {
                h2 id="comment-h" {
                    @if c.state == CommentState::DryRun { "The comment as it would be posted" } @else { "The comment as posted" }
                }
                p class="muted" { (comment_format(&c.format)) }
                pre class="comment" { (comment_text(&c.format, &c.body)) }
            }
        }
        (analysis::sections(&enrichment, &view.duplicates, Some(&verdicts), now))
    };
    Ok(viewer.respond(
        StatusCode::OK,
        layout::page(&viewer.shell(&title, Nav::Other), main),
    ))
}

fn comment_format(format: &Format) -> &'static str {
    match format {
        Format::Adf => "Jira Cloud (Atlassian Document Format), shown as its text",
        Format::Wiki => "Jira wiki markup, as sent",
        Format::Markdown => "Markdown, as sent",
    }
}

/// The stored comment body as sent; an ADF document as the lines its nodes hold (an
/// `expand` as its title, then its content), since its JSON is not for reading.
fn comment_text(format: &Format, body: &str) -> String {
    if *format != Format::Adf {
        return body.to_string();
    }
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(body) else {
        return body.to_string();
    };
    let mut out = String::new();
    adf_lines(&doc, 0, &mut out);
    out
}

fn adf_lines(node: &serde_json::Value, depth: usize, out: &mut String) {
    let kind = node["type"].as_str().unwrap_or("");
    let children = node["content"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    match kind {
        "paragraph" | "heading" => {
            let text: String = children.iter().filter_map(|c| c["text"].as_str()).collect();
            out.push_str(&"  ".repeat(depth.saturating_sub(1)));
            out.push_str(&text);
            out.push('\n');
        }
        "listItem" => {
            out.push_str(&"  ".repeat(depth.saturating_sub(1)));
            out.push_str("- ");
            let mut inner = String::new();
            for c in children {
                adf_lines(c, depth + 1, &mut inner);
            }
            out.push_str(inner.trim_start());
        }
        "expand" => {
            out.push_str(&format!(
                "▸ {}\n",
                node["attrs"]["title"].as_str().unwrap_or("")
            ));
            for c in children {
                adf_lines(c, depth + 1, out);
            }
        }
        _ => {
            for c in children {
                adf_lines(c, depth, out);
            }
        }
    }
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
