//! Jira wiki markup rendering (Jira Data Center, REST v2).

use super::model::{Block, Doc, Inline};

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
    let mut out = Vec::new();
    for block in doc {
        match block {
            Block::Heading(p) => out.push(format!("h3. {}", inlines(p))),
            Block::Paragraph(p) => out.push(inlines(p)),
            Block::List(items) => {
                let mut lines = Vec::new();
                for (item, nested) in items {
                    lines.push(format!("* {}", inlines(item)));
                    for n in nested {
                        lines.push(format!("** {}", inlines(n)));
                    }
                }
                out.push(lines.join("\n"));
            }
            Block::Footer(t) => out.push(format!("_{}_", escape(t))),
        }
    }
    out.join("\n\n") + "\n"
}
