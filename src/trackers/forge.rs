//! What GitHub and GitLab share: the hidden marker that makes a comment findable as ours,
//! `Link` header pagination, their timestamps, and small JSON readers for their payloads.

use crate::domain::ParseError;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Pages a comment lookup or a duplicate lookup reads at most (100 items each).
pub const MAX_LOOKUP_PAGES: usize = 100;

/// The hidden marker of a comment we create: an HTML comment, which GitHub and GitLab
/// Markdown do not show, carrying the planned id we recorded before sending the create.
pub fn planned_marker(planned_id: &str) -> String {
    format!("<!-- ticketlens:planned_id={planned_id} -->")
}

/// The body we send: the rendered comment, then the marker.
pub fn with_marker(body: &str, planned_id: &str) -> String {
    format!("{}\n\n{}\n", body.trim_end(), planned_marker(planned_id))
}

/// The marker of an update: the comment is recorded as ours by its id, so no planned id
/// is needed any more; the marker still tells people and tools where it came from.
pub const UPDATED_MARKER: &str = "<!-- ticketlens:comment -->";

/// The body of an update: the rendered comment, then [`UPDATED_MARKER`].
pub fn with_updated_marker(body: &str) -> String {
    format!("{}\n\n{UPDATED_MARKER}\n", body.trim_end())
}

/// Tells whether a comment body carries this planned id's marker (and not merely another
/// installation's, whose planned ids differ).
pub fn has_marker(body: &str, planned_id: &str) -> bool {
    !planned_id.is_empty() && body.contains(&planned_marker(planned_id))
}

/// The planned id of a body's marker, if it has one.
pub fn marker_of(body: &str) -> Option<&str> {
    let start = body.find("<!-- ticketlens:planned_id=")? + "<!-- ticketlens:planned_id=".len();
    let rest = &body[start..];
    let end = rest.find(" -->")?;
    Some(&rest[..end]).filter(|id| !id.is_empty() && id.len() <= 64)
}

/// The `rel="next"` URL of an RFC 8288 `Link` header, if any.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.trim().split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

/// A next-page URL is followed only when it stays under the configured API root: the
/// request carries our token, and a header must not be able to send it elsewhere.
pub fn same_origin(next: &str, api_root: &str) -> bool {
    let root = api_root.trim_end_matches('/');
    next.strip_prefix(root)
        .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('?'))
}

/// A GitHub (RFC 3339) or GitLab (`2016-08-18 17:47:36 UTC`, `2024-01-02 10:00:00 +0100`)
/// timestamp as RFC 3339 UTC; anything unparseable is returned unchanged.
pub fn normalize_time(s: &str) -> String {
    let t = s.trim();
    let utc = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    let offset = format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]"
    );
    OffsetDateTime::parse(t, &Rfc3339)
        .or_else(|_| PrimitiveDateTime::parse(t, utc).map(|p| p.assume_utc()))
        .or_else(|_| OffsetDateTime::parse(t, offset))
        .ok()
        .and_then(|dt| dt.checked_to_offset(UtcOffset::UTC))
        .and_then(|dt| dt.format(&Rfc3339).ok())
        .unwrap_or_else(|| s.to_string())
}

/// Longest issue text read (GitHub allows 65 536 characters; GitLab 1 MB).
const MAX_TEXT_BYTES: usize = 256 * 1024;

/// An issue's Markdown as plain text, without HTML comments: GitHub and GitLab do not show
/// them, and issue templates are full of them (`<!-- describe the bug -->`).
pub fn forge_text(markdown: &str) -> String {
    let mut rest = crate::domain::text::cut(markdown, MAX_TEXT_BYTES);
    let mut kept = String::with_capacity(rest.len());
    // each turn consumes at least one comment opener, so this ends
    while let Some(start) = rest.find("<!--") {
        kept.push_str(&rest[..start]);
        match rest[start + 4..].find("-->") {
            Some(end) => rest = &rest[start + 4 + end + 3..],
            None => {
                rest = "";
                break;
            }
        }
    }
    kept.push_str(rest);
    crate::trackers::text::markdown_to_text(&kept)
}

/// The root of a webhook body: a JSON object, else an error naming `body`.
pub fn json_object(body: &[u8]) -> Result<serde_json::Map<String, Value>, ParseError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ParseError::new("body", "expected a JSON object")),
        Err(e) => Err(ParseError::new("body", e.to_string())),
    }
}

/// A string field: `Ok(None)` when absent or null, an error naming it when of another type.
pub fn opt_str<'a>(v: Option<&'a Value>, field: &str) -> Result<Option<&'a str>, ParseError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ParseError::new(field, "expected a string")),
    }
}

/// A positive integer field (issue numbers, ids), also accepted as a string of digits.
pub fn positive(v: Option<&Value>, field: &str) -> Result<u64, ParseError> {
    let n = match v {
        None | Some(Value::Null) => return Err(ParseError::missing(field)),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    };
    n.filter(|n| *n > 0)
        .ok_or_else(|| ParseError::new(field, "expected a positive integer"))
}

/// The names of a list of label objects (`name` on GitHub, `title` on GitLab), skipping
/// labels without one.
pub fn label_names(v: Option<&Value>, attr: &str) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|l| l.get(attr)?.as_str())
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON id (number or string) as text.
pub fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marker_is_found_only_for_its_own_planned_id() {
        let body = with_marker("## TicketLens\nsome text\n", "p-1");
        assert!(has_marker(&body, "p-1"));
        assert!(!has_marker(&body, "p-2"));
        assert!(!has_marker(&body, ""));
        assert_eq!(marker_of(&body), Some("p-1"));
        assert!(body.starts_with("## TicketLens\nsome text\n\n<!-- "));
    }

    #[test]
    fn the_next_link_is_read_from_any_position() {
        let h = r#"<https://api.github.com/repositories/1/issues?page=3>; rel="next", <https://api.github.com/repositories/1/issues?page=9>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/repositories/1/issues?page=3")
        );
        let h = r#"<https://x/?page=1>; rel="prev", <https://x/?page=3>; rel="next""#;
        assert_eq!(next_link(h).as_deref(), Some("https://x/?page=3"));
        assert_eq!(next_link(r#"<https://x/?page=1>; rel="first""#), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn next_links_leaving_the_api_root_are_not_followed() {
        let root = "https://ghe.example.com/api/v3/";
        assert!(same_origin(
            "https://ghe.example.com/api/v3/repos/a/b/issues?page=2",
            root
        ));
        assert!(!same_origin("https://ghe.example.com/api/v30/x", root));
        assert!(!same_origin("https://evil.example/api/v3/x", root));
    }

    #[test]
    fn html_comments_are_not_issue_text() {
        let md = "Crash in `save()`\n\n<!-- Please describe\nthe bug -->\nsteps<!-- x -->here\n<!-- unclosed";
        let text = forge_text(md);
        assert!(
            text.starts_with("Crash in save()") && text.ends_with("stepshere"),
            "{text:?}"
        );
        assert!(
            !text.contains("describe") && !text.contains("unclosed"),
            "{text:?}"
        );
    }

    #[test]
    fn forge_times_become_rfc3339_utc() {
        assert_eq!(
            normalize_time("2016-08-18 17:47:36 UTC"),
            "2016-08-18T17:47:36Z"
        );
        assert_eq!(
            normalize_time("2024-01-02 10:00:00 +0100"),
            "2024-01-02T09:00:00Z"
        );
        assert_eq!(
            normalize_time("2025-02-15T10:13:33Z"),
            "2025-02-15T10:13:33Z"
        );
        assert_eq!(normalize_time("soon"), "soon");
    }
}
