//! The store and job-queue suite, run against BOTH backends.

use crate::helpers::{Backend, TestDb};
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ticketlens::config::QueueSettings;
use ticketlens::metrics::Metrics;
use ticketlens::store::{
    enqueue_for_in, now_ms, DeliveryOutcome, FailOutcome, Job, JobState, NewDelivery, NewJob,
    RetryPolicy, Store,
};
use ticketlens::worker::{JobError, JobHandler, Workers};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

crate::both_backends!(
    enqueued_job_is_claimed_once_and_completed,
    failed_job_waits_its_backoff_before_the_next_claim,
    job_is_dead_after_max_attempts_with_its_last_error,
    expired_lease_lets_another_worker_claim_the_job,
    job_enqueued_in_a_rolled_back_transaction_never_exists,
    released_leases_are_claimable_at_once,
    redelivered_delivery_is_stored_once,
    four_workers_drain_2000_jobs_each_exactly_once,
    dead_job_can_be_retried_by_an_operator,
    jobs_of_one_ticket_run_one_at_a_time_in_order,
    concurrent_claimers_never_run_two_jobs_of_one_ticket,
);

const LEASE: i64 = 10_000;
const POLICY: RetryPolicy = RetryPolicy {
    base_ms: 1_000,
    cap_ms: 5_000,
};

async fn setup(backend: Backend) -> (TestDb, Store) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    (db, store)
}

async fn enqueued_job_is_claimed_once_and_completed(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let t = 1_000_000;
    let id = store.enqueue("k", "{\"n\":1}", 3, t).await.unwrap();
    let job = store.claim("w1", t, LEASE).await.unwrap().expect("due job");
    assert_eq!(
        (job.id, job.attempts, job.payload.as_str()),
        (id, 1, "{\"n\":1}")
    );
    assert!(store.claim("w2", t, LEASE).await.unwrap().is_none());
    assert!(
        !store.complete(id, "w2", t).await.unwrap(),
        "not w2's lease"
    );
    assert!(store.complete(id, "w1", t + 5).await.unwrap());
    assert_eq!(store.job(id).await.unwrap().unwrap().state, JobState::Done);
    assert!(store
        .claim("w2", t + LEASE * 2, LEASE)
        .await
        .unwrap()
        .is_none());
}

async fn failed_job_waits_its_backoff_before_the_next_claim(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let t = 2_000_000;
    store.enqueue("k", "{}", 5, t).await.unwrap();
    let mut now = t;
    for (attempt, delay) in [(1, 1_000), (2, 2_000), (3, 4_000), (4, 5_000)] {
        let job = store.claim("w", now, LEASE).await.unwrap().expect("due");
        assert_eq!(job.attempts, attempt);
        let out = store.fail(&job, "w", "boom", POLICY, now).await.unwrap();
        assert_eq!(
            out,
            FailOutcome::Retry {
                run_at: now + delay
            }
        );
        assert!(
            store
                .claim("w", now + delay - 1, LEASE)
                .await
                .unwrap()
                .is_none(),
            "claimed before its backoff of {delay} ms ended"
        );
        now += delay;
    }
    assert!(store.claim("w", now, LEASE).await.unwrap().is_some());
}

async fn job_is_dead_after_max_attempts_with_its_last_error(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let mut now = 3_000_000;
    let id = store.enqueue("k", "{}", 3, now).await.unwrap();
    for attempt in 1..=3 {
        let job = store.claim("w", now, LEASE).await.unwrap().expect("due");
        let out = store
            .fail(&job, "w", &format!("failure {attempt}"), POLICY, now)
            .await
            .unwrap();
        now += 60_000;
        assert_eq!(out == FailOutcome::Dead, attempt == 3, "attempt {attempt}");
    }
    let job = store.job(id).await.unwrap().unwrap();
    assert_eq!(job.state, JobState::Dead);
    assert_eq!(job.last_error.as_deref(), Some("failure 3"));
    assert!(store
        .claim("w", now + 1_000_000, LEASE)
        .await
        .unwrap()
        .is_none());
    let dead = store.list_jobs(JobState::Dead, 10).await.unwrap();
    assert_eq!(dead.iter().map(|j| j.id).collect::<Vec<_>>(), vec![id]);
}

async fn expired_lease_lets_another_worker_claim_the_job(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let t = 4_000_000;
    let id = store.enqueue("k", "{}", 5, t).await.unwrap();
    store.claim("dead-worker", t, 1_000).await.unwrap().unwrap();
    assert!(store.claim("w2", t + 999, 1_000).await.unwrap().is_none());
    let job = store
        .claim("w2", t + 1_001, 1_000)
        .await
        .unwrap()
        .expect("re-claimed");
    assert_eq!((job.id, job.attempts), (id, 2));
    assert!(!store.complete(id, "dead-worker", t + 1_002).await.unwrap());
    assert!(store.complete(id, "w2", t + 1_002).await.unwrap());
}

async fn job_enqueued_in_a_rolled_back_transaction_never_exists(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let mut tx = store.pool().begin().await.unwrap();
    ticketlens::store::enqueue_in(&mut tx, "k", "{}", 3, 1)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(store.claim("w", 10, LEASE).await.unwrap().is_none());
    let mut tx = store.pool().begin().await.unwrap();
    ticketlens::store::enqueue_in(&mut tx, "k", "{}", 3, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(store.claim("w", 10, LEASE).await.unwrap().is_some());
}

async fn released_leases_are_claimable_at_once(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let t = 5_000_000;
    let id = store.enqueue("k", "{}", 3, t).await.unwrap();
    store.claim("stopping", t, LEASE).await.unwrap().unwrap();
    assert_eq!(store.release_leases("stopping", t + 1).await.unwrap(), 1);
    let job = store
        .claim("other", t + 2, LEASE)
        .await
        .unwrap()
        .expect("released");
    assert_eq!(
        (job.id, job.attempts),
        (id, 2),
        "the interrupted attempt counts"
    );
    // interrupted on its last attempt: dead with the reason, not queued for ever
    assert_eq!(store.release_leases("other", t + 3).await.unwrap(), 1);
    store.claim("third", t + 4, LEASE).await.unwrap().unwrap();
    assert_eq!(store.release_leases("third", t + 5).await.unwrap(), 1);
    let job = store.job(id).await.unwrap().unwrap();
    assert_eq!(job.state, JobState::Dead);
    assert_eq!(
        job.last_error.as_deref(),
        Some("interrupted by shutdown on its last attempt")
    );
}

fn delivery(id: &str, body: &str, job: bool) -> NewDelivery {
    NewDelivery {
        tracker: "jira",
        delivery_id: id.into(),
        body_sha256: format!("hash-of-{body}"),
        raw_body: body.into(),
        outcome: "queued".into(),
        ticket_key: Some("A-1".into()),
        job: job.then(|| NewJob {
            kind: "ticket_event".to_string(),
            payload: "{}".to_string(),
            ticket_ref: Some(format!("jira:{id}")),
            delay_ms: 0,
        }),
    }
}

async fn redelivered_delivery_is_stored_once(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let batch = [
        delivery("d1", "one", true),
        delivery("d1", "one", true),
        delivery("d1", "one-again", true),
        delivery("d2", "one", true),
        delivery("d3", "three", false),
    ];
    let out = store.store_deliveries(&batch, 3, 1).await.unwrap();
    assert!(matches!(
        out[0],
        DeliveryOutcome::Stored { job_id: Some(_) }
    ));
    assert_eq!(
        out[1],
        DeliveryOutcome::Duplicate,
        "the same delivery twice in a batch"
    );
    assert_eq!(out[2], DeliveryOutcome::Duplicate, "same delivery id");
    assert_eq!(out[3], DeliveryOutcome::Duplicate, "same body");
    assert_eq!(out[4], DeliveryOutcome::Stored { job_id: None });
    let again = store.store_deliveries(&batch[..1], 3, 2).await.unwrap();
    assert_eq!(again, vec![DeliveryOutcome::Duplicate]);
    assert_eq!(crate::helpers::count_jobs(&store).await, 1);
    assert_eq!(store.delivery_count("jira").await.unwrap(), 2);
}

/// Counts how often each job ran.
struct Counting(Mutex<HashMap<i64, u32>>);

impl JobHandler for Counting {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        Box::pin(async move {
            *self.0.lock().unwrap().entry(job.id).or_default() += 1;
            Ok(())
        })
    }
}

async fn four_workers_drain_2000_jobs_each_exactly_once(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let mut ids = Vec::new();
    let mut tx = store.pool().begin().await.unwrap();
    for n in 0..2000 {
        let payload = format!("{{\"n\":{n}}}");
        ids.push(
            ticketlens::store::enqueue_in(&mut tx, "count", &payload, 3, now_ms())
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    let counting = Arc::new(Counting(Mutex::new(HashMap::new())));
    let settings = QueueSettings {
        workers: 4,
        poll_interval_ms: 20,
        ..QueueSettings::default()
    };
    let workers = Workers::new(
        store.clone(),
        settings,
        counting.clone(),
        Metrics::new(),
        Arc::new(Notify::new()),
    );
    let stop = CancellationToken::new();
    let run = tokio::spawn(workers.run(stop.clone(), Duration::from_secs(5)));
    crate::helpers::wait_up_to(Duration::from_secs(120), "2000 jobs done", || async {
        let counts = store.job_counts().await.unwrap();
        let done = counts.iter().find(|(s, _)| *s == JobState::Done).unwrap().1;
        (done == 2000).then_some(())
    })
    .await;
    stop.cancel();
    run.await.unwrap();
    let seen = counting.0.lock().unwrap();
    assert_eq!(seen.len(), 2000, "every job ran");
    for id in ids {
        assert_eq!(seen.get(&id), Some(&1), "job {id} ran exactly once");
    }
}

async fn dead_job_can_be_retried_by_an_operator(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let id = store.enqueue("k", "{}", 1, 10).await.unwrap();
    let job = store.claim("w", 10, LEASE).await.unwrap().unwrap();
    assert_eq!(
        store.fail(&job, "w", "x", POLICY, 10).await.unwrap(),
        FailOutcome::Dead
    );
    assert!(store.retry_dead(id, 20).await.unwrap());
    assert!(!store.retry_dead(id, 21).await.unwrap(), "no longer dead");
    let job = store
        .claim("w", 30, LEASE)
        .await
        .unwrap()
        .expect("queued again");
    assert_eq!(job.attempts, 1);
}

async fn enqueue_for(store: &Store, ticket: &str, payload: &str, now: i64) -> i64 {
    let mut conn = store.pool().acquire().await.unwrap();
    enqueue_for_in(&mut conn, "k", payload, Some(ticket), 5, now)
        .await
        .unwrap()
}

async fn jobs_of_one_ticket_run_one_at_a_time_in_order(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let t = now_ms();
    let x1 = enqueue_for(&store, "jira:X", "x1", t).await;
    let x2 = enqueue_for(&store, "jira:X", "x2", t).await;
    let y1 = enqueue_for(&store, "jira:Y", "y1", t).await;
    let a = store.claim("a", t, LEASE).await.unwrap().unwrap();
    assert_eq!(a.id, x1, "oldest first");
    let b = store.claim("b", t, LEASE).await.unwrap().unwrap();
    assert_eq!(b.id, y1, "X is busy: its second job waits, Y's runs");
    assert!(store.claim("c", t, LEASE).await.unwrap().is_none());
    // the running job sees the ticket's queued ones (to take their events in)
    let queued: Vec<i64> = store
        .queued_for_ticket(&a)
        .await
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(queued, vec![x2]);
    assert!(store.complete(a.id, "a", t).await.unwrap());
    let c = store.claim("c", t, LEASE).await.unwrap().unwrap();
    assert_eq!(c.id, x2, "then the next job of X");
    // a job whose worker died keeps the ticket until its lease expires
    let x3 = enqueue_for(&store, "jira:X", "x3", t).await;
    assert!(store.claim("d", t + 1, LEASE).await.unwrap().is_none());
    let again = store
        .claim("d", t + LEASE + 1, LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.id, x2, "the expired job itself is re-claimed first");
    assert_eq!(store.merge_into(&[x3], x2, t).await.unwrap(), 1);
    let merged = store.job(x3).await.unwrap().unwrap();
    assert_eq!(merged.state, JobState::Done);
    assert_eq!(
        merged.last_error.as_deref(),
        Some(format!("merged into job {x2}").as_str())
    );
}

async fn concurrent_claimers_never_run_two_jobs_of_one_ticket(backend: Backend) {
    let (_db, store) = setup(backend).await;
    let t = now_ms();
    for i in 0..60 {
        enqueue_for(&store, &format!("jira:T{}", i % 4), &i.to_string(), t).await;
    }
    let running: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (store, running) = (store.clone(), running.clone());
        tasks.push(tokio::spawn(async move {
            let owner = format!("w{w}");
            let mut done = 0;
            let mut idle = 0;
            while idle < 40 {
                match store
                    .claim(&owner, now_ms(), LEASE)
                    .await
                    .expect("claims never fail")
                {
                    Some(job) => {
                        idle = 0;
                        let ticket = job.ticket_ref.clone().unwrap();
                        {
                            let mut r = running.lock().unwrap();
                            let n = r.entry(ticket.clone()).or_default();
                            *n += 1;
                            assert_eq!(*n, 1, "two jobs of {ticket} at once");
                        }
                        tokio::time::sleep(Duration::from_millis(2)).await;
                        *running.lock().unwrap().get_mut(&ticket).unwrap() -= 1;
                        assert!(store.complete(job.id, &owner, now_ms()).await.unwrap());
                        done += 1;
                    }
                    None => {
                        idle += 1;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            }
            done
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    assert_eq!(total, 60, "every job ran once");
}
