//! The tracker's planning data (priority, sprint, release, parent, estimate, assignee, status
//! category) parsed from real webhooks, stored on both backends, and read by Jira back-fill
//! through the site's own custom field ids.

use crate::fakes::jira_schema;
use crate::helpers::*;
use serde_json::{json, Value};
use ticketlens::backfill::{self, Source};
use ticketlens::domain::{ModuleHit, Parsed, Priority, StatusCategory, TicketEvent, Tracker};
use ticketlens::trackers::jira::api::JiraApi;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const MANY_FIELDS: &str =
    "tests/data/fixtures/webhooks/jira/mattermost-webhook-cloud-issue-created-many-fields.json";

fn jira_event(body: &[u8]) -> TicketEvent {
    match ticketlens::trackers::jira::parse(body, None).unwrap() {
        Parsed::Event(e) => *e,
        other => panic!("not an event: {other:?}"),
    }
}

crate::both_backends!(planning_data_is_stored_and_a_field_the_payload_cannot_tell_is_kept);

async fn planning_data_is_stored_and_a_field_the_payload_cannot_tell_is_kept(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let body = std::fs::read(MANY_FIELDS).unwrap();
    let mut event = jira_event(&body);
    // what a back-fill that knew the story-point field would have stored
    event.plan.estimate = Some(5.0);
    event.plan.unknown.estimate = false;
    store.apply_ticket_event(&event, store.now()).await.unwrap();
    let (stored, _) = store
        .stored_event(Tracker::Jira, &event.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.plan.priority, Some(Priority::Medium));
    assert_eq!(
        stored.priority.as_deref(),
        Some("Medium"),
        "the tracker's word is kept"
    );
    assert_eq!(stored.plan.sprint.as_deref(), Some("SCRUM1 Sprint 1"));
    assert_eq!(stored.plan.release.as_deref(), Some("version1"));
    assert_eq!(stored.plan.assignee.as_deref(), Some("Sample User"));
    assert_eq!(stored.plan.status_category, Some(StatusCategory::Todo));
    assert_eq!(stored.plan.estimate, Some(5.0));

    // the same webhook again (its story points unreadable) keeps the estimate; a cleared
    // fix version clears the release
    let mut again = jira_event(&body);
    assert!(again.plan.unknown.estimate);
    again.plan.release = None;
    store.apply_ticket_event(&again, store.now()).await.unwrap();
    let (stored, _) = store
        .stored_event(Tracker::Jira, &event.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.plan.estimate, Some(5.0));
    assert_eq!(stored.plan.release, None);
    assert_eq!(stored.plan.sprint.as_deref(), Some("SCRUM1 Sprint 1"));
}

/// Jira Cloud's field list and search, each request and answer checked against Jira's
/// published description.
struct FieldsAndSearch {
    issue: Value,
}

impl Respond for FieldsAndSearch {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        if req.url.path() == "/rest/api/3/field" {
            let list = json!([
                {"id": "summary", "key": "summary", "name": "Summary", "custom": false,
                 "schema": {"type": "string", "system": "summary"}},
                {"id": "customfield_10020", "key": "customfield_10020", "name": "Sprint", "custom": true,
                 "schema": {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint", "customId": 10020}},
                {"id": "customfield_10016", "key": "customfield_10016", "name": "Story point estimate", "custom": true,
                 "schema": {"type": "number", "custom": "com.pyxis.greenhopper.jira:jsw-story-points", "customId": 10016}}
            ]);
            let item = jira_schema("FieldDetails");
            for f in list.as_array().unwrap() {
                assert!(item.is_valid(f), "field not per Jira's description: {f}");
            }
            return ResponseTemplate::new(200).set_body_json(list);
        }
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let request = jira_schema("SearchAndReconcileRequestBean");
        if !request.is_valid(&body) {
            return ResponseTemplate::new(400).set_body_string("bad search request");
        }
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if !(fields.contains(&"customfield_10020") && fields.contains(&"customfield_10016")) {
            return ResponseTemplate::new(400).set_body_string("custom fields not asked for");
        }
        let answer = json!({"issues": [self.issue], "isLast": true});
        assert!(jira_schema("SearchAndReconcileResults").is_valid(&answer));
        ResponseTemplate::new(200).set_body_json(answer)
    }
}

#[tokio::test]
async fn jira_backfill_finds_the_sprint_and_story_point_fields_by_name() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let jira = MockServer::start().await;
    let issue = json!({"id": "10001", "key": "PROJ-1", "fields": {
        "summary": "Checkout times out", "description": null, "labels": [], "components": [],
        "project": {"key": "PROJ"}, "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}},
        "priority": {"name": "Highest"}, "fixVersions": [{"name": "2.4", "released": false}],
        "parent": {"key": "PROJ-0"}, "assignee": {"displayName": "Ann"},
        "customfield_10020": [{"id": 7, "name": "Sprint 42", "state": "active", "boardId": 1}],
        "customfield_10016": 3.0,
        "created": "2024-01-01T10:00:00.000+0000", "updated": "2024-01-02T10:00:00.000+0000"}});
    Mock::given(method("GET"))
        .and(path("/rest/api/3/field"))
        .respond_with(FieldsAndSearch {
            issue: issue.clone(),
        })
        .expect(1) // asked once, then remembered
        .mount(&jira)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .respond_with(FieldsAndSearch { issue })
        .expect(2)
        .mount(&jira)
        .await;
    let settings = crate::backfill::cloud_settings(&jira.uri());
    let client = crate::backfill::client();
    let source = Source::Jira {
        api: JiraApi::new(&settings, client).unwrap(),
        jql: "project = PROJ".into(),
    };
    for restart in [false, true] {
        backfill::run(&store, &source, 50, restart, |_| {})
            .await
            .unwrap();
    }
    let (e, _) = store
        .stored_event(Tracker::Jira, "10001")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.plan.sprint.as_deref(), Some("Sprint 42"));
    assert_eq!(e.plan.estimate, Some(3.0));
    assert_eq!(e.plan.priority, Some(Priority::Urgent));
    assert_eq!(e.plan.release.as_deref(), Some("2.4"));
    assert_eq!(e.plan.parent.as_deref(), Some("PROJ-0"));
    assert_eq!(e.plan.assignee.as_deref(), Some("Ann"));
    assert_eq!(e.plan.status_category, Some(StatusCategory::InProgress));
    jira.verify().await;
}

#[tokio::test]
async fn a_priority_change_is_stored_without_a_new_analysis_or_comment() {
    let app = spawn_app(Backend::Sqlite).await;
    let post = |file: &str, delivery: &str| {
        let body = std::fs::read(fixtures_dir().join("jira").join(file)).unwrap();
        let headers = jira_headers(&body, delivery);
        let app = &app;
        async move {
            let r = app.post_webhook("jira", body, &headers).await;
            assert_eq!(r.status(), 202);
            r.json::<Value>().await.unwrap()
        }
    };
    post("mattermost-webhook-issue-created.json", "plan-1").await;
    let first = wait_for(|| async { app.store.comment("jira", "10040").await.unwrap() }).await;
    // a marker an analysis would replace (each analysis rewrites the ticket's modules)
    let marker = ModuleHit {
        repository: "app".into(),
        module: "marker".into(),
        ..ModuleHit::default()
    };
    app.store
        .set_ticket_modules("jira", "10040", &[marker], 1)
        .await
        .unwrap();
    let ack = post(
        "mattermost-webhook-issue-updated-lowered-priority.json",
        "plan-2",
    )
    .await;
    assert_eq!(ack["status"], "queued", "{ack}");
    let stored = wait_for(|| async {
        let (e, _) = app
            .store
            .stored_event(Tracker::Jira, "10040")
            .await
            .unwrap()?;
        (e.plan.priority == Some(Priority::Low)).then_some(e)
    })
    .await;
    assert_eq!(stored.priority.as_deref(), Some("Low"));
    wait_for(|| async { (count_open_jobs(&app.store).await == 0).then_some(()) }).await;
    let after = app.store.comment("jira", "10040").await.unwrap().unwrap();
    assert_eq!(
        (after.updated_at, &after.body),
        (first.updated_at, &first.body),
        "a planning-only change neither re-analyses nor rewrites the comment"
    );
    let open = app
        .store
        .open_tickets_in_module("app", "marker", 5)
        .await
        .unwrap();
    assert_eq!(open.len(), 1, "the ticket was not analysed again");
    assert_eq!(open[0].analysed_at, 1);
    assert_eq!(open[0].priority, Some(Priority::Low));
    app.stop().await;
}

async fn count_open_jobs(store: &ticketlens::store::Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')")
        .fetch_one(store.pool())
        .await
        .unwrap()
}
