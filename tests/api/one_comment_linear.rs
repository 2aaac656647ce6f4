//! Exactly one comment on Linear: rate limits, a create whose answer was lost, and a create
//! whose id already exists.

use crate::fakes::FakeLinear;
use crate::helpers::*;
use ticketlens::config::Secret;
use ticketlens::store::JobState;
use wiremock::MockServer;

#[tokio::test]
async fn linear_rate_limits_and_a_lost_create_answer_still_give_one_comment() {
    let server = MockServer::start().await;
    let linear = FakeLinear::mount(&server).await;
    {
        let mut s = linear.state.lock().unwrap();
        s.rate_limited = 2;
        s.create_faults = 1;
    }
    let uri = server.uri();
    let app = spawn_app_with(
        Backend::Sqlite,
        move |s| {
            s.linear.api_url = format!("{uri}/graphql");
            s.linear.api_key = Some(Secret::new("lin_api_test"));
            s.comments.http_attempts = 4;
            s.comments.http_backoff_ms = 20;
            s.queue.max_attempts = 3;
        },
        None,
    )
    .await;
    let body = freshen_linear(
        &std::fs::read(fixtures_dir().join("linear/zulip-issue_create_simple.json")).unwrap(),
    );
    let r = app
        .post_webhook("linear", body.clone(), &linear_headers(&body, "l1"))
        .await;
    assert_eq!(r.status(), 202);
    let id = "a4344dc7-7d8d-4b28-a93c-553ac9aba41a";
    wait_for(|| async {
        let c = app.store.comment("linear", id).await.unwrap();
        (c.map(|c| c.state.as_str()) == Some("sent")).then_some(())
    })
    .await;
    let comments = linear.comments();
    assert_eq!(comments.len(), 1, "one comment");
    assert_eq!(
        linear.state.lock().unwrap().creates,
        1,
        "the create was sent once"
    );
    assert_eq!(jobs_in(&app.store, JobState::Dead).await, 0);
    let record = app.store.comment("linear", id).await.unwrap().unwrap();
    assert_eq!(record.comment_id.as_deref(), Some(comments[0].0.as_str()));
    app.stop().await;
}

/// Our planned id (a UUID, as Linear's ids are).
const PLANNED: &str = "0b7e4d1c-2f3a-4c5b-8d6e-7f8091a2b3c4";

/// A create Linear refuses because the id exists (an earlier create landed unseen) is
/// adopted, not an error that kills the job.
#[tokio::test]
async fn a_linear_create_whose_id_exists_is_adopted() {
    use ticketlens::writeback::CommentSink;
    let server = MockServer::start().await;
    let linear = FakeLinear::mount(&server).await;
    linear.state.lock().unwrap().comments.push((
        PLANNED.to_string(),
        "issue-1".into(),
        "earlier".into(),
    ));
    let mut settings = ticketlens::config::Settings::from_toml("").unwrap();
    settings.linear.api_url = format!("{}/graphql", server.uri());
    settings.linear.api_key = Some(Secret::new("lin_api_test"));
    let client = ticketlens::trackers::client::TrackerClient::new(
        ticketlens::trackers::client::ClientOptions::for_writeback(&settings.comments),
    )
    .unwrap();
    let api = ticketlens::trackers::linear::api::LinearApi::new(&settings.linear, client).unwrap();
    let body = freshen_linear(
        &std::fs::read(fixtures_dir().join("linear/zulip-issue_create_simple.json")).unwrap(),
    );
    let ticket = match ticketlens::trackers::linear::parse(&body, None).unwrap() {
        ticketlens::domain::Parsed::Event(e) => *e,
        other => panic!("{other:?}"),
    };
    let id = api.create(&ticket, PLANNED, "body").await.expect("adopted");
    assert_eq!(id, PLANNED);
    assert_eq!(linear.comments().len(), 1);
}
