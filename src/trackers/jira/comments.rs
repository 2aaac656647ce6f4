//! Jira comment write-back: Cloud REST v3 with ADF bodies, Data Center REST v2 with wiki
//! markup. Our comment carries the entity property `ticketlens` so it can be found again.

use super::api::JiraApi;
use crate::config::JiraFlavor;
use crate::domain::TicketEvent;
use crate::render::Format;
use crate::trackers::ids::IdShape;
use crate::trackers::sink::{CommentSink, SinkError};
use futures::future::BoxFuture;
use reqwest::Method;
use serde_json::{json, Value};

/// The comment property that marks a comment as TicketLens' own.
pub const MARKER_PROPERTY: &str = "ticketlens";

impl JiraApi {
    fn comment_base(&self, ticket: &TicketEvent) -> String {
        let version = match self.flavor {
            JiraFlavor::Cloud => 3,
            JiraFlavor::Datacenter => 2,
        };
        format!(
            "{}/rest/api/{version}/issue/{}/comment",
            self.base, ticket.key
        )
    }

    fn body_value(&self, body: &str) -> Value {
        match self.flavor {
            // The renderer hands ADF over as JSON text.
            JiraFlavor::Cloud => serde_json::from_str(body).unwrap_or_else(|_| json!(body)),
            JiraFlavor::Datacenter => json!(body),
        }
    }
}

impl CommentSink for JiraApi {
    fn format(&self) -> Format {
        match self.flavor {
            JiraFlavor::Cloud => Format::Adf,
            JiraFlavor::Datacenter => Format::Wiki,
        }
    }

    fn create<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        planned_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<String, SinkError>> {
        Box::pin(async move {
            let request = json!({
                "body": self.body_value(body),
                "properties": [{ "key": MARKER_PROPERTY, "value": { "planned_id": planned_id } }],
            });
            let url = self.comment_base(ticket);
            let answer = self
                .client
                .send_json_once(Method::POST, &url, Some(&request), &self.auth)
                .await
                .map_err(SinkError::from)?;
            let id = comment_id(&answer).ok_or_else(|| {
                SinkError::transient("Jira answered the comment create without an id")
            })?;
            IdShape::Digits.check("Jira", id)
        })
    }

    fn update<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        comment_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(async move {
            let comment_id = IdShape::Digits.check("Jira", comment_id.to_string())?;
            let url = format!("{}/{comment_id}", self.comment_base(ticket));
            let request = json!({ "body": self.body_value(body) });
            self.client
                .send_json(Method::PUT, &url, Some(&request), &self.auth)
                .await
                .map_err(SinkError::from)?;
            Ok(())
        })
    }

    /// Ours is the comment whose `ticketlens` property holds the planned id we recorded
    /// before creating: another installation on the same site (its own planned ids) never
    /// adopts ours, nor we theirs.
    fn find_ours<'a>(
        &'a self,
        ticket: &'a TicketEvent,
        planned_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, SinkError>> {
        Box::pin(async move {
            let mut start = 0;
            loop {
                let url = format!(
                    "{}?expand=properties&startAt={start}&maxResults=100",
                    self.comment_base(ticket)
                );
                let page = self
                    .client
                    .send_json(Method::GET, &url, None, &self.auth)
                    .await
                    .map_err(SinkError::from)?;
                let comments = page["comments"].as_array().cloned().unwrap_or_default();
                for c in &comments {
                    let ours = c["properties"].as_array().is_some_and(|ps| {
                        ps.iter().any(|p| {
                            p["key"] == MARKER_PROPERTY && p["value"]["planned_id"] == planned_id
                        })
                    });
                    if ours {
                        return IdShape::Digits.check_found("Jira", comment_id(c));
                    }
                }
                let total = page["total"].as_u64().unwrap_or(0);
                start += comments.len() as u64;
                if comments.is_empty() || start >= total {
                    return Ok(None);
                }
            }
        })
    }
}

fn comment_id(v: &Value) -> Option<String> {
    match &v["id"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
