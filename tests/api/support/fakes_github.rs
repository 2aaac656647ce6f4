//! A local GitHub that behaves like its REST API for what TicketLens does: issue comments
//! (create, update, list with `Link` pages), a repository's issues (back-fill), and the
//! GraphQL duplicate lookup. Every REST request is checked against GitHub's published
//! description (`@octokit/openapi`, see `octokit.rs`): the operation must exist, its query
//! parameters be declared, its body valid; every GraphQL query against GitHub's schema
//! (`@octokit/graphql-schema`). Faults: a create stored then answered 500 or
//! stalled, the primary rate limit (403, `x-ratelimit-remaining: 0`) and a secondary limit
//! (403, `retry-after`).

use crate::fakes::AfterStore;
use crate::octokit;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[derive(Debug, Clone)]
pub struct ForgeComment {
    pub id: u64,
    /// `owner/repo#N` (GitHub) or `group/project#IID` (GitLab).
    pub issue: String,
    pub body: String,
}

#[derive(Debug, Default)]
pub struct GithubState {
    pub comments: Vec<ForgeComment>,
    pub posts: usize,
    pub patches: usize,
    pub lists: usize,
    pub create_faults: Vec<AfterStore>,
    /// The next requests get GitHub's primary rate limit answer.
    pub primary_limited: usize,
    /// The next requests get a secondary rate limit answer.
    pub secondary_limited: usize,
    /// Every request, as `METHOD path?query`.
    pub requests: Vec<String>,
    /// The repository's issues (and pull requests), for back-fill.
    pub issues: Vec<Value>,
    /// While set, this page of the repository's issues answers 500 (an interruption).
    pub failing_page: Option<usize>,
    /// Issue number → the canonical issues it was marked a duplicate of.
    pub duplicates: HashMap<u64, Vec<(String, u64)>>,
    /// Requests that broke GitHub's description.
    pub violations: Vec<String>,
    next_id: u64,
}

#[derive(Clone, Default)]
pub struct FakeGithub {
    pub state: Arc<Mutex<GithubState>>,
}

impl FakeGithub {
    pub async fn mount(server: &MockServer) -> FakeGithub {
        // load (and if need be install) the descriptions before the first request
        let _ = octokit::rest_description();
        let _ = octokit::graphql_schema();
        let fake = FakeGithub::default();
        Mock::given(any())
            .respond_with(fake.clone())
            .mount(server)
            .await;
        fake
    }

    pub fn comments_on(&self, issue: &str) -> Vec<ForgeComment> {
        let s = self.state.lock().unwrap();
        s.comments
            .iter()
            .filter(|c| c.issue == issue)
            .cloned()
            .collect()
    }

    pub fn posts(&self) -> usize {
        self.state.lock().unwrap().posts
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }
}

fn gh_error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": status.to_string(),
    }))
}

/// The URL as the client addressed it (wiremock's own `url` drops the port), so `Link`
/// headers point back at this server.
pub fn request_url(req: &Request) -> url::Url {
    let host = req
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let mut url = req.url.clone();
    let _ = url.set_host(Some(host.split(':').next().unwrap_or(host)));
    let _ = url.set_port(host.split(':').nth(1).and_then(|p| p.parse().ok()));
    url
}

fn query_map(req: &Request) -> HashMap<String, String> {
    req.url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// One page of `items` and its `Link` header, as GitHub pages lists.
fn paged(req: &Request, items: &[Value]) -> ResponseTemplate {
    let q = query_map(req);
    let per_page: usize = q
        .get("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page: usize = q
        .get("page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let chunk: Vec<Value> = items
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect();
    let mut r = ResponseTemplate::new(200).set_body_json(Value::Array(chunk));
    if page * per_page < items.len() {
        let mut next = request_url(req);
        let kept: Vec<(String, String)> = q.into_iter().filter(|(k, _)| k != "page").collect();
        next.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("page", &(page + 1).to_string());
        let mut last = next.clone();
        let n = items.len().div_ceil(per_page).to_string();
        let q: Vec<(String, String)> = next
            .query_pairs()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        last.query_pairs_mut()
            .clear()
            .extend_pairs(q)
            .append_pair("page", &n);
        r = r.insert_header(
            "link",
            format!("<{next}>; rel=\"next\", <{last}>; rel=\"last\""),
        );
    }
    r
}

fn comment_json(c: &ForgeComment, base: &str) -> Value {
    json!({
        "id": c.id, "node_id": format!("IC_{}", c.id), "body": c.body,
        "url": format!("{base}/repos/{}/issues/comments/{}", c.issue.split('#').next().unwrap_or(""), c.id),
        "html_url": format!("https://github.com/{}#issuecomment-{}", c.issue.replace('#', "/issues/"), c.id),
        "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:00:00Z",
        "author_association": "NONE", "user": null,
    })
}

impl GithubState {
    fn check_request(&mut self, req: &Request) -> Option<(String, Value)> {
        let method = req.method.as_str();
        let path = req.url.path();
        let auth = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !auth.starts_with("Bearer ") {
            self.violations
                .push(format!("{method} {path}: no bearer token"));
        }
        let accept = req
            .headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept != "application/vnd.github+json" {
            self.violations
                .push(format!("{method} {path}: accept {accept:?}"));
        }
        if req.headers.get("x-github-api-version").is_none() {
            self.violations
                .push(format!("{method} {path}: no X-GitHub-Api-Version"));
        }
        let Some(op) = octokit::operation(method, path) else {
            self.violations.push(format!(
                "{method} {path}: no such operation in GitHub's REST description"
            ));
            return None;
        };
        for (k, _) in req.url.query_pairs() {
            if !op.query.iter().any(|q| q == &k) {
                self.violations.push(format!(
                    "{} ({method} {path}): undeclared query parameter {k}",
                    op.id
                ));
            }
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        match &op.body {
            Some(v) if !req.body.is_empty() || op.body_required => {
                let errors: Vec<String> = v.iter_errors(&body).map(|e| e.to_string()).collect();
                if !errors.is_empty() {
                    self.violations
                        .push(format!("{}: body {body}: {errors:?}", op.id));
                }
            }
            None if !req.body.is_empty() => {
                self.violations.push(format!("{}: takes no body", op.id));
            }
            _ => {}
        }
        Some((op.id, body))
    }
}

impl Respond for FakeGithub {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.state.lock().unwrap();
        let base = request_url(req).origin().ascii_serialization();
        s.requests.push(format!(
            "{} {}{}",
            req.method,
            req.url.path(),
            req.url.query().map(|q| format!("?{q}")).unwrap_or_default()
        ));
        if s.primary_limited > 0 {
            s.primary_limited -= 1;
            let reset = ticketlens::store::now_ms() / 1000 + 1;
            return gh_error(403, "API rate limit exceeded for user ID 1.")
                .insert_header("x-ratelimit-limit", "5000")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-used", "5000")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str());
        }
        if s.secondary_limited > 0 {
            s.secondary_limited -= 1;
            return gh_error(403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.")
                .insert_header("retry-after", "1");
        }
        if req.url.path() == "/graphql" && req.method.as_str() == "POST" {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let query = body["query"].as_str().unwrap_or_default();
            if let Err(e) = apollo_compiler::ExecutableDocument::parse_and_validate(
                octokit::graphql_schema(),
                query,
                "q.graphql",
            ) {
                s.violations.push(format!(
                    "GraphQL query not valid against GitHub's schema: {e}"
                ));
            }
            let number = body["variables"]["number"].as_u64().unwrap_or(0);
            let nodes: Vec<Value> = s.duplicates.get(&number).cloned().unwrap_or_default().into_iter()
                .map(|(repo, n)| json!({"canonical": {"number": n, "repository": {"nameWithOwner": repo}}}))
                .collect();
            return ResponseTemplate::new(200).set_body_json(
                json!({"data": {"repository": {"issue": {"timelineItems": {"nodes": nodes}}}}}),
            );
        }
        let Some((op, body)) = s.check_request(req) else {
            return gh_error(404, "Not Found");
        };
        let seg: Vec<String> = req.url.path().split('/').map(str::to_string).collect();
        // ["", "repos", owner, repo, "issues", ...]
        let repo = format!(
            "{}/{}",
            seg.get(2).cloned().unwrap_or_default(),
            seg.get(3).cloned().unwrap_or_default()
        );
        match op.as_str() {
            "issues/create-comment" => {
                s.posts += 1;
                s.next_id += 1;
                let c = ForgeComment {
                    id: 900_000 + s.next_id,
                    issue: format!("{repo}#{}", seg[5]),
                    body: body["body"].as_str().unwrap_or_default().to_string(),
                };
                let answer = comment_json(&c, &base);
                s.comments.push(c);
                let fault = if s.create_faults.is_empty() {
                    AfterStore::Answer
                } else {
                    s.create_faults.remove(0)
                };
                match fault {
                    AfterStore::Answer => ResponseTemplate::new(201).set_body_json(answer),
                    AfterStore::Fail500 => gh_error(500, "Server Error"),
                    AfterStore::Stall(d) => ResponseTemplate::new(201)
                        .set_body_json(answer)
                        .set_delay(d),
                }
            }
            "issues/update-comment" => {
                s.patches += 1;
                let id: u64 = seg[6].parse().unwrap_or(0);
                let text = body["body"].as_str().unwrap_or_default().to_string();
                match s.comments.iter_mut().find(|c| c.id == id) {
                    Some(c) => {
                        c.body = text;
                        let answer = comment_json(c, &base);
                        ResponseTemplate::new(200).set_body_json(answer)
                    }
                    None => gh_error(404, "Not Found"),
                }
            }
            "issues/list-comments" => {
                s.lists += 1;
                let issue = format!("{repo}#{}", seg[5]);
                let all: Vec<Value> = s
                    .comments
                    .iter()
                    .filter(|c| c.issue == issue)
                    .map(|c| comment_json(c, &base))
                    .collect();
                paged(req, &all)
            }
            "issues/list-for-repo" => {
                let q = query_map(req);
                if q.get("state").map(String::as_str) != Some("all") {
                    s.violations
                        .push("back-fill without state=all misses closed issues".into());
                }
                let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                if s.failing_page == Some(page) {
                    return gh_error(500, "Server Error");
                }
                let issues = s.issues.clone();
                paged(req, &issues)
            }
            other => {
                s.violations.push(format!("unexpected operation {other}"));
                gh_error(404, "Not Found")
            }
        }
    }
}
