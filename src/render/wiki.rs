//! Jira wiki markup rendering (Jira Data Center, REST v2).

use super::model::{render_lines, Doc, Inline, LineSyntax};

/// Escapes characters wiki markup would read as markup in plain text.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '*' | '_' | '{' | '}' | '[' | ']' | '|' | '!' | '+' | '^' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn inlines(parts: &[Inline]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => escape(t),
            Inline::Strong(t) => format!("*{}*", escape(t)),
            Inline::Code(t) => format!("{{{{{}}}}}", t.replace('}', ")")),
            Inline::Link { text, url } => format!("[{}|{}]", escape(text), url.replace(']', "%5D")),
        })
        .collect()
}

pub fn render(doc: &Doc) -> String {
    render_lines(
        doc,
        &LineSyntax {
            heading: "h3. ",
            bullet: "* ",
            nested_bullet: "** ",
            inlines,
            escape,
            collapsed: None,
        },
    )
}
