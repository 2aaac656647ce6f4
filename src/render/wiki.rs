//! Jira wiki markup rendering (Jira Data Center, REST v2). Every text is defused first
//! (`inert`), then escaped, inside `{{…}}` as well as outside: Jira reads links
//! (`[x|javascript:…]`) and mentions (`[~accountid:…]`) in monospace too.

use super::doc::{render_lines, Doc, Inline, LineSyntax};
use super::inert::{defuse, guard_line, link_target, ZWSP};

/// Escapes what wiki markup reads as markup in `s` (already folded and defused).
fn escape_wiki(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            // `\\` is a line break and `\X` escapes X: a backslash is kept apart from what
            // follows, so it escapes nothing and our own escapes stay whole
            '\\' => {
                out.push('\\');
                out.push(ZWSP);
                continue;
            }
            '*' | '_' | '{' | '}' | '[' | ']' | '|' | '!' | '+' | '^' | '~' => out.push('\\'),
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Escapes characters wiki markup would read as markup in plain text.
fn escape(s: &str) -> String {
    escape_wiki(&defuse(s))
}

/// A monospace run: defused and escaped like any text (`{{…}}` is not inert in Jira: it
/// reads links, mentions and addresses there too).
fn monospace(t: &str) -> String {
    let t = escape(t);
    if t.is_empty() {
        String::new()
    } else {
        format!("{{{{{t}}}}}")
    }
}

/// A link target inside `[text|url]`: the characters that would end or split it encoded.
fn wiki_url(url: &str) -> String {
    url.replace('[', "%5B")
        .replace(']', "%5D")
        .replace('|', "%7C")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

/// A line's inline runs; a line never starts with `/` (see `guard_line`).
fn inlines(parts: &[Inline]) -> String {
    let line: String = parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) => escape(t),
            Inline::Strong(t) => format!("*{}*", escape(t)),
            Inline::Code(t) => monospace(t),
            Inline::Link { text, url } => match link_target(url) {
                Some(url) => format!("[{}|{}]", escape(text), wiki_url(&url)),
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
            heading: "h3. ",
            bullet: "* ",
            nested_bullet: "** ",
            inlines,
            escape,
            collapsed: None,
        },
    )
}
