//! Atlassian Document Format rendering (Jira Cloud, REST v3). ADF text nodes are not
//! markup, but Jira still turns addresses in them into links and shows line breaks: every
//! text is defused (`inert`) like in the other formats, and a link mark is only ever one
//! TicketLens built, to an `http(s)` address. Mentions exist in ADF only as `mention`
//! nodes, which this writer never makes.

use super::doc::{Block, Doc, Inline};
use super::inert::{code, defuse, link_target};
use serde_json::{json, Value};

fn inlines(parts: &[Inline]) -> Vec<Value> {
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => json!({ "type": "text", "text": defuse(t) }),
            Inline::Strong(t) => {
                json!({ "type": "text", "text": defuse(t), "marks": [{ "type": "strong" }] })
            }
            Inline::Code(t) => {
                json!({ "type": "text", "text": code(t), "marks": [{ "type": "code" }] })
            }
            Inline::Link { text, url } => match link_target(url) {
                Some(href) => json!({
                    "type": "text", "text": defuse(text),
                    "marks": [{ "type": "link", "attrs": { "href": href } }]
                }),
                None => json!({ "type": "text", "text": defuse(text) }),
            },
        })
        // ADF refuses empty text nodes
        .filter(|node| node["text"].as_str().is_some_and(|t| !t.is_empty()))
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
                "content": [{ "type": "text", "text": defuse(t), "marks": [{ "type": "em" }] }]
            }),
            Block::Collapsed { summary, body } => json!({
                "type": "expand", "attrs": { "title": summary }, "content": blocks(body)
            }),
        })
        .collect()
}
