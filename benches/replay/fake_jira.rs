//! A local HTTP server playing Jira Cloud's comment API (REST v3): it records every comment
//! request with the time it arrived, and answers the way Jira does, so the service's
//! write-back (create, update, find-ours-after-a-crash) runs unchanged against it.

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One comment as the fake Jira holds it.
#[derive(Debug, Clone)]
pub struct StoredComment {
    pub id: u64,
    pub body: Value,
    pub properties: Value,
    /// When the create request arrived.
    pub created: Instant,
    pub updates: usize,
}

/// Everything the fake Jira saw.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Comments by issue key, in creation order.
    pub comments: HashMap<String, Vec<StoredComment>>,
    pub posts: usize,
    pub puts: usize,
    pub gets: usize,
    /// Requests that broke the API's rules (no auth, a body without `body`, unknown comment).
    pub rejected: Vec<String>,
    next_id: u64,
}

pub type Shared = Arc<Mutex<Recorder>>;

fn authorised(req: &HttpRequest) -> bool {
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Basic "))
}

fn reject(rec: &Shared, why: String, status: u16) -> HttpResponse {
    rec.lock().unwrap().rejected.push(why.clone());
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .json(json!({ "errorMessages": [why] }))
}

fn comment_json(key: &str, c: &StoredComment) -> Value {
    json!({
        "id": c.id.to_string(),
        "self": format!("http://jira.invalid/rest/api/3/issue/{key}/comment/{}", c.id),
        "body": c.body,
        "properties": c.properties,
        "created": "2026-01-01T00:00:00.000+0000",
    })
}

async fn create(
    rec: web::Data<Shared>,
    req: HttpRequest,
    key: web::Path<String>,
    body: web::Json<Value>,
) -> HttpResponse {
    let arrived = Instant::now();
    if !authorised(&req) {
        return reject(&rec, format!("POST {key}: no basic auth"), 401);
    }
    let Some(doc) = body
        .get("body")
        .filter(|b| b.get("type") == Some(&json!("doc")))
    else {
        return reject(&rec, format!("POST {key}: body is not an ADF doc"), 400);
    };
    let mut r = rec.lock().unwrap();
    r.posts += 1;
    r.next_id += 1;
    let c = StoredComment {
        id: 10_000 + r.next_id,
        body: doc.clone(),
        properties: body.get("properties").cloned().unwrap_or(json!([])),
        created: arrived,
        updates: 0,
    };
    let answer = comment_json(&key, &c);
    r.comments.entry(key.into_inner()).or_default().push(c);
    HttpResponse::Created().json(answer)
}

async fn update(
    rec: web::Data<Shared>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<Value>,
) -> HttpResponse {
    let (key, id) = path.into_inner();
    if !authorised(&req) {
        return reject(&rec, format!("PUT {key}: no basic auth"), 401);
    }
    let Some(doc) = body
        .get("body")
        .filter(|b| b.get("type") == Some(&json!("doc")))
    else {
        return reject(&rec, format!("PUT {key}: body is not an ADF doc"), 400);
    };
    let mut r = rec.lock().unwrap();
    r.puts += 1;
    let found = r
        .comments
        .get_mut(&key)
        .and_then(|cs| cs.iter_mut().find(|c| c.id.to_string() == id));
    match found {
        Some(c) => {
            c.body = doc.clone();
            c.updates += 1;
            let answer = comment_json(&key, c);
            HttpResponse::Ok().json(answer)
        }
        None => {
            drop(r);
            reject(&rec, format!("PUT {key}/{id}: no such comment"), 404)
        }
    }
}

#[derive(serde::Deserialize)]
struct Page {
    #[serde(rename = "startAt", default)]
    start_at: usize,
    #[serde(rename = "maxResults", default = "default_max")]
    max_results: usize,
}

fn default_max() -> usize {
    50
}

async fn list(
    rec: web::Data<Shared>,
    req: HttpRequest,
    key: web::Path<String>,
    page: web::Query<Page>,
) -> HttpResponse {
    if !authorised(&req) {
        return reject(&rec, format!("GET {key}: no basic auth"), 401);
    }
    let mut r = rec.lock().unwrap();
    r.gets += 1;
    let all = r.comments.get(key.as_str()).cloned().unwrap_or_default();
    let shown: Vec<Value> = all
        .iter()
        .skip(page.start_at)
        .take(page.max_results)
        .map(|c| comment_json(&key, c))
        .collect();
    HttpResponse::Ok().json(json!({
        "startAt": page.start_at,
        "maxResults": page.max_results,
        "total": all.len(),
        "comments": shown,
    }))
}

/// Starts the fake Jira on its own thread; returns its base URL.
pub fn start(rec: Shared) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind fake Jira");
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                App::new()
                    .app_data(web::Data::new(rec.clone()))
                    .app_data(web::JsonConfig::default().limit(4 << 20))
                    .route("/rest/api/3/issue/{key}/comment", web::post().to(create))
                    .route("/rest/api/3/issue/{key}/comment", web::get().to(list))
                    .route(
                        "/rest/api/3/issue/{key}/comment/{id}",
                        web::put().to(update),
                    )
            })
            .workers(1)
            .listen(listener)
            .expect("listen")
            .run()
            .await
            .expect("fake Jira");
        });
    });
    base
}

/// The tickets a comment names as duplicate candidates, in the order shown (the comment's
/// own ticket left out). Keys are `HADOOP-<dataset id>`, so ids come straight out.
pub fn named_candidates(own_key: &str, body: &Value) -> Vec<String> {
    let mut text = String::new();
    collect_text(body, &mut text);
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        if let Some(id) = word.strip_prefix(super::KEY_PREFIX) {
            if word != own_key && id.len() >= 7 && !out.iter().any(|o| o == id) {
                out.push(id.to_string());
            }
        }
    }
    out
}

/// Concatenates an ADF document's text nodes and link targets, one per line.
fn collect_text(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(t)) = m.get("text") {
                out.push_str(t);
                out.push('\n');
            }
            for (k, child) in m {
                if k != "text" {
                    collect_text(child, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| collect_text(c, out)),
        _ => {}
    }
}
