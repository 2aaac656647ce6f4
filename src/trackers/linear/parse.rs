//! Linear webhook bodies (`type` + `action` + `data`) parsed into a [`Parsed`] ticket event.
//!
//! Only `Issue` events become ticket events; comments and every other entity (projects,
//! project updates, reactions, labels, documents, ...) are ignored.

use crate::domain::{
    one_line, EventKind, IgnoreReason, ParseError, Parsed, TicketEvent, TicketKey, Tracker,
    Visibility,
};
use crate::trackers::text::markdown_to_text;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Parses a Linear webhook body. `own_user` is TicketLens's own Linear user id: events whose
/// `actor.id` is that user are ignored.
pub fn parse(body: &[u8], own_user: Option<&str>) -> Result<Parsed, ParseError> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| ParseError::new("body", e.to_string()))?;
    let obj = root
        .as_object()
        .ok_or_else(|| ParseError::new("body", "expected a JSON object"))?;
    let ty = opt_str(obj.get("type"), "type")?.ok_or_else(|| ParseError::missing("type"))?;
    let action =
        opt_str(obj.get("action"), "action")?.ok_or_else(|| ParseError::missing("action"))?;
    let kind = match (ty, action) {
        ("Issue", "create") => EventKind::Created,
        ("Issue", "update") => EventKind::Updated,
        ("Issue", "remove") => EventKind::Deleted,
        ("Comment", _) => return Ok(Parsed::Ignored(IgnoreReason::CommentEvent)),
        _ => return Ok(Parsed::Ignored(IgnoreReason::UnknownEvent)),
    };
    let actor = obj
        .get("actor")
        .and_then(|a| a.get("id"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if own_user.is_some_and(|own| actor.as_deref() == Some(own)) {
        return Ok(Parsed::Ignored(IgnoreReason::OwnAction));
    }
    let data = match obj.get("data") {
        None | Some(Value::Null) => return Err(ParseError::missing("data")),
        Some(Value::Object(data)) => data,
        Some(_) => return Err(ParseError::new("data", "expected an object")),
    };
    let id = match data.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => return Err(ParseError::missing("data.id")),
        Some(_) => return Err(ParseError::new("data.id", "expected a non-empty string")),
    };
    let title = match opt_str(data.get("title"), "data.title")? {
        Some(t) => one_line(t).trim().to_string(),
        None if kind == EventKind::Deleted => String::new(),
        None => return Err(ParseError::missing("data.title")),
    };
    let key = ticket_key(data)?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let name_of = |field: &str| text(data.get(field).and_then(|v| v.get("name")));
    let changed_fields = match obj.get("updatedFrom").and_then(Value::as_object) {
        Some(from) if kind == EventKind::Updated => from.keys().map(|k| k.to_lowercase()).collect(),
        _ => Vec::new(),
    };
    let event = TicketEvent {
        tracker: Tracker::Linear,
        kind,
        id,
        title,
        body: data
            .get("description")
            .and_then(Value::as_str)
            .map(markdown_to_text)
            .unwrap_or_default(),
        labels: label_names(data.get("labels")),
        components: Vec::new(),
        project: text(data.get("team").and_then(|t| t.get("key")))
            .or_else(|| key.as_str().rsplit_once('-').map(|(p, _)| p.to_string())),
        // a Linear payload tells nothing narrower than the workspace
        visibility: Visibility::Internal,
        status: name_of("state"),
        issue_type: None,
        priority: text(data.get("priorityLabel")),
        reporter: name_of("creator"),
        url: text(obj.get("url")),
        created_at: data
            .get("createdAt")
            .and_then(Value::as_str)
            .map(normalize_time),
        updated_at: data
            .get("updatedAt")
            .and_then(Value::as_str)
            .map(normalize_time),
        actor,
        changed_fields,
        plan: obj
            .get("data")
            .map(super::plan::planning)
            .unwrap_or_default(),
        key,
    };
    if kind == EventKind::Updated && !event.needs_enrichment() && !event.touches_plan() {
        return Ok(Parsed::Ignored(IgnoreReason::IrrelevantUpdate));
    }
    Ok(Parsed::Event(Box::new(event)))
}

/// `data.identifier` (`ENG-42`), else rebuilt from `data.team.key` and `data.number`.
fn ticket_key(data: &Map<String, Value>) -> Result<TicketKey, ParseError> {
    let bad = |e: String| ParseError::new("data.identifier", e);
    if let Some(identifier) = opt_str(data.get("identifier"), "data.identifier")? {
        return TicketKey::parse(identifier).map_err(bad);
    }
    let team = data
        .get("team")
        .and_then(|t| t.get("key"))
        .and_then(Value::as_str);
    let number = match data.get("number") {
        Some(Value::Number(n)) => n.as_u64().map(|n| n.to_string()),
        Some(Value::String(s)) => Some(s.trim().to_string()),
        _ => None,
    };
    match (team, number) {
        (Some(team), Some(number)) => TicketKey::parse(&format!("{team}-{number}")).map_err(bad),
        _ => Err(ParseError::missing("data.identifier")),
    }
}

/// A string field: `Ok(None)` when absent or null, an error when of another type.
fn opt_str<'a>(v: Option<&'a Value>, field: &str) -> Result<Option<&'a str>, ParseError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ParseError::new(field, "expected a string")),
    }
}

/// `data.labels[].name`, skipping labels without a name.
fn label_names(v: Option<&Value>) -> Vec<String> {
    let items = v
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|l| l.get("name")?.as_str())
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// An RFC 3339 timestamp normalized to UTC; anything unparseable is returned unchanged.
fn normalize_time(s: &str) -> String {
    OffsetDateTime::parse(s.trim(), &Rfc3339)
        .ok()
        .and_then(|dt| dt.checked_to_offset(UtcOffset::UTC))
        .and_then(|dt| dt.format(&Rfc3339).ok())
        .unwrap_or_else(|| s.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fixtures/webhooks/linear"
    );

    const EXPECTATIONS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/webhook_expectations.json"
    );

    /// Compares one parse result with its expectation entry; `Err` describes the mismatch.
    pub(crate) fn check(exp: &Value, got: &Result<Parsed, ParseError>) -> Result<(), String> {
        let s = |k: &str| exp.get(k).and_then(Value::as_str);
        let outcome = match got {
            Ok(Parsed::Event(e)) => e.kind.as_str().to_string(),
            Ok(Parsed::Ignored(r)) => format!("ignored:{}", r.as_str()),
            Err(e) => format!("error:{}", e.field),
        };
        let status = if got.is_err() { 400 } else { 202 };
        if Some(outcome.as_str()) != s("outcome") || exp.get("status") != Some(&json!(status)) {
            let want = exp.get("outcome");
            return Err(format!(
                "expected {want:?}, got {outcome} ({status}): {got:?}"
            ));
        }
        let Ok(Parsed::Event(e)) = got else {
            return Ok(());
        };
        if s("key") != Some(e.key.as_str()) || s("title") != Some(e.title.as_str()) {
            return Err(format!("key/title {} / {:?}", e.key, e.title));
        }
        if let Some(label) = s("label").filter(|l| !e.labels.iter().any(|x| x == l)) {
            return Err(format!("label {label:?} not in {:?}", e.labels));
        }
        if let Some(part) = s("body_contains").filter(|p| !e.body.contains(p)) {
            return Err(format!("body lacks {part:?}: {:?}", e.body));
        }
        Ok(())
    }

    /// Checks every fixture of `dir` (at least `min_files`) against its expectation;
    /// `parse` gets the file name (GitHub and GitLab fixtures name their event) and body.
    pub(crate) fn check_all(
        tracker: &str,
        dir: &str,
        min_files: usize,
        parse: impl Fn(&str, &[u8]) -> Result<Parsed, ParseError>,
    ) {
        let all: Vec<Value> =
            serde_json::from_slice(&std::fs::read(EXPECTATIONS).expect("expectations"))
                .expect("json");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("fixture dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        files.sort();
        let mut failures = Vec::new();
        for file in &files {
            let exp = all
                .iter()
                .find(|e| e["tracker"] == tracker && e["file"] == file.as_str());
            let Some(exp) = exp else {
                failures.push(format!("{file}: no expectation"));
                continue;
            };
            let got = parse(
                file,
                &std::fs::read(format!("{dir}/{file}")).expect("fixture"),
            );
            if let Err(msg) = check(exp, &got) {
                failures.push(format!("{file}: {msg}"));
            }
        }
        assert!(
            files.len() >= min_files,
            "only {} fixtures found in {dir}",
            files.len()
        );
        assert!(
            failures.is_empty(),
            "{} fixture(s) differ:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn every_fixture_matches_its_expectation() {
        check_all("linear", FIXTURES, 37, |_, b| parse(b, None));
    }

    fn issue(action: &str) -> Value {
        json!({"type": "Issue", "action": action, "actor": {"id": "bot-1", "name": "TicketLens"},
            "url": "https://linear.app/acme/issue/ENG-42/crash",
            "updatedFrom": {"updatedAt": "2023-04-11T10:13:05.980Z", "priority": 2},
            "data": {"id": "uuid-1", "identifier": "ENG-42", "number": 41, "title": "Crash on save",
                "description": "## Steps\n1. Open [the editor](https://x.test)\n```\npanic at src/main.rs:10\n```",
                "team": {"key": "ENG"}, "state": {"name": "Todo"}, "priorityLabel": "High",
                "creator": {"name": "Ann"}, "labels": [{"name": "Bug"}, {"id": "x"}],
                "createdAt": "2023-04-11T12:10:15.037+02:00", "updatedAt": "not a date"}})
    }

    fn run(v: &Value, own: Option<&str>) -> Result<Parsed, ParseError> {
        parse(v.to_string().as_bytes(), own)
    }

    #[test]
    fn issue_fields_are_extracted() {
        let Ok(Parsed::Event(e)) = run(&issue("create"), None) else {
            panic!("not an event")
        };
        let expected = json!({"tracker": "linear", "kind": "created", "id": "uuid-1", "key": "ENG-42",
            "title": "Crash on save", "body": "Steps\n1. Open the editor\npanic at src/main.rs:10",
            "labels": ["Bug"], "components": [], "project": "ENG", "visibility": "internal", "status": "Todo", "issue_type": null,
            "priority": "High", "reporter": "Ann", "url": "https://linear.app/acme/issue/ENG-42/crash",
            "created_at": "2023-04-11T10:10:15.037Z", "updated_at": "not a date", "actor": "bot-1",
            "changed_fields": [], "plan": {"priority": "high", "sprint": null, "release": null, "parent": null,
                "estimate": null, "assignee": null, "status_category": null}});
        assert_eq!(serde_json::to_value(&e).unwrap(), expected);
    }

    #[test]
    fn updates_own_actions_and_removals() {
        let ignored = |r| Ok(Parsed::Ignored(r));
        assert_eq!(
            run(&issue("create"), Some("bot-1")),
            ignored(IgnoreReason::OwnAction)
        );
        // a new priority is planning data: stored, not analysed
        assert!(
            matches!(run(&issue("update"), None), Ok(Parsed::Event(e)) if e.touches_plan() && !e.needs_enrichment())
        );
        let mut v = issue("update");
        v["updatedFrom"] = json!({"updatedAt": "2023-04-11T10:13:05.980Z", "sortOrder": 1});
        assert_eq!(run(&v, None), ignored(IgnoreReason::IrrelevantUpdate));
        let mut v = issue("update");
        v["updatedFrom"]["labelIds"] = json!([]);
        assert!(
            matches!(run(&v, None), Ok(Parsed::Event(e)) if e.changed_fields.contains(&"labelids".to_string()))
        );
        v["data"].as_object_mut().unwrap().remove("title");
        assert_eq!(
            run(&v, None).map_err(|e| e.field),
            Err("data.title".to_string())
        );
        v["action"] = json!("remove");
        assert!(
            matches!(run(&v, None), Ok(Parsed::Event(e)) if e.kind == EventKind::Deleted && e.title.is_empty())
        );
        v["action"] = json!("restore");
        assert_eq!(run(&v, None), ignored(IgnoreReason::UnknownEvent));
    }

    #[test]
    fn key_is_rebuilt_from_team_and_number() {
        let mut v = issue("create");
        v["data"].as_object_mut().unwrap().remove("identifier");
        assert!(matches!(run(&v, None), Ok(Parsed::Event(e)) if e.key.as_str() == "ENG-41"));
        v["data"].as_object_mut().unwrap().remove("team");
        assert_eq!(
            run(&v, None).map_err(|e| e.field),
            Err("data.identifier".to_string())
        );
        v["data"]["identifier"] = json!("42");
        assert_eq!(
            run(&v, None).map_err(|e| e.field),
            Err("data.identifier".to_string())
        );
    }

    #[test]
    fn broken_bodies_name_the_offending_field() {
        let field = |v: Value| run(&v, None).map_err(|e| e.field).err();
        assert_eq!(
            parse(b"nope", None).map_err(|e| e.field),
            Err("body".to_string())
        );
        assert_eq!(field(json!("str")), Some("body".into()));
        assert_eq!(field(json!({"action": "create"})), Some("type".into()));
        assert_eq!(field(json!({"type": "Issue"})), Some("action".into()));
        assert_eq!(
            field(json!({"type": "Issue", "action": "create"})),
            Some("data".into())
        );
        let mut v = issue("create");
        v["data"]["id"] = Value::Null;
        assert_eq!(field(v), Some("data.id".into()));
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(&body, Some("x"));
        }

        #[test]
        fn never_panics_on_odd_field_types(
            action in prop_oneof![Just(json!("update")), Just(json!("remove")), Just(json!(3))],
            number in prop_oneof![Just(json!(7)), Just(json!(-1)), Just(json!(1.5)), Just(json!("ü"))],
            title in prop_oneof![Just(json!("t")), Just(json!({})), Just(Value::Null)],
            from in prop_oneof![Just(json!({"title": 1})), Just(json!([])), Just(json!(null))],
        ) {
            let v = json!({"type": "Issue", "action": action, "updatedFrom": from, "actor": 5,
                "data": {"id": 9, "number": number, "team": {"key": "E"}, "title": title, "labels": "x", "description": 1}});
            let _ = run(&v, None);
        }
    }
}
