//! GitLab REST (v4) calls for back-fill: a project's issues, oldest first, every page by
//! `X-Next-Page` (offset pagination; a `Link: rel="next"` is followed when GitLab sends
//! that instead), with the issue each was closed as a duplicate of
//! (`_links.closed_as_duplicate_of`).

use super::parse::rest_issue;
use crate::config::GitlabSettings;
use crate::domain::TicketKey;
use crate::trackers::client::{Auth, ClientError, TrackerClient};
use crate::trackers::forge::{next_link, same_origin};
use crate::trackers::page::{FetchedPage, FetchedTicket};
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::collections::HashMap;

/// GitLab's REST API on one instance.
pub struct GitlabApi {
    pub(super) client: TrackerClient,
    /// `base_url/api/v4`.
    pub(super) api: String,
    pub(super) auth: Auth,
}

impl GitlabApi {
    /// Builds the API from settings; says which setting is missing.
    pub fn new(s: &GitlabSettings, client: TrackerClient) -> Result<GitlabApi, String> {
        let token = s.token.clone().ok_or("[gitlab] token is not set")?;
        let base = s.base_url.trim_end_matches('/');
        if url::Url::parse(base).is_err() {
            return Err(format!("[gitlab] base_url `{base}` is not a URL"));
        }
        Ok(GitlabApi {
            client,
            api: format!("{base}/api/v4"),
            auth: Auth::Bearer(token),
        })
    }

    /// `group/project` checked, so it can be URL-encoded into `/projects/:id`.
    pub fn check_project(project: &str) -> Result<(), String> {
        TicketKey::parse(&format!("{project}#1"))
            .map(|_| ())
            .map_err(|_| format!("`{project}` is not a GitLab project path (group/project)"))
    }

    /// `/projects/:id` with the path URL-encoded as the id (its characters are
    /// `[A-Za-z0-9._-]` and `/`, so `/` is the only one to encode).
    pub(super) fn project_url(&self, path: &str) -> String {
        format!("{}/projects/{}", self.api, path.replace('/', "%2F"))
    }

    /// Fetches one page of a project's issues. `cursor` is the page number `X-Next-Page`
    /// gave (or a `Link` URL); `None`: the first page.
    pub async fn issues_page(
        &self,
        project: &str,
        cursor: Option<&str>,
        page_size: u32,
    ) -> Result<FetchedPage, ClientError> {
        Self::check_project(project).map_err(ClientError::Decode)?;
        let url = match cursor {
            Some(next) if next.starts_with("http") => {
                if !same_origin(next, &self.api) {
                    return Err(ClientError::Decode(format!(
                        "saved cursor {next} is not under [gitlab] base_url; run with --restart"
                    )));
                }
                next.to_string()
            }
            page => format!(
                "{}/issues?state=all&order_by=created_at&sort=asc&per_page={page_size}&page={}",
                self.project_url(project),
                page.and_then(|p| p.parse::<u64>().ok()).unwrap_or(1)
            ),
        };
        let (v, headers) = self.client.get_json_with_headers(&url, &self.auth).await?;
        let items = v
            .as_array()
            .ok_or_else(|| ClientError::Decode("the issues answer is not a list".into()))?;
        let mut paths: HashMap<u64, String> = HashMap::new();
        let mut tickets = Vec::new();
        for item in items {
            let Some(event) = rest_issue(project, item) else {
                continue;
            };
            if let Some(pid) = item.get("project_id").and_then(Value::as_u64) {
                paths.entry(pid).or_insert_with(|| project.to_string());
            }
            let mut duplicate_links = Vec::new();
            if let Some(link) = item
                .pointer("/_links/closed_as_duplicate_of")
                .and_then(Value::as_str)
            {
                if let Some(key) = self.issue_key_of(link, &mut paths).await? {
                    duplicate_links.push(key);
                }
            }
            tickets.push(FetchedTicket {
                event,
                duplicate_links,
            });
        }
        Ok(FetchedPage {
            tickets,
            next: next_page(&headers, &self.api),
            total: headers
                .get("x-total")
                .and_then(|t| t.to_str().ok())
                .and_then(|t| t.trim().parse().ok()),
        })
    }

    /// The key of an issue API URL (`…/projects/42/issues/7`): the project's path from the
    /// page's own issues or, for another project, from `GET /projects/42` (once per page).
    async fn issue_key_of(
        &self,
        link: &str,
        paths: &mut HashMap<u64, String>,
    ) -> Result<Option<String>, ClientError> {
        let Some((pid, iid)) = parse_issue_link(link) else {
            return Ok(None);
        };
        let path = match paths.get(&pid) {
            Some(p) => p.clone(),
            None => {
                let url = format!("{}/projects/{pid}", self.api);
                let v = self
                    .client
                    .send_json(reqwest::Method::GET, &url, None, &self.auth)
                    .await?;
                let Some(p) = v.get("path_with_namespace").and_then(Value::as_str) else {
                    return Ok(None);
                };
                paths.insert(pid, p.to_string());
                p.to_string()
            }
        };
        let key = format!("{path}#{iid}");
        Ok(TicketKey::parse(&key).is_ok().then_some(key))
    }
}

/// The next page: `X-Next-Page` (a number; empty on the last page), else a `Link` URL under
/// the API root.
pub(super) fn next_page(headers: &HeaderMap, api: &str) -> Option<String> {
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(n) = header("x-next-page") {
        return n
            .parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .map(|n| n.to_string());
    }
    header("link")
        .and_then(next_link)
        .filter(|n| same_origin(n, api))
}

/// `(project id, iid)` of `…/projects/{id}/issues/{iid}`.
fn parse_issue_link(link: &str) -> Option<(u64, u64)> {
    let (_, rest) = link.split_once("/projects/")?;
    let mut parts = rest.split('/');
    let pid = parts.next()?.parse().ok()?;
    (parts.next()? == "issues").then_some(())?;
    let iid = parts.next()?.parse().ok()?;
    Some((pid, iid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn the_next_page_comes_from_x_next_page_or_link() {
        let api = "https://gitlab.example.com/api/v4";
        let mut h = HeaderMap::new();
        h.insert("x-next-page", HeaderValue::from_static("3"));
        assert_eq!(next_page(&h, api).as_deref(), Some("3"));
        h.insert("x-next-page", HeaderValue::from_static(""));
        assert_eq!(next_page(&h, api), None);
        let mut h = HeaderMap::new();
        let link = "<https://gitlab.example.com/api/v4/projects/1/issues?id_after=9>; rel=\"next\"";
        h.insert("link", HeaderValue::from_static(link));
        assert!(next_page(&h, api).unwrap().ends_with("id_after=9"));
        h.insert(
            "link",
            HeaderValue::from_static("<https://evil.example/x>; rel=\"next\""),
        );
        assert_eq!(next_page(&h, api), None);
    }

    #[test]
    fn duplicate_links_name_a_project_and_an_iid() {
        let l = "https://gitlab.example.com/api/v4/projects/42/issues/7";
        assert_eq!(parse_issue_link(l), Some((42, 7)));
        assert_eq!(
            parse_issue_link("https://x/api/v4/projects/42/merge_requests/7"),
            None
        );
    }
}
