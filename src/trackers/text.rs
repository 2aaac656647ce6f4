//! Flattening of tracker markup (Jira wiki markup, ADF, Markdown) into plain text for search.
//!
//! The converters are deliberately forgiving: they never panic, leave anything they do not
//! recognise as it was, and keep the content of code blocks verbatim (stack traces live there).
//! Shared machinery: text is handled as a vector of [`Tok`]s, where a *literal* token (escaped
//! character, code content) is never taken for markup by a later pass.

mod markdown;
mod wiki;

pub use markdown::markdown_to_text;
pub use wiki::jira_wiki_to_text;

use serde_json::Value;

/// Deepest ADF nesting followed; deeper nodes are skipped (serde_json itself stops at 128).
const MAX_ADF_DEPTH: usize = 256;

/// One character of the text being flattened; `lit` marks characters that are content, never markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tok {
    c: char,
    lit: bool,
}

impl Tok {
    fn plain(c: char) -> Tok {
        Tok { c, lit: false }
    }

    fn lit(c: char) -> Tok {
        Tok { c, lit: true }
    }

    /// True for a markup candidate: the character `c`, not escaped or inside code.
    fn is(&self, c: char) -> bool {
        !self.lit && self.c == c
    }
}

fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// Removes paired emphasis markers made of `len` repetitions of `marker` (`*`, `__`, ...).
///
/// An opening run must not follow a letter or digit and must be followed by a non-space; a
/// closing run must follow a non-space and must not be followed by a letter or digit; both on
/// the same line. So `snake_case_name`, `a*b*c` and `2 * 3` are left alone. Linear time.
fn strip_emphasis(toks: Vec<Tok>, marker: char, len: usize) -> Vec<Tok> {
    let n = toks.len();
    let is_run = |i: usize| i + len <= n && toks[i..i + len].iter().all(|t| t.is(marker));
    let mut line = Vec::with_capacity(n);
    let mut current = 0usize;
    for t in &toks {
        line.push(current);
        if t.c == '\n' {
            current += 1;
        }
    }
    let closers: Vec<usize> = (1..n)
        .filter(|&j| {
            is_run(j)
                && !toks[j - 1].c.is_whitespace()
                && !matches!(toks.get(j + len), Some(t) if t.c.is_alphanumeric())
        })
        .collect();
    let mut removed = vec![false; n];
    let mut p = 0usize;
    for i in 0..n {
        if removed[i] || !is_run(i) {
            continue;
        }
        let after_ok = toks.get(i + len).is_some_and(|t| !t.c.is_whitespace());
        let before_ok = i == 0 || !toks[i - 1].c.is_alphanumeric();
        if !(after_ok && before_ok) {
            continue;
        }
        while p < closers.len() && (closers[p] < i + len + 1 || removed[closers[p]]) {
            p += 1;
        }
        if let Some(&j) = closers.get(p) {
            if line[j] == line[i] && (i..i + len).all(|k| !removed[k]) {
                for k in (i..i + len).chain(j..j + len) {
                    removed[k] = true;
                }
                p += 1;
            }
        }
    }
    toks.into_iter()
        .zip(removed)
        .filter_map(|(t, r)| (!r).then_some(t))
        .collect()
}

/// For every index, the index of the next `pattern` of markup tokens at or after it on the
/// same line (`None` when the line ends first).
fn next_on_line(toks: &[Tok], pattern: &[char]) -> Vec<Option<usize>> {
    let mut next = vec![None; toks.len() + 1];
    for i in (0..toks.len()).rev() {
        next[i] = if toks[i].c == '\n' {
            None
        } else if i + pattern.len() <= toks.len()
            && toks[i..i + pattern.len()]
                .iter()
                .zip(pattern)
                .all(|(t, &p)| t.is(p))
        {
            Some(i)
        } else {
            next[i + 1]
        };
    }
    next
}

/// Final clean-up: trims trailing spaces of every line, keeps at most one blank line in a row
/// and trims the whole text.
fn finish(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.split('\n') {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_string()
}

fn finish_toks(toks: &[Tok]) -> String {
    finish(&toks.iter().map(|t| t.c).collect::<String>())
}

/// Atlassian Document Format (Jira Cloud REST v3 rich text) to plain text: block nodes on their
/// own lines, inline nodes (text, mentions, emoji, cards) joined; unknown nodes contribute their
/// `text` / `attrs.text` and their children.
pub fn adf_to_text(v: &Value) -> String {
    let mut out = String::new();
    adf_walk(v, &mut out, 0);
    finish(&out)
}

fn adf_walk(v: &Value, out: &mut String, depth: usize) {
    if depth > MAX_ADF_DEPTH {
        return;
    }
    let node = match v {
        Value::Array(items) => {
            for item in items {
                adf_walk(item, out, depth + 1);
            }
            return;
        }
        Value::String(s) if depth == 0 => {
            out.push_str(s);
            return;
        }
        Value::Object(node) => node,
        _ => return,
    };
    let attr = |k: &str| {
        node.get("attrs")
            .and_then(|a| a.get(k))
            .and_then(Value::as_str)
    };
    let text = node.get("text").and_then(Value::as_str);
    let ty = node.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "text" => out.push_str(text.unwrap_or("")),
        "hardBreak" | "rule" => out.push('\n'),
        "mention" | "status" => out.push_str(attr("text").unwrap_or("")),
        "emoji" => out.push_str(attr("text").or_else(|| attr("shortName")).unwrap_or("")),
        "inlineCard" => out.push_str(attr("url").unwrap_or("")),
        "doc" | "paragraph" | "heading" | "codeBlock" | "blockquote" | "bulletList"
        | "orderedList" | "listItem" | "panel" | "table" | "tableRow" | "tableHeader"
        | "tableCell" | "mediaSingle" | "mediaGroup" | "expand" | "nestedExpand" | "taskList"
        | "taskItem" | "decisionList" | "decisionItem" | "layoutSection" | "layoutColumn"
        | "blockCard" | "embedCard" => {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if let Some(extra) = attr("title").or_else(|| attr("url")) {
                out.push_str(extra);
                out.push('\n');
            }
            if let Some(content) = node.get("content") {
                adf_walk(content, out, depth + 1);
            }
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        _ => {
            if let Some(t) = text.or_else(|| attr("text")) {
                out.push_str(t);
            }
            if let Some(content) = node.get("content") {
                adf_walk(content, out, depth + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn toks(s: &str) -> Vec<Tok> {
        s.chars().map(Tok::plain).collect()
    }

    fn emph(s: &str, m: char, len: usize) -> String {
        strip_emphasis(toks(s), m, len)
            .iter()
            .map(|t| t.c)
            .collect()
    }

    #[test]
    fn emphasis_pairs_only_at_word_boundaries() {
        assert_eq!(emph("a *bold* word", '*', 1), "a bold word");
        assert_eq!(
            emph("snake_case_name and _it_.", '_', 1),
            "snake_case_name and it."
        );
        assert_eq!(emph("a*b*c and 2 * 3 * 4", '*', 1), "a*b*c and 2 * 3 * 4");
        assert_eq!(emph("**strong** text", '*', 2), "strong text");
        assert_eq!(emph("*open\nclose*", '*', 1), "*open\nclose*");
        assert_eq!(emph("*", '*', 1), "*");
    }

    #[test]
    fn adf_paragraphs_code_and_inline_nodes() {
        let doc = json!({"type": "doc", "version": 1, "content": [
            {"type": "heading", "attrs": {"level": 1}, "content": [{"type": "text", "text": "Crash"}]},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "Hi "},
                {"type": "mention", "attrs": {"id": "abc", "text": "@Ann"}},
                {"type": "text", "text": " see", "marks": [{"type": "strong"}]},
                {"type": "hardBreak"},
                {"type": "inlineCard", "attrs": {"url": "https://x.test/1"}}
            ]},
            {"type": "codeBlock", "attrs": {"language": "java"}, "content": [
                {"type": "text", "text": "at a.b(C.java:1)\nat d.e(F.java:2)"}
            ]},
            {"type": "bulletList", "content": [
                {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "one"}]}]},
                {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "two"}]}]}
            ]},
            {"type": "mysteryNode", "attrs": {"text": "odd"}, "content": [{"type": "text", "text": "!"}]}
        ]});
        assert_eq!(
            adf_to_text(&doc),
            "Crash\nHi @Ann see\nhttps://x.test/1\nat a.b(C.java:1)\nat d.e(F.java:2)\none\ntwo\nodd!"
        );
    }

    #[test]
    fn adf_tolerates_odd_values() {
        assert_eq!(adf_to_text(&json!(null)), "");
        assert_eq!(adf_to_text(&json!("plain")), "plain");
        assert_eq!(adf_to_text(&json!({"type": "doc", "content": 3})), "");
        assert_eq!(
            adf_to_text(&json!([{"text": "a"}, {"type": "text", "text": 5}])),
            "a"
        );
    }

    #[test]
    fn pathological_inputs_stay_linear() {
        let units = [
            "*a ", "_a_b ", "[a ", "{{a ", "!a.b ", "[a](( ", "`` ` ", "[~", "{color:", "\\",
            "**x ",
        ];
        for unit in units {
            let s = unit.repeat(40_000);
            let started = std::time::Instant::now();
            let _ = jira_wiki_to_text(&s);
            let _ = markdown_to_text(&s);
            let elapsed = started.elapsed();
            // A guard against quadratic work, not a speed target (benches measure speed):
            // linear work on these 160k characters takes well under a second, quadratic
            // work minutes; the wide bound keeps a loaded CI machine from failing it.
            assert!(elapsed.as_secs() < 60, "{unit:?} took {elapsed:?}");
        }
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            prop_oneof![
                Just("text".to_string()),
                Just("paragraph".to_string()),
                Just("hardBreak".to_string()),
                Just("mention".to_string()),
                any::<String>()
            ]
            .prop_map(Value::from),
        ];
        leaf.prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("type".to_string()),
                        Just("content".to_string()),
                        Just("text".to_string()),
                        Just("attrs".to_string()),
                        "[a-z]{1,5}"
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn wiki_never_panics(s in any::<String>()) {
            let _ = jira_wiki_to_text(&s);
        }

        #[test]
        fn wiki_never_panics_on_markup_soup(s in r"[\[\]{}*_~|!\\#^hbq1.:a-z0-9 \n\r-]{0,300}") {
            let out = jira_wiki_to_text(&s);
            prop_assert!(!out.contains('\r'));
        }

        #[test]
        fn wiki_keeps_code_verbatim(code in r"[a-z_*\[\]|!]([a-z_*\[\]|! ]{0,40}[a-z_*\[\]|!])?") {
            let out = jira_wiki_to_text(&format!("h2. Trace\n{{code:java}}\n{code}\n{{code}}\n*done*"));
            prop_assert_eq!(out, format!("Trace\n\n{code}\n\ndone"));
        }

        #[test]
        fn markdown_never_panics(s in any::<String>()) {
            let _ = markdown_to_text(&s);
        }

        #[test]
        fn markdown_never_panics_on_markup_soup(s in r"[\[\]()<>!*_~`#\\ a-z0-9:/\n\r-]{0,300}") {
            let out = markdown_to_text(&s);
            prop_assert!(!out.contains('\r'));
        }

        #[test]
        fn markdown_keeps_fenced_code_verbatim(code in r"[a-z_*\[\]()#]([a-z_*\[\]()# ]{0,40}[a-z_*\[\]()#])?") {
            let out = markdown_to_text(&format!("# Trace\n```rust\n{code}\n```\n**done**"));
            prop_assert_eq!(out, format!("Trace\n{code}\ndone"));
        }

        #[test]
        fn adf_never_panics(v in arb_json()) {
            let _ = adf_to_text(&v);
        }
    }
}
