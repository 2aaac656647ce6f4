//! Atlassian Document Format rendering (Jira Cloud, REST v3).

use super::model::{Block, Doc, Inline};
use serde_json::{json, Value};

fn inlines(parts: &[Inline]) -> Vec<Value> {
    parts
        .iter()
        .filter(|p| !matches!(p, Inline::Text(t) if t.is_empty()))
        .map(|p| match p {
            Inline::Text(t) => json!({ "type": "text", "text": t }),
            Inline::Strong(t) => {
                json!({ "type": "text", "text": t, "marks": [{ "type": "strong" }] })
            }
            Inline::Code(t) => json!({ "type": "text", "text": t, "marks": [{ "type": "code" }] }),
            Inline::Link { text, url } => json!({
                "type": "text", "text": text,
                "marks": [{ "type": "link", "attrs": { "href": url } }]
            }),
        })
        .collect()
}

fn list_item(item: &[Inline], nested: &[Vec<Inline>]) -> Value {
    let mut content = vec![json!({ "type": "paragraph", "content": inlines(item) })];
    if !nested.is_empty() {
        content.push(bullets(nested.iter().map(|n| (n.as_slice(), &[][..]))));
    }
    json!({ "type": "listItem", "content": content })
}

fn bullets<'a>(items: impl Iterator<Item = (&'a [Inline], &'a [Vec<Inline>])>) -> Value {
    let content: Vec<Value> = items.map(|(i, n)| list_item(i, n)).collect();
    json!({ "type": "bulletList", "content": content })
}

/// Renders the document as an ADF `doc` node (version 1).
pub fn render(doc: &Doc) -> Value {
    json!({ "type": "doc", "version": 1, "content": blocks(doc) })
}

fn blocks(doc: &Doc) -> Vec<Value> {
    doc.iter()
        .map(|block| match block {
            Block::Heading(p) => {
                json!({ "type": "heading", "attrs": { "level": 3 }, "content": inlines(p) })
            }
            Block::Paragraph(p) => json!({ "type": "paragraph", "content": inlines(p) }),
            Block::List(items) => bullets(items.iter().map(|(i, n)| (i.as_slice(), n.as_slice()))),
            Block::Footer(t) => json!({
                "type": "paragraph",
                "content": [{ "type": "text", "text": t, "marks": [{ "type": "em" }] }]
            }),
            Block::Collapsed { summary, body } => json!({
                "type": "expand", "attrs": { "title": summary }, "content": blocks(body)
            }),
        })
        .collect()
}
