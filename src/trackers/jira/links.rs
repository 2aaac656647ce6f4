//! Jira's duplicate links, read from an issue's `fields.issuelinks` the same way whether the
//! issue came from a search answer (back-fill) or a webhook.

use crate::domain::{LinkNotice, LinkedTicket, TicketKey, Tracker, MAX_LINKS_PER_EVENT};
use serde_json::Value;

/// Whether a link type is Jira's Duplicate: by its name, or (a renamed or translated type)
/// by its two descriptions, "is duplicated by" / "duplicates"; compared case-insensitively.
fn is_duplicate_type(t: &Value) -> bool {
    let text = |k: &str| t.get(k).and_then(Value::as_str).map(str::trim);
    let is = |k: &str, want: &str| text(k).is_some_and(|s| s.eq_ignore_ascii_case(want));
    is("name", "duplicate") || (is("inward", "is duplicated by") && is("outward", "duplicates"))
}

/// Keys of the issues linked to this one as duplicates, either way (`inwardIssue`: it
/// duplicates this one; `outwardIssue`: this one duplicates it), sorted, without repeats,
/// at most `MAX_LINKS_PER_EVENT`. `fields` is the issue's `fields` object.
pub fn duplicate_keys(fields: &Value) -> Vec<String> {
    let links = fields
        .get("issuelinks")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut keys: Vec<String> = links
        .iter()
        .filter(|l| l.get("type").is_some_and(is_duplicate_type))
        .flat_map(|l| ["/inwardIssue/key", "/outwardIssue/key"].map(|p| l.pointer(p)))
        .filter_map(|k| k?.as_str())
        .filter(|k| TicketKey::parse(k).is_ok())
        .map(str::to_string)
        .collect();
    keys.sort();
    keys.dedup();
    keys.truncate(MAX_LINKS_PER_EVENT);
    keys
}

/// The duplicate links of an issue webhook (created or updated; a deletion has none). It is
/// news when the changelog touched the issue's links; `None` without any duplicate link.
pub fn webhook_links(body: &[u8]) -> Option<LinkNotice> {
    let root: Value = serde_json::from_slice(body).ok()?;
    if root.get("webhookEvent").and_then(Value::as_str) == Some("jira:issue_deleted") {
        return None;
    }
    let issue = root.get("issue")?;
    let key = TicketKey::parse(issue.get("key")?.as_str()?).ok()?;
    let ticket_id = match issue.get("id")? {
        Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let keys = duplicate_keys(issue.get("fields")?);
    if keys.is_empty() {
        return None;
    }
    let news = root
        .pointer("/changelog/items")
        .and_then(Value::as_array)
        .is_some_and(|items| {
            items.iter().any(|i| {
                i.get("field")
                    .and_then(Value::as_str)
                    .is_some_and(|f| f.trim().eq_ignore_ascii_case("link"))
            })
        });
    Some(LinkNotice {
        tracker: Tracker::Jira,
        ticket_id,
        key: key.to_string(),
        links: keys.into_iter().map(LinkedTicket::Key).collect(),
        news,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn link(name: &str, inward: &str, outward: &str, side: &str, key: &str) -> Value {
        json!({"id": "1", "type": {"id": "10002", "name": name, "inward": inward, "outward": outward},
            side: {"id": "2", "key": key}})
    }

    #[test]
    fn only_duplicate_links_count_on_either_side() {
        let fields = json!({"issuelinks": [
            link("Duplicate", "is duplicated by", "duplicates", "outwardIssue", "TES-1"),
            link("DUPLICATE", "x", "y", "inwardIssue", "TES-2"),
            link("Doublon", "IS DUPLICATED BY", "Duplicates", "inwardIssue", "TES-3"),
            link("Blocks", "is blocked by", "blocks", "outwardIssue", "TES-4"),
            link("Relates", "relates to", "relates to", "inwardIssue", "TES-5"),
            link("Duplicate", "is duplicated by", "duplicates", "outwardIssue", "TES-1"),
            link("Duplicate", "is duplicated by", "duplicates", "outwardIssue", "not a key"),
            {"type": "Duplicate", "inwardIssue": {"key": "TES-6"}},
        ]});
        assert_eq!(duplicate_keys(&fields), ["TES-1", "TES-2", "TES-3"]);
        assert!(duplicate_keys(&json!({"issuelinks": "x"})).is_empty());
        assert!(duplicate_keys(&json!({})).is_empty());
    }

    #[test]
    fn a_webhook_is_news_when_its_changelog_touched_the_links() {
        let mut v = json!({"webhookEvent": "jira:issue_updated",
            "issue": {"id": 10, "key": "TES-9", "fields": {"issuelinks": [
                link("Duplicate", "is duplicated by", "duplicates", "outwardIssue", "TES-1")]}},
            "changelog": {"items": [{"field": "assignee"}]}});
        let n = webhook_links(v.to_string().as_bytes()).unwrap();
        assert_eq!(
            (n.ticket_id.as_str(), n.key.as_str(), n.news),
            ("10", "TES-9", false)
        );
        assert_eq!(n.links, [LinkedTicket::Key("TES-1".into())]);
        v["changelog"]["items"] =
            json!([{"field": "Link", "toString": "This issue duplicates TES-1"}]);
        assert!(webhook_links(v.to_string().as_bytes()).unwrap().news);
        v["webhookEvent"] = json!("jira:issue_deleted");
        assert_eq!(webhook_links(v.to_string().as_bytes()), None);
        assert_eq!(webhook_links(b"{oops"), None);
    }
}
