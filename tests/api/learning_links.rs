//! Duplicate links from live webhooks teach the project's model (Jira `issuelinks`, GitHub
//! issues closed as duplicates, looked up on the spec-checking fake), once each, whatever
//! is redelivered or told again; tickets known long enough without a link are the
//! calibration's unlinked searches until a link comes.

use crate::forge_harness::Forge;
use crate::forges::fixture;
use crate::helpers::settle;
use crate::helpers::*;
use crate::learning::model_until;
use serde_json::{json, Value};

use wiremock::MockServer;

const TITLE: &str = "NameNode crashes with NullPointerException in BlockManager.processReport";
const BODY: &str = "After upgrading, the NameNode fails on startup.\n\
    java.lang.NullPointerException at BlockManager.processReport(BlockManager.java:2512)";

/// A created issue TES-`n` made from Jira's own `issue_created` body.
fn jira_created(n: u64, title: &str, body: &str) -> Vec<u8> {
    let mut v: Value =
        serde_json::from_slice(&fixture("jira", "mattermost-webhook-issue-created.json")).unwrap();
    let issue = &mut v["issue"];
    issue["id"] = json!(n.to_string());
    issue["key"] = json!(format!("TES-{n}"));
    issue["self"] = json!(format!(
        "https://some-instance-test.atlassian.net/rest/api/2/issue/{n}"
    ));
    issue["fields"]["summary"] = json!(title);
    issue["fields"]["description"] = json!(body);
    issue["fields"]["created"] = json!(format!("2019-02-15T19:01:{:02}.971-0800", n % 60));
    issue["fields"]["updated"] = json!(format!("2019-02-15T19:01:{:02}.971-0800", n % 60));
    serde_json::to_vec(&v).unwrap()
}

/// An update of TES-`n` whose changelog is a link change and whose `issuelinks` are
/// `links` (link type name, inward, outward, side, other key), made from Jira's own
/// `issue_updated` body and its own Relates link entry.
fn jira_linked(n: u64, links: &[(&str, &str, &str, &str, &str)], stamp: u64) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&fixture(
        "jira",
        "mattermost-webhook-issue-updated-components.json",
    ))
    .unwrap();
    let template = v["issue"]["fields"]["issuelinks"][0].clone();
    let entries: Vec<Value> = links
        .iter()
        .map(|(name, inward, outward, side, key)| {
            let mut l = template.clone();
            let other = l["outwardIssue"].take();
            l.as_object_mut().unwrap().remove("outwardIssue");
            l["type"]["name"] = json!(name);
            l["type"]["inward"] = json!(inward);
            l["type"]["outward"] = json!(outward);
            l[*side] = other;
            l[*side]["key"] = json!(key);
            l
        })
        .collect();
    v["timestamp"] = json!(1_575_556_703_867u64 + stamp);
    v["changelog"]["items"] = json!([{"field": "Link", "fieldtype": "jira", "from": null,
        "fromString": null, "to": links.first().map(|l| l.4), "toString": "This issue duplicates"}]);
    let issue = &mut v["issue"];
    issue["id"] = json!(n.to_string());
    issue["key"] = json!(format!("TES-{n}"));
    issue["fields"]["issuelinks"] = json!(entries);
    serde_json::to_vec(&v).unwrap()
}

const DUPLICATE: (&str, &str, &str) = ("Duplicate", "is duplicated by", "duplicates");

async fn send_jira(app: &TestApp, body: Vec<u8>, delivery: &str) -> Value {
    let headers = jira_headers(&body, delivery);
    let r = app.post_webhook("jira", body, &headers).await;
    assert_eq!(r.status().as_u16(), 202);
    r.json().await.unwrap()
}

/// Waits until `key`'s duplicate search finds `other`.
async fn finds(app: &TestApp, tracker: &str, key: &str, other: &str) {
    let path = format!(
        "/api/v1/tickets/{tracker}/{}",
        key.replace('/', "%2F").replace('#', "%23")
    );
    let what = format!("{key} finding {other}");
    crate::helpers::wait_up_to(std::time::Duration::from_secs(15), &what, || async {
        let v: Value = app.get(&path).await.json().await.unwrap_or(Value::Null);
        v["duplicates"]
            .as_array()
            .is_some_and(|d| d.iter().any(|c| c["key"] == other))
            .then_some(())
    })
    .await
}

async fn a_jira_duplicate_link_from_a_webhook_is_learned_once(backend: Backend) {
    let app = spawn_app(backend).await;
    send_jira(&app, jira_created(1, TITLE, BODY), "d-c1").await;
    send_jira(&app, jira_created(2, TITLE, BODY), "d-c2").await;
    let typo = jira_created(
        3,
        "Typo on the YARN web page footer",
        "The footer says Hadop.",
    );
    send_jira(&app, typo, "d-c3").await;
    finds(&app, "jira", "TES-2", "TES-1").await;

    // links of other types only: nothing to record, no job
    let (d, i, o) = DUPLICATE;
    let others = [
        ("Blocks", "is blocked by", "blocks", "outwardIssue", "TES-1"),
        (
            "Relates",
            "relates to",
            "relates to",
            "inwardIssue",
            "TES-3",
        ),
    ];
    let ack = send_jira(&app, jira_linked(2, &others, 1), "d-l0").await;
    assert_eq!(
        (ack["status"].as_str(), ack.get("job_id")),
        (Some("ignored"), None),
        "{ack}"
    );

    let mut links = others.to_vec();
    links.push((d, i, o, "outwardIssue", "TES-1"));
    let ack = send_jira(&app, jira_linked(2, &links, 2), "d-l1").await;
    assert_eq!(ack["status"], "ignored", "no comment, no analysis: {ack}");
    assert!(ack["job_id"].is_i64(), "a job records the link: {ack}");
    let model = model_until(&app, "TES", |p| p["links_learned"] == 1).await;
    assert_eq!(model["source"], "learned");

    // redelivered as is; told again in another update; told from the other side
    let again = send_jira(&app, jira_linked(2, &links, 2), "d-l1").await;
    assert_eq!(again["status"], "duplicate");
    send_jira(&app, jira_linked(2, &links, 3), "d-l2").await;
    send_jira(
        &app,
        jira_linked(1, &[(d, i, o, "inwardIssue", "TES-2")], 4),
        "d-l3",
    )
    .await;
    settle(&app.store).await;
    assert_eq!(
        app.store.duplicate_links("jira", "2").await.unwrap(),
        ["TES-1"]
    );
    assert_eq!(
        app.store.duplicate_links("jira", "1").await.unwrap(),
        ["TES-2"]
    );
    // a verdict stored after those links is learned in their round or a later one
    let r = app
        .client
        .post(format!(
            "{}/api/v1/tickets/jira/TES-2/duplicates/feedback",
            app.address
        ))
        .header("content-type", "application/json")
        .body(r#"{"candidate": "TES-3", "duplicate": false}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let model = model_until(&app, "TES", |p| p["feedback_learned"] == 1).await;
    assert_eq!(model["links_learned"], 1, "{model}");
    app.stop().await;
}

async fn a_github_issue_closed_as_a_duplicate_is_looked_up_and_learned(backend: Backend) {
    let server = MockServer::start().await;
    let forge = Forge::start("github", &server).await;
    let Forge::Github(fake) = &forge else {
        unreachable!()
    };
    let app = spawn_app_with(backend, forge.settings(server.uri()), None).await;
    let repo = "DhruvShetty22/zulip-test";
    for n in [1, 2] {
        let body = forge.other(n, &format!("{TITLE}\n{BODY}"));
        forge.post(&app, body, &format!("gh-open-{n}")).await;
    }
    finds(&app, "github", &format!("{repo}#2"), &format!("{repo}#1")).await;
    settle(&app.store).await;
    fake.state
        .lock()
        .unwrap()
        .duplicates
        .insert(2, vec![(repo.to_string(), 1)]);
    let posts = fake.posts();

    // GitHub's own `closed` body, for issue 2 of that repository, closed as a duplicate
    let mut closed: Value =
        serde_json::from_slice(&fixture("github", "zulip-issues__closed.json")).unwrap();
    let opened: Value = serde_json::from_slice(&forge.other(2, "x")).unwrap();
    closed["repository"] = opened["repository"].clone();
    closed["issue"]["number"] = json!(2);
    closed["issue"]["id"] = json!(5002);
    closed["issue"]["state_reason"] = json!("duplicate");
    let ack = forge
        .post(&app, serde_json::to_vec(&closed).unwrap(), "gh-close-2")
        .await;
    // a close is planning data (the issue leaves the plan): stored, its links recorded
    assert_eq!(ack["status"], "queued", "{ack}");
    let model = model_until(&app, repo, |p| p["links_learned"] == 1).await;
    assert_eq!(model["source"], "learned");
    settle(&app.store).await;
    assert_eq!(
        app.store.duplicate_links("github", "5002").await.unwrap(),
        [format!("{repo}#1")]
    );
    {
        let s = fake.state.lock().unwrap();
        let lookups = s
            .requests
            .iter()
            .filter(|r| r.starts_with("POST /graphql"))
            .count();
        assert_eq!(lookups, 1, "{:?}", s.requests);
        assert!(s.violations.is_empty(), "{:?}", s.violations);
        assert_eq!(s.posts, posts, "closing comments nothing");
    }
    app.stop().await;
}

async fn tickets_without_a_link_are_unlinked_searches_until_one_comes(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.duplicates.unlinked_after_secs = 0, None).await;
    send_jira(&app, jira_created(1, TITLE, BODY), "d-c1").await;
    send_jira(&app, jira_created(2, TITLE, BODY), "d-c2").await;
    for n in 3..6 {
        let title = format!("Typo number {n} on the YARN web page footer");
        send_jira(
            &app,
            jira_created(n, &title, "The footer says Hadop."),
            &format!("d-c{n}"),
        )
        .await;
    }
    let model = model_until(&app, "TES", |p| p["unlinked_searches"] == 5).await;
    assert_eq!(
        model["source"], "shipped",
        "unlinked searches alone teach nothing"
    );
    let (d, i, o) = DUPLICATE;
    send_jira(
        &app,
        jira_linked(2, &[(d, i, o, "outwardIssue", "TES-1")], 1),
        "d-l1",
    )
    .await;
    let model = model_until(&app, "TES", |p| p["links_learned"] == 1).await;
    assert_eq!(
        model["unlinked_searches"], 3,
        "both linked tickets stop counting: {model}"
    );
    app.stop().await;
}

crate::both_backends!(
    a_jira_duplicate_link_from_a_webhook_is_learned_once,
    a_github_issue_closed_as_a_duplicate_is_looked_up_and_learned,
    tickets_without_a_link_are_unlinked_searches_until_one_comes
);
