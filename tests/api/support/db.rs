//! The few reads and writes tests make beneath the store's API, in one place: arranging a
//! state no endpoint makes (jobs finished long ago, a dead job with a given error, a row the
//! code cannot read, a ticket its tracker retyped) and reading what no endpoint shows (what
//! a delivery or a job kept). A schema change is fixed here once. Creating and dropping
//! test databases (`helpers::TestDb`) is the only other SQL in the tests.

use ticketlens::store::Store;

/// Stored tickets, of one tracker or all.
pub async fn tickets(store: &Store, tracker: Option<&str>) -> i64 {
    match tracker {
        Some(t) => sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE tracker = $1").bind(t),
        None => sqlx::query_scalar("SELECT COUNT(*) FROM tickets"),
    }
    .fetch_one(store.pool())
    .await
    .expect("count tickets")
}

/// Every job, whatever its state.
pub async fn count_jobs(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
        .fetch_one(store.pool())
        .await
        .expect("count jobs")
}

/// Jobs queued or running, in one snapshot.
pub async fn unfinished_jobs(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')")
        .fetch_one(store.pool())
        .await
        .expect("count unfinished jobs")
}

/// Every text the store kept of what arrived: deliveries' raw bodies and jobs' payloads.
pub async fn kept_texts(store: &Store) -> Vec<String> {
    let mut texts: Vec<String> = sqlx::query_scalar("SELECT raw_body FROM deliveries")
        .fetch_all(store.pool())
        .await
        .expect("read deliveries");
    let payloads: Vec<String> = sqlx::query_scalar("SELECT payload FROM jobs")
        .fetch_all(store.pool())
        .await
        .expect("read jobs");
    texts.extend(payloads);
    texts
}

/// Deliveries as `(delivery_id, raw_body)`, by id.
pub async fn deliveries(store: &Store) -> Vec<(String, String)> {
    sqlx::query_as("SELECT delivery_id, raw_body FROM deliveries ORDER BY delivery_id")
        .fetch_all(store.pool())
        .await
        .expect("read deliveries")
}

/// The error some job recorded, if any has.
pub async fn a_job_error(store: &Store) -> Option<String> {
    let row: Option<Option<String>> =
        sqlx::query_scalar("SELECT last_error FROM jobs WHERE last_error IS NOT NULL")
            .fetch_optional(store.pool())
            .await
            .expect("read job errors");
    row.flatten()
}

/// Jobs that died with these `(payload, last_error)`s, as a worker would have left them.
pub async fn insert_dead_jobs(store: &Store, jobs: &[(&str, &str)]) {
    for (payload, error) in jobs {
        sqlx::query(
            "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, \
                 updated_at, last_error) \
             VALUES ('ticket_event', $1, 'dead', 1, 1, 0, 0, 0, $2)",
        )
        .bind(payload)
        .bind(error)
        .execute(store.pool())
        .await
        .expect("insert a dead job");
    }
}

/// `(state, last_error)` of the job with this payload.
pub async fn job_state(store: &Store, payload: &str) -> (String, String) {
    sqlx::query_as("SELECT state, last_error FROM jobs WHERE payload = $1")
        .bind(payload)
        .fetch_one(store.pool())
        .await
        .expect("read a job")
}

/// Marks every job done at `finished_at`.
pub async fn finish_all_jobs(store: &Store, finished_at: i64) {
    sqlx::query("UPDATE jobs SET state = 'done', finished_at = $1")
        .bind(finished_at)
        .execute(store.pool())
        .await
        .expect("finish jobs");
}

/// Moves the finish of the jobs created at `at` (with an empty payload) to `at`.
pub async fn finish_jobs_created_at(store: &Store, at: i64) {
    sqlx::query("UPDATE jobs SET finished_at = $1 WHERE payload = '{}' AND created_at = $1")
        .bind(at)
        .execute(store.pool())
        .await
        .expect("refinish jobs");
}

/// Buries the jobs of one ticket (`tracker:id`).
pub async fn bury_jobs_of(store: &Store, ticket_ref: &str) {
    sqlx::query("UPDATE jobs SET state = 'dead' WHERE ticket_ref = $1")
        .bind(ticket_ref)
        .execute(store.pool())
        .await
        .expect("bury jobs");
}

/// Jira tickets `(id, key, issue type)` stored as a back-fill would, with placeholder text.
pub async fn insert_jira_tickets(store: &Store, tickets: &[(&str, &str, &str)]) {
    for (id, key, issue_type) in tickets {
        sqlx::query(
            "INSERT INTO tickets (tracker, ticket_id, ticket_key, title, body, labels, \
                 components, issue_type, deleted, stored_at) \
             VALUES ('jira', $1, $2, 't', 'b', '[]', '[]', $3, 0, 1)",
        )
        .bind(id)
        .bind(key)
        .bind(issue_type)
        .execute(store.pool())
        .await
        .expect("insert a ticket");
    }
}

/// The tracker changed a ticket's type.
pub async fn retype_ticket(store: &Store, key: &str, issue_type: &str) {
    sqlx::query("UPDATE tickets SET issue_type = $1 WHERE ticket_key = $2")
        .bind(issue_type)
        .bind(key)
        .execute(store.pool())
        .await
        .expect("retype a ticket");
}

/// A comment row with a state, format and tracker written as given, known or not.
pub async fn insert_raw_comment(store: &Store, tracker: &str, state: &str, format: &str) {
    sqlx::query(
        "INSERT INTO comments (tracker, ticket_id, ticket_key, comment_id, state, format, \
             body, content_hash, analysis, updated_at, intent, recreated) \
         VALUES ($1, '1', 'T-1', NULL, $2, $3, '', '', '', 1, NULL, 0)",
    )
    .bind(tracker)
    .bind(state)
    .bind(format)
    .execute(store.pool())
    .await
    .expect("insert a comment row");
}

/// Drops a PostgreSQL database under whoever uses it (`admin` is connected to another).
pub async fn drop_database(admin: &Store, name: &str) {
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(admin.pool())
        .await
        .expect("drop the database");
}

/// A duplicate link as a back-fill or webhook stores it, known at `linked_at` (store clock):
/// a time the store's own clock would not give yet.
pub async fn insert_duplicate_link(
    store: &Store,
    tracker: &str,
    ticket_id: &str,
    linked_key: &str,
    linked_at: i64,
) {
    sqlx::query(
        "INSERT INTO ticket_links (tracker, ticket_id, linked_key, kind, linked_at) \
         VALUES ($1, $2, $3, 'duplicate', $4)",
    )
    .bind(tracker)
    .bind(ticket_id)
    .bind(linked_key)
    .bind(linked_at)
    .execute(store.pool())
    .await
    .expect("insert a duplicate link");
}
