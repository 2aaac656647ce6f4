//! GitHub REST calls for back-fill: a repository's issues, oldest first, every page by the
//! `Link` header; duplicate links of issues closed as duplicates from their "marked as
//! duplicate" events (GraphQL, the only API that names the canonical issue).

use super::parse::rest_issue;
use crate::config::GithubSettings;
use crate::domain::TicketKey;
use crate::trackers::client::{tracker_message, Auth, ClientError, TrackerClient};
use crate::trackers::forge::{next_link, same_origin};
use crate::trackers::page::{FetchedPage, FetchedTicket};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT};
use reqwest::Method;
use serde_json::{json, Value};

/// The REST API version we speak (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2022-11-28";

/// The duplicate lookup: the canonical issues an issue was marked a duplicate of.
pub const DUPLICATES_QUERY: &str =
    "query TicketLensDuplicates($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    issue(number: $number) {
      timelineItems(itemTypes: [MARKED_AS_DUPLICATE_EVENT], first: 20) {
        nodes { ... on MarkedAsDuplicateEvent { canonical { ... on Issue { number repository { nameWithOwner } } } } }
      }
    }
  }
}";

/// GitHub's REST API (github.com or an Enterprise Server).
pub struct GithubApi {
    pub(super) client: TrackerClient,
    pub(super) base: String,
    pub(super) graphql: String,
    pub(super) auth: Auth,
}

impl GithubApi {
    /// Builds the API from settings; says which setting is missing.
    pub fn new(s: &GithubSettings, client: TrackerClient) -> Result<GithubApi, String> {
        let token = s.token.clone().ok_or("[github] token is not set")?;
        let base = s.api_url.trim_end_matches('/').to_string();
        if url::Url::parse(&base).is_err() {
            return Err(format!("[github] api_url `{base}` is not a URL"));
        }
        // api.github.com/graphql; Enterprise Server: HOST/api/v3 → HOST/api/graphql
        let graphql = match base.strip_suffix("/v3") {
            Some(api) => format!("{api}/graphql"),
            None => format!("{base}/graphql"),
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "x-github-api-version",
            HeaderValue::from_static(API_VERSION),
        );
        Ok(GithubApi {
            client: client.with_headers(headers),
            base,
            graphql,
            auth: Auth::Bearer(token),
        })
    }

    /// `owner/repo` checked, so it can go into a URL path as it is.
    pub fn check_repo(repo: &str) -> Result<(), String> {
        match TicketKey::parse(&format!("{repo}#1"))
            .ok()
            .and_then(|k| k.forge_parts().map(|(p, _)| p.split('/').count()))
        {
            Some(2) => Ok(()),
            _ => Err(format!("`{repo}` is not a GitHub repository (owner/repo)")),
        }
    }

    /// Fetches one page of a repository's issues (pull requests left out). `cursor` is the
    /// `Link: rel="next"` URL of the page before (`None`: the first page).
    pub async fn issues_page(
        &self,
        repo: &str,
        cursor: Option<&str>,
        page_size: u32,
    ) -> Result<FetchedPage, ClientError> {
        Self::check_repo(repo).map_err(ClientError::Decode)?;
        let url = match cursor {
            Some(next) if same_origin(next, &self.base) => next.to_string(),
            Some(next) => {
                return Err(ClientError::Decode(format!(
                    "saved cursor {next} is not under [github] api_url; run with --restart"
                )))
            }
            None => format!(
                "{}/repos/{repo}/issues?state=all&sort=created&direction=asc&per_page={page_size}",
                self.base
            ),
        };
        let (v, headers) = self.client.get_json_with_headers(&url, &self.auth).await?;
        let items = v
            .as_array()
            .ok_or_else(|| ClientError::Decode("the issues answer is not a list".into()))?;
        let mut tickets = Vec::new();
        for item in items {
            let Some(event) = rest_issue(repo, item) else {
                continue;
            };
            let duplicate = item.get("state_reason").and_then(Value::as_str) == Some("duplicate");
            let duplicate_links = match (duplicate, event.key.forge_parts()) {
                (true, Some((_, number))) => self.duplicates_of(repo, number).await?,
                _ => Vec::new(),
            };
            tickets.push(FetchedTicket {
                event,
                duplicate_links,
            });
        }
        let next = headers
            .get("link")
            .and_then(|l| l.to_str().ok())
            .and_then(next_link)
            .filter(|n| same_origin(n, &self.base));
        Ok(FetchedPage {
            tickets,
            next,
            total: None,
        })
    }

    /// The keys (`owner/repo#N`) of the issues this one was marked a duplicate of. A GraphQL
    /// error (a token without GraphQL access, an Enterprise Server without the event) gives
    /// no links and a warning rather than stopping the back-fill.
    pub async fn duplicates_of(&self, repo: &str, number: u64) -> Result<Vec<String>, ClientError> {
        let (owner, name) = repo.split_once('/').unwrap_or((repo, ""));
        let body = json!({
            "query": DUPLICATES_QUERY,
            "variables": { "owner": owner, "name": name, "number": number },
        });
        let v = self
            .client
            .send_json(Method::POST, &self.graphql, Some(&body), &self.auth)
            .await?;
        if v.get("errors").is_some_and(|e| !e.is_null()) {
            tracing::warn!(
                repo, number, error = %tracker_message(&v.to_string()),
                "duplicate lookup failed; the issue is stored without its duplicate link"
            );
            return Ok(Vec::new());
        }
        let nodes = v
            .pointer("/data/repository/issue/timelineItems/nodes")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut keys: Vec<String> = nodes
            .iter()
            .filter_map(|n| {
                let c = n.get("canonical")?;
                let repo = c.pointer("/repository/nameWithOwner")?.as_str()?;
                let number = c.get("number")?.as_u64()?;
                Some(format!("{repo}#{number}"))
            })
            .filter(|k| TicketKey::parse(k).is_ok())
            .collect();
        keys.sort();
        keys.dedup();
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use crate::trackers::client::ClientOptions;

    fn api(url: &str) -> GithubApi {
        let s = GithubSettings {
            api_url: url.into(),
            token: Some(Secret::new("t")),
            ..GithubSettings::default()
        };
        GithubApi::new(&s, TrackerClient::new(ClientOptions::default()).unwrap()).unwrap()
    }

    #[test]
    fn enterprise_server_urls_give_its_graphql_endpoint() {
        assert_eq!(
            api("https://api.github.com").graphql,
            "https://api.github.com/graphql"
        );
        let ghe = api("https://ghe.example.com/api/v3/");
        assert_eq!(ghe.base, "https://ghe.example.com/api/v3");
        assert_eq!(ghe.graphql, "https://ghe.example.com/api/graphql");
        let no_token = GithubSettings::default();
        let client = TrackerClient::new(ClientOptions::default()).unwrap();
        assert!(GithubApi::new(&no_token, client).is_err());
    }

    #[test]
    fn only_owner_slash_repo_is_a_repository() {
        assert!(GithubApi::check_repo("zulip/zulip").is_ok());
        for bad in ["zulip", "a/b/c", "a/b#1", "../x", "a/ b"] {
            assert!(GithubApi::check_repo(bad).is_err(), "{bad}");
        }
    }
}
