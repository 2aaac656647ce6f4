//! GitHub's and GitLab's planning fields: priority from a label (`priority: high`, `P1`,
//! `priority::1`), milestone as the release, GitLab's iteration, epic and weight, the first
//! assignee and the open or closed state. Both forges use the same names for these in their
//! webhooks and their REST issues, except that a GitLab webhook names the milestone and the
//! iteration only by id: those are then left as stored.

use crate::domain::{Planning, Priority, StatusCategory, Unknown};
use serde_json::{Map, Value};

/// The first label that names a priority, and that priority.
pub fn priority_label(labels: &[String]) -> Option<(String, Priority)> {
    labels
        .iter()
        .find_map(|l| Priority::from_word(l).map(|p| (l.clone(), p)))
}

/// The planning data of an issue object (a webhook's `issue` or `object_attributes`, or a
/// REST issue). `assignees` is where the payload lists them (GitLab hooks put them beside
/// `object_attributes`).
pub fn planning(
    issue: &Map<String, Value>,
    labels: &[String],
    assignees: Option<&Value>,
) -> Planning {
    let title = |field: &str| {
        issue
            .get(field)
            .and_then(|m| m.get("title"))
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    let id_only = |field: &str, id: &str| {
        title(field).is_none() && issue.get(id).is_some_and(|v| !v.is_null())
    };
    let person = |p: &Value| {
        ["name", "login", "username"]
            .iter()
            .find_map(|k| p.get(*k)?.as_str().filter(|s| !s.is_empty()))
            .map(str::to_string)
    };
    let assignee = issue
        .get("assignee")
        .filter(|a| a.is_object())
        .and_then(person)
        .or_else(|| {
            let list = assignees.or_else(|| issue.get("assignees"))?;
            list.as_array()?.first().and_then(person)
        });
    Planning {
        priority: priority_label(labels).map(|(_, p)| p),
        sprint: title("iteration"),
        release: title("milestone"),
        parent: title("epic"),
        estimate: issue.get("weight").and_then(Value::as_f64),
        assignee,
        status_category: issue
            .get("state")
            .and_then(Value::as_str)
            .and_then(StatusCategory::parse),
        unknown: Unknown {
            sprint: id_only("iteration", "iteration_id"),
            release: id_only("milestone", "milestone_id"),
            estimate: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(tracker: &str, file: &str) -> Value {
        let path = format!(
            "{}/tests/data/fixtures/webhooks/{tracker}/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn a_real_github_milestone_and_assignee_are_read() {
        let v = fixture("github", "zulip-issues__milestoned.json");
        let p = planning(v["issue"].as_object().unwrap(), &[], None);
        let want = v["issue"]["milestone"]["title"].as_str().unwrap();
        assert_eq!(p.release.as_deref(), Some(want));
        assert_eq!(p.assignee.as_deref(), Some("sbansal1999"));
        assert_eq!(p.status_category, Some(StatusCategory::Todo));
        assert_eq!(p.unknown, Unknown::default());
        let v = fixture("github", "zulip-issues__demilestoned.json");
        assert_eq!(
            planning(v["issue"].as_object().unwrap(), &[], None).release,
            None
        );
    }

    #[test]
    fn a_real_gitlab_hook_gives_weight_and_assignee_and_leaves_an_id_only_milestone_as_stored() {
        let v = fixture("gitlab", "zulip-issue_hook__issue_updated.json");
        let p = planning(
            v["object_attributes"].as_object().unwrap(),
            &[],
            v.get("assignees"),
        );
        assert_eq!(p.estimate, Some(3.0));
        assert!(!p.unknown.release, "milestone_id is null: no milestone");
        let v = fixture(
            "gitlab",
            "zulip-issue_hook__issue_created_with_two_assignees.json",
        );
        let p = planning(
            v["object_attributes"].as_object().unwrap(),
            &[],
            v.get("assignees"),
        );
        assert_eq!(p.assignee.as_deref(), Some("Adam Birds"));
        let mut attrs = v["object_attributes"].as_object().unwrap().clone();
        attrs.insert("milestone_id".into(), json!(12));
        assert!(planning(&attrs, &[], None).unknown.release);
        let rest = json!({"milestone": {"title": "16.4"}, "iteration": {"title": "Iteration 9"},
            "epic": {"title": "Billing"}, "weight": 5, "state": "closed"});
        let labels = vec!["bug".to_string(), "priority::1".to_string()];
        let p = planning(rest.as_object().unwrap(), &labels, None);
        assert_eq!(
            (p.release.as_deref(), p.sprint.as_deref()),
            (Some("16.4"), Some("Iteration 9"))
        );
        assert_eq!(p.parent.as_deref(), Some("Billing"));
        assert_eq!(p.priority, Some(Priority::High));
        assert_eq!(p.status_category, Some(StatusCategory::Done));
        assert_eq!(
            priority_label(&labels),
            Some(("priority::1".into(), Priority::High))
        );
    }
}
