//! GitHub issue comment write-back (REST): `POST /repos/{owner}/{repo}/issues/{n}/comments`
//! once, then `PATCH /repos/{owner}/{repo}/issues/comments/{id}`. Our comment carries a
//! hidden marker with the planned id, so a create whose answer was lost is found by reading
//! the issue's comments, never by posting again.

use super::api::GithubApi;
use crate::domain::TicketEvent;
use crate::render::Format;
use crate::trackers::forge::{next_link, same_origin, with_marker, with_updated_marker};
use crate::trackers::forge_lookup::find_marked;
use crate::trackers::ids::IdShape;
use crate::trackers::sink::{CommentSink, Failure, SinkError};
use futures::future::BoxFuture;
use reqwest::Method;
use serde_json::{json, Value};

impl GithubApi {
    /// `owner/repo` and the issue number of a GitHub key.
    fn issue_of<'t>(&self, ticket: &'t TicketEvent) -> Result<(&'t str, u64), SinkError> {
        ticket.key.forge_parts().ok_or_else(|| {
            SinkError::new(
                Failure::Permanent,
                format!("`{}` is no GitHub key", ticket.key),
            )
        })
    }

    async fn patch(&self, ticket: &TicketEvent, id: &str, body: String) -> Result<(), SinkError> {
        let (repo, _) = self.issue_of(ticket)?;
        let id = IdShape::Digits.check("GitHub", id.to_string())?;
        let url = format!("{}/repos/{repo}/issues/comments/{id}", self.base);
        self.client
            .send_json(
                Method::PATCH,
                &url,
                Some(&json!({ "body": body })),
                &self.auth,
            )
            .await
            .map_err(SinkError::from)?;
        Ok(())
    }
}

impl CommentSink for GithubApi {
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
            let (repo, number) = self.issue_of(ticket)?;
            let url = format!("{}/repos/{repo}/issues/{number}/comments", self.base);
            let request = json!({ "body": with_marker(body, planned_id) });
            let answer = self
                .client
                .send_json_once(Method::POST, &url, Some(&request), &self.auth)
                .await
                .map_err(SinkError::from)?;
            let id = comment_id(&answer).ok_or_else(|| {
                SinkError::transient("GitHub answered the comment create without an id")
            })?;
            IdShape::Digits.check("GitHub", id)
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
            self.patch(ticket, comment_id, text).await
        })
    }

    fn adopt<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        comment_id: &'a str,
        planned_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(self.patch(ticket, comment_id, with_marker(body, planned_id)))
    }

    /// Reads the issue's comments, oldest first, every page (`Link: rel="next"`, bounded),
    /// for the one whose marker holds our planned id.
    fn find_ours<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        planned_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, SinkError>> {
        Box::pin(async move {
            let (repo, number) = self.issue_of(ticket)?;
            let first = format!(
                "{}/repos/{repo}/issues/{number}/comments?per_page=100",
                self.base
            );
            let next = |headers: &reqwest::header::HeaderMap| {
                headers
                    .get("link")
                    .and_then(|l| l.to_str().ok())
                    .and_then(next_link)
                    .filter(|n| same_origin(n, &self.base))
            };
            let found = find_marked(
                &self.client,
                &self.auth,
                first,
                planned_id,
                next,
                "comments",
            )
            .await?;
            IdShape::Digits.check_found("GitHub", found)
        })
    }
}

fn comment_id(v: &Value) -> Option<String> {
    crate::trackers::forge::id_text(&v["id"])
}
