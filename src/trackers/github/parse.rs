//! GitHub webhook bodies parsed into a [`Parsed`] ticket event, by `X-GitHub-Event`.
//!
//! What each event becomes (deliberately):
//! - `issues` `opened` → created; `edited` → updated when the title or body changed;
//!   `labeled`/`unlabeled` → updated (labels feed the analysis);
//! - `deleted` → deleted; `transferred` → deleted too: the issue left this repository, and
//!   the repository it went to sends its own `opened` (a new key and a new id);
//! - `closed`, `reopened`, (un)assigned, (de)milestoned, (un)locked, (un)pinned, (un)typed →
//!   ignored as irrelevant updates: nothing the analysis reads changed;
//! - `issue_comment` → ignored (`pull_request` when the conversation is a pull request's);
//!   `pull_request*` events and any issue payload that is a pull request → ignored, never
//!   analysed; `ping` and every other event → ignored as unknown.

use crate::domain::{
    one_line, EventKind, IgnoreReason, ParseError, Parsed, TicketEvent, TicketKey, Tracker,
    Visibility,
};
use crate::trackers::forge::{
    forge_text, id_text, json_object, label_names, normalize_time, opt_str, positive,
};
use serde_json::{Map, Value};

/// Actions of `issues` that change nothing the analysis or the plan reads.
const IRRELEVANT: [&str; 6] = [
    "locked", "unlocked", "pinned", "unpinned", "typed", "untyped",
];

/// Parses a GitHub webhook body; `event` is the `X-GitHub-Event` header.
pub fn parse(event: Option<&str>, body: &[u8]) -> Result<Parsed, ParseError> {
    let root = json_object(body)?;
    let event = event
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| ParseError::new("X-GitHub-Event", "header is missing"))?;
    match event {
        "issues" => {}
        "issue_comment" => {
            let on_pr = root
                .get("issue")
                .is_some_and(|i| i.get("pull_request").is_some_and(|p| !p.is_null()));
            return Ok(Parsed::Ignored(if on_pr {
                IgnoreReason::PullRequest
            } else {
                IgnoreReason::CommentEvent
            }));
        }
        e if e.starts_with("pull_request") => {
            return Ok(Parsed::Ignored(IgnoreReason::PullRequest))
        }
        _ => return Ok(Parsed::Ignored(IgnoreReason::UnknownEvent)),
    }
    let action =
        opt_str(root.get("action"), "action")?.ok_or_else(|| ParseError::missing("action"))?;
    let issue = match root.get("issue") {
        Some(Value::Object(issue)) => issue,
        None | Some(Value::Null) => return Err(ParseError::missing("issue")),
        Some(_) => return Err(ParseError::new("issue", "expected an object")),
    };
    if issue.get("pull_request").is_some_and(|p| !p.is_null()) {
        return Ok(Parsed::Ignored(IgnoreReason::PullRequest));
    }
    let (kind, changed_fields) = match action {
        "opened" => (EventKind::Created, Vec::new()),
        "edited" => (EventKind::Updated, edited_fields(root.get("changes"))),
        "labeled" | "unlabeled" => (EventKind::Updated, vec!["labels".to_string()]),
        "closed" | "reopened" => (EventKind::Updated, vec!["state".to_string()]),
        "assigned" | "unassigned" => (EventKind::Updated, vec!["assignee".to_string()]),
        "milestoned" | "demilestoned" => (EventKind::Updated, vec!["milestone".to_string()]),
        "deleted" | "transferred" => (EventKind::Deleted, Vec::new()),
        a if IRRELEVANT.contains(&a) => return Ok(Parsed::Ignored(IgnoreReason::IrrelevantUpdate)),
        _ => return Ok(Parsed::Ignored(IgnoreReason::UnknownEvent)),
    };
    let event = issue_event(&root, issue, kind, changed_fields)?;
    if kind == EventKind::Updated && !event.needs_enrichment() && !event.touches_plan() {
        return Ok(Parsed::Ignored(IgnoreReason::IrrelevantUpdate));
    }
    Ok(Parsed::Event(Box::new(event)))
}

/// `changes` of an `edited` action: `title` stays `title`, `body` is the description.
fn edited_fields(changes: Option<&Value>) -> Vec<String> {
    changes
        .and_then(Value::as_object)
        .map(|c| {
            c.keys()
                .map(|k| match k.as_str() {
                    "body" => "description".to_string(),
                    other => other.to_lowercase(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn issue_event(
    root: &Map<String, Value>,
    issue: &Map<String, Value>,
    kind: EventKind,
    changed_fields: Vec<String>,
) -> Result<TicketEvent, ParseError> {
    let repo = opt_str(
        root.get("repository").and_then(|r| r.get("full_name")),
        "repository.full_name",
    )?
    .ok_or_else(|| ParseError::missing("repository.full_name"))?;
    let number = positive(issue.get("number"), "issue.number")?;
    let key = TicketKey::parse(&format!("{repo}#{number}"))
        .map_err(|e| ParseError::new("repository.full_name", e))?;
    let id = issue
        .get("id")
        .and_then(id_text)
        .ok_or_else(|| ParseError::missing("issue.id"))?;
    let title = match opt_str(issue.get("title"), "issue.title")? {
        Some(t) => one_line(t).trim().to_string(),
        None if kind == EventKind::Deleted => String::new(),
        None => return Err(ParseError::missing("issue.title")),
    };
    let body = opt_str(issue.get("body"), "issue.body")?
        .map(forge_text)
        .unwrap_or_default();
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let labels = label_names(issue.get("labels"), "name");
    let plan = crate::trackers::forge_plan::planning(issue, &labels, None);
    let priority = crate::trackers::forge_plan::priority_label(&labels).map(|(word, _)| word);
    Ok(TicketEvent {
        tracker: Tracker::Github,
        kind,
        id,
        title,
        body,
        labels,
        components: Vec::new(),
        project: Some(repo.to_string()),
        visibility: repository_visibility(root.get("repository")),
        status: text(issue.get("state")),
        issue_type: text(issue.get("type").and_then(|t| t.get("name"))),
        priority,
        reporter: text(issue.get("user").and_then(|u| u.get("login"))),
        url: text(issue.get("html_url")),
        created_at: text(issue.get("created_at")).map(|t| normalize_time(&t)),
        updated_at: text(issue.get("updated_at")).map(|t| normalize_time(&t)),
        actor: text(root.get("sender").and_then(|s| s.get("login"))),
        changed_fields,
        plan,
        key,
    })
}

/// Who may see a repository's issues: `repository.visibility` (`public`, `internal`,
/// `private`), else `repository.private`; a payload that says neither (the REST issues of
/// a back-fill) is taken as private.
fn repository_visibility(repository: Option<&Value>) -> Visibility {
    let r = repository.unwrap_or(&Value::Null);
    match (
        r.get("visibility").and_then(Value::as_str),
        r.get("private").and_then(Value::as_bool),
    ) {
        (Some("public"), _) | (None, Some(false)) => Visibility::Public,
        (Some("internal"), _) => Visibility::Internal,
        _ => Visibility::Private,
    }
}

/// An issue of the REST API (back-fill) as a created event; `None` for pull requests and
/// entries without a number or id.
pub fn rest_issue(repo: &str, issue: &Value) -> Option<TicketEvent> {
    let obj = issue.as_object()?;
    if obj.get("pull_request").is_some_and(|p| !p.is_null()) {
        return None;
    }
    let mut root = Map::new();
    root.insert(
        "repository".into(),
        serde_json::json!({ "full_name": repo }),
    );
    issue_event(&root, obj, EventKind::Created, Vec::new()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trackers::linear::parse::tests::check_all;
    use proptest::prelude::*;
    use serde_json::json;

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fixtures/webhooks/github"
    );

    /// The event a fixture's name stands for (zulip's naming: `issues__opened`).
    pub(crate) fn event_of(file: &str) -> &'static str {
        if file.contains("issue_comment") {
            "issue_comment"
        } else {
            "issues"
        }
    }

    #[test]
    fn every_fixture_matches_its_expectation() {
        check_all("github", FIXTURES, 17, |file, b| {
            parse(Some(event_of(file)), b)
        });
    }

    fn issue(action: &str) -> Value {
        json!({"action": action, "sender": {"login": "ann"},
            "repository": {"full_name": "acme/app"},
            "changes": {"title": {"from": "old"}},
            "issue": {"id": 77, "number": 33, "title": "Crash on save", "state": "open",
                "body": "## Steps\n1. Open [the editor](https://x.test)\n```\npanic at src/main.rs:10\n```",
                "labels": [{"name": "bug"}, {"id": 1}], "user": {"login": "bob"},
                "html_url": "https://github.com/acme/app/issues/33",
                "created_at": "2025-02-15T10:13:33Z", "updated_at": "2025-02-15T12:13:33+02:00"}})
    }

    fn run(v: &Value, event: &str) -> Result<Parsed, ParseError> {
        parse(Some(event), v.to_string().as_bytes())
    }

    #[test]
    fn issue_fields_are_extracted() {
        let Ok(Parsed::Event(e)) = run(&issue("opened"), "issues") else {
            panic!("not an event")
        };
        assert_eq!(e.key.as_str(), "acme/app#33");
        assert_eq!((e.id.as_str(), e.tracker), ("77", Tracker::Github));
        assert_eq!(e.body, "Steps\n1. Open the editor\npanic at src/main.rs:10");
        assert_eq!(e.labels, vec!["bug"]);
        assert_eq!(e.project.as_deref(), Some("acme/app"));
        assert_eq!(e.updated_at.as_deref(), Some("2025-02-15T10:13:33Z"));
        assert_eq!(e.reporter.as_deref(), Some("bob"));
        assert_eq!(e.actor.as_deref(), Some("ann"));
    }

    #[test]
    fn the_repository_says_who_sees_its_issues() {
        let body = std::fs::read(format!("{FIXTURES}/zulip-issues__opened.json")).unwrap();
        let Ok(Parsed::Event(e)) = parse(Some("issues"), &body) else {
            panic!("an event")
        };
        assert_eq!(e.visibility, Visibility::Public);
        let with = |repo: Value| {
            let mut v = issue("opened");
            v["repository"] = repo;
            match run(&v, "issues") {
                Ok(Parsed::Event(e)) => e.visibility,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(with(json!({"full_name": "a/b"})), Visibility::Private);
        assert_eq!(
            with(json!({"full_name": "a/b", "private": true})),
            Visibility::Private
        );
        assert_eq!(
            with(json!({"full_name": "a/b", "private": false})),
            Visibility::Public
        );
        let internal = json!({"full_name": "a/b", "private": true, "visibility": "internal"});
        assert_eq!(with(internal), Visibility::Internal);
    }

    #[test]
    fn actions_map_to_kinds_deliberately() {
        let kind = |action: &str| match run(&issue(action), "issues") {
            Ok(Parsed::Event(e)) => e.kind.as_str().to_string(),
            Ok(Parsed::Ignored(r)) => format!("ignored:{}", r.as_str()),
            Err(e) => format!("error:{}", e.field),
        };
        assert_eq!(kind("edited"), "updated");
        assert_eq!(kind("labeled"), "updated");
        assert_eq!(kind("deleted"), "deleted");
        assert_eq!(kind("transferred"), "deleted");
        // planning actions are stored (the plan reads state, assignee and milestone)
        assert_eq!(kind("closed"), "updated");
        assert_eq!(kind("reopened"), "updated");
        assert_eq!(kind("milestoned"), "updated");
        assert_eq!(kind("locked"), "ignored:irrelevant_update");
        assert_eq!(kind("sub_issue_added"), "ignored:unknown_event");
        let mut v = issue("edited");
        v["changes"] = json!({"body": {"from": "x"}});
        assert!(
            matches!(run(&v, "issues"), Ok(Parsed::Event(e)) if e.changed_fields == ["description"])
        );
        v["changes"] = json!({"type": {}});
        assert_eq!(
            run(&v, "issues"),
            Ok(Parsed::Ignored(IgnoreReason::IrrelevantUpdate))
        );
    }

    #[test]
    fn pull_requests_are_never_tickets() {
        let mut v = issue("opened");
        v["issue"]["pull_request"] = json!({"url": "https://api.github.com/x"});
        assert_eq!(
            run(&v, "issues"),
            Ok(Parsed::Ignored(IgnoreReason::PullRequest))
        );
        assert_eq!(
            run(&v, "issue_comment"),
            Ok(Parsed::Ignored(IgnoreReason::PullRequest))
        );
        assert_eq!(
            run(&v, "pull_request"),
            Ok(Parsed::Ignored(IgnoreReason::PullRequest))
        );
        assert_eq!(
            run(&issue("created"), "issue_comment"),
            Ok(Parsed::Ignored(IgnoreReason::CommentEvent))
        );
        assert_eq!(
            run(&json!({"zen": "x"}), "ping"),
            Ok(Parsed::Ignored(IgnoreReason::UnknownEvent))
        );
    }

    #[test]
    fn broken_bodies_name_the_offending_field() {
        let field = |v: Value| run(&v, "issues").map_err(|e| e.field).err();
        assert_eq!(
            parse(Some("issues"), b"{nope").map_err(|e| e.field),
            Err("body".into())
        );
        assert_eq!(
            parse(None, b"{}").map_err(|e| e.field),
            Err("X-GitHub-Event".into())
        );
        assert_eq!(field(json!({"issue": {}})), Some("action".into()));
        assert_eq!(field(json!({"action": "opened"})), Some("issue".into()));
        let mut v = issue("opened");
        v["issue"]["number"] = json!(0);
        assert_eq!(field(v), Some("issue.number".into()));
        let mut v = issue("opened");
        v["repository"] = json!({"full_name": "no-slash"});
        assert_eq!(field(v), Some("repository.full_name".into()));
        let mut v = issue("opened");
        v["issue"].as_object_mut().unwrap().remove("title");
        assert_eq!(field(v), Some("issue.title".into()));
    }

    #[test]
    fn rest_issues_skip_pull_requests() {
        let v = issue("opened");
        assert!(rest_issue("acme/app", &v["issue"]).is_some());
        let mut pr = v["issue"].clone();
        pr["pull_request"] = json!({});
        assert!(rest_issue("acme/app", &pr).is_none());
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(Some("issues"), &body);
        }

        #[test]
        fn never_panics_on_odd_field_types(
            action in prop_oneof![Just(json!("edited")), Just(json!("deleted")), Just(json!(3))],
            number in prop_oneof![Just(json!(7)), Just(json!(-1)), Just(json!(1.5)), Just(json!("ü"))],
            title in prop_oneof![Just(json!("t")), Just(json!({})), Just(Value::Null)],
            changes in prop_oneof![Just(json!({"title": 1})), Just(json!([])), Just(json!(null))],
        ) {
            let v = json!({"action": action, "changes": changes, "repository": {"full_name": 5},
                "issue": {"id": [], "number": number, "title": title, "labels": "x", "body": 1}});
            let _ = run(&v, "issues");
        }
    }
}
