//! Linear GraphQL calls for back-fill: the `issues` connection of one team, paged by cursor.

use crate::config::LinearSettings;
use crate::domain::{EventKind, TicketEvent, TicketKey, Tracker};
use crate::trackers::client::{tracker_message, Auth, ClientError, TrackerClient};
use crate::trackers::page::{FetchedPage, FetchedTicket};
use crate::trackers::text::markdown_to_text;
use reqwest::Method;
use serde_json::{json, Value};

/// The back-fill query: one team's issues, oldest first, with their duplicate relations.
pub const ISSUES_QUERY: &str =
    "query TicketLensBackfill($team: String!, $first: Int!, $after: String) {
  issues(first: $first, after: $after, orderBy: createdAt, includeArchived: true,
         filter: { team: { key: { eq: $team } } }) {
    nodes {
      id identifier title description url createdAt updatedAt priorityLabel priority estimate
      team { key }
      state { name type }
      cycle { name number }
      project { name }
      parent { identifier }
      assignee { name }
      creator { id }
      labels { nodes { name } }
      relations { nodes { type relatedIssue { identifier } } }
      inverseRelations { nodes { type issue { identifier } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}";

/// Linear's GraphQL API.
pub struct LinearApi {
    pub(super) client: TrackerClient,
    pub(super) url: String,
    pub(super) auth: Auth,
}

impl LinearApi {
    /// Builds the API from settings; says which setting is missing.
    pub fn new(s: &LinearSettings, client: TrackerClient) -> Result<LinearApi, String> {
        let auth = match (&s.api_key, &s.oauth_token) {
            (Some(key), _) => Auth::Raw(key.clone()),
            (None, Some(token)) => Auth::Bearer(token.clone()),
            (None, None) => return Err("[linear] api_key or oauth_token is not set".into()),
        };
        Ok(LinearApi {
            client,
            url: s.api_url.clone(),
            auth,
        })
    }

    /// Fetches one page of a team's issues after `cursor` (`None`: from the start).
    pub async fn issues_page(
        &self,
        team: &str,
        cursor: Option<&str>,
        page_size: u32,
    ) -> Result<FetchedPage, ClientError> {
        let body = json!({
            "query": ISSUES_QUERY,
            "variables": { "team": team, "first": page_size, "after": cursor },
        });
        let v = self
            .client
            .send_json(Method::POST, &self.url, Some(&body), &self.auth)
            .await?;
        if v.get("errors").is_some_and(|e| !e.is_null()) {
            return Err(ClientError::Status {
                status: 200,
                message: tracker_message(&v.to_string()),
                code: crate::trackers::client::graphql_code(&v),
            });
        }
        let conn = v
            .pointer("/data/issues")
            .ok_or_else(|| ClientError::Decode("no data.issues in the answer".into()))?;
        let tickets = conn
            .get("nodes")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(ticket).collect())
            .unwrap_or_default();
        let more = conn
            .pointer("/pageInfo/hasNextPage")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let next = conn
            .pointer("/pageInfo/endCursor")
            .and_then(Value::as_str)
            .filter(|_| more)
            .map(str::to_string);
        Ok(FetchedPage {
            tickets,
            next,
            total: None,
        })
    }
}

fn ticket(n: &Value) -> Option<FetchedTicket> {
    let s = |p: &str| n.pointer(p).and_then(Value::as_str).map(str::to_string);
    let related = |list: &str, other: &str| -> Vec<String> {
        n.pointer(&format!("/{list}/nodes"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|r| r.get("type").and_then(Value::as_str) == Some("duplicate"))
                    .filter_map(|r| r.pointer(&format!("/{other}/identifier"))?.as_str())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut duplicate_links = related("relations", "relatedIssue");
    duplicate_links.extend(related("inverseRelations", "issue"));
    Some(FetchedTicket {
        event: TicketEvent {
            tracker: Tracker::Linear,
            kind: EventKind::Created,
            id: s("/id")?,
            key: TicketKey::parse(&s("/identifier")?).ok()?,
            title: crate::domain::one_line(&s("/title").unwrap_or_default())
                .trim()
                .to_string(),
            body: s("/description")
                .map(|d| markdown_to_text(&d))
                .unwrap_or_default(),
            labels: n
                .pointer("/labels/nodes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|l| l.get("name")?.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            components: Vec::new(),
            project: s("/team/key"),
            visibility: crate::domain::Visibility::Internal,
            status: s("/state/name"),
            issue_type: None,
            priority: s("/priorityLabel"),
            reporter: s("/creator/id"),
            url: s("/url"),
            created_at: s("/createdAt"),
            updated_at: s("/updatedAt"),
            actor: None,
            changed_fields: Vec::new(),
            plan: super::plan::planning(n),
        },
        duplicate_links,
    })
}
