//! The duplicate link of an `issues` `closed` webhook whose `state_reason` is `duplicate`:
//! the payload does not name the canonical issue, so the link is a lookup the worker makes
//! (`GithubApi::duplicates_of`, the back-fill's GraphQL timeline query).

use crate::domain::{LinkNotice, LinkedTicket, TicketKey, Tracker};
use crate::trackers::forge::id_text;
use serde_json::Value;

/// A lookup to make when the body is an issue closed as a duplicate; `None` otherwise
/// (pull requests included).
pub fn webhook_links(event: Option<&str>, body: &[u8]) -> Option<LinkNotice> {
    if event.map(str::trim) != Some("issues") {
        return None;
    }
    let root: Value = serde_json::from_slice(body).ok()?;
    let issue = root.get("issue")?;
    let closed_as_duplicate = root.get("action").and_then(Value::as_str) == Some("closed")
        && issue.get("state_reason").and_then(Value::as_str) == Some("duplicate");
    if !closed_as_duplicate || issue.get("pull_request").is_some_and(|p| !p.is_null()) {
        return None;
    }
    let repo = root.pointer("/repository/full_name")?.as_str()?;
    let number = issue.get("number")?.as_u64()?;
    let key = TicketKey::parse(&format!("{repo}#{number}")).ok()?;
    Some(LinkNotice {
        tracker: Tracker::Github,
        ticket_id: issue.get("id").and_then(id_text)?,
        key: key.to_string(),
        links: vec![LinkedTicket::Lookup],
        news: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOSED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/fixtures/webhooks/github/zulip-issues__closed.json"
    );

    #[test]
    fn only_an_issue_closed_as_a_duplicate_is_a_lookup() {
        let mut v: Value = serde_json::from_slice(&std::fs::read(CLOSED).unwrap()).unwrap();
        let links = |v: &Value, e| webhook_links(Some(e), v.to_string().as_bytes());
        assert_eq!(links(&v, "issues"), None, "closed as completed");
        v["issue"]["state_reason"] = "duplicate".into();
        let n = links(&v, "issues").unwrap();
        assert_eq!(n.links, [LinkedTicket::Lookup]);
        assert!(n.news && n.key == "Pritesh-30/test-repo#8", "{n:?}");
        assert_eq!(links(&v, "issue_comment"), None);
        v["action"] = "reopened".into();
        assert_eq!(links(&v, "issues"), None);
        v["action"] = "closed".into();
        v["issue"]["pull_request"] = serde_json::json!({"url": "x"});
        assert_eq!(links(&v, "issues"), None);
    }
}
