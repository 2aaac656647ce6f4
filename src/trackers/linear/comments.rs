//! Linear comment write-back through GraphQL: `commentCreate` with an id we choose (so a
//! retried create can find its own comment), then `commentUpdate`.

use super::api::LinearApi;
use crate::domain::TicketEvent;
use crate::render::Format;
use crate::writeback::{CommentSink, SinkError};
use futures::future::BoxFuture;
use reqwest::Method;
use serde_json::{json, Value};

pub const COMMENT_CREATE: &str = "mutation TicketLensCommentCreate($input: CommentCreateInput!) { commentCreate(input: $input) { success comment { id } } }";
pub const COMMENT_UPDATE: &str = "mutation TicketLensCommentUpdate($id: String!, $input: CommentUpdateInput!) { commentUpdate(id: $id, input: $input) { success comment { id } } }";
pub const COMMENT_BY_ID: &str = "query TicketLensComment($id: String!) { comment(id: $id) { id } }";

impl LinearApi {
    async fn graphql(&self, query: &str, variables: Value) -> Result<Value, SinkError> {
        let body = json!({ "query": query, "variables": variables });
        let answer = self
            .client
            .send_json(Method::POST, &self.url, Some(&body), &self.auth)
            .await
            .map_err(SinkError::from)?;
        if let Some(errors) = answer["errors"].as_array().filter(|e| !e.is_empty()) {
            let message = errors
                .iter()
                .filter_map(|e| e["message"].as_str())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(SinkError {
                message: format!("Linear GraphQL error: {message}"),
                permanent: true,
            });
        }
        Ok(answer)
    }
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
            let answer = self
                .graphql(COMMENT_CREATE, json!({ "input": input }))
                .await?;
            let id = answer["data"]["commentCreate"]["comment"]["id"].as_str();
            Ok(id.unwrap_or(planned_id).to_string())
        })
    }

    fn update<'a>(
        &'a self,
        _ticket: &'a TicketEvent,
        comment_id: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<(), SinkError>> {
        Box::pin(async move {
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
                Ok(v) => Ok(v["data"]["comment"]["id"].as_str().map(str::to_string)),
                // Linear answers an unknown id with an "Entity not found" error.
                Err(e) if e.message.to_lowercase().contains("not found") => Ok(None),
                Err(e) => Err(e),
            }
        })
    }
}
