//! Markdown rendering (Linear, GitHub, GitLab). Every text is defused first (`inert`), then
//! escaped: no quoted piece can mention, reference, link, or start a line.

use super::doc::{render_lines, Doc, Inline, LineSyntax};
use super::inert::{code, defuse, guard_line, link_target};

/// Escapes characters Markdown would read as markup in plain text: emphasis, code, links
/// and images, HTML and entities (`&#64;`), headings, tables, strikethrough and math.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in defuse(s).chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A code span: inert in GitHub, GitLab and Linear Markdown, so only folded, with
/// backticks (which would close it) replaced.
fn code_span(t: &str) -> String {
    let t = code(t).replace('`', "'");
    if t.is_empty() {
        String::new()
    } else {
        format!("`{t}`")
    }
}

/// A line's inline runs; a line never starts with `/` (see `guard_line`).
fn inlines(parts: &[Inline]) -> String {
    let line: String = parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => escape(t),
            Inline::Strong(t) => format!("**{}**", escape(t)),
            Inline::Code(t) => code_span(t),
            Inline::Link { text, url } => match link_target(url) {
                Some(url) => format!(
                    "[{}]({})",
                    escape(text),
                    url.replace('(', "%28").replace(')', "%29")
                ),
                None => escape(text),
            },
        })
        .collect();
    guard_line(line)
}

pub fn render(doc: &Doc) -> String {
    render_lines(
        doc,
        &LineSyntax {
            heading: "### ",
            bullet: "- ",
            nested_bullet: "  - ",
            inlines,
            escape,
            collapsed: Some(("<details><summary>{}</summary>", "</details>")),
        },
    )
}
