//! The API contract: routes, `openapi/ticketlens.yaml` and the management API's guard.

use crate::helpers::*;
use serde_json::Value;
use std::collections::BTreeSet;
use ticketlens::config::Secret;

const READ: &str = "read-token-1f3a";
const OPERATOR: &str = "operator-token-77c0";

async fn app_with_tokens() -> TestApp {
    spawn_app_with(
        Backend::Sqlite,
        |s| {
            s.api.read_tokens = vec![Secret::new(READ)];
            s.api.operator_tokens = vec![Secret::new(OPERATOR)];
        },
        None,
    )
    .await
}

fn spec_operations(spec: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn every_route_has_a_spec_entry_and_every_spec_entry_a_route() {
    let app = app_with_tokens().await;
    let spec: Value = app.get("/openapi.json").await.json().await.unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let routes: BTreeSet<(String, String)> = ticketlens::http::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(spec_operations(&spec), routes);

    // Every listed route is really served: none falls through to "no such route".
    for (method, path) in &routes {
        let concrete = path
            .replace("{id}", "1")
            .replace("{name}", "app")
            .replace("{tracker}", "jira")
            .replace("{key}", "A-1");
        let r = app
            .client
            .request(
                method.parse().unwrap(),
                format!("{}{concrete}", app.address),
            )
            .bearer_auth(OPERATOR)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert!(
            !(status == 404 && body["error"]["message"] == "no such route"),
            "{method} {path} is listed but not served"
        );
    }

    // And every path registered in the source is listed (scoped paths without `/api`).
    let mut registered = BTreeSet::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/http")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for part in text.split("resource(\"").skip(1) {
            registered.insert(part.split('"').next().unwrap().to_string());
        }
    }
    let listed: BTreeSet<String> = routes
        .iter()
        .map(|(_, p)| p.strip_prefix("/api").unwrap_or(p).to_string())
        .collect();
    assert_eq!(
        registered, listed,
        "a route is registered without being in ROUTES"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_management_api_needs_a_token_and_retry_needs_an_operator() {
    let app = app_with_tokens().await;
    let r = app.api().jobs("dead").await;
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "unauthorized");
    assert_eq!(app.api_as("nope").jobs("dead").await.status(), 401);
    assert_eq!(app.api().get("/api/v1/nothing-here").await.status(), 401);
    assert_eq!(app.api_as(READ).jobs("dead").await.status(), 200);

    // A dead job: listed for readers, retried only by operators.
    let id = app
        .store
        .enqueue("ticket_event", "not json", 1, 0)
        .await
        .unwrap();
    let dead = crate::helpers::wait_for(|| async {
        let v: Value = app.api_as(READ).jobs("dead").await.json().await.unwrap();
        v["jobs"].as_array().filter(|a| !a.is_empty()).cloned()
    })
    .await;
    assert_eq!(dead[0]["id"], id);
    assert!(dead[0]["last_error"]
        .as_str()
        .unwrap()
        .contains("unreadable payload"));
    assert_eq!(app.api_as(READ).retry_job(id).await.status(), 403);
    assert_eq!(app.api_as(OPERATOR).retry_job(id).await.status(), 202);
    assert_eq!(app.api_as(OPERATOR).retry_job(999999).await.status(), 404);
    let r = app.api_as(READ).jobs("sleeping").await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["field"], "state");
    app.stop().await;
}

#[tokio::test]
async fn metrics_can_also_be_served_on_a_separate_port() {
    let db = TestDb::new(Backend::Sqlite).await;
    let mut settings = test_settings(&db.url);
    settings.server.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    let app = ticketlens::startup::Application::build(settings)
        .await
        .unwrap();
    let port = app.metrics_port().expect("metrics listener");
    let stop = app.shutdown_token();
    let run = tokio::spawn(app.run_until_stopped());
    let r = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("ticketlens_jobs"));
    let other = reqwest::get(format!("http://127.0.0.1:{port}/api/v1/jobs"))
        .await
        .unwrap();
    assert_eq!(other.status(), 404, "only metrics on that port");
    stop.cancel();
    run.await.unwrap().unwrap();
}
