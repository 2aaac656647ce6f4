//! The forges' own descriptions at work: GitHub's webhook schemas against the fixtures,
//! the fakes' request checks against requests their APIs do not describe, and the client
//! honouring a used-up quota.

use crate::fakes_github::FakeGithub;
use crate::forges::fixture;
use crate::helpers::*;
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::MockServer;

/// The fakes' checks have teeth: a request their API does not describe is flagged.
#[tokio::test]
async fn the_forge_fakes_flag_requests_their_apis_do_not_describe() {
    use crate::fakes_gitlab::FakeGitlab;
    let client = reqwest::Client::new();
    let server = MockServer::start().await;
    let github = FakeGithub::mount(&server).await;
    let gh = |m: reqwest::Method, path: &str| {
        client
            .request(m, format!("{}{path}", server.uri()))
            .bearer_auth("t")
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
    };
    let url = "/repos/a/b/issues/1/comments";
    gh(reqwest::Method::POST, url)
        .json(&json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    gh(
        reqwest::Method::GET,
        &format!("{url}?per_page=100&cursor=9"),
    )
    .send()
    .await
    .unwrap();
    gh(reqwest::Method::PUT, "/repos/a/b/issues/comments/1")
        .json(&json!({"body": "x"}))
        .send()
        .await
        .unwrap();
    gh(reqwest::Method::POST, "/graphql")
        .json(&json!({"query": "query { repository(owner: \"a\", name: \"b\") { nope } }"}))
        .send()
        .await
        .unwrap();
    let v = github.violations();
    assert!(
        v.iter()
            .any(|m| m.contains("issues/create-comment") && m.contains("body")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|m| m.contains("undeclared query parameter cursor")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|m| m.contains("PUT") && m.contains("no such operation")),
        "{v:?}"
    );
    assert!(
        v.iter().any(|m| m.contains("GraphQL query not valid")),
        "{v:?}"
    );
    assert_eq!(v.len(), 4, "{v:?}");

    let server = MockServer::start().await;
    let gitlab = FakeGitlab::mount(&server).await;
    let gl = |m: reqwest::Method, path: &str| {
        client
            .request(m, format!("{}/api/v4{path}", server.uri()))
            .bearer_auth("t")
    };
    gl(reqwest::Method::POST, "/projects/g%2Fp/issues/1/notes")
        .json(&json!({"note": "x"}))
        .send()
        .await
        .unwrap();
    gl(reqwest::Method::POST, "/projects/g/p/issues/1/notes")
        .json(&json!({"body": "x"}))
        .send()
        .await
        .unwrap();
    gl(
        reqwest::Method::GET,
        "/projects/g%2Fp/issues/1/notes?cursor=1",
    )
    .send()
    .await
    .unwrap();
    let v = gitlab.violations();
    assert!(
        v.iter().any(|m| m.contains("undocumented attribute note")),
        "{v:?}"
    );
    assert!(v.iter().any(|m| m.contains("`body` is required")), "{v:?}");
    assert!(
        v.iter()
            .any(|m| m.contains("neither a number nor a URL-encoded path")),
        "{v:?}"
    );
    assert!(
        v.iter()
            .any(|m| m.contains("undocumented parameter cursor")),
        "{v:?}"
    );
}

/// A forge that says "no requests left until reset" on a successful answer is not asked
/// again before the reset (GitHub `x-ratelimit-remaining: 0`, GitLab `RateLimit-Remaining`).
#[tokio::test]
async fn a_used_up_quota_delays_the_next_request_until_the_reset() {
    use ticketlens::trackers::client::{Auth, ClientOptions, TrackerClient};
    use wiremock::matchers::any;
    use wiremock::{Mock, ResponseTemplate};
    for remaining in ["x-ratelimit-remaining", "ratelimit-remaining"] {
        let server = MockServer::start().await;
        let reset_in = 2;
        let reset = (ticketlens::store::now_ms() / 1000 + reset_in).to_string();
        let reset_header = if remaining.starts_with('x') {
            "x-ratelimit-reset"
        } else {
            "ratelimit-reset"
        };
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!([]))
                    .insert_header(remaining, "0")
                    .insert_header(reset_header, reset.as_str()),
            )
            .mount(&server)
            .await;
        let client = TrackerClient::new(ClientOptions::default()).unwrap();
        let url = format!("{}/x", server.uri());
        client
            .send_json(reqwest::Method::GET, &url, None, &Auth::None)
            .await
            .unwrap();
        let started = std::time::Instant::now();
        client
            .send_json(reqwest::Method::GET, &url, None, &Auth::None)
            .await
            .unwrap();
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(900),
            "{remaining}: waited {waited:?}"
        );
        assert!(
            waited <= Duration::from_secs(3),
            "{remaining}: waited {waited:?}"
        );
    }
}

/// A description with every `required` list dropped: only the types of present fields count.
fn without_required(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, v)| !(k.as_str() == "required" && v.is_array()))
                .map(|(k, v)| (k.clone(), without_required(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_required).collect()),
        other => other.clone(),
    }
}

/// The GitHub fixtures are what GitHub documents its payloads to be: each is checked against
/// its event's schema in `@octokit/openapi-webhooks`, so the parser's assumptions rest on GitHub's description, not only on examples.
#[test]
fn every_github_fixture_matches_githubs_webhook_schema_for_its_event() {
    let spec = crate::octokit::webhook_description();
    let mut failures = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(fixtures_dir().join("github")).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        let body: Value = serde_json::from_slice(&fixture("github", &file)).unwrap();
        let event = github_event_of(&file).replace('_', "-");
        let name = format!("{event}-{}", body["action"].as_str().unwrap());
        let Some(schema) = spec.pointer(&format!(
            "/webhooks/{name}/post/requestBody/content/application~1json/schema"
        )) else {
            failures.push(format!("{file}: no webhook `{name}` in the description"));
            continue;
        };
        // `issues` payloads, which the parser reads, must be complete; the `issue_comment`
        // fixtures are years older than some properties GitHub now marks required, and we
        // only classify them: their present fields must have the documented types.
        let validator = if event == "issues" {
            crate::octokit::validator(spec, schema)
        } else {
            crate::octokit::validator(&without_required(spec), schema)
        };
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .take(5)
            .collect();
        if !errors.is_empty() {
            failures.push(format!("{file} ({name}): {errors:?}"));
        }
        checked += 1;
    }
    assert_eq!(checked, 17, "{failures:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_duplicate_lookup_is_a_valid_query_of_githubs_graphql_schema() {
    let query = ticketlens::trackers::github::api::DUPLICATES_QUERY;
    apollo_compiler::ExecutableDocument::parse_and_validate(
        crate::octokit::graphql_schema(),
        query,
        "duplicates.graphql",
    )
    .unwrap_or_else(|e| panic!("not valid against GitHub's schema: {e}"));
}
