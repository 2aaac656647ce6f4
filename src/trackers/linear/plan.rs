//! Linear's planning fields, read the same way from a webhook's `data` and a back-fill
//! node: priority (0 none … 4 low), cycle, project or parent issue, estimate, assignee and
//! the state's type.

use crate::domain::{Planning, Priority, StatusCategory};
use serde_json::Value;

/// The planning data of an issue object.
pub fn planning(issue: &Value) -> Planning {
    let text = |p: &str| {
        issue
            .pointer(p)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    let cycle = issue.get("cycle").filter(|c| c.is_object()).and_then(|c| {
        let name = c
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        match name {
            Some(n) => Some(n.to_string()),
            None => c
                .get("number")
                .and_then(Value::as_f64)
                .map(|n| format!("Cycle {n}")),
        }
    });
    Planning {
        priority: match issue.get("priority").and_then(Value::as_f64) {
            Some(n) => Priority::from_linear(n as i64),
            None => text("/priorityLabel").and_then(|w| Priority::from_word(&w)),
        },
        sprint: cycle,
        release: None,
        parent: text("/project/name").or_else(|| text("/parent/identifier")),
        estimate: issue.get("estimate").and_then(Value::as_f64),
        assignee: text("/assignee/name"),
        status_category: text("/state/type").and_then(|t| StatusCategory::parse(&t)),
        unknown: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(file: &str) -> Value {
        let path = format!(
            "{}/tests/data/fixtures/webhooks/linear/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_slice::<Value>(&std::fs::read(path).unwrap()).unwrap()["data"].clone()
    }

    #[test]
    fn real_linear_webhooks_give_priority_cycle_assignee_and_state() {
        let p = planning(&data("zulip-issue_update.json"));
        assert_eq!(p.priority, Some(Priority::Urgent));
        assert_eq!(p.sprint.as_deref(), Some("Cycle 1"));
        assert_eq!(p.assignee.as_deref(), Some("Satyam Bansal"));
        assert_eq!(p.status_category, Some(StatusCategory::InProgress));
        let p = planning(&data("zulip-issue_create_simple_without_description.json"));
        assert_eq!(p.priority, Some(Priority::High));
        assert_eq!(p.sprint, None);
        let p = planning(&data("zulip-issue_create_simple.json"));
        assert_eq!(p.priority, None, "0 is Linear's \"No priority\"");
        assert_eq!(p.status_category, Some(StatusCategory::Todo));
    }

    #[test]
    fn a_back_fill_node_gives_its_cycle_name_project_and_estimate() {
        let node = json!({"priority": 3.0, "estimate": 2.0, "cycle": {"name": "Q3 push", "number": 7.0},
            "project": {"name": "Checkout"}, "state": {"type": "completed"}});
        let p = planning(&node);
        assert_eq!(p.priority, Some(Priority::Medium));
        assert_eq!(p.sprint.as_deref(), Some("Q3 push"));
        assert_eq!(p.parent.as_deref(), Some("Checkout"));
        assert_eq!(p.estimate, Some(2.0));
        assert_eq!(p.status_category, Some(StatusCategory::Done));
    }
}
