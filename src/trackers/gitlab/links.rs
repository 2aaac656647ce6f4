//! The duplicate link of an issue hook: `object_attributes.duplicated_to_id`, the global id
//! of the issue this one was closed as a duplicate of (`/duplicate #N`). GitLab names it by
//! id only, which is how TicketLens stores GitLab tickets, so the worker names it by key
//! from the store.

use crate::domain::{LinkNotice, LinkedTicket, TicketKey, Tracker};
use crate::trackers::forge::id_text;
use serde_json::Value;

/// The link of an issue or work item hook whose issue is a duplicate of another; news when
/// the hook closed it or changed `duplicated_to_id`. `None` without one.
pub fn webhook_links(event: Option<&str>, body: &[u8]) -> Option<LinkNotice> {
    if !matches!(
        event.map(str::trim),
        Some("Issue Hook" | "Confidential Issue Hook")
    ) {
        return None;
    }
    let root: Value = serde_json::from_slice(body).ok()?;
    let attrs = root.get("object_attributes")?;
    let other = attrs.get("duplicated_to_id").and_then(id_text)?;
    let path = root.pointer("/project/path_with_namespace")?.as_str()?;
    let iid = attrs.get("iid")?.as_u64()?;
    let key = TicketKey::parse(&format!("{path}#{iid}")).ok()?;
    let ticket_id = attrs.get("id").and_then(id_text)?;
    if other == ticket_id {
        return None;
    }
    let news = attrs.get("action").and_then(Value::as_str) == Some("close")
        || root.pointer("/changes/duplicated_to_id").is_some();
    Some(LinkNotice {
        tracker: Tracker::Gitlab,
        ticket_id,
        key: key.to_string(),
        links: vec![LinkedTicket::Id(other)],
        news,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOSED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fixtures/webhooks/gitlab/zulip-issue_hook__task_closed.json"
    );

    #[test]
    fn a_hook_names_the_issue_it_was_closed_as_a_duplicate_of_by_id() {
        let mut v: Value = serde_json::from_slice(&std::fs::read(CLOSED).unwrap()).unwrap();
        let links = |v: &Value, e| webhook_links(Some(e), v.to_string().as_bytes());
        assert_eq!(links(&v, "Issue Hook"), None, "duplicated_to_id is null");
        v["object_attributes"]["duplicated_to_id"] = 191205600.into();
        let n = links(&v, "Issue Hook").unwrap();
        assert_eq!(n.links, [LinkedTicket::Id("191205600".into())]);
        assert_eq!(n.key, "sathwikshetty33-group/mVc#8");
        assert!(n.news);
        v["object_attributes"]["action"] = "update".into();
        assert!(!links(&v, "Issue Hook").unwrap().news);
        assert_eq!(links(&v, "Note Hook"), None);
    }
}
