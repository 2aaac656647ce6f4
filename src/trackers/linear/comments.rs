//! Linear comment write-back through GraphQL: `commentCreate` with an id we choose (so a
//! retried create can find its own comment), then `commentUpdate`.

use super::api::LinearApi;
use crate::domain::TicketEvent;
use crate::render::Format;
use crate::trackers::client::{graphql_code, ClientError};
use crate::trackers::ids::IdShape;
use crate::trackers::sink::{CommentSink, Failure, SinkError};
use futures::future::BoxFuture;
use reqwest::Method;
use serde_json::{json, Value};

pub const COMMENT_CREATE: &str = "mutation TicketLensCommentCreate($input: CommentCreateInput!) { commentCreate(input: $input) { success comment { id } } }";
pub const COMMENT_UPDATE: &str = "mutation TicketLensCommentUpdate($id: String!, $input: CommentUpdateInput!) { commentUpdate(id: $id, input: $input) { success comment { id } } }";
pub const COMMENT_BY_ID: &str = "query TicketLensComment($id: String!) { comment(id: $id) { id } }";

impl LinearApi {
    async fn graphql(&self, query: &str, variables: Value) -> Result<Value, SinkError> {
        self.graphql_with(query, variables, false).await
    }

    /// Runs a query or mutation; `once` for a create (see `TrackerClient::send_json_once`).
    /// GraphQL errors are classified by their code: rate limits (waited out by the client)
    /// and internal errors are transient, authentication and permission errors are
    /// credentials, an unknown entity is "not found", the rest permanent.
    async fn graphql_with(
        &self,
        query: &str,
        variables: Value,
        once: bool,
    ) -> Result<Value, SinkError> {
        let body = json!({ "query": query, "variables": variables });
        let sent = if once {
            self.client
                .send_json_once(Method::POST, &self.url, Some(&body), &self.auth)
                .await
        } else {
            self.client
                .send_json(Method::POST, &self.url, Some(&body), &self.auth)
                .await
        };
        let answer = match sent {
            Ok(answer) => answer,
            Err(ClientError::Status {
                status,
                message,
                code: Some(code),
            }) => return Err(graphql_failure(&code, &format!("{status}: {message}"))),
            Err(e) => return Err(SinkError::from(e)),
        };
        if let Some(errors) = answer["errors"].as_array().filter(|e| !e.is_empty()) {
            let message = errors
                .iter()
                .filter_map(|e| e["message"].as_str())
                .collect::<Vec<_>>()
                .join("; ");
            let code = graphql_code(&answer).unwrap_or_default();
            return Err(graphql_failure(&code, &message));
        }
        Ok(answer)
    }
}

/// What a GraphQL error code means for the job (Linear's codes and types).
fn graphql_failure(code: &str, message: &str) -> SinkError {
    let lower = message.to_lowercase();
    let failure = match code {
        "RATELIMITED" | "INTERNAL_SERVER_ERROR" | "INTERNAL_ERROR" | "INTERNAL" => {
            Failure::Transient
        }
        "AUTHENTICATION_ERROR" | "UNAUTHENTICATED" | "FORBIDDEN" => Failure::Auth,
        _ if lower.contains("not found") || lower.contains("could not find") => Failure::NotFound,
        _ => Failure::Permanent,
    };
    SinkError::new(failure, format!("Linear GraphQL error: {message}"))
}

impl CommentSink for LinearApi {
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
            let input = json!({ "id": planned_id, "issueId": ticket.id, "body": body });
            match self
                .graphql_with(COMMENT_CREATE, json!({ "input": input }), true)
                .await
            {
                Ok(answer) => {
                    let id = answer["data"]["commentCreate"]["comment"]["id"].as_str();
                    IdShape::Uuid.check("Linear", id.unwrap_or(planned_id).to_string())
                }
                // A create refused as a conflict (the id exists: an earlier attempt landed)
                // is adopted when the comment with our id is there.
                Err(e) if e.failure == Failure::Permanent => {
                    match self.find_ours(ticket, planned_id).await? {
                        Some(id) => Ok(id),
                        None => Err(e),
                    }
                }
                Err(e) => Err(e),
            }
        })
    }

    fn update<'a>(
        &'a self,
        _ticket: &'a TicketEvent,
        comment_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(async move {
            let comment_id = IdShape::Uuid.check("Linear", comment_id.to_string())?;
            let vars = json!({ "id": comment_id, "input": { "body": body } });
            self.graphql(COMMENT_UPDATE, vars).await?;
            Ok(())
        })
    }

    fn find_ours<'a>(
        &'a self,
        _ticket: &'a TicketEvent,
        planned_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>, SinkError>> {
        Box::pin(async move {
            match self
                .graphql(COMMENT_BY_ID, json!({ "id": planned_id }))
                .await
            {
                Ok(v) => IdShape::Uuid.check_found(
                    "Linear",
                    v["data"]["comment"]["id"].as_str().map(str::to_string),
                ),
                // Linear answers an unknown id with an "Entity not found" error.
                Err(e) if e.failure == Failure::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        })
    }
}
