//! Jira webhook bodies (Cloud, Server/Data Center, legacy 2013) parsed into a [`Parsed`] event.
//!
//! Everything is read through `serde_json::Value` navigation because the payload shapes vary a
//! lot between Jira generations: only `issue.key`, `issue.id` and (except on deletion)
//! `issue.fields.summary` are required.

use crate::domain::{
    one_line, EventKind, IgnoreReason, ParseError, Parsed, TicketEvent, TicketKey, Tracker,
    Visibility,
};
use crate::trackers::text::{adf_to_text, jira_wiki_to_text};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// Changelog fields that make an update about the ticket even when a comment came with it;
/// the same set [`TicketEvent::needs_enrichment`] accepts for Jira field names.
const RELEVANT_FIELDS: &[&str] = &[
    "summary",
    "description",
    "labels",
    "component",
    "components",
];

/// `issue_event_type_name` values of `jira:issue_updated` events that are about a comment.
const COMMENT_EVENT_TYPES: &[&str] = &[
    "issue_commented",
    "issue_comment_edited",
    "issue_comment_deleted",
];

/// Parses a Jira webhook body. `own_account` is TicketLens's own Jira account (account id,
/// user name or key): events it caused are ignored.
pub fn parse(body: &[u8], own_account: Option<&str>) -> Result<Parsed, ParseError> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| ParseError::new("body", e.to_string()))?;
    let obj = root
        .as_object()
        .ok_or_else(|| ParseError::new("body", "expected a JSON object"))?;
    let changed = changed_fields(obj);
    let kind = match classify(obj, &changed) {
        Ok(kind) => kind,
        Err(reason) => return Ok(Parsed::Ignored(reason)),
    };
    let actor = actor(obj);
    if own_account.is_some_and(|own| actor.as_deref() == Some(own)) {
        return Ok(Parsed::Ignored(IgnoreReason::OwnAction));
    }
    let issue = match obj.get("issue") {
        None | Some(Value::Null) => return Err(ParseError::missing("issue")),
        Some(Value::Object(issue)) => issue,
        Some(_) => return Err(ParseError::new("issue", "expected an object")),
    };
    let key =
        opt_str(issue.get("key"), "issue.key")?.ok_or_else(|| ParseError::missing("issue.key"))?;
    let key = TicketKey::parse(key).map_err(|e| ParseError::new("issue.key", e))?;
    let id = match issue.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        None | Some(Value::Null) => return Err(ParseError::missing("issue.id")),
        Some(_) => {
            return Err(ParseError::new(
                "issue.id",
                "expected a non-empty string or a number",
            ))
        }
    };
    let empty = Map::new();
    let fields = issue
        .get("fields")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let title = match opt_str(fields.get("summary"), "issue.fields.summary")? {
        Some(s) => one_line(s).trim().to_string(),
        None if kind == EventKind::Deleted => String::new(),
        None => return Err(ParseError::missing("issue.fields.summary")),
    };
    let body = match fields.get("description") {
        Some(Value::String(s)) => jira_wiki_to_text(s),
        Some(adf @ Value::Object(_)) => adf_to_text(adf),
        _ => String::new(),
    };
    let name_of = |field: &str, attr: &str| {
        fields
            .get(field)
            .and_then(|v| v.get(attr))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let event = TicketEvent {
        tracker: Tracker::Jira,
        kind,
        id,
        title,
        body,
        labels: strings(fields.get("labels"), None),
        components: strings(fields.get("components"), Some("name")),
        project: name_of("project", "key"),
        visibility: visibility(fields),
        status: name_of("status", "name"),
        issue_type: name_of("issuetype", "name"),
        priority: name_of("priority", "name"),
        reporter: name_of("reporter", "displayName").or_else(|| name_of("reporter", "name")),
        url: browse_url(issue.get("self").and_then(Value::as_str), &key),
        created_at: fields
            .get("created")
            .and_then(Value::as_str)
            .map(normalize_time),
        updated_at: fields
            .get("updated")
            .and_then(Value::as_str)
            .map(normalize_time),
        actor,
        changed_fields: if kind == EventKind::Updated {
            changed
        } else {
            Vec::new()
        },
        plan: super::plan::planning(fields, None),
        key,
    };
    if kind == EventKind::Updated && !event.needs_enrichment() && !event.touches_plan() {
        return Ok(Parsed::Ignored(IgnoreReason::IrrelevantUpdate));
    }
    Ok(Parsed::Event(Box::new(event)))
}

/// An issue behind a security level (`fields.security` set: an object on Cloud, its id in
/// some payloads) is restricted; any other is visible to the site's members, as far as the
/// payload tells.
pub(crate) fn visibility(fields: &Map<String, Value>) -> Visibility {
    match fields.get("security") {
        None | Some(Value::Null) => Visibility::Internal,
        Some(_) => Visibility::Restricted,
    }
}

/// The event kind, or why the webhook is ignored before its issue is even looked at.
fn classify(obj: &Map<String, Value>, changed: &[String]) -> Result<EventKind, IgnoreReason> {
    let event = match obj.get("webhookEvent") {
        Some(Value::String(s)) => s.as_str(),
        // Legacy (2013) payloads carry no event name: an issue with a transition or a
        // changelog is an update; anything else (e.g. `{accountId, username}`) is unknown.
        None | Some(Value::Null) => {
            let has_issue = obj.get("issue").is_some_and(Value::is_object);
            let has_change = obj.contains_key("transition") || obj.contains_key("changelog");
            return if has_issue && has_change {
                update_kind(obj, changed)
            } else {
                Err(IgnoreReason::UnknownEvent)
            };
        }
        Some(_) => return Err(IgnoreReason::UnknownEvent),
    };
    match event {
        "jira:issue_created" => Ok(EventKind::Created),
        "jira:issue_updated" => update_kind(obj, changed),
        "jira:issue_deleted" => Ok(EventKind::Deleted),
        "comment_created" | "comment_updated" | "comment_deleted" => {
            Err(IgnoreReason::CommentEvent)
        }
        _ => Err(IgnoreReason::UnknownEvent),
    }
}

/// An issue update is a comment event when Jira says so (`issue_event_type_name`) or carries
/// a `comment` object, unless its changelog also touches the ticket's text or classification.
fn update_kind(obj: &Map<String, Value>, changed: &[String]) -> Result<EventKind, IgnoreReason> {
    let event_type = obj
        .get("issue_event_type_name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let about_comment = COMMENT_EVENT_TYPES.contains(&event_type)
        || obj.get("comment").is_some_and(Value::is_object);
    let relevant = changed
        .iter()
        .any(|f| RELEVANT_FIELDS.contains(&f.as_str()));
    if about_comment && !relevant {
        Err(IgnoreReason::CommentEvent)
    } else {
        Ok(EventKind::Updated)
    }
}

/// `changelog.items[].field`, lower-cased, without duplicates.
fn changed_fields(obj: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let items = obj
        .get("changelog")
        .and_then(|c| c.get("items"))
        .and_then(Value::as_array);
    for field in items
        .into_iter()
        .flatten()
        .filter_map(|i| i.get("field")?.as_str())
    {
        let field = field.trim().to_lowercase();
        if !field.is_empty() && !out.contains(&field) {
            out.push(field);
        }
    }
    out
}

/// Who caused the event: `user.accountId` (Cloud), else `user.name`, else `user.key` (Server).
fn actor(obj: &Map<String, Value>) -> Option<String> {
    let user = obj.get("user")?;
    ["accountId", "name", "key"]
        .iter()
        .find_map(|k| user.get(*k)?.as_str().filter(|s| !s.is_empty()))
        .map(str::to_string)
}

/// A string field: `Ok(None)` when absent or null, an error when of another type.
fn opt_str<'a>(v: Option<&'a Value>, field: &str) -> Result<Option<&'a str>, ParseError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ParseError::new(field, "expected a string")),
    }
}

/// Strings of an array, or the `attr` string of each object in it; other items are skipped.
fn strings(v: Option<&Value>, attr: Option<&str>) -> Vec<String> {
    let items = v
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    items
        .iter()
        .filter_map(|item| match attr {
            Some(a) => item.get(a)?.as_str(),
            None => item.as_str(),
        })
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// `https://host[:port][/context]/browse/KEY` from the issue's REST `self` URL.
fn browse_url(issue_self: Option<&str>, key: &TicketKey) -> Option<String> {
    let u = url::Url::parse(issue_self?).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let mut base = format!("{}://{}", u.scheme(), u.host_str()?);
    if let Some(port) = u.port() {
        base.push_str(&format!(":{port}"));
    }
    if let Some(context) = u.path().find("/rest/").map(|i| &u.path()[..i]) {
        base.push_str(context);
    }
    Some(format!("{base}/browse/{key}"))
}

/// A Jira (`2013-03-27T16:53:58.301+0000`) or RFC 3339 timestamp as RFC 3339 UTC; anything
/// unparseable is returned unchanged.
pub(crate) fn normalize_time(s: &str) -> String {
    let jira = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond][offset_hour sign:mandatory][offset_minute]"
    );
    let jira_whole = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
    );
    let t = s.trim();
    OffsetDateTime::parse(t, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(t, jira))
        .or_else(|_| OffsetDateTime::parse(t, jira_whole))
        .ok()
        .and_then(|dt| dt.checked_to_offset(UtcOffset::UTC))
        .and_then(|dt| dt.format(&Rfc3339).ok())
        .unwrap_or_else(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trackers::linear::parse::tests::check_all;
    use proptest::prelude::*;
    use serde_json::json;

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fixtures/webhooks/jira"
    );
    #[test]
    fn every_fixture_matches_its_expectation() {
        check_all("jira", FIXTURES, 103, |_, b| parse(b, None));
    }

    fn event(body: &Value, own: Option<&str>) -> Result<Parsed, ParseError> {
        parse(body.to_string().as_bytes(), own)
    }

    fn created() -> Value {
        json!({"webhookEvent": "jira:issue_created", "user": {"accountId": "me-1", "name": "bot"},
            "issue": {"id": "10", "key": "PROJ-7", "self": "https://jira.test:8443/ctx/rest/api/2/issue/10",
                "fields": {"summary": "Crash", "labels": ["a", 3, ""], "components": [{"name": "API"}, {"id": "1"}],
                    "description": {"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "ADF body"}]}]},
                    "created": "2013-03-27T16:53:58.301+0000", "updated": "2019-02-15T19:01:52-0800",
                    "reporter": {"name": "ann"}, "project": {"key": "PROJ"}}}})
    }

    #[test]
    fn fields_are_extracted_and_normalized() {
        let Ok(Parsed::Event(e)) = event(&created(), None) else {
            panic!("not an event")
        };
        let expected = json!({"tracker": "jira", "kind": "created", "id": "10", "key": "PROJ-7",
            "title": "Crash", "body": "ADF body", "labels": ["a"], "components": ["API"],
            "project": "PROJ", "visibility": "internal", "status": null, "issue_type": null, "priority": null, "reporter": "ann",
            "url": "https://jira.test:8443/ctx/browse/PROJ-7", "created_at": "2013-03-27T16:53:58.301Z",
            "updated_at": "2019-02-16T03:01:52Z", "actor": "me-1", "changed_fields": [],
            "plan": {"priority": null, "sprint": null, "release": null, "parent": null, "estimate": null,
                "assignee": null, "status_category": null, "unknown": {"sprint": false, "release": false, "estimate": true}}});
        assert_eq!(serde_json::to_value(&e).unwrap(), expected);
        assert_eq!(normalize_time("yesterday"), "yesterday");
        let too_late = "9999-12-31T23:00:00.000-0500";
        assert_eq!(normalize_time(too_late), too_late);
    }

    #[test]
    fn an_issue_behind_a_security_level_is_restricted_and_titles_are_one_line() {
        let file = "mattermost-webhook-issue-created-with-security-level.json";
        let body = std::fs::read(format!("{FIXTURES}/{file}")).unwrap();
        let Ok(Parsed::Event(e)) = parse(&body, None) else {
            panic!("an event")
        };
        assert_eq!(e.visibility, Visibility::Restricted);
        let mut v = created();
        v["issue"]["fields"]["security"] = json!({"id": "10001", "name": "Staff only"});
        v["issue"]["fields"]["summary"] = json!("Crash\n/close\r\n\u{2028}/assign @all ");
        let Ok(Parsed::Event(e)) = event(&v, None) else {
            panic!("an event")
        };
        assert_eq!(e.visibility, Visibility::Restricted);
        assert_eq!(e.title, "Crash /close /assign @all");
    }

    #[test]
    fn own_actions_and_comment_updates_are_ignored() {
        let ignored = |r| Ok(Parsed::Ignored(r));
        assert_eq!(
            event(&created(), Some("me-1")),
            ignored(IgnoreReason::OwnAction)
        );
        let mut v = created();
        v["webhookEvent"] = json!("jira:issue_updated");
        v["comment"] = json!({"body": "hi"});
        assert_eq!(event(&v, None), ignored(IgnoreReason::CommentEvent));
        v["changelog"] = json!({"items": [{"field": "Summary"}]});
        assert!(matches!(event(&v, None), Ok(Parsed::Event(e)) if e.changed_fields == ["summary"]));
        v["changelog"] = json!({"items": [{"field": "assignee"}]});
        assert_eq!(event(&v, None), ignored(IgnoreReason::CommentEvent));
        v.as_object_mut().unwrap().remove("comment");
        // an assignee is planning data: stored, not analysed
        assert!(
            matches!(event(&v, None), Ok(Parsed::Event(e)) if e.touches_plan() && !e.needs_enrichment())
        );
        v["changelog"] = json!({"items": [{"field": "Attachment"}]});
        assert_eq!(event(&v, None), ignored(IgnoreReason::IrrelevantUpdate));
    }

    #[test]
    fn broken_bodies_name_the_offending_field() {
        let field = |v: Value| event(&v, None).map_err(|e| e.field).err();
        assert_eq!(
            parse(b"{oops", None).map_err(|e| e.field),
            Err("body".to_string())
        );
        assert_eq!(field(json!([1])), Some("body".into()));
        assert_eq!(
            field(json!({"webhookEvent": "jira:issue_created"})),
            Some("issue".into())
        );
        let mut v = created();
        v["issue"]["key"] = json!("not a key");
        assert_eq!(field(v.clone()), Some("issue.key".into()));
        v["issue"].as_object_mut().unwrap().remove("key");
        assert_eq!(field(v), Some("issue.key".into()));
        let mut v = created();
        v["issue"].as_object_mut().unwrap().remove("id");
        assert_eq!(field(v), Some("issue.id".into()));
        let mut v = created();
        v["issue"]["fields"]["summary"] = Value::Null;
        assert_eq!(field(v.clone()), Some("issue.fields.summary".into()));
        v["webhookEvent"] = json!("jira:issue_deleted");
        assert!(matches!(event(&v, None), Ok(Parsed::Event(e)) if e.title.is_empty()));
    }

    #[test]
    fn relevant_fields_agree_with_needs_enrichment() {
        let Ok(Parsed::Event(mut e)) = event(&created(), None) else {
            panic!("not an event")
        };
        e.kind = EventKind::Updated;
        for f in RELEVANT_FIELDS
            .iter()
            .chain(&["assignee", "status", "priority"])
        {
            e.changed_fields = vec![f.to_string()];
            assert_eq!(e.needs_enrichment(), RELEVANT_FIELDS.contains(f), "{f}");
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(body in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(&body, Some("x"));
        }

        #[test]
        fn never_panics_on_odd_field_types(
            ev in prop_oneof![Just(json!("jira:issue_updated")), Just(json!("jira:issue_deleted")), Just(json!(1))],
            key in prop_oneof![Just(json!("A-1")), Just(json!(7)), Just(json!("é-ü")), Just(Value::Null)],
            summary in prop_oneof![Just(json!("s")), Just(json!([])), Just(Value::Null)],
            desc in prop_oneof![Just(json!("*x*")), Just(json!({"type": 1})), Just(json!(5))],
            items in prop_oneof![Just(json!([{"field": "labels"}])), Just(json!("x")), Just(json!([null, 3]))],
        ) {
            let v = json!({"webhookEvent": ev, "user": "u", "changelog": {"items": items},
                "issue": {"id": 1, "key": key, "self": "x", "fields": {"summary": summary, "description": desc, "created": 3}}});
            let _ = event(&v, None);
        }
    }
}
