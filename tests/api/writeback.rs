//! Webhook in → analysis → ONE comment out, against a local server playing Jira and Linear.
//! Requests are checked against the real API descriptions in `tests/data/specs/`.

use crate::helpers::wait_for;
use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;
use ticketlens::config::{JiraFlavor, Secret, Settings};
use ticketlens::store::Store;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const COMMENTS: &str = "/rest/api/3/issue/TES-41/comment";

fn fixture(tracker: &str, file: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(tracker).join(file)).unwrap()
}

pub(crate) fn jira_cloud(jira: &MockServer) -> impl FnOnce(&mut Settings) + '_ {
    move |s: &mut Settings| {
        s.jira.base_url = Some(jira.uri());
        s.jira.flavor = JiraFlavor::Cloud;
        s.jira.email = Some("bot@example.com".into());
        s.jira.api_token = Some(Secret::new("jira-api-token"));
        s.comments.http_attempts = 3;
        s.comments.http_backoff_ms = 20;
        s.duplicates.related_threshold = 0.0;
    }
}

async fn comment_state(store: &Store, tracker: &str, id: &str) -> Option<String> {
    store
        .comment(tracker, id)
        .await
        .unwrap()
        .map(|c| c.state.as_str().to_string())
}

async fn wait_state(store: &Store, tracker: &str, id: &str, want: &str) {
    wait_for(|| async {
        (comment_state(store, tracker, id).await.as_deref() == Some(want)).then_some(())
    })
    .await;
}

/// Requests of one method to TES-41's comments.
async fn requests(server: &MockServer, verb: &str) -> Vec<Request> {
    let all = server.received_requests().await.unwrap_or_default();
    all.into_iter()
        .filter(|r| r.method.as_str() == verb && r.url.path().starts_with(COMMENTS))
        .collect()
}

/// Checks a request body against a schema of Jira's OpenAPI description.
fn assert_matches_jira_schema(body: &Value, schema: &str) {
    let validator = crate::fakes::jira_schema(schema);
    let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "request does not match {schema}: {errors:?}\n{body}"
    );
}

fn created_comment() -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(json!({ "id": "10001", "body": {} }))
}

async fn post_jira(app: &TestApp, body: Vec<u8>, delivery: &str) {
    let r = app
        .post_webhook("jira", body.clone(), &jira_headers(&body, delivery))
        .await;
    assert_eq!(r.status(), 202);
}

#[tokio::test]
async fn fixture_webhook_makes_one_comment_then_updates_it_in_place() {
    let jira = MockServer::start().await;
    let any_comments = r"^/rest/api/3/issue/[A-Z]+-[0-9]+/comment$";
    Mock::given(method("POST"))
        .and(path_regex(any_comments))
        .respond_with(created_comment())
        .mount(&jira)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{COMMENTS}/10001")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "10001" })))
        .mount(&jira)
        .await;
    let configure = jira_cloud(&jira);
    // the long form names a related ticket as well as a likely one, so the rename below
    // changes the comment whatever the other ticket's tier
    let settings = move |s: &mut ticketlens::config::Settings| {
        configure(s);
        s.comments.detail = ticketlens::render::Detail::Full;
    };
    let app = spawn_app_with(Backend::Sqlite, settings, None).await;

    // An earlier, unrelated ticket that the renamed title will resemble.
    let mut other: Value =
        serde_json::from_slice(&fixture("jira", "mattermost-webhook-issue-created.json")).unwrap();
    other["issue"]["key"] = json!("TES-7");
    other["issue"]["id"] = json!("10007");
    other["issue"]["fields"]["summary"] =
        json!("Checkout crashes with NullPointerException in PaymentService");
    other["issue"]["fields"]["description"] =
        json!("PaymentService.charge throws NullPointerException at checkout");
    let other = serde_json::to_vec(&other).unwrap();
    post_jira(&app, other, "other").await;
    wait_state(&app.store, "jira", "10007", "sent").await;

    let created = fixture("jira", "mattermost-webhook-issue-created.json");
    post_jira(&app, created.clone(), "c1").await;
    wait_state(&app.store, "jira", "10040", "sent").await;
    let posts = requests(&jira, "POST").await;
    assert_eq!(posts.len(), 1, "exactly one comment request");
    let body: Value = serde_json::from_slice(&posts[0].body).unwrap();
    assert_matches_jira_schema(&body, "Comment");
    assert_eq!(body["body"]["type"], "doc", "Cloud gets ADF");
    assert_eq!(
        body["properties"][0]["key"], "ticketlens",
        "our marker property"
    );
    let auth = posts[0]
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(auth.starts_with("Basic "), "Cloud uses basic auth: {auth}");

    // A redelivery: no new request.
    post_jira(&app, created, "c1").await;
    // An unrelated field edit: no request either.
    post_jira(
        &app,
        fixture(
            "jira",
            "mattermost-webhook-issue-updated-lowered-priority.json",
        ),
        "p1",
    )
    .await;
    // A title edit that changes the analysis: one update, in place.
    let mut renamed: Value = serde_json::from_slice(&fixture(
        "jira",
        "mattermost-webhook-issue-updated-renamed.json",
    ))
    .unwrap();
    renamed["issue"]["fields"]["summary"] =
        json!("NullPointerException in PaymentService at checkout");
    // after the priority change, which is stored now (the fixture is older than it)
    renamed["issue"]["fields"]["updated"] = json!("2019-02-17T09:00:00.000+0000");
    post_jira(&app, serde_json::to_vec(&renamed).unwrap(), "r1").await;
    wait_for(|| async { (requests(&jira, "PUT").await.len() == 1).then_some(()) }).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(requests(&jira, "POST").await.len(), 1, "still one comment");
    let puts = requests(&jira, "PUT").await;
    assert_eq!(puts.len(), 1);
    let body: Value = serde_json::from_slice(&puts[0].body).unwrap();
    assert_matches_jira_schema(&body, "Comment");
    assert!(
        body.to_string().contains("TES-7"),
        "the update names the new candidate: {body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_a_persistent_500_ends_dead_and_listed() {
    let jira = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COMMENTS))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&jira)
        .await;
    Mock::given(method("POST"))
        .and(path(COMMENTS))
        .respond_with(created_comment())
        .mount(&jira)
        .await;
    let app = spawn_app_with(Backend::Postgres, jira_cloud(&jira), None).await;
    let started = std::time::Instant::now();
    post_jira(
        &app,
        fixture("jira", "mattermost-webhook-issue-created.json"),
        "rl",
    )
    .await;
    wait_state(&app.store, "jira", "10040", "sent").await;
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
    assert_eq!(requests(&jira, "POST").await.len(), 2);
    app.stop().await;

    let broken = MockServer::start().await;
    Mock::given(path_regex(".*"))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .mount(&broken)
        .await;
    let tweak = |s: &mut Settings| {
        jira_cloud(&broken)(s);
        s.queue.max_attempts = 2;
        s.queue.backoff_base_ms = 50;
        s.api.read_tokens = vec![Secret::new("reader")];
    };
    let app = spawn_app_with(Backend::Sqlite, tweak, None).await;
    post_jira(
        &app,
        fixture("jira", "mattermost-webhook-issue-created.json"),
        "dead",
    )
    .await;
    let dead = wait_for(|| async {
        let v: Value = app
            .api_as("reader")
            .jobs("dead")
            .await
            .json()
            .await
            .unwrap();
        v["jobs"].as_array().filter(|a| !a.is_empty()).cloned()
    })
    .await;
    let error = dead[0]["last_error"].as_str().unwrap();
    assert!(error.contains("500"), "{error}");
    assert!(!error.contains("jira-api-token"), "no secret in errors");
    // Attempt 1 sends the create once (after a 500 it may have landed: never sent again);
    // attempt 2 looks for the comment it may have made (3 tries), and fails there.
    assert_eq!(
        requests(&broken, "POST").await.len(),
        1,
        "the create is sent once"
    );
    assert_eq!(
        requests(&broken, "GET").await.len(),
        3,
        "3 tries of the look-up"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_worker_killed_mid_job_runs_again_and_still_leaves_one_comment() {
    let jira = MockServer::start().await;
    // The create reaches Jira, but the worker is gone before the answer arrives.
    Mock::given(method("POST"))
        .and(path(COMMENTS))
        .respond_with(created_comment().set_delay(Duration::from_secs(3)))
        .mount(&jira)
        .await;
    let db = TestDb::new(Backend::Sqlite).await;
    let settings_for = |jira: &MockServer| {
        let mut s = test_settings(&db.url);
        jira_cloud(jira)(&mut s);
        s.server.shutdown_grace_secs = 0;
        s
    };
    let app = ticketlens::startup::Application::build(settings_for(&jira))
        .await
        .unwrap();
    let (port, stop) = (app.port(), app.shutdown_token());
    let run = tokio::spawn(app.run_until_stopped());
    let body = fixture("jira", "mattermost-webhook-issue-created.json");
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/webhooks/jira"))
        .headers(
            (&jira_headers(&body, "k1")
                .into_iter()
                .collect::<std::collections::HashMap<_, _>>())
                .try_into()
                .unwrap(),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    wait_for(|| async { (requests(&jira, "POST").await.len() == 1).then_some(()) }).await;
    stop.cancel();
    run.await.unwrap().unwrap();
    let store = db.store().await;
    assert_eq!(
        comment_state(&store, "jira", "10040").await.as_deref(),
        Some("pending")
    );

    // Jira now holds the comment, marked as ours (the planned id recorded before the
    // create), beside another installation's; a new process must adopt ours, not repeat it.
    let planned = store
        .comment("jira", "10040")
        .await
        .unwrap()
        .unwrap()
        .comment_id
        .expect("planned id recorded before the create");
    jira.reset().await;
    Mock::given(method("GET"))
        .and(path(COMMENTS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "startAt": 0, "maxResults": 100, "total": 2,
            "comments": [
                { "id": "10000", "properties": [{ "key": "ticketlens", "value": { "planned_id": "another-installation" } }] },
                { "id": "10001", "properties": [{ "key": "ticketlens", "value": { "planned_id": planned } }] },
            ]
        })))
        .mount(&jira)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("{COMMENTS}/10001")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "10001" })))
        .mount(&jira)
        .await;
    Mock::given(method("POST"))
        .and(path(COMMENTS))
        .respond_with(created_comment())
        .mount(&jira)
        .await;
    let app = ticketlens::startup::Application::build(settings_for(&jira))
        .await
        .unwrap();
    let stop = app.shutdown_token();
    let run = tokio::spawn(app.run_until_stopped());
    wait_state(&store, "jira", "10040", "sent").await;
    assert_eq!(requests(&jira, "POST").await.len(), 0, "no second comment");
    assert_eq!(requests(&jira, "PUT").await.len(), 1);
    let record = store.comment("jira", "10040").await.unwrap().unwrap();
    assert_eq!(record.comment_id.as_deref(), Some("10001"));
    stop.cancel();
    run.await.unwrap().unwrap();
}

#[tokio::test]
async fn linear_comment_mutations_are_valid_against_linears_schema() {
    let linear = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            // Linear's ids are UUIDs
            "data": { "commentCreate": { "success": true, "comment": { "id": "5f0c2a1e-8b0d-4c7e-9a35-2d1b0c9e7f10" } } }
        })))
        .mount(&linear)
        .await;
    let uri = linear.uri();
    let app = spawn_app_with(
        Backend::Sqlite,
        move |s| {
            s.linear.api_url = format!("{uri}/graphql");
            s.linear.api_key = Some(Secret::new("lin_api_test"));
        },
        None,
    )
    .await;
    let body = freshen_linear(&fixture("linear", "zulip-issue_create_simple.json"));
    let r = app
        .post_webhook("linear", body.clone(), &linear_headers(&body, "l1"))
        .await;
    assert_eq!(r.status(), 202);
    wait_state(
        &app.store,
        "linear",
        "a4344dc7-7d8d-4b28-a93c-553ac9aba41a",
        "sent",
    )
    .await;
    let posts = linear.received_requests().await.unwrap_or_default();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        "lin_api_test",
        "API keys go without Bearer"
    );
    let request: Value = serde_json::from_slice(&posts[0].body).unwrap();
    let schema_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/specs/linear/schema.graphql"
    ))
    .unwrap();
    let schema = apollo_compiler::Schema::parse_and_validate(schema_text, "schema.graphql")
        .expect("Linear's schema is valid");
    for query in [
        ticketlens::trackers::linear::comments::COMMENT_CREATE,
        ticketlens::trackers::linear::comments::COMMENT_UPDATE,
        ticketlens::trackers::linear::comments::COMMENT_BY_ID,
    ] {
        apollo_compiler::ExecutableDocument::parse_and_validate(&schema, query, "q.graphql")
            .unwrap_or_else(|e| panic!("{query} is not valid against Linear's schema: {e}"));
    }
    assert_eq!(
        request["query"],
        ticketlens::trackers::linear::comments::COMMENT_CREATE
    );
    let input = &request["variables"]["input"];
    assert_eq!(input["issueId"], "a4344dc7-7d8d-4b28-a93c-553ac9aba41a");
    assert!(
        uuid::Uuid::parse_str(input["id"].as_str().unwrap()).is_ok(),
        "our own comment id"
    );
    assert!(input["body"].as_str().unwrap().contains("TicketLens"));
    app.stop().await;
}
