//! A local GitLab that behaves like its REST API (v4) for what TicketLens does: issue notes
//! (create, update, list) and a project's issues (back-fill), paged with GitLab's headers
//! (`X-Page`, `X-Per-Page`, `X-Next-Page`, `X-Total`, `Link`).
//!
//! GitLab publishes no machine-readable description of these endpoints (its OpenAPI file
//! covers a few APIs, not notes; none is in the shared specs), so this fake is written from
//! GitLab's documentation ("Notes API", "Issues API", "Pagination", "Rate limits") and checks
//! what the documentation says: `:id` is a number or the URL-encoded path, a note's `body`
//! is required and at most 1 000 000 characters, only documented attributes are sent, the
//! token comes as `PRIVATE-TOKEN` or `Authorization: Bearer`. A rate limit answers 429 with
//! `Retry-After` and `RateLimit-*` headers.

use crate::fakes::AfterStore;
use crate::fakes_github::ForgeComment;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Attributes the Notes API documents for creating and for modifying an issue note.
const CREATE_ATTRS: [&str; 4] = ["body", "confidential", "internal", "created_at"];
const UPDATE_ATTRS: [&str; 2] = ["body", "confidential"];
/// Query parameters of listing notes and issues (those the documentation names that we
/// could use; any other is a violation).
const LIST_NOTES: [&str; 5] = ["sort", "order_by", "activity_filter", "page", "per_page"];
const LIST_ISSUES: [&str; 9] = [
    "state",
    "order_by",
    "sort",
    "scope",
    "page",
    "per_page",
    "labels",
    "created_after",
    "updated_after",
];

#[derive(Debug, Default)]
pub struct GitlabState {
    pub notes: Vec<ForgeComment>,
    pub posts: usize,
    pub puts: usize,
    pub create_faults: Vec<AfterStore>,
    /// The next requests get 429.
    pub rate_limited: usize,
    /// Projects by id (`path_with_namespace`).
    pub projects: HashMap<u64, String>,
    /// A project's issues, for back-fill.
    pub issues: Vec<Value>,
    /// While set, this page of the issues answers 500 (an interruption).
    pub failing_page: Option<usize>,
    pub requests: Vec<String>,
    pub violations: Vec<String>,
    next_id: u64,
}

#[derive(Clone, Default)]
pub struct FakeGitlab {
    pub state: Arc<Mutex<GitlabState>>,
}

impl FakeGitlab {
    pub async fn mount(server: &MockServer) -> FakeGitlab {
        let fake = FakeGitlab::default();
        Mock::given(any())
            .respond_with(fake.clone())
            .mount(server)
            .await;
        fake
    }

    pub fn notes_on(&self, issue: &str) -> Vec<ForgeComment> {
        let s = self.state.lock().unwrap();
        s.notes
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

fn gl_error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "message": message }))
}

fn note_json(n: &ForgeComment) -> Value {
    json!({
        "id": n.id, "type": null, "body": n.body, "system": false, "noteable_type": "Issue",
        "author": {"id": 1, "username": "ticketlens-bot"},
        "created_at": "2026-12-01T10:00:00.000Z", "updated_at": "2026-12-01T10:00:00.000Z",
    })
}

/// One page of `items` with GitLab's pagination headers.
fn paged(req: &Request, items: &[Value]) -> ResponseTemplate {
    let q: HashMap<String, String> = req
        .url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let per_page: usize = q
        .get("per_page")
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
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
    let more = page * per_page < items.len();
    let next = if more {
        (page + 1).to_string()
    } else {
        String::new()
    };
    let mut r = ResponseTemplate::new(200)
        .set_body_json(Value::Array(chunk))
        .insert_header("x-page", page.to_string().as_str())
        .insert_header("x-per-page", per_page.to_string().as_str())
        .insert_header("x-next-page", next.as_str())
        .insert_header("x-total", items.len().to_string().as_str())
        .insert_header(
            "x-total-pages",
            items.len().div_ceil(per_page).to_string().as_str(),
        );
    if more {
        let mut url = crate::fakes_github::request_url(req);
        let kept: Vec<(String, String)> = q.into_iter().filter(|(k, _)| k != "page").collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("page", &next);
        r = r.insert_header("link", format!("<{url}>; rel=\"next\""));
    }
    r
}

impl GitlabState {
    /// The project a `:id` path segment names: a number, or the URL-encoded path.
    fn project(&mut self, raw: &str) -> Option<String> {
        if let Ok(id) = raw.parse::<u64>() {
            return self.projects.get(&id).cloned();
        }
        if !raw.contains("%2F") {
            self.violations.push(format!(
                "project id {raw:?} is neither a number nor a URL-encoded path"
            ));
            return None;
        }
        Some(raw.replace("%2F", "/"))
    }

    fn check_query(&mut self, req: &Request, allowed: &[&str]) {
        for (k, _) in req.url.query_pairs() {
            if !allowed.contains(&k.as_ref()) {
                self.violations.push(format!(
                    "{} {}: undocumented parameter {k}",
                    req.method,
                    req.url.path()
                ));
            }
        }
    }

    fn check_body(&mut self, what: &str, body: &Value, allowed: &[&str]) -> bool {
        let Some(obj) = body.as_object() else {
            self.violations
                .push(format!("{what}: body is not a JSON object"));
            return false;
        };
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                self.violations
                    .push(format!("{what}: undocumented attribute {k}"));
            }
        }
        match obj.get("body").and_then(Value::as_str) {
            Some(b) if !b.is_empty() && b.chars().count() <= 1_000_000 => true,
            _ => {
                self.violations.push(format!(
                    "{what}: `body` is required (1..1000000 characters)"
                ));
                false
            }
        }
    }
}

impl Respond for FakeGitlab {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.state.lock().unwrap();
        let method = req.method.as_str().to_string();
        s.requests.push(format!(
            "{method} {}{}",
            req.url.path(),
            req.url.query().map(|q| format!("?{q}")).unwrap_or_default()
        ));
        let authed = req.headers.get("private-token").is_some()
            || req
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("Bearer "));
        if !authed {
            s.violations
                .push(format!("{method} {}: no token", req.url.path()));
            return gl_error(401, "401 Unauthorized");
        }
        if s.rate_limited > 0 {
            s.rate_limited -= 1;
            let reset = ticketlens::store::now_ms() / 1000 + 1;
            return gl_error(429, "Retry later")
                .insert_header("retry-after", "1")
                .insert_header("ratelimit-limit", "600")
                .insert_header("ratelimit-observed", "601")
                .insert_header("ratelimit-remaining", "0")
                .insert_header("ratelimit-reset", reset.to_string().as_str());
        }
        let seg: Vec<String> = req.url.path().split('/').map(str::to_string).collect();
        // ["", "api", "v4", "projects", ID, "issues", IID, "notes", NOTE]
        if seg.len() < 5 || seg[1] != "api" || seg[2] != "v4" || seg[3] != "projects" {
            s.violations.push(format!(
                "{method} {}: not an API v4 project path",
                req.url.path()
            ));
            return gl_error(404, "404 Not Found");
        }
        let Some(project) = s.project(&seg[4]) else {
            return gl_error(404, "404 Project Not Found");
        };
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let rest: Vec<&str> = seg[5..].iter().map(String::as_str).collect();
        match (method.as_str(), rest.as_slice()) {
            ("GET", []) => {
                let id = s
                    .projects
                    .iter()
                    .find(|(_, p)| **p == project)
                    .map(|(id, _)| *id);
                ResponseTemplate::new(200)
                    .set_body_json(json!({"id": id, "path_with_namespace": project}))
            }
            ("GET", ["issues"]) => {
                s.check_query(req, &LIST_ISSUES);
                let page = req
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "page")
                    .and_then(|(_, v)| v.parse().ok());
                if s.failing_page.is_some() && s.failing_page == page {
                    return gl_error(500, "500 Internal Server Error");
                }
                let issues = s.issues.clone();
                paged(req, &issues)
            }
            ("POST", ["issues", iid, "notes"]) => {
                s.posts += 1;
                if !s.check_body("create note", &body, &CREATE_ATTRS) {
                    return gl_error(400, "400 Bad request - body is missing");
                }
                s.next_id += 1;
                let n = ForgeComment {
                    id: 5_000 + s.next_id,
                    issue: format!("{project}#{iid}"),
                    body: body["body"].as_str().unwrap_or_default().to_string(),
                };
                let answer = note_json(&n);
                s.notes.push(n);
                let fault = if s.create_faults.is_empty() {
                    AfterStore::Answer
                } else {
                    s.create_faults.remove(0)
                };
                match fault {
                    AfterStore::Answer => ResponseTemplate::new(201).set_body_json(answer),
                    AfterStore::Fail500 => gl_error(500, "500 Internal Server Error"),
                    AfterStore::Stall(d) => ResponseTemplate::new(201)
                        .set_body_json(answer)
                        .set_delay(d),
                }
            }
            ("GET", ["issues", iid, "notes"]) => {
                s.check_query(req, &LIST_NOTES);
                let issue = format!("{project}#{iid}");
                let all: Vec<Value> = s
                    .notes
                    .iter()
                    .filter(|n| n.issue == issue)
                    .map(note_json)
                    .collect();
                paged(req, &all)
            }
            ("PUT", ["issues", iid, "notes", note]) => {
                s.puts += 1;
                if !s.check_body("modify note", &body, &UPDATE_ATTRS) {
                    return gl_error(400, "400 Bad request - body is missing");
                }
                let issue = format!("{project}#{iid}");
                let id: u64 = note.parse().unwrap_or(0);
                match s.notes.iter_mut().find(|n| n.id == id && n.issue == issue) {
                    Some(n) => {
                        n.body = body["body"].as_str().unwrap_or_default().to_string();
                        let answer = note_json(n);
                        ResponseTemplate::new(200).set_body_json(answer)
                    }
                    None => gl_error(404, "404 Not found"),
                }
            }
            _ => {
                s.violations.push(format!(
                    "{method} {}: not an endpoint TicketLens should call",
                    req.url.path()
                ));
                gl_error(404, "404 Not Found")
            }
        }
    }
}
