//! Similar-ticket search: through the real server (webhooks in, tickets API out) and on the
//! ticket index directly for the corpus-level behaviours.

use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;
use ticketlens::domain::{DuplicateTier, SimilarOptions, SimilarQuery, TicketDoc, Tracker};
use ticketlens::ticketindex::TicketIndex;

fn jira_webhook(event: &str, id: u64, title: &str, body: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "webhookEvent": event,
        "timestamp": 1_700_000_000_000u64 + id,
        "user": { "accountId": "someone" },
        "issue": {
            "id": id.to_string(),
            "key": format!("PROJ-{id}"),
            "self": format!("https://acme.atlassian.net/rest/api/2/issue/{id}"),
            "fields": {
                "summary": title,
                "description": body,
                "labels": [], "components": [{ "name": "hdfs" }],
                "project": { "key": "PROJ" },
                "status": { "name": "Resolved" },
                "created": format!("2024-01-01T10:{:02}:00.000+0000", id % 60),
                "updated": format!("2024-01-02T10:{:02}:00.000+0000", id % 60),
            }
        }
    }))
    .unwrap()
}

async fn send(app: &TestApp, event: &str, id: u64, title: &str, body: &str) {
    let raw = jira_webhook(event, id, title, body);
    let headers = jira_headers(&raw, &format!("d-{event}-{id}"));
    let r = app.post_webhook("jira", raw, &headers).await;
    assert_eq!(r.status().as_u16(), 202, "{:?}", r.text().await);
}

/// Polls the tickets API until `check` accepts the answer (the worker applies jobs async).
async fn ticket_until(app: &TestApp, key: &str, check: impl Fn(u16, &Value) -> bool) -> Value {
    let what = format!("{key} in the expected state");
    crate::helpers::wait_up_to(Duration::from_secs(10), &what, || async {
        let r = app.api().ticket("jira", key).await;
        let status = r.status().as_u16();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        check(status, &v).then_some(v)
    })
    .await
}

fn keys(v: &Value) -> Vec<String> {
    v["duplicates"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["key"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

const CRASH: &str = "NameNode crashes with NullPointerException in BlockManager.processReport";
const CRASH_BODY: &str = "After upgrading, the NameNode fails on startup.\n\
    java.lang.NullPointerException\n at org.apache.hadoop.hdfs.server.blockmanagement.BlockManager.processReport(BlockManager.java:2512)";

#[tokio::test]
async fn a_ticket_never_matches_itself_and_its_twin_is_a_candidate() {
    let app = spawn_app(Backend::Sqlite).await;
    send(&app, "jira:issue_created", 1, CRASH, CRASH_BODY).await;
    send(
        &app,
        "jira:issue_created",
        2,
        "NameNode NPE in BlockManager processReport on startup",
        CRASH_BODY,
    )
    .await;
    send(
        &app,
        "jira:issue_created",
        3,
        "Document the YARN queue ACLs",
        "Docs for queue ACLs.",
    )
    .await;
    let v = ticket_until(&app, "PROJ-1", |s, v| {
        s == 200 && keys(v).contains(&"PROJ-2".to_string())
    })
    .await;
    assert_eq!(v["ticket"]["key"], "PROJ-1");
    assert!(!keys(&v).contains(&"PROJ-1".to_string()), "{v}");
    assert!(!keys(&v).contains(&"PROJ-3".to_string()), "{v}");
    let twin = &v["duplicates"][0];
    assert!(
        twin["tier"] == "likely_duplicate" || twin["tier"] == "related",
        "{v}"
    );
    assert_eq!(twin["status"], "Resolved");
    let sim = twin["similarity"].as_f64().unwrap();
    assert!(sim > 0.5 && sim <= 1.0, "{v}");
    let terms: Vec<&str> = twin["shared_terms"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(terms.contains(&"nullpointerexception"), "{terms:?}");
    assert!(terms.contains(&"namenode"), "{terms:?}");
    assert!(
        !terms.contains(&"apach"),
        "stems are shown as written: {terms:?}"
    );
    assert_eq!(twin["shared_modules"], json!(["hdfs"]));
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_ticket_disappears_from_search_and_from_the_api() {
    let app = spawn_app(Backend::Postgres).await;
    send(&app, "jira:issue_created", 1, CRASH, CRASH_BODY).await;
    send(&app, "jira:issue_created", 2, CRASH, CRASH_BODY).await;
    ticket_until(&app, "PROJ-1", |s, v| {
        s == 200 && keys(v).contains(&"PROJ-2".to_string())
    })
    .await;
    send(&app, "jira:issue_deleted", 2, CRASH, CRASH_BODY).await;
    let v = ticket_until(&app, "PROJ-1", |s, v| {
        s == 200 && !keys(v).contains(&"PROJ-2".to_string())
    })
    .await;
    assert!(keys(&v).is_empty(), "{v}");
    let gone = app.api().ticket("jira", "PROJ-2").await;
    assert_eq!(gone.status().as_u16(), 404);
    app.stop().await;
}

#[tokio::test]
async fn linked_duplicates_are_shown_as_linked_not_suggested() {
    let app = spawn_app(Backend::Sqlite).await;
    send(&app, "jira:issue_created", 1, CRASH, CRASH_BODY).await;
    send(&app, "jira:issue_created", 2, CRASH, CRASH_BODY).await;
    ticket_until(&app, "PROJ-1", |s, v| {
        s == 200 && keys(v).contains(&"PROJ-2".to_string())
    })
    .await;
    app.store
        .add_duplicate_link("jira", "1", "PROJ-2")
        .await
        .unwrap();
    let v = ticket_until(&app, "PROJ-1", |s, _| s == 200).await;
    let found: Vec<&Value> = v["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["key"] == "PROJ-2")
        .collect();
    assert_eq!(found.len(), 1, "{v}");
    assert_eq!(found[0]["tier"], "already_linked", "{v}");
    app.stop().await;
}

fn doc(id: u32, title: &str, body: &str) -> TicketDoc {
    TicketDoc {
        tracker: Tracker::Jira,
        id: id.to_string(),
        key: format!("T-{id}"),
        title: title.into(),
        body: body.into(),
        labels: vec![],
        components: vec![],
        project: Some("T".into()),
        visibility: Default::default(),
        status: None,
        url: None,
        created_at: Some(format!("2024-01-01T00:{:02}:00Z", id % 60)),
    }
}

const TEMPLATE: &str = "*Environment:* production cluster, rolling upgrade window\n\
    *Steps to reproduce:* follow the attached runbook carefully\n\
    *Expected behaviour:* service keeps serving requests normally\n\
    *Actual behaviour:* see the description below for details\n\
    *Customer impact:* assess severity with the on-call engineer";

#[test]
fn template_boilerplate_does_not_make_unrelated_tickets_similar() {
    let topics = [
        (
            "Balancer moves blocks too slowly",
            "balancer bandwidth throttle datanode",
        ),
        (
            "ResourceManager web UI shows wrong memory",
            "scheduler memory metrics dashboard",
        ),
        (
            "S3A committer leaves pending uploads",
            "multipart upload abort magic committer",
        ),
        (
            "Kerberos relogin fails after keytab rotation",
            "kerberos keytab relogin principal",
        ),
        (
            "Distcp ignores preserve flags",
            "distcp preserve permissions owner",
        ),
        (
            "Audit log misses rename operations",
            "audit logger rename namespace",
        ),
    ];
    let mut docs = Vec::new();
    for i in 0..36u32 {
        let (title, words) = topics[i as usize % topics.len()];
        docs.push(doc(
            i,
            &format!("{title} (case {i})"),
            &format!("{TEMPLATE}\n{words} case{i}"),
        ));
    }
    let (index, _) = TicketIndex::open(None).unwrap();
    index.rebuild(&docs, None).unwrap();
    let options = SimilarOptions::default();
    let query = |title: &str, body: &str| SimilarQuery {
        title: title.into(),
        body: format!("{TEMPLATE}\n{body}"),
        project: Some("T".into()),
        ..SimilarQuery::default()
    };
    let unrelated = index
        .similar(
            &query(
                "Fuse mount hangs on ls",
                "fuse mount hang listing directory",
            ),
            &options,
        )
        .unwrap();
    assert!(
        unrelated.is_empty(),
        "template text alone matched: {unrelated:?}"
    );
    // the same template does not hide a real match either
    let related = index
        .similar(
            &query(
                "Kerberos relogin fails after keytab rotation",
                "kerberos keytab relogin principal",
            ),
            &options,
        )
        .unwrap();
    assert!(!related.is_empty());
    assert!(
        related[0].title.starts_with("Kerberos relogin"),
        "{related:?}"
    );
    assert_ne!(related[0].tier, DuplicateTier::AlreadyLinked, "{related:?}");
}

#[test]
fn an_excluded_ticket_is_never_its_own_candidate() {
    let (index, _) = TicketIndex::open(None).unwrap();
    index
        .upsert(&[
            doc(1, CRASH, CRASH_BODY),
            doc(2, "Unrelated docs typo", "typo in docs"),
        ])
        .unwrap();
    let q = SimilarQuery {
        title: CRASH.into(),
        body: CRASH_BODY.into(),
        exclude_ids: vec!["1".into()],
        ..SimilarQuery::default()
    };
    let found = index.similar(&q, &SimilarOptions::default()).unwrap();
    assert!(found.iter().all(|d| d.id != "1"), "{found:?}");
    index.remove(Tracker::Jira, "2").unwrap();
    assert_eq!(index.len(), 1);
}

/// Concurrent upserts share commits, and each caller's ticket is searchable as soon as its
/// own call returns (the worker searches right after indexing).
#[test]
fn concurrent_upserts_are_each_searchable_when_their_call_returns() {
    let (index, _) = TicketIndex::open(None).unwrap();
    let index = std::sync::Arc::new(index);
    let threads: Vec<_> = (0..6u32)
        .map(|t| {
            let index = index.clone();
            std::thread::spawn(move || {
                for i in 0..15u32 {
                    let id = 1000 + t * 100 + i;
                    let word = format!("zebra{id}x");
                    index
                        .upsert(&[doc(id, &format!("{word} crashes"), &word)])
                        .unwrap();
                    let q = SimilarQuery {
                        title: format!("{word} crashes"),
                        body: word.clone(),
                        ..SimilarQuery::default()
                    };
                    let found = index.candidates(&q, false, 5).unwrap();
                    assert!(
                        found.iter().any(|c| c.id == id.to_string()),
                        "ticket {id} not searchable after its upsert returned"
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(index.len(), 90);
}

/// Staged tickets wait for the timed commit; one commit publishes all of them.
#[test]
fn staged_tickets_are_published_by_one_commit() {
    let (index, _) = TicketIndex::open(None).unwrap();
    index.upsert(&[doc(1, CRASH, CRASH_BODY)]).unwrap();
    index
        .stage(
            &[doc(2, CRASH, CRASH_BODY), doc(3, "Docs typo", "typo")],
            &[],
        )
        .unwrap();
    index.stage(&[], &[(Tracker::Jira, "1".into())]).unwrap();
    assert_eq!(
        index.len(),
        1,
        "nothing staged is searchable before the commit"
    );
    assert!(index.commit_staged().unwrap());
    assert_eq!(index.len(), 2);
    assert!(!index.commit_staged().unwrap(), "nothing left to commit");
}

/// With several writers a row stamped earlier can commit after a later-stamped row the
/// follower has already passed; the follower reads the last moments again and still indexes
/// it, without re-indexing what it already applied.
#[tokio::test]
async fn a_ticket_committed_out_of_stamp_order_still_reaches_the_index() {
    use ticketlens::domain::{EventKind, TicketEvent, TicketKey};
    use ticketlens::worker::index_sync::catch_up;
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let event = |id: u32, title: &str| TicketEvent {
        tracker: Tracker::Jira,
        kind: EventKind::Created,
        id: id.to_string(),
        url: None,
        key: TicketKey::parse(&format!("T-{id}")).unwrap(),
        title: title.into(),
        body: String::new(),
        labels: vec![],
        components: vec![],
        project: Some("T".into()),
        visibility: Default::default(),
        status: None,
        issue_type: None,
        priority: None,
        reporter: None,
        created_at: None,
        updated_at: None,
        actor: None,
        changed_fields: vec![],
        plan: Default::default(),
    };
    let (index, _) = TicketIndex::open(None).unwrap();
    let index = std::sync::Arc::new(index);
    let t0 = 1_700_000_000_000;
    store
        .apply_ticket_event(&event(1, "Balancer stalls"), t0)
        .await
        .unwrap();
    store
        .apply_ticket_event(&event(2, "Audit log gaps"), t0 + 900)
        .await
        .unwrap();
    assert_eq!(catch_up(&store, index.clone()).await.unwrap(), 2);
    // committed now, stamped before the row the follower has passed
    store
        .apply_ticket_event(&event(3, "Quota miscounted"), t0 + 400)
        .await
        .unwrap();
    assert_eq!(catch_up(&store, index.clone()).await.unwrap(), 1);
    assert_eq!(index.len(), 3);
    assert_eq!(catch_up(&store, index.clone()).await.unwrap(), 0);
}
