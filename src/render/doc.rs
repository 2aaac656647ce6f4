//! The format-neutral document every comment is built as: blocks of inline runs. Its own
//! file so that the parts that build it (`model`, `brief`, `precedents`) share the types
//! without importing each other.

/// Inline content.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Strong(String),
    Code(String),
    Link { text: String, url: String },
}

/// Block content.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(Vec<Inline>),
    Paragraph(Vec<Inline>),
    /// Items, each a line of inlines with optional nested lines.
    List(Vec<(Vec<Inline>, Vec<Vec<Inline>>)>),
    /// Small print at the end.
    Footer(String),
    /// A section the reader opens (GitHub/GitLab `<details>`, Jira Cloud's `expand`).
    Collapsed {
        summary: String,
        body: Doc,
    },
}

pub type Doc = Vec<Block>;

pub(super) fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

/// A UTC date, `2026-08-14`.
pub fn date(ms: i64) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| t.format(&f).ok())
        .unwrap_or_else(|| "?".into())
}

/// The line-level syntax of a text markup (Markdown, Jira wiki): prefixes for headings and
/// list levels, and how inline runs and plain text are written.
pub struct LineSyntax {
    pub heading: &'static str,
    pub bullet: &'static str,
    pub nested_bullet: &'static str,
    pub inlines: fn(&[Inline]) -> String,
    pub escape: fn(&str) -> String,
    /// Opening and closing of a collapsed section (its summary goes in `{}`); `None`: the
    /// markup has none, and the section is left out (the page link carries it).
    pub collapsed: Option<(&'static str, &'static str)>,
}

/// Lays a document out as lines in a text markup; blocks are separated by a blank line.
pub fn render_lines(doc: &Doc, syntax: &LineSyntax) -> String {
    let mut out = Vec::new();
    for block in doc {
        match block {
            Block::Heading(p) => out.push(format!("{}{}", syntax.heading, (syntax.inlines)(p))),
            Block::Paragraph(p) => out.push((syntax.inlines)(p)),
            Block::List(items) => {
                let mut lines = Vec::new();
                for (item, nested) in items {
                    lines.push(format!("{}{}", syntax.bullet, (syntax.inlines)(item)));
                    for n in nested {
                        lines.push(format!("{}{}", syntax.nested_bullet, (syntax.inlines)(n)));
                    }
                }
                out.push(lines.join("\n"));
            }
            // Both markups write emphasis as _text_.
            Block::Footer(t) => out.push(format!("_{}_", (syntax.escape)(t))),
            Block::Collapsed { summary, body } => {
                if let Some((open, close)) = syntax.collapsed {
                    let inner = render_lines(body, syntax);
                    out.push(format!(
                        "{}\n\n{}\n{close}",
                        open.replace("{}", &(syntax.escape)(summary)),
                        inner.trim_end()
                    ));
                }
            }
        }
    }
    out.join("\n\n") + "\n"
}
