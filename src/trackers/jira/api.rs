//! Jira REST calls for back-fill: Cloud `POST /rest/api/3/search/jql` paged by
//! `nextPageToken`, Data Center `GET /rest/api/2/search` paged by `startAt`.

use super::parse::normalize_time;
use super::plan::CustomFields;
use crate::config::{JiraFlavor, JiraSettings};
use crate::domain::{EventKind, TicketEvent, TicketKey, Tracker, Visibility};
use crate::trackers::client::{Auth, ClientError, TrackerClient};
use crate::trackers::page::{FetchedPage, FetchedTicket};
use crate::trackers::text::{adf_to_text, jira_wiki_to_text};
use reqwest::Method;
use serde_json::{json, Value};

const FIELDS: [&str; 16] = [
    "security",
    "summary",
    "description",
    "labels",
    "components",
    "project",
    "status",
    "issuetype",
    "priority",
    "reporter",
    "created",
    "updated",
    "issuelinks",
    "fixVersions",
    "parent",
    "assignee",
];

/// A Jira site's search API.
pub struct JiraApi {
    pub(super) client: TrackerClient,
    pub(super) base: String,
    pub(super) flavor: JiraFlavor,
    pub(super) auth: Auth,
    /// The site's sprint and story-point field ids, asked once per process (`None` inside:
    /// the site would not say, so those fields stay as stored).
    pub(super) custom: tokio::sync::OnceCell<Option<CustomFields>>,
}

impl JiraApi {
    /// Builds the API from settings; says which setting is missing.
    pub fn new(s: &JiraSettings, client: TrackerClient) -> Result<JiraApi, String> {
        let base = s
            .base_url
            .as_deref()
            .ok_or("[jira] base_url is not set")?
            .trim_end_matches('/')
            .to_string();
        let auth = match s.flavor {
            JiraFlavor::Cloud => match (&s.email, &s.api_token) {
                (Some(email), Some(token)) => Auth::Basic {
                    user: email.clone(),
                    password: token.clone(),
                },
                _ => return Err("[jira] email and api_token are needed for Jira Cloud".into()),
            },
            JiraFlavor::Datacenter => match &s.pat {
                Some(pat) => Auth::Bearer(pat.clone()),
                None => return Err("[jira] pat is needed for Jira Data Center".into()),
            },
        };
        Ok(JiraApi {
            client,
            base,
            flavor: s.flavor,
            auth,
            custom: tokio::sync::OnceCell::new(),
        })
    }

    /// The sprint and story-point field ids, found by name in the site's field list
    /// (`/rest/api/3/field` on Cloud, `/rest/api/2/field` on Data Center) on first use and
    /// remembered. A site that refuses the list (an old server, a missing permission) gets
    /// `None`: back-fill then goes on without those two fields rather than failing.
    pub async fn custom_fields(&self) -> Option<&CustomFields> {
        self.custom
            .get_or_init(|| async {
                let version = match self.flavor {
                    JiraFlavor::Cloud => 3,
                    JiraFlavor::Datacenter => 2,
                };
                let url = format!("{}/rest/api/{version}/field", self.base);
                match self.client.send_json(Method::GET, &url, None, &self.auth).await {
                    Ok(list) => Some(CustomFields::from_field_list(&list)),
                    Err(e) => {
                        tracing::warn!(error = %e, "jira field list unavailable; sprint and story points not read");
                        None
                    }
                }
            })
            .await
            .as_ref()
    }

    /// The fields a search asks for: the standard ones and the site's custom planning ones.
    async fn fields(&self) -> (Vec<String>, Option<&CustomFields>) {
        let custom = self.custom_fields().await;
        let mut fields: Vec<String> = FIELDS.iter().map(|f| f.to_string()).collect();
        fields.extend(custom.iter().flat_map(|c| c.ids()).map(str::to_string));
        (fields, custom)
    }

    /// Fetches one page of the JQL search, starting at `cursor` (a `nextPageToken` on Cloud,
    /// a `startAt` offset on Data Center; `None` for the first page).
    pub async fn search_page(
        &self,
        jql: &str,
        cursor: Option<&str>,
        page_size: u32,
    ) -> Result<FetchedPage, ClientError> {
        let (fields, custom) = self.fields().await;
        match self.flavor {
            JiraFlavor::Cloud => {
                let mut body = json!({ "jql": jql, "maxResults": page_size, "fields": fields });
                if let Some(token) = cursor {
                    body["nextPageToken"] = json!(token);
                }
                let url = format!("{}/rest/api/3/search/jql", self.base);
                let v = self
                    .client
                    .send_json(Method::POST, &url, Some(&body), &self.auth)
                    .await?;
                let next = v
                    .get("nextPageToken")
                    .and_then(Value::as_str)
                    .filter(|_| !v.get("isLast").and_then(Value::as_bool).unwrap_or(false))
                    .map(str::to_string);
                Ok(FetchedPage {
                    tickets: self.tickets(&v, custom),
                    next,
                    total: None,
                })
            }
            JiraFlavor::Datacenter => {
                let start: u64 = cursor.and_then(|c| c.parse().ok()).unwrap_or(0);
                let mut url = url::Url::parse(&format!("{}/rest/api/2/search", self.base))
                    .map_err(|e| ClientError::Decode(format!("base_url: {e}")))?;
                url.query_pairs_mut()
                    .append_pair("jql", jql)
                    .append_pair("startAt", &start.to_string())
                    .append_pair("maxResults", &page_size.to_string())
                    .append_pair("fields", &fields.join(","));
                let v = self
                    .client
                    .send_json(Method::GET, url.as_str(), None, &self.auth)
                    .await?;
                let got = v
                    .get("issues")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len) as u64;
                let total = v.get("total").and_then(Value::as_u64);
                let end = start + got;
                let more = !matches!(total, Some(t) if end >= t);
                let next = (got > 0 && more).then(|| end.to_string());
                Ok(FetchedPage {
                    tickets: self.tickets(&v, custom),
                    next,
                    total,
                })
            }
        }
    }

    fn tickets(&self, v: &Value, custom: Option<&CustomFields>) -> Vec<FetchedTicket> {
        v.get("issues")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|i| self.ticket(i, custom)).collect())
            .unwrap_or_default()
    }

    fn ticket(&self, issue: &Value, custom: Option<&CustomFields>) -> Option<FetchedTicket> {
        let f = issue.get("fields")?;
        let key = TicketKey::parse(issue.get("key")?.as_str()?).ok()?;
        let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
        let name = |field: &str| s(f.get(field).and_then(|v| v.get("name")));
        let body = match f.get("description") {
            Some(Value::String(w)) => jira_wiki_to_text(w),
            Some(v @ Value::Object(_)) => adf_to_text(v),
            _ => String::new(),
        };
        let names = |field: &str, attr: Option<&str>| -> Vec<String> {
            f.get(field)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| match attr {
                            Some(attr) => x.get(attr).and_then(Value::as_str),
                            None => x.as_str(),
                        })
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let duplicate_links = super::links::duplicate_keys(f);
        let reporter = f
            .get("reporter")
            .and_then(|r| s(r.get("accountId")).or_else(|| s(r.get("name"))));
        Some(FetchedTicket {
            event: TicketEvent {
                tracker: Tracker::Jira,
                kind: EventKind::Created,
                id: s(issue.get("id"))?,
                url: Some(format!("{}/browse/{key}", self.base)),
                key,
                title: crate::domain::one_line(&s(f.get("summary")).unwrap_or_default())
                    .trim()
                    .to_string(),
                body,
                labels: names("labels", None),
                components: names("components", Some("name")),
                project: s(f.pointer("/project/key")),
                visibility: f
                    .as_object()
                    .map_or(Visibility::Restricted, super::parse::visibility),
                status: name("status"),
                issue_type: name("issuetype"),
                priority: name("priority"),
                reporter,
                created_at: s(f.get("created")).map(|t| normalize_time(&t)),
                updated_at: s(f.get("updated")).map(|t| normalize_time(&t)),
                actor: None,
                changed_fields: Vec::new(),
                plan: f
                    .as_object()
                    .map(|f| super::plan::planning(f, custom))
                    .unwrap_or_default(),
            },
            duplicate_links,
        })
    }
}
