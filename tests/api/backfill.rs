//! Back-fill against a local wiremock server playing Jira Cloud, Jira Data Center and
//! Linear: paging, a 429 with Retry-After, and resuming after an interruption.

use crate::helpers::*;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ticketlens::backfill::{self, Source};
use ticketlens::config::{JiraFlavor, JiraSettings, LinearSettings, Secret};
use ticketlens::domain::{SimilarOptions, SimilarQuery};
use ticketlens::store::Store;
use ticketlens::ticketindex::TicketIndex;
use ticketlens::trackers::client::{ClientOptions, TrackerClient};
use ticketlens::trackers::jira::api::JiraApi;
use ticketlens::trackers::linear::api::LinearApi;
use ticketlens::worker::index_sync;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Match, Mock, MockServer, Request, ResponseTemplate};

pub(crate) fn client() -> TrackerClient {
    TrackerClient::new(ClientOptions {
        timeout: Duration::from_secs(5),
        max_attempts: 2,
        backoff_base: Duration::from_millis(10),
        max_wait: Duration::from_secs(5),
    })
    .unwrap()
}

/// Jira Cloud at `base`, with the bot's e-mail and token.
pub(crate) fn cloud_settings(base: &str) -> JiraSettings {
    JiraSettings {
        base_url: Some(base.into()),
        flavor: JiraFlavor::Cloud,
        email: Some("bot@example.com".into()),
        api_token: Some(Secret::new("token")),
        ..JiraSettings::default()
    }
}

fn issue(id: u32, summary: &str, description: Value) -> Value {
    json!({
        "id": id.to_string(), "key": format!("PROJ-{id}"),
        "fields": {
            "summary": summary, "description": description,
            "labels": ["backend"], "components": [{"name": "hdfs"}],
            "project": {"key": "PROJ"}, "status": {"name": "Open"},
            "created": "2024-01-01T10:00:00.000+0000", "updated": "2024-01-02T10:00:00.000+0000",
            "issuelinks": [{"type": {"name": "Duplicate"}, "outwardIssue": {"key": "PROJ-1"}}]
        }
    })
}

fn adf(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]})
}

/// Cloud requests for the first page carry no `nextPageToken`.
struct FirstPage;
impl Match for FirstPage {
    fn matches(&self, req: &Request) -> bool {
        !String::from_utf8_lossy(&req.body).contains("nextPageToken")
    }
}

async fn tickets(store: &Store) -> i64 {
    crate::db::tickets(store, None).await
}

#[tokio::test]
async fn jira_cloud_backfill_resumes_after_an_interruption_without_duplicating_tickets() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let jira = MockServer::start().await;
    let first = json!({"issues": [issue(1, "Balancer is slow", adf("balancer bandwidth")), issue(2, "Audit log misses renames", adf("audit rename"))], "nextPageToken": "p2", "isLast": false});
    let second = json!({"issues": [issue(3, "Balancer too slow on big clusters", adf("balancer bandwidth throttle")), issue(2, "Audit log misses renames", adf("audit rename"))], "isLast": true});
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(FirstPage)
        .and(body_partial_json(
            json!({"jql": "project = PROJ", "maxResults": 2}),
        ))
        .and(header(
            "authorization",
            "Basic Ym90QGV4YW1wbGUuY29tOnRva2Vu",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(&first))
        .expect(1) // the resumed run does not fetch the first page again
        .mount(&jira)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(body_partial_json(json!({"nextPageToken": "p2"})))
        .respond_with(ResponseTemplate::new(503).set_body_string("down"))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&jira)
        .await;
    let settings = cloud_settings(&jira.uri());
    let source = Source::Jira {
        api: JiraApi::new(&settings, client()).unwrap(),
        jql: "project = PROJ".into(),
    };

    let err = backfill::run(&store, &source, 2, false, |_| {})
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("503"), "{err:#}");
    assert!(!format!("{err:#}").contains("token"), "{err:#}");
    assert_eq!(tickets(&store).await, 2);

    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(body_partial_json(json!({"nextPageToken": "p2"})))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&jira)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(body_partial_json(json!({"nextPageToken": "p2"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(&second))
        .with_priority(2)
        .mount(&jira)
        .await;
    let started = Instant::now();
    let outcome = backfill::run(&store, &source, 2, false, |_| {})
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After was not honoured"
    );
    assert!(outcome.resumed);
    assert_eq!(outcome.pages, 1);
    assert_eq!(outcome.fetched, 4);
    assert_eq!(
        tickets(&store).await,
        3,
        "ticket 2 came twice but is stored once"
    );
    assert_eq!(
        count_jobs(&store).await,
        0,
        "back-filled tickets are never commented on"
    );
    assert_eq!(
        store.duplicate_links("jira", "3").await.unwrap(),
        vec!["PROJ-1".to_string()]
    );

    // the index follows the store: back-filled tickets are searchable
    let (index, fresh) = TicketIndex::open(None).unwrap();
    let index = Arc::new(index);
    index_sync::prepare(&store, index.clone(), fresh)
        .await
        .unwrap();
    assert_eq!(index.len(), 3);
    let q = SimilarQuery {
        title: "Balancer is slow".into(),
        body: "balancer bandwidth".into(),
        exclude_ids: vec!["1".into()],
        ..SimilarQuery::default()
    };
    let found = index
        .similar(
            &q,
            &SimilarOptions {
                related_threshold: 0.0,
                ..SimilarOptions::default()
            },
        )
        .unwrap();
    assert_eq!(
        found.first().map(|d| d.key.as_str()),
        Some("PROJ-3"),
        "{found:?}"
    );
    jira.verify().await;
}

#[tokio::test]
async fn jira_data_center_backfill_pages_by_start_at_and_waits_out_a_429() {
    let db = TestDb::new(Backend::Postgres).await;
    let store = db.store().await;
    let jira = MockServer::start().await;
    let page = |start: u32, issues: Vec<Value>| json!({"startAt": start, "maxResults": 2, "total": 3, "issues": issues});
    Mock::given(method("GET"))
        .and(path("/rest/api/2/search"))
        .and(query_param("startAt", "0"))
        .and(query_param("jql", "project = PROJ"))
        .and(header("authorization", "Bearer pat-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(
            0,
            vec![
                issue(1, "One", json!("h1. Crash\n{code}NPE{code}")),
                issue(2, "Two", Value::Null),
            ],
        )))
        .expect(1)
        .mount(&jira)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/2/search"))
        .and(query_param("startAt", "2"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&jira)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/2/search"))
        .and(query_param("startAt", "2"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(page(2, vec![issue(3, "Three", json!("text"))])),
        )
        .expect(1)
        .with_priority(2)
        .mount(&jira)
        .await;
    let settings = JiraSettings {
        base_url: Some(jira.uri()),
        flavor: JiraFlavor::Datacenter,
        pat: Some(Secret::new("pat-1")),
        ..JiraSettings::default()
    };
    let source = Source::Jira {
        api: JiraApi::new(&settings, client()).unwrap(),
        jql: "project = PROJ".into(),
    };
    let mut seen = Vec::new();
    let started = Instant::now();
    let outcome = backfill::run(&store, &source, 2, false, |p| {
        seen.push((p.fetched, p.total))
    })
    .await
    .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950));
    assert_eq!(outcome.fetched, 3);
    assert_eq!(seen, vec![(2, Some(3)), (3, Some(3))]);
    assert_eq!(tickets(&store).await, 3);
    let one = store
        .ticket_by_key("jira", "PROJ-1")
        .await
        .unwrap()
        .unwrap();
    assert!(
        one.body.contains("NPE") && !one.body.contains("{code}"),
        "{}",
        one.body
    );
    jira.verify().await;
}

fn linear_node(n: u32, title: &str) -> Value {
    json!({
        "id": format!("uuid-{n}"), "identifier": format!("ENG-{n}"), "title": title,
        "description": "**Crash** in `SyncEngine`", "url": format!("https://linear.app/acme/issue/ENG-{n}"),
        "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-02T00:00:00.000Z",
        "priorityLabel": "High", "team": {"key": "ENG"}, "state": {"name": "Todo"},
        "creator": {"id": "u1"}, "labels": {"nodes": [{"name": "bug"}]},
        "relations": {"nodes": [{"type": "duplicate", "relatedIssue": {"identifier": "ENG-1"}}]},
        "inverseRelations": {"nodes": [{"type": "blocks", "issue": {"identifier": "ENG-9"}}]}
    })
}

#[tokio::test]
async fn linear_backfill_follows_cursors_and_resumes_after_an_interruption() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let linear = MockServer::start().await;
    let conn = |nodes: Vec<Value>, next: bool, cursor: &str| json!({"data": {"issues": {"nodes": nodes, "pageInfo": {"hasNextPage": next, "endCursor": cursor}}}});
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(header("authorization", "lin_api_key"))
        .and(body_partial_json(
            json!({"variables": {"team": "ENG", "after": null}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(conn(
            vec![
                linear_node(1, "Sync crash"),
                linear_node(2, "Sync crash again"),
            ],
            true,
            "c1",
        )))
        .expect(1)
        .mount(&linear)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_partial_json(json!({"variables": {"after": "c1"}})))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&linear)
        .await;
    let settings = LinearSettings {
        api_url: format!("{}/graphql", linear.uri()),
        api_key: Some(Secret::new("lin_api_key")),
        ..LinearSettings::default()
    };
    let source = Source::Linear {
        api: LinearApi::new(&settings, client()).unwrap(),
        team: "ENG".into(),
    };
    assert!(backfill::run(&store, &source, 2, false, |_| {})
        .await
        .is_err());
    assert_eq!(tickets(&store).await, 2);

    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_partial_json(json!({"variables": {"after": "c1"}})))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&linear)
        .await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .and(body_partial_json(json!({"variables": {"after": "c1"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(conn(
            vec![linear_node(3, "Sync crash three")],
            false,
            "c2",
        )))
        .with_priority(2)
        .mount(&linear)
        .await;
    let outcome = backfill::run(&store, &source, 2, false, |_| {})
        .await
        .unwrap();
    assert!(outcome.resumed);
    assert_eq!(tickets(&store).await, 3);
    let three = store
        .ticket_by_key("linear", "ENG-3")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(three.project.as_deref(), Some("ENG"));
    assert!(!three.body.contains("**"), "{}", three.body);
    assert_eq!(
        store.duplicate_links("linear", "uuid-3").await.unwrap(),
        vec!["ENG-1".to_string()]
    );
    linear.verify().await;
}

#[tokio::test]
async fn a_graphql_error_is_reported_with_the_trackers_message_and_not_retried() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let linear = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/graphql"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"errors": [{"message": "Authentication required"}]})),
        )
        .expect(1)
        .mount(&linear)
        .await;
    let settings = LinearSettings {
        api_url: format!("{}/graphql", linear.uri()),
        oauth_token: Some(Secret::new("oauth-secret")),
        ..LinearSettings::default()
    };
    let source = Source::Linear {
        api: LinearApi::new(&settings, client()).unwrap(),
        team: "ENG".into(),
    };
    let err = format!(
        "{:#}",
        backfill::run(&store, &source, 50, false, |_| {})
            .await
            .unwrap_err()
    );
    assert!(
        err.contains("400") && err.contains("Authentication required"),
        "{err}"
    );
    assert!(!err.contains("oauth-secret"), "{err}");
    linear.verify().await;
}
