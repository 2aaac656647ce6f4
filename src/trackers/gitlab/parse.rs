//! GitLab webhook bodies (`Issue Hook`, `Confidential Issue Hook`) parsed into a
//! [`Parsed`] ticket event.
//!
//! What each body becomes (deliberately):
//! - `object_kind: issue`, actions `open` → created, `update` → updated when the title,
//!   description or labels changed (a body without `changes`, as GitLab sent before 2017,
//!   counts as a text change: re-analysed, and the comment moves only if it differs);
//!   `close`/`reopen` → ignored as irrelevant updates;
//! - work items (`object_kind: work_item`, or `issue` with a `type`): `Task`, `Incident`
//!   and `Issue` are issues of the project (same IIDs, same notes API) and are handled like
//!   issues; `Epic`, `Objective`, `Key Result`, `Requirement`, `Test Case` and unknown
//!   types, and any work item without a project (group-level epics), are ignored as
//!   `unsupported_work_item`: planning and test items, not reports to analyse;
//! - confidential issues (the `Confidential Issue Hook` header or `confidential: true`),
//!   unless `[gitlab] confidential_issues` is on: a new one is ignored as `confidential`;
//!   any other event removes the issue (it may have been stored while public), as a
//!   deletion without its text;
//! - note hooks → ignored as comments, merge request hooks → ignored as pull requests,
//!   anything else → ignored as unknown.

use crate::domain::{
    one_line, EventKind, IgnoreReason, ParseError, Parsed, TicketEvent, TicketKey, Tracker,
    Visibility,
};
use crate::trackers::forge::{
    forge_text, id_text, json_object, label_names, normalize_time, opt_str, positive,
};
use serde_json::{Map, Value};

/// Work item types that are project issues under another name.
const ISSUE_TYPES: [&str; 3] = ["Issue", "Task", "Incident"];

/// Parses a GitLab webhook body; `event` is the `X-Gitlab-Event` header, `confidential`
/// whether confidential issues are accepted.
pub fn parse(event: Option<&str>, body: &[u8], confidential: bool) -> Result<Parsed, ParseError> {
    let root = json_object(body)?;
    let event = event
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| ParseError::new("X-Gitlab-Event", "header is missing"))?;
    let confidential_hook = match event {
        "Issue Hook" => false,
        "Confidential Issue Hook" => true,
        "Note Hook" | "Confidential Note Hook" => {
            return Ok(Parsed::Ignored(IgnoreReason::CommentEvent))
        }
        "Merge Request Hook" => return Ok(Parsed::Ignored(IgnoreReason::PullRequest)),
        _ => return Ok(Parsed::Ignored(IgnoreReason::UnknownEvent)),
    };
    let kind = opt_str(root.get("object_kind"), "object_kind")?
        .ok_or_else(|| ParseError::missing("object_kind"))?;
    let attrs = match root.get("object_attributes") {
        Some(Value::Object(a)) => a,
        None | Some(Value::Null) => return Err(ParseError::missing("object_attributes")),
        Some(_) => return Err(ParseError::new("object_attributes", "expected an object")),
    };
    match kind {
        "issue" | "work_item" => {
            // a classic issue has no type; a work item names one (GitLab also sends some,
            // requirements, as `object_kind: issue` with a type)
            let ty = opt_str(attrs.get("type"), "object_attributes.type")?;
            let has_project = root.get("project").is_some_and(Value::is_object);
            let issue_like = match ty {
                None => kind == "issue",
                Some(t) => ISSUE_TYPES.contains(&t),
            };
            if !issue_like || (kind == "work_item" && !has_project) {
                return Ok(Parsed::Ignored(IgnoreReason::UnsupportedWorkItem));
            }
        }
        "note" => return Ok(Parsed::Ignored(IgnoreReason::CommentEvent)),
        "merge_request" => return Ok(Parsed::Ignored(IgnoreReason::PullRequest)),
        _ => return Ok(Parsed::Ignored(IgnoreReason::UnknownEvent)),
    }
    let is_confidential =
        confidential_hook || attrs.get("confidential").and_then(Value::as_bool) == Some(true);
    let action = opt_str(attrs.get("action"), "object_attributes.action")?
        .ok_or_else(|| ParseError::missing("object_attributes.action"))?;
    if is_confidential && !confidential {
        return withheld(&root, attrs, action);
    }
    let (kind, changed_fields) = match action {
        "open" => (EventKind::Created, Vec::new()),
        "update" => (EventKind::Updated, changed(root.get("changes"))),
        "close" | "reopen" => (EventKind::Updated, vec!["state".to_string()]),
        _ => return Ok(Parsed::Ignored(IgnoreReason::UnknownEvent)),
    };
    let path = opt_str(
        root.get("project")
            .and_then(|p| p.get("path_with_namespace")),
        "project.path_with_namespace",
    )?
    .ok_or_else(|| ParseError::missing("project.path_with_namespace"))?;
    let labels = match root.get("labels") {
        Some(Value::Array(_)) => label_names(root.get("labels"), "title"),
        _ => label_names(attrs.get("labels"), "title"),
    };
    let mut event = issue_event(path, attrs, kind, changed_fields)?;
    set_labels(&mut event, attrs, labels, root.get("assignees"));
    event.visibility = if is_confidential {
        Visibility::Restricted
    } else {
        project_visibility(root.get("project"))
    };
    event.actor = root
        .get("user")
        .and_then(|u| u.get("username"))
        .and_then(Value::as_str)
        .map(str::to_string);
    if kind == EventKind::Created {
        event.reporter = event.actor.clone();
    }
    if kind == EventKind::Updated && !event.needs_enrichment() && !event.touches_plan() {
        return Ok(Parsed::Ignored(IgnoreReason::IrrelevantUpdate));
    }
    Ok(Parsed::Event(Box::new(event)))
}

/// A confidential issue while they are not accepted: a new one is ignored; any other event
/// may concern an issue stored while it was public, which is then removed from the store's
/// live tickets and the index like a deleted one (its text kept out of the event) so it can
/// never be named in a comment on a public issue. Removal is final: if the issue is made
/// public again, it is not brought back.
fn withheld(
    root: &Map<String, Value>,
    attrs: &Map<String, Value>,
    action: &str,
) -> Result<Parsed, ParseError> {
    if action == "open" {
        return Ok(Parsed::Ignored(IgnoreReason::Confidential));
    }
    let path = opt_str(
        root.get("project")
            .and_then(|p| p.get("path_with_namespace")),
        "project.path_with_namespace",
    )?
    .ok_or_else(|| ParseError::missing("project.path_with_namespace"))?;
    let mut event = issue_event(path, attrs, EventKind::Deleted, Vec::new())?;
    event.title.clear();
    event.body.clear();
    event.url = None;
    Ok(Parsed::Event(Box::new(event)))
}

/// Tells whether a GitLab body is a confidential issue (or a note on one) that these
/// settings do not accept: its raw text is then not kept with the delivery either.
pub fn is_withheld(event: Option<&str>, body: &[u8], confidential: bool) -> bool {
    if confidential {
        return false;
    }
    if matches!(
        event.map(str::trim),
        Some("Confidential Issue Hook" | "Confidential Note Hook")
    ) {
        return true;
    }
    let flag = |v: &Value, at: &str| v.pointer(at).and_then(Value::as_bool) == Some(true);
    serde_json::from_slice::<Value>(body).is_ok_and(|v| {
        flag(&v, "/object_attributes/confidential") || flag(&v, "/issue/confidential")
    })
}

/// The changed fields an update names; none named at all (old GitLab) may be any.
fn changed(changes: Option<&Value>) -> Vec<String> {
    match changes.and_then(Value::as_object) {
        Some(c) => c.keys().map(|k| k.to_lowercase()).collect(),
        None => vec!["title".into(), "description".into()],
    }
}

/// The ticket of an issue's attributes (a hook's `object_attributes`, or an issue of the
/// REST API, which has the same field names but `labels` as names and times in RFC 3339).
fn issue_event(
    path: &str,
    attrs: &Map<String, Value>,
    kind: EventKind,
    changed_fields: Vec<String>,
) -> Result<TicketEvent, ParseError> {
    let iid = positive(attrs.get("iid"), "object_attributes.iid")?;
    let key = TicketKey::parse(&format!("{path}#{iid}"))
        .map_err(|e| ParseError::new("project.path_with_namespace", e))?;
    let id = attrs
        .get("id")
        .and_then(id_text)
        .ok_or_else(|| ParseError::missing("object_attributes.id"))?;
    let title = opt_str(attrs.get("title"), "object_attributes.title")?
        .map(|t| one_line(t).trim().to_string())
        .ok_or_else(|| ParseError::missing("object_attributes.title"))?;
    let body = opt_str(attrs.get("description"), "object_attributes.description")?
        .map(forge_text)
        .unwrap_or_default();
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    Ok(TicketEvent {
        tracker: Tracker::Gitlab,
        kind,
        id,
        key,
        title,
        body,
        labels: Vec::new(),
        components: Vec::new(),
        project: Some(path.to_string()),
        // confidential, else the project's (known from a hook's `project` only)
        visibility: if attrs.get("confidential").and_then(Value::as_bool) == Some(true) {
            Visibility::Restricted
        } else {
            Visibility::Private
        },
        status: text(attrs.get("state")),
        issue_type: text(attrs.get("type").or_else(|| attrs.get("issue_type"))),
        priority: None,
        reporter: None,
        url: text(attrs.get("url").or_else(|| attrs.get("web_url"))),
        created_at: text(attrs.get("created_at")).map(|t| normalize_time(&t)),
        updated_at: text(attrs.get("updated_at")).map(|t| normalize_time(&t)),
        actor: None,
        changed_fields,
        plan: Default::default(),
    })
}

/// Sets the labels and, from them and the issue's attributes, the planning data.
fn set_labels(
    event: &mut TicketEvent,
    attrs: &Map<String, Value>,
    labels: Vec<String>,
    assignees: Option<&Value>,
) {
    use crate::trackers::forge_plan;
    event.plan = forge_plan::planning(attrs, &labels, assignees);
    event.priority = forge_plan::priority_label(&labels).map(|(word, _)| word);
    event.labels = labels;
}

/// Who may see a project's issues: `visibility_level` 20 is public, 10 internal (signed-in
/// users of the instance), anything else or nothing private.
fn project_visibility(project: Option<&Value>) -> Visibility {
    let level = project
        .and_then(|p| p.get("visibility_level"))
        .and_then(Value::as_u64);
    let named = project
        .and_then(|p| p.get("visibility"))
        .and_then(Value::as_str);
    match (level, named) {
        (Some(20), _) | (None, Some("public")) => Visibility::Public,
        (Some(10), _) | (None, Some("internal")) => Visibility::Internal,
        _ => Visibility::Private,
    }
}

/// An issue of the REST API (back-fill) as a created event, `None` when unusable.
pub fn rest_issue(path: &str, issue: &Value) -> Option<TicketEvent> {
    let obj = issue.as_object()?;
    let mut event = issue_event(path, obj, EventKind::Created, Vec::new()).ok()?;
    let labels = obj
        .get("labels")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|l| l.as_str().or_else(|| l.get("name")?.as_str()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    set_labels(&mut event, obj, labels, None);
    event.reporter = obj
        .get("author")
        .and_then(|a| a.get("username"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Some(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trackers::linear::parse::tests::check_all;
    use proptest::prelude::*;
    use serde_json::json;

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fixtures/webhooks/gitlab"
    );

    /// The header a fixture came with: zulip's `issue_hook__` fixtures are `Issue Hook`,
    /// and GitLab sends confidential issues as `Confidential Issue Hook`.
    pub(crate) fn event_of(file: &str) -> &'static str {
        if file.contains("confidential_issue") {
            "Confidential Issue Hook"
        } else {
            "Issue Hook"
        }
    }

    #[test]
    fn every_fixture_matches_its_expectation() {
        check_all("gitlab", FIXTURES, 19, |file, b| {
            parse(Some(event_of(file)), b, false)
        });
    }

    #[test]
    fn confidential_fixtures_are_taken_only_when_enabled() {
        let file =
            "zulip-issue_hook__confidential_issue_created_with_hidden_comment_in_description.json";
        let body = std::fs::read(format!("{FIXTURES}/{file}")).unwrap();
        assert_eq!(
            parse(Some("Confidential Issue Hook"), &body, false),
            Ok(Parsed::Ignored(IgnoreReason::Confidential))
        );
        // marked confidential in the body under the plain header: still refused
        assert_eq!(
            parse(Some("Issue Hook"), &body, false),
            Ok(Parsed::Ignored(IgnoreReason::Confidential))
        );
        assert!(is_withheld(Some("Issue Hook"), &body, false));
        assert!(is_withheld(Some("Confidential Note Hook"), b"{}", false));
        let note = br#"{"object_kind":"note","issue":{"confidential":true}}"#;
        assert!(is_withheld(Some("Note Hook"), note, false));
        assert!(!is_withheld(Some("Note Hook"), b"{}", false));
        assert!(!is_withheld(Some("Issue Hook"), &body, true));
        // an issue that turns confidential is removed, its text left out
        let file = "zulip-issue_hook__confidential_issue_reopened.json";
        let reopened = std::fs::read(format!("{FIXTURES}/{file}")).unwrap();
        let Ok(Parsed::Event(gone)) = parse(Some("Confidential Issue Hook"), &reopened, false)
        else {
            panic!("a removal")
        };
        assert_eq!(gone.kind, EventKind::Deleted);
        assert!(gone.title.is_empty() && gone.body.is_empty(), "{gone:?}");
        let Ok(Parsed::Event(e)) = parse(Some("Confidential Issue Hook"), &body, true) else {
            panic!("an event when enabled")
        };
        assert_eq!(e.key.as_str(), "joe.bloggs/testing#1");
        assert!(
            !e.body.contains("<!--"),
            "hidden comments are not text: {:?}",
            e.body
        );
    }

    fn issue(action: &str) -> Value {
        json!({"object_kind": "issue", "user": {"username": "ann"},
            "project": {"id": 5, "path_with_namespace": "grp/sub/app"},
            "labels": [{"title": "bug"}],
            "changes": {"title": {"previous": "a", "current": "b"}},
            "object_attributes": {"id": 901, "iid": 12, "title": "Crash on save", "action": action,
                "description": "panic at `src/main.rs:10`", "state": "opened",
                "url": "https://gitlab.example.com/grp/sub/app/-/issues/12",
                "created_at": "2016-08-18 17:47:36 UTC", "updated_at": "2016-08-18T17:56:30Z"}})
    }

    fn run(v: &Value) -> Result<Parsed, ParseError> {
        parse(Some("Issue Hook"), v.to_string().as_bytes(), false)
    }

    #[test]
    fn confidential_issues_are_restricted_and_projects_say_who_sees_the_rest() {
        let file =
            "zulip-issue_hook__confidential_issue_created_with_hidden_comment_in_description.json";
        let body = std::fs::read(format!("{FIXTURES}/{file}")).unwrap();
        let Ok(Parsed::Event(e)) = parse(Some("Confidential Issue Hook"), &body, true) else {
            panic!("an event when enabled")
        };
        assert_eq!(e.visibility, Visibility::Restricted);
        let public = std::fs::read(format!(
            "{FIXTURES}/zulip-issue_hook__issue_created_with_two_assignees.json"
        ))
        .unwrap();
        let Ok(Parsed::Event(e)) = parse(Some("Issue Hook"), &public, false) else {
            panic!("an event")
        };
        assert_eq!(e.visibility, Visibility::Public);
        let at = |level: Value| {
            let mut v = issue("open");
            v["project"]["visibility_level"] = level;
            match run(&v) {
                Ok(Parsed::Event(e)) => e.visibility,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(at(json!(0)), Visibility::Private);
        assert_eq!(at(json!(10)), Visibility::Internal);
        assert_eq!(at(json!(20)), Visibility::Public);
        assert_eq!(at(Value::Null), Visibility::Private);
    }

    #[test]
    fn issue_fields_are_extracted() {
        let Ok(Parsed::Event(e)) = run(&issue("open")) else {
            panic!("not an event")
        };
        assert_eq!(e.key.as_str(), "grp/sub/app#12");
        assert_eq!((e.id.as_str(), e.tracker), ("901", Tracker::Gitlab));
        assert_eq!(e.labels, vec!["bug"]);
        assert_eq!(e.created_at.as_deref(), Some("2016-08-18T17:47:36Z"));
        assert_eq!(e.reporter.as_deref(), Some("ann"));
        assert!(e.body.contains("src/main.rs:10"), "{:?}", e.body);
    }

    #[test]
    fn work_items_and_other_hooks_are_handled_deliberately() {
        let mut v = issue("open");
        v["object_kind"] = json!("work_item");
        v["object_attributes"]["type"] = json!("Task");
        assert!(matches!(run(&v), Ok(Parsed::Event(_))));
        v["object_attributes"]["type"] = json!("Epic");
        assert_eq!(
            run(&v),
            Ok(Parsed::Ignored(IgnoreReason::UnsupportedWorkItem))
        );
        v["object_attributes"]["type"] = json!("Task");
        v["project"] = Value::Null;
        assert_eq!(
            run(&v),
            Ok(Parsed::Ignored(IgnoreReason::UnsupportedWorkItem))
        );
        let body = issue("open").to_string();
        let hook = |h: &str| parse(Some(h), body.as_bytes(), false);
        assert_eq!(
            hook("Note Hook"),
            Ok(Parsed::Ignored(IgnoreReason::CommentEvent))
        );
        assert_eq!(
            hook("Merge Request Hook"),
            Ok(Parsed::Ignored(IgnoreReason::PullRequest))
        );
        assert_eq!(
            hook("Push Hook"),
            Ok(Parsed::Ignored(IgnoreReason::UnknownEvent))
        );
        assert!(
            matches!(run(&issue("close")), Ok(Parsed::Event(e)) if e.changed_fields == ["state"]),
            "a closed issue leaves the plan"
        );
        let mut v = issue("update");
        v["changes"] = json!({"time_estimate": {}});
        assert_eq!(run(&v), Ok(Parsed::Ignored(IgnoreReason::IrrelevantUpdate)));
        v.as_object_mut().unwrap().remove("changes");
        assert!(matches!(run(&v), Ok(Parsed::Event(e)) if e.kind == EventKind::Updated));
    }

    #[test]
    fn broken_bodies_name_the_offending_field() {
        let field = |v: Value| run(&v).map_err(|e| e.field).err();
        assert_eq!(
            parse(None, b"{}", false).map_err(|e| e.field),
            Err("X-Gitlab-Event".into())
        );
        assert_eq!(
            parse(Some("Issue Hook"), b"[]", false).map_err(|e| e.field),
            Err("body".into())
        );
        assert_eq!(
            field(json!({"object_attributes": {}})),
            Some("object_kind".into())
        );
        assert_eq!(
            field(json!({"object_kind": "issue"})),
            Some("object_attributes".into())
        );
        let mut v = issue("open");
        v["object_attributes"]["iid"] = json!("x");
        assert_eq!(field(v), Some("object_attributes.iid".into()));
        let mut v = issue("open");
        v.as_object_mut().unwrap().remove("project");
        assert_eq!(field(v), Some("project.path_with_namespace".into()));
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(Some("Issue Hook"), &body, true);
        }

        #[test]
        fn never_panics_on_odd_field_types(
            kind in prop_oneof![Just(json!("issue")), Just(json!("work_item")), Just(json!(1))],
            iid in prop_oneof![Just(json!(7)), Just(json!(-1)), Just(json!(1.5)), Just(json!("ü"))],
            title in prop_oneof![Just(json!("t")), Just(json!({})), Just(Value::Null)],
            changes in prop_oneof![Just(json!({"title": 1})), Just(json!([])), Just(json!(null))],
        ) {
            let v = json!({"object_kind": kind, "changes": changes, "labels": "x",
                "project": {"path_with_namespace": ["a"]},
                "object_attributes": {"id": {}, "iid": iid, "title": title, "action": "update",
                    "type": 3, "description": 1, "confidential": "yes"}});
            let _ = parse(Some("Issue Hook"), v.to_string().as_bytes(), true);
        }
    }
}
