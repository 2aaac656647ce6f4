//! Per-project learning through the real server: links and triagers' verdicts move the
//! project's model, shown by `GET /api/v1/duplicates/models` and the metrics; the feedback
//! API answers 400 naming the problem.

use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;
use ticketlens::store::LabelPosition;

fn jira_webhook(id: u64, title: &str, body: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "webhookEvent": "jira:issue_created",
        "timestamp": 1_700_000_000_000u64 + id,
        "user": { "accountId": "someone" },
        "issue": {
            "id": id.to_string(),
            "key": format!("PROJ-{id}"),
            "self": format!("https://acme.atlassian.net/rest/api/2/issue/{id}"),
            "fields": {
                "summary": title,
                "description": body,
                "labels": [], "components": [],
                "project": { "key": "PROJ" },
                "status": { "name": "Open" },
                "created": format!("2024-01-01T10:{:02}:00.000+0000", id % 60),
                "updated": format!("2024-01-02T10:{:02}:00.000+0000", id % 60),
            }
        }
    }))
    .unwrap()
}

async fn send(app: &TestApp, id: u64, title: &str, body: &str) {
    let raw = jira_webhook(id, title, body);
    let headers = jira_headers(&raw, &format!("d-learn-{id}"));
    let r = app.post_webhook("jira", raw, &headers).await;
    assert_eq!(r.status().as_u16(), 202, "{:?}", r.text().await);
}

async fn post(app: &TestApp, path: &str, body: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.address))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Polls the models API until `check` accepts `project`'s model (20 s at most).
pub(crate) async fn model_until(
    app: &TestApp,
    project: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let what = format!("{project}'s model in the expected state");
    crate::helpers::wait_up_to(Duration::from_secs(20), &what, || async {
        let v: Value = app
            .api()
            .duplicate_models()
            .await
            .json()
            .await
            .unwrap_or(Value::Null);
        v["projects"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["project"] == project))
            .filter(|p| check(p))
            .cloned()
    })
    .await
}

const TITLE: &str = "NameNode crashes with NullPointerException in BlockManager.processReport";
const BODY: &str = "After upgrading, the NameNode fails on startup.\n\
    java.lang.NullPointerException at BlockManager.processReport(BlockManager.java:2512)";

async fn tickets_indexed(app: &TestApp) {
    crate::helpers::wait_up_to(Duration::from_secs(10), "PROJ-2 finding PROJ-1", || async {
        let v: Value = app
            .api()
            .ticket("jira", "PROJ-2")
            .await
            .json()
            .await
            .unwrap_or(Value::Null);
        v["duplicates"]
            .as_array()
            .is_some_and(|d| d.iter().any(|c| c["key"] == "PROJ-1"))
            .then_some(())
    })
    .await
}

async fn a_link_and_a_verdict_each_change_the_project_model(backend: Backend) {
    let app = spawn_app(backend).await;
    send(&app, 1, TITLE, BODY).await;
    send(&app, 2, TITLE, BODY).await;
    send(
        &app,
        3,
        "Typo on the YARN web page footer",
        "The footer says Hadop.",
    )
    .await;
    tickets_indexed(&app).await;
    app.store
        .add_duplicate_link("jira", "2", "PROJ-1")
        .await
        .unwrap();
    let linked = model_until(&app, "PROJ", |p| p["links_learned"] == 1).await;
    assert_eq!(linked["source"], "learned", "{linked}");
    assert_ne!(
        linked["model"],
        json!(ticketlens::ticketindex::Logistic::shipped())
    );
    let (status, _) = post(
        &app,
        "/api/v1/tickets/jira/PROJ-2/duplicates/feedback",
        r#"{"candidate": "PROJ-1", "duplicate": false}"#,
    )
    .await;
    assert_eq!(status, 202);
    let judged = model_until(&app, "PROJ", |p| p["feedback_learned"] == 1).await;
    assert_ne!(judged["model"], linked["model"], "{judged}");
    let metrics = app.api().metrics().await.text().await.unwrap();
    assert!(
        metrics.contains("ticketlens_duplicate_labels_learned{kind=\"link\"} 1"),
        "{metrics}"
    );
    app.stop().await;
}

async fn learning_reads_links_in_the_order_they_became_known(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    store
        .add_duplicate_link("jira", "2", "PROJ-1")
        .await
        .unwrap();
    store
        .add_duplicate_link("jira", "5", "PROJ-4")
        .await
        .unwrap();
    let first = store
        .links_after(&LabelPosition::default(), 1)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    let rest = store.links_after(&first[0].position(), 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert!(first[0].known_at <= rest[0].known_at);
    assert_ne!(first[0].ticket_id, rest[0].ticket_id);
    store
        .record_duplicate_feedback("jira", "2", "PROJ-1", true)
        .await
        .unwrap();
    store
        .record_duplicate_feedback("jira", "2", "PROJ-1", false)
        .await
        .unwrap();
    let verdicts = store
        .feedback_after(&LabelPosition::default(), 10)
        .await
        .unwrap();
    assert_eq!(verdicts.len(), 1, "the latest verdict replaces the earlier");
    assert!(!verdicts[0].duplicate);
    store.close().await;
}

/// The store's side: a suggested pair is confirmed by a link made after the suggestion
/// (either way round) or a triager's "duplicate", refused by a "not a duplicate" without a
/// link, and undecided otherwise; a link older than the suggestion confirms nothing.
async fn suggested_duplicates_are_followed_to_what_became_of_them(backend: Backend) {
    use ticketlens::store::AnalysedTicket;
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let as_ticket = |id: &'static str, key: &'static str| AnalysedTicket {
        tracker: "jira",
        ticket_id: id,
        ticket_key: key,
        project: "PROJ",
    };
    store
        .add_duplicate_link("jira", "9", "PROJ-6")
        .await
        .unwrap();
    let later = store.now() + 60_000;
    let candidates = [
        ("1", "PROJ-1"),
        ("3", "PROJ-3"),
        ("5", "PROJ-5"),
        ("6", "PROJ-6"),
    ];
    store
        .record_duplicate_suggestions(as_ticket("9", "PROJ-9"), &candidates, later)
        .await
        .unwrap();
    // suggested again by a later analysis: still one suggestion per pair
    store
        .record_duplicate_suggestions(as_ticket("9", "PROJ-9"), &candidates[..1], later + 1)
        .await
        .unwrap();
    store
        .record_duplicate_suggestions(
            AnalysedTicket {
                project: "OPS",
                ..as_ticket("20", "OPS-20")
            },
            &[("21", "OPS-21")],
            later,
        )
        .await
        .unwrap();
    let before = store.duplicate_accuracy().await.unwrap();
    assert_eq!(
        before
            .iter()
            .map(|d| (d.project.as_str(), d.suggested, d.undecided))
            .collect::<Vec<_>>(),
        [("OPS", 1, 1), ("PROJ", 4, 4)],
        "the link to PROJ-6 is older than the suggestion: {before:?}"
    );
    // the candidate's side links back after the suggestion, a triager refuses one and
    // confirms one
    crate::db::insert_duplicate_link(&store, "jira", "1", "PROJ-9", later + 5).await;
    store
        .record_duplicate_feedback("jira", "9", "PROJ-3", false)
        .await
        .unwrap();
    store
        .record_duplicate_feedback("jira", "9", "PROJ-5", true)
        .await
        .unwrap();
    let proj = store
        .duplicate_accuracy()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.project == "PROJ")
        .unwrap();
    assert_eq!(
        (proj.suggested, proj.confirmed, proj.refused, proj.undecided),
        (4, 2, 1, 1),
        "{proj:?}"
    );
    assert_eq!(proj.confirmed_share, Some(0.5));
    assert_eq!(
        proj.sentence(),
        "Project PROJ: of 4 likely duplicates suggested, 2 later linked or confirmed, 1 \
         refused, 1 not decided yet"
    );
    store.close().await;
}

crate::both_backends!(
    a_link_and_a_verdict_each_change_the_project_model,
    learning_reads_links_in_the_order_they_became_known,
    suggested_duplicates_are_followed_to_what_became_of_them
);

/// Through the server: PROJ-2's likely duplicate PROJ-1 is recorded as suggested, and the
/// triager's "not a duplicate" shows as refused in the API and the metrics. PROJ-2 arrives
/// once PROJ-1 is searchable (two reports sent at once may each be analysed before the other
/// is indexed, and then neither suggests the other).
#[tokio::test]
async fn a_refused_suggestion_is_counted_by_the_duplicate_accuracy_api() {
    let app = spawn_app(Backend::Sqlite).await;
    send(&app, 1, TITLE, BODY).await;
    // (a draft with a stored ticket's very text is that ticket, so the probe adds a word)
    let request = json!({"title": TITLE, "body": format!("{BODY} Again.")});
    crate::helpers::wait_up_to(Duration::from_secs(10), "PROJ-1 searchable", || async {
        let v: Value = app.api().analyze(&request).await.json().await.ok()?;
        let keys = v["duplicates"].as_array()?;
        keys.iter().any(|d| d["key"] == "PROJ-1").then_some(())
    })
    .await;
    send(&app, 2, TITLE, BODY).await;
    // the analysis the comment was rendered from, stored after the suggestions it makes
    let analysed =
        crate::helpers::wait_up_to(Duration::from_secs(10), "PROJ-2 analysed", || async {
            let v: Value = app.api().ticket("jira", "PROJ-2").await.json().await.ok()?;
            v["analysis"].is_object().then_some(v)
        })
        .await;
    let likely: Vec<&Value> = analysed["analysis"]["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["tier"] == "likely_duplicate")
        .collect();
    assert_eq!(likely.len(), 1, "two identical reports: {analysed}");
    assert_eq!(likely[0]["key"], "PROJ-1", "{analysed}");
    let get = || async {
        app.api()
            .get("/api/v1/duplicates/accuracy")
            .await
            .json::<Value>()
            .await
            .unwrap()
    };
    let v = get().await;
    assert_eq!(v["projects"][0]["project"], "PROJ", "{v}");
    assert_eq!(v["projects"][0]["suggested"], 1, "{v}");
    assert_eq!(v["projects"][0]["undecided"], 1, "{v}");
    let (status, _) = post(
        &app,
        "/api/v1/tickets/jira/PROJ-2/duplicates/feedback",
        r#"{"candidate": "PROJ-1", "duplicate": false}"#,
    )
    .await;
    assert_eq!(status, 202);
    let v = get().await;
    assert_eq!(
        (
            &v["projects"][0]["refused"],
            &v["projects"][0]["refused_share"]
        ),
        (&json!(1), &json!(1.0)),
        "{v}"
    );
    let metrics = app.api().metrics().await.text().await.unwrap();
    assert!(
        metrics.contains(r#"ticketlens_duplicate_suggestions{outcome="refused",project="PROJ"} 1"#),
        "{metrics}"
    );
    let page = reqwest::get(format!("{}/", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("How the suggestions held up")
            && page.contains(
                "Project PROJ: of 1 likely duplicate suggested, 0 later linked or confirmed, 1 \
                 refused, 0 not decided yet."
            ),
        "{page}"
    );
    app.stop().await;
}

#[tokio::test]
async fn malformed_feedback_is_refused_naming_the_problem() {
    let app = spawn_app(Backend::Sqlite).await;
    send(&app, 1, TITLE, BODY).await;
    send(&app, 2, TITLE, BODY).await;
    tickets_indexed(&app).await;
    let path = "/api/v1/tickets/jira/PROJ-2/duplicates/feedback";
    let (status, v) = post(&app, path, r#"{"candidate": "PROJ-1"}"#).await;
    assert_eq!(status, 400);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("duplicate"),
        "{v}"
    );
    let (status, v) = post(&app, path, r#"{"candidate": "PROJ-2", "duplicate": true}"#).await;
    assert_eq!(status, 400);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("candidate"),
        "{v}"
    );
    let (status, _) = post(&app, path, r#"{"candidate": "PROJ-99", "duplicate": true}"#).await;
    assert_eq!(status, 404);
    app.stop().await;
}
