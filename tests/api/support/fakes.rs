//! Local fakes that behave like the trackers' comment APIs, faults included: they keep the
//! comments they were sent (so "how many comments does the ticket have" is a real count),
//! check every request body against the tracker's own API description, and can store a
//! create and then fail, store it and then stall past the client's timeout, refuse our
//! credentials, or rate-limit.

use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// What the next creates do after storing the comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterStore {
    Answer,
    /// Store, then answer 500 (a proxy or Jira itself failing after the write).
    Fail500,
    /// Store, then answer only after this long (past the client's timeout).
    Stall(Duration),
}

#[derive(Debug, Clone)]
pub struct FakeComment {
    pub id: String,
    pub issue: String,
    pub body: Value,
    pub properties: Value,
}

#[derive(Debug, Default)]
pub struct JiraState {
    pub comments: Vec<FakeComment>,
    pub posts: usize,
    pub puts: usize,
    pub gets: usize,
    /// Faults for the next creates, in order; then plain answers.
    pub create_faults: Vec<AfterStore>,
    /// While set, every request gets 401 (an expired API token).
    pub unauthorized: bool,
    /// Requests that broke the API description.
    pub violations: Vec<String>,
    /// Every request as `METHOD path`.
    pub requests: Vec<String>,
    /// When set, creates are answered with this comment id instead of the stored one (a
    /// misbehaving tracker or proxy).
    pub create_answer_id: Option<String>,
    next_id: u64,
}

/// A Jira Cloud comment API (REST v3).
#[derive(Clone)]
pub struct FakeJira {
    pub state: Arc<Mutex<JiraState>>,
    validator: Arc<jsonschema::Validator>,
}

/// A validator for one schema of Jira's OpenAPI description.
pub fn jira_schema(schema: &str) -> jsonschema::Validator {
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/specs/jira/platform-v3.openapi.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let root = json!({
        "$ref": format!("#/components/schemas/{schema}"),
        "components": spec["components"],
    });
    jsonschema::validator_for(&root).expect("schema compiles")
}

impl FakeJira {
    /// Mounts the fake on `server` for every issue's comments.
    pub async fn mount(server: &MockServer) -> FakeJira {
        let fake = FakeJira {
            state: Arc::default(),
            validator: Arc::new(jira_schema("Comment")),
        };
        Mock::given(path_regex(r"^/rest/api/3/issue/[^/]+/comment(/[^/]+)?$"))
            .respond_with(fake.clone())
            .mount(server)
            .await;
        fake
    }

    pub fn comments_on(&self, issue: &str) -> Vec<FakeComment> {
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

    pub fn puts(&self) -> usize {
        self.state.lock().unwrap().puts
    }

    /// A person deletes a comment in Jira's UI.
    pub fn delete(&self, id: &str) {
        self.state.lock().unwrap().comments.retain(|c| c.id != id);
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }

    fn check(&self, s: &mut JiraState, what: &str, body: &Value) -> bool {
        let errors: Vec<String> = self
            .validator
            .iter_errors(body)
            .map(|e| e.to_string())
            .collect();
        if errors.is_empty() {
            return true;
        }
        s.violations.push(format!("{what}: {errors:?}"));
        false
    }
}

fn comment_json(c: &FakeComment, with_properties: bool) -> Value {
    let mut v = json!({ "id": c.id, "body": c.body, "created": "2026-01-01T00:00:00.000+0000" });
    if with_properties {
        v["properties"] = c.properties.clone();
    }
    v
}

fn jira_error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({ "errorMessages": [message], "errors": {} }))
}

impl Respond for FakeJira {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.state.lock().unwrap();
        if s.unauthorized {
            return jira_error(401, "Client must be authenticated to access this resource.");
        }
        let authed = req
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Basic "));
        if !authed {
            s.violations.push("request without basic auth".into());
            return jira_error(401, "no auth");
        }
        let line = format!("{} {}", req.method, req.url.path());
        s.requests.push(line);
        let segments: Vec<&str> = req.url.path().split('/').collect();
        // ["", "rest", "api", "3", "issue", KEY, "comment", (ID)]
        let issue = segments[5].to_string();
        let id = segments.get(7).map(|s| s.to_string());
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        match (req.method.as_str(), id) {
            ("POST", None) => {
                s.posts += 1;
                if !self.check(&mut s, "POST comment", &body) {
                    return jira_error(400, "invalid comment");
                }
                s.next_id += 1;
                let c = FakeComment {
                    id: (10_000 + s.next_id).to_string(),
                    issue,
                    body: body["body"].clone(),
                    properties: body.get("properties").cloned().unwrap_or(json!([])),
                };
                let mut answer = comment_json(&c, true);
                if let Some(id) = &s.create_answer_id {
                    answer["id"] = json!(id);
                }
                s.comments.push(c);
                let fault = if s.create_faults.is_empty() {
                    AfterStore::Answer
                } else {
                    s.create_faults.remove(0)
                };
                match fault {
                    AfterStore::Answer => ResponseTemplate::new(201).set_body_json(answer),
                    AfterStore::Fail500 => jira_error(500, "Internal server error"),
                    AfterStore::Stall(d) => ResponseTemplate::new(201)
                        .set_body_json(answer)
                        .set_delay(d),
                }
            }
            ("PUT", Some(id)) => {
                s.puts += 1;
                if !self.check(&mut s, "PUT comment", &body) {
                    return jira_error(400, "invalid comment");
                }
                match s
                    .comments
                    .iter_mut()
                    .find(|c| c.id == id && c.issue == issue)
                {
                    Some(c) => {
                        c.body = body["body"].clone();
                        let answer = comment_json(c, false);
                        ResponseTemplate::new(200).set_body_json(answer)
                    }
                    None => jira_error(404, "Can not find a comment for the id"),
                }
            }
            ("GET", None) => {
                s.gets += 1;
                let query = req.url.query().unwrap_or_default().to_string();
                let expand = query.contains("expand=properties");
                let start: usize = query_param(&query, "startAt").unwrap_or(0);
                let max: usize = query_param(&query, "maxResults").unwrap_or(50).min(100);
                let all: Vec<&FakeComment> =
                    s.comments.iter().filter(|c| c.issue == issue).collect();
                let page: Vec<Value> = all
                    .iter()
                    .skip(start)
                    .take(max)
                    .map(|c| comment_json(c, expand))
                    .collect();
                ResponseTemplate::new(200).set_body_json(json!({
                    "startAt": start, "maxResults": max, "total": all.len(), "comments": page,
                }))
            }
            _ => jira_error(405, "method not allowed"),
        }
    }
}

fn query_param(query: &str, name: &str) -> Option<usize> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.parse().ok())
}

#[derive(Debug, Default)]
pub struct LinearState {
    /// Comments by our chosen id: (issue id, body).
    pub comments: Vec<(String, String, String)>,
    pub creates: usize,
    pub updates: usize,
    /// The next this many requests are rate-limited (HTTP 400, `RATELIMITED`, as Linear
    /// answers them).
    pub rate_limited: usize,
    /// Creates to store and then fail with 500.
    pub create_faults: usize,
    pub unauthorized: bool,
}

/// Linear's GraphQL API, the comment mutations and query of `trackers::linear::comments`.
#[derive(Clone, Default)]
pub struct FakeLinear {
    pub state: Arc<Mutex<LinearState>>,
}

impl FakeLinear {
    pub async fn mount(server: &MockServer) -> FakeLinear {
        let fake = FakeLinear::default();
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .respond_with(fake.clone())
            .mount(server)
            .await;
        fake
    }

    pub fn comments(&self) -> Vec<(String, String, String)> {
        self.state.lock().unwrap().comments.clone()
    }
}

fn graphql_error(status: u16, message: &str, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "errors": [{ "message": message, "extensions": { "code": code, "type": code.to_lowercase() } }]
    }))
}

impl Respond for FakeLinear {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut s = self.state.lock().unwrap();
        if s.unauthorized {
            return graphql_error(400, "Authentication required", "AUTHENTICATION_ERROR");
        }
        if s.rate_limited > 0 {
            s.rate_limited -= 1;
            return graphql_error(400, "Rate limit exceeded", "RATELIMITED")
                .insert_header("X-RateLimit-Requests-Reset", "1");
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let query = body["query"].as_str().unwrap_or_default();
        let vars = &body["variables"];
        if query.contains("commentCreate") {
            s.creates += 1;
            let input = &vars["input"];
            let id = input["id"].as_str().unwrap_or_default().to_string();
            if s.comments.iter().any(|c| c.0 == id) {
                return graphql_error(200, "Entity with this id already exists", "INVALID_INPUT");
            }
            s.comments.push((
                id.clone(),
                input["issueId"].as_str().unwrap_or_default().to_string(),
                input["body"].as_str().unwrap_or_default().to_string(),
            ));
            if s.create_faults > 0 {
                s.create_faults -= 1;
                return ResponseTemplate::new(500).set_body_string("upstream error");
            }
            return ResponseTemplate::new(200).set_body_json(json!({
                "data": { "commentCreate": { "success": true, "comment": { "id": id } } }
            }));
        }
        if query.contains("commentUpdate") {
            s.updates += 1;
            let id = vars["id"].as_str().unwrap_or_default();
            let text = vars["input"]["body"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            return match s.comments.iter_mut().find(|c| c.0 == id) {
                Some(c) => {
                    c.2 = text;
                    ResponseTemplate::new(200).set_body_json(json!({
                        "data": { "commentUpdate": { "success": true, "comment": { "id": id } } }
                    }))
                }
                None => graphql_error(200, "Entity not found: Comment", "INVALID_INPUT"),
            };
        }
        if query.contains("comment(id") {
            let id = vars["id"].as_str().unwrap_or_default();
            return match s.comments.iter().find(|c| c.0 == id) {
                Some(_) => ResponseTemplate::new(200)
                    .set_body_json(json!({ "data": { "comment": { "id": id } } })),
                None => graphql_error(200, "Entity not found: Comment", "INVALID_INPUT"),
            };
        }
        graphql_error(400, "unknown operation", "GRAPHQL_VALIDATION_FAILED")
    }
}
