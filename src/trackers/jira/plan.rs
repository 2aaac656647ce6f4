//! Jira's planning fields, read the same way from a webhook's `issue.fields` and a search
//! result's `fields`: priority, sprint, fix version, parent or epic, story points, assignee and
//! status category. Sprint and story points are custom fields whose ids differ per site:
//! back-fill learns them by name (`/rest/api/{2,3}/field`, [`CustomFields`]); a webhook finds
//! the sprint by its shape (Cloud sprint objects, Server's `…greenhopper…Sprint@…[…]` strings)
//! and leaves story points as stored unless it knows their id.

use crate::domain::{Planning, Priority, StatusCategory, Unknown};
use serde_json::{Map, Value};

/// The ids of the custom fields Jira names "Sprint" and "Story Points" (or "Story point
/// estimate", the next-gen name) on one site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomFields {
    pub sprint: Option<String>,
    pub story_points: Option<String>,
}

impl CustomFields {
    /// Finds the fields in a `/rest/api/{2,3}/field` answer by their names (the sprint field
    /// also by its schema's custom type, which does not change with the site's language).
    pub fn from_field_list(list: &Value) -> CustomFields {
        let mut out = CustomFields::default();
        for f in list.as_array().into_iter().flatten() {
            let (Some(id), Some(name)) = (
                f.get("id").and_then(Value::as_str),
                f.get("name").and_then(Value::as_str),
            ) else {
                continue;
            };
            let custom = f
                .pointer("/schema/custom")
                .and_then(Value::as_str)
                .unwrap_or("");
            let name = name.trim().to_lowercase();
            if out.sprint.is_none()
                && (name == "sprint" || custom == "com.pyxis.greenhopper.jira:gh-sprint")
            {
                out.sprint = Some(id.to_string());
            }
            if out.story_points.is_none()
                && matches!(name.as_str(), "story points" | "story point estimate")
            {
                out.story_points = Some(id.to_string());
            }
        }
        out
    }

    /// The ids to ask a search for, besides the standard fields.
    pub fn ids(&self) -> Vec<&str> {
        [&self.sprint, &self.story_points]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect()
    }
}

/// The planning data of an issue's `fields`. `custom` is `None` in a webhook (the ids are
/// not known there): the sprint is then found by shape and story points stay as stored.
pub fn planning(fields: &Map<String, Value>, custom: Option<&CustomFields>) -> Planning {
    let name = |field: &str, attr: &str| {
        fields
            .get(field)
            .and_then(|v| v.get(attr))
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    let sprint = match custom.and_then(|c| c.sprint.as_deref()) {
        Some(id) => fields.get(id).and_then(current_sprint),
        None => fields
            .iter()
            .filter(|(k, _)| k.starts_with("customfield_"))
            .find_map(|(_, v)| current_sprint(v)),
    };
    let estimate = custom
        .and_then(|c| c.story_points.as_deref())
        .and_then(|id| fields.get(id))
        .and_then(Value::as_f64);
    Planning {
        priority: name("priority", "name").and_then(|w| Priority::from_word(&w)),
        sprint,
        release: release(fields.get("fixVersions")),
        parent: fields
            .get("parent")
            .and_then(|p| p.get("key"))
            .and_then(Value::as_str)
            .map(str::to_string),
        estimate,
        assignee: name("assignee", "displayName").or_else(|| name("assignee", "name")),
        status_category: fields
            .get("status")
            .and_then(|s| s.pointer("/statusCategory/key"))
            .and_then(Value::as_str)
            .and_then(StatusCategory::parse),
        unknown: Unknown {
            estimate: custom.is_none(),
            ..Unknown::default()
        },
    }
}

/// The first fix version not yet released, else the first one.
fn release(v: Option<&Value>) -> Option<String> {
    let versions = v.and_then(Value::as_array)?;
    let named = |x: &&Value| x.get("name").and_then(Value::as_str).is_some();
    versions
        .iter()
        .filter(named)
        .find(|x| x.get("released").and_then(Value::as_bool) != Some(true))
        .or_else(|| versions.iter().find(named))
        .and_then(|x| x.get("name")?.as_str())
        .map(str::to_string)
}

/// A sprint field's current sprint: the active one, else a future one, else the last listed.
/// `None` when the value is not a list of sprints.
fn current_sprint(v: &Value) -> Option<String> {
    let sprints: Vec<(String, String)> = v
        .as_array()?
        .iter()
        .filter_map(|s| match s {
            Value::Object(o) if o.contains_key("boardId") || o.contains_key("state") => Some((
                o.get("name")?.as_str()?.to_string(),
                o.get("state")?.as_str()?.to_lowercase(),
            )),
            Value::String(s) if s.contains("greenhopper.service.sprint.Sprint@") => Some((
                server_attr(s, "name")?,
                server_attr(s, "state")?.to_lowercase(),
            )),
            _ => None,
        })
        .collect();
    ["active", "future"]
        .iter()
        .find_map(|state| sprints.iter().find(|(_, s)| s == state))
        .or(sprints.last())
        .map(|(name, _)| name.clone())
}

/// `attr=value` inside Server's `…Sprint@38c6bd04[id=1,state=ACTIVE,name=Sprint 1,…]`.
fn server_attr(s: &str, attr: &str) -> Option<String> {
    let inner = s.split_once('[')?.1.strip_suffix(']')?;
    // A name may hold commas; the attributes Jira writes after it start with a known key.
    let start = inner.find(&format!("{attr}="))? + attr.len() + 1;
    let rest = &inner[start..];
    let end = [
        ",startDate=",
        ",endDate=",
        ",goal=",
        ",completeDate=",
        ",sequence=",
        ",id=",
        ",rapidViewId=",
        ",state=",
        ",name=",
    ]
    .iter()
    .filter_map(|k| rest.find(k))
    .min()
    .unwrap_or(rest.len());
    Some(rest[..end].to_string()).filter(|v| !v.is_empty() && v != "<null>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fixtures/webhooks/jira"
    );

    fn fields_of(file: &str) -> Map<String, Value> {
        let v: Value =
            serde_json::from_slice(&std::fs::read(format!("{FIXTURES}/{file}")).unwrap()).unwrap();
        v["issue"]["fields"].as_object().unwrap().clone()
    }

    #[test]
    fn real_webhooks_give_their_priority_sprint_release_and_assignee() {
        let p = planning(
            &fields_of("mattermost-webhook-cloud-issue-created-many-fields.json"),
            None,
        );
        assert!(p.unknown.estimate && p.estimate.is_none());
        let mut with_sprint = 0;
        let mut with_release = 0;
        let mut with_priority = 0;
        let dir = std::fs::read_dir(FIXTURES).unwrap();
        for file in dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()) {
            let Ok(v) = serde_json::from_slice::<Value>(
                &std::fs::read(format!("{FIXTURES}/{file}")).unwrap(),
            ) else {
                continue;
            };
            let Some(fields) = v.pointer("/issue/fields").and_then(Value::as_object) else {
                continue;
            };
            let p = planning(fields, None);
            with_sprint += usize::from(p.sprint.is_some());
            with_release += usize::from(p.release.is_some());
            let word = fields.get("priority").and_then(|p| p.get("name"));
            if word.is_some() {
                assert!(p.priority.is_some(), "{file}: {word:?} not normalised");
                with_priority += 1;
            }
        }
        assert_eq!((with_sprint, with_release), (8, 4));
        assert!(with_priority >= 80, "{with_priority}");
    }

    #[test]
    fn a_server_sprint_string_and_a_cloud_sprint_object_give_the_active_sprint() {
        let server = json!(["com.atlassian.greenhopper.service.sprint.Sprint@1[id=1,rapidViewId=1,state=CLOSED,name=Old, sprint,startDate=x,sequence=1]",
            "com.atlassian.greenhopper.service.sprint.Sprint@2[id=2,rapidViewId=1,state=ACTIVE,name=Sprint 42, the push,startDate=2019-05-23T14:02:10.170Z,endDate=<null>,sequence=2]"]);
        assert_eq!(
            current_sprint(&server).as_deref(),
            Some("Sprint 42, the push")
        );
        let cloud = json!([{"id": 3, "name": "S1", "state": "closed", "boardId": 1},
            {"id": 4, "name": "S2", "state": "future", "boardId": 1}]);
        assert_eq!(current_sprint(&cloud).as_deref(), Some("S2"));
        assert_eq!(current_sprint(&json!(["a", "b"])), None);
        assert_eq!(current_sprint(&json!(3.0)), None);
    }

    #[test]
    fn custom_fields_are_found_by_name_and_read_by_id() {
        let list = json!([{"id": "summary", "name": "Summary"},
            {"id": "customfield_10020", "name": "Sprint", "schema": {"custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
            {"id": "customfield_10016", "name": "Story point estimate"}]);
        let c = CustomFields::from_field_list(&list);
        assert_eq!(c.sprint.as_deref(), Some("customfield_10020"));
        assert_eq!(c.story_points.as_deref(), Some("customfield_10016"));
        let fields = json!({"customfield_10016": 5.0, "customfield_10020": [{"id": 1, "name": "S9", "state": "active", "boardId": 2}],
            "fixVersions": [{"name": "1.0", "released": true}, {"name": "1.1", "released": false}],
            "parent": {"key": "PROJ-1"}, "status": {"statusCategory": {"key": "indeterminate"}}});
        let p = planning(fields.as_object().unwrap(), Some(&c));
        assert_eq!(p.sprint.as_deref(), Some("S9"));
        assert_eq!(p.estimate, Some(5.0));
        assert_eq!(p.release.as_deref(), Some("1.1"));
        assert_eq!(p.parent.as_deref(), Some("PROJ-1"));
        assert_eq!(p.status_category, Some(StatusCategory::InProgress));
        assert!(!p.unknown.estimate);
    }
}
