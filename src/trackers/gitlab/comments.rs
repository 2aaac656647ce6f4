//! GitLab issue note write-back (REST v4): `POST /projects/:id/issues/:iid/notes` once, then
//! `PUT /projects/:id/issues/:iid/notes/:note_id`. Our note carries a hidden marker with
//! the planned id, so a create whose answer was lost is found by reading the notes
//! (every page, `X-Next-Page`), never by posting again.

use super::api::{next_page, GitlabApi};
use crate::domain::TicketEvent;
use crate::render::Format;
use crate::trackers::forge::{id_text, with_marker, with_updated_marker};
use crate::trackers::forge_lookup::find_marked;
use crate::trackers::ids::IdShape;
use crate::trackers::sink::{CommentSink, Failure, SinkError};
use futures::future::BoxFuture;
use reqwest::Method;
use serde_json::json;

impl GitlabApi {
    /// The notes URL of a GitLab key's issue.
    fn notes_url(&self, ticket: &TicketEvent) -> Result<String, SinkError> {
        let (path, iid) = ticket.key.forge_parts().ok_or_else(|| {
            SinkError::new(
                Failure::Permanent,
                format!("`{}` is no GitLab key", ticket.key),
            )
        })?;
        Ok(format!("{}/issues/{iid}/notes", self.project_url(path)))
    }

    async fn put(&self, ticket: &TicketEvent, id: &str, body: String) -> Result<(), SinkError> {
        let id = IdShape::Digits.check("GitLab", id.to_string())?;
        let url = format!("{}/{id}", self.notes_url(ticket)?);
        self.client
            .send_json(
                Method::PUT,
                &url,
                Some(&json!({ "body": body })),
                &self.auth,
            )
            .await
            .map_err(SinkError::from)?;
        Ok(())
    }
}

impl CommentSink for GitlabApi {
    fn format(&self) -> Format {
        Format::Markdown
    }

    fn create<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        planned_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<String, SinkError>> {
        Box::pin(async move {
            let url = self.notes_url(ticket)?;
            let request = json!({ "body": with_marker(body, planned_id) });
            let answer = self
                .client
                .send_json_once(Method::POST, &url, Some(&request), &self.auth)
                .await
                .map_err(SinkError::from)?;
            let id = id_text(&answer["id"]).ok_or_else(|| {
                SinkError::transient("GitLab answered the note create without an id")
            })?;
            IdShape::Digits.check("GitLab", id)
        })
    }

    fn update<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        comment_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(async move {
            let text = with_updated_marker(body);
            self.put(ticket, comment_id, text).await
        })
    }

    fn adopt<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        comment_id: &'a str,
        planned_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(self.put(ticket, comment_id, with_marker(body, planned_id)))
    }

    fn find_ours<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        planned_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, SinkError>> {
        Box::pin(async move {
            let base = self.notes_url(ticket)?;
            let page_url = |page: &str| {
                format!("{base}?per_page=100&sort=asc&order_by=created_at&page={page}")
            };
            let next = |headers: &reqwest::header::HeaderMap| match next_page(headers, &self.api) {
                Some(link) if link.starts_with("http") => Some(link),
                Some(page) => Some(page_url(&page)),
                None => None,
            };
            let found = find_marked(
                &self.client,
                &self.auth,
                page_url("1"),
                planned_id,
                next,
                "notes",
            )
            .await?;
            IdShape::Digits.check_found("GitLab", found)
        })
    }
}
