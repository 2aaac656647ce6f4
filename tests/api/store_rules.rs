//! Store rules beside the queue: retention, the comment-create compare-and-set, and the
//! database clock that replicas with skewed wall clocks share. Both backends where they apply.

use crate::helpers::{Backend, TestDb};
use std::time::Duration;
use ticketlens::store::{
    enqueue_for_in, now_ms, DeliveryOutcome, JobState, NewDelivery, NewJob, Store,
};

crate::both_backends!(
    retention_removes_old_rows_and_keeps_recent_ones,
    only_one_writer_owns_a_comment_create,
    a_comment_row_the_store_cannot_read_is_an_error_not_a_guess,
);

const LEASE: i64 = 10_000;

async fn setup(backend: Backend) -> (TestDb, Store) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    (db, store)
}

async fn retention_removes_old_rows_and_keeps_recent_ones(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let day = 86_400_000i64;
    let now = now_ms();
    let old = now - 20 * day;
    let ancient = now - 100 * day;
    // deliveries: ancient, old, recent; an ancient one still feeding a dead job stays
    for (id, at) in [
        ("ancient", ancient),
        ("old", old),
        ("recent", now),
        ("kept", ancient),
    ] {
        let d = NewDelivery {
            tracker: "jira",
            delivery_id: id.into(),
            body_sha256: format!("h-{id}"),
            raw_body: format!("body of {id}"),
            outcome: "queued".into(),
            ticket_key: None,
            job: Some(NewJob {
                kind: "k".into(),
                payload: "{}".into(),
                ticket_ref: Some(format!("jira:{id}")),
                delay_ms: 0,
            }),
        };
        store.store_deliveries(&[d], 3, at).await.unwrap();
    }
    // finish every job: done long ago, except "kept" (dead) and "recent" (done now)
    crate::db::finish_all_jobs(&store, old).await;
    crate::db::finish_jobs_created_at(&store, now).await;
    crate::db::bury_jobs_of(&store, "jira:kept").await;
    let settings = ticketlens::config::RetentionSettings::default();
    let (bodies, rows) = settings.cutoffs(now);
    let pruned = store.prune(bodies, rows).await.unwrap();
    assert_eq!(
        pruned.jobs, 2,
        "the done jobs of ancient and old: {pruned:?}"
    );
    let left = crate::db::deliveries(&store).await;
    assert_eq!(
        left,
        vec![
            ("kept".to_string(), String::new()),
            ("old".to_string(), String::new()),
            ("recent".to_string(), "body of recent".to_string()),
        ],
        "ancient gone; old and kept without their bodies (ids kept); recent whole"
    );
    let jobs = store.job_counts().await.unwrap();
    let get = |st: JobState| jobs.iter().find(|(s, _)| *s == st).unwrap().1;
    assert_eq!((get(JobState::Done), get(JobState::Dead)), (1, 1));
    // a redelivery of the old (pruned body, id kept) delivery is still recognised
    let again = NewDelivery {
        tracker: "jira",
        delivery_id: "old".into(),
        body_sha256: "h-other".into(),
        raw_body: "x".into(),
        outcome: "queued".into(),
        ticket_key: None,
        job: None,
    };
    assert_eq!(
        store.store_deliveries(&[again], 3, now).await.unwrap(),
        vec![DeliveryOutcome::Duplicate]
    );
}

/// The intent to create a comment is a compare-and-set: of two writers that read the same
/// row, only one owns the create; a writer whose read is stale owns nothing.
async fn only_one_writer_owns_a_comment_create(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let pending = |token: &str| ticketlens::store::CommentRecord {
        tracker: ticketlens::domain::Tracker::Jira,
        ticket_id: "1".into(),
        ticket_key: "T-1".into(),
        comment_id: Some("planned".into()),
        state: ticketlens::domain::CommentState::Pending,
        format: ticketlens::domain::Format::Adf,
        body: String::new(),
        content_hash: String::new(),
        analysis: String::new(),
        updated_at: 1,
        intent: Some(token.into()),
        recreated: 0,
    };
    assert!(store.claim_create(&pending("a"), None).await.unwrap());
    assert!(
        !store.claim_create(&pending("b"), None).await.unwrap(),
        "the second writer that saw no row owns nothing"
    );
    let row = store.comment("jira", "1").await.unwrap().unwrap();
    assert_eq!(row.intent.as_deref(), Some("a"));
    // taking a stuck create over: one of two writers with the same read wins
    assert!(store.claim_create(&pending("c"), Some(&row)).await.unwrap());
    assert!(!store.claim_create(&pending("d"), Some(&row)).await.unwrap());
    // the first writer, taken over, cannot record its create as sent
    let mut sent = pending("a");
    sent.comment_id = Some("10001".into());
    assert!(!store.finish_create(&sent, "a").await.unwrap());
    assert!(store.finish_create(&sent, "c").await.unwrap());
    let row = store.comment("jira", "1").await.unwrap().unwrap();
    assert_eq!((row.state.as_str(), row.intent), ("sent", None));
}

/// A comment row whose state, format or tracker is not one the code knows fails to read,
/// naming the column, instead of turning into some other state (or a Jira ticket).
async fn a_comment_row_the_store_cannot_read_is_an_error_not_a_guess(backend: Backend) {
    let (_db, store) = setup(backend).await;
    crate::db::insert_raw_comment(&store, "jira", "posted", "adf").await;
    let err = store.comment("jira", "1").await.unwrap_err().to_string();
    assert!(err.contains("state") && err.contains("posted"), "{err}");
}

/// Two replicas whose wall clocks are 10 s apart share one PostgreSQL: due times, leases and
/// the stored order the ticket index follows come from the database clock, so each sees the
/// other's jobs due at once, neither steals a live lease, and the index feed misses no ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_with_skewed_clocks_lose_nothing() {
    let db = TestDb::new(Backend::Postgres).await;
    let a = db.store().await;
    let b = db.store().await;
    b.simulate_clock_skew(-10_000).await.unwrap();
    assert!(
        (a.now() - b.now()).abs() < 1_000,
        "both read the database clock: {} vs {}",
        a.now(),
        b.now()
    );
    // A job enqueued by the fast-clocked replica is due for the slow one at once.
    let mut conn = a.pool().acquire().await.unwrap();
    enqueue_for_in(&mut conn, "k", "{}", Some("jira:1"), 3, a.now())
        .await
        .unwrap();
    drop(conn);
    // (the two offsets are each measured to about a millisecond: 50 ms later the job must be
    // due for the other replica, whose own wall clock says it is 10 s too early)
    tokio::time::sleep(Duration::from_millis(50)).await;
    let job = b.claim("b", b.now(), LEASE).await.unwrap();
    assert!(job.is_some(), "due on the slow replica too");
    // ... and its lease is not expired in the other replica's eyes.
    assert!(a.claim("a", a.now(), LEASE).await.unwrap().is_none());
    assert_eq!(a.reap_expired(a.now()).await.unwrap(), 0);
    // Tickets stored by both are in the feed the index follows from just before now.
    let from = ticketlens::store::FeedPosition {
        stored_at: a.now() - 2_000,
        ..Default::default()
    };
    for (store, id) in [(&a, "1"), (&b, "2")] {
        let event: ticketlens::domain::TicketEvent = serde_json::from_value(serde_json::json!({
            "tracker": "jira", "kind": "created", "id": id, "key": format!("T-{id}"),
            "title": "t", "body": "", "labels": [], "components": [], "project": null,
            "status": null, "issue_type": null, "priority": null, "reporter": null, "url": null,
            "created_at": null, "updated_at": null, "actor": null, "changed_fields": []
        }))
        .unwrap();
        store.apply_ticket_event(&event, store.now()).await.unwrap();
    }
    let feed = a.index_feed(&from, 100).await.unwrap();
    let ids: Vec<&str> = feed.upserts.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), 2, "both tickets are in the feed: {ids:?}");
}
