//! Ticket text → what to look for: weighted terms, file paths, stack-trace frames, dotted
//! names and identifiers. Template boilerplate and trace noise are down-weighted.

use super::extract::has_source_extension;
use super::tokens::{compound, is_compound, is_word_char, keep, split_identifier, words};
use crate::domain::text::cut;
use std::collections::{HashMap, HashSet};

/// Everything extracted from one ticket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketQuery {
    /// Lowercase terms (identifier parts and compounds) with weights, strongest first.
    pub terms: Vec<(String, f32)>,
    /// Paths written in the text (`src/auth/session.rs`, `Main.java`), in order.
    pub paths: Vec<String>,
    /// Stack-trace frames as path suffixes, innermost (top) frame first.
    pub frames: Vec<String>,
    /// Dotted names (`org.acme.auth.Session`, `requests.sessions`) as slash paths.
    pub qualified: Vec<String>,
    /// Identifiers as written (`BcelShadow`, `resolve_redirects`), for name matching.
    pub identifiers: Vec<String>,
}

const TITLE: f32 = 2.0;
const CODE: f32 = 1.5;
const IDENT: f32 = 1.5;
const TRACE: f32 = 0.4;
const BOILERPLATE: f32 = 0.25;

/// Words that ticket templates and stack traces put everywhere.
const BOILERPLATE_WORDS: &[&str] = &[
    "actual",
    "additional",
    "behavior",
    "behaviour",
    "bug",
    "call",
    "context",
    "description",
    "environment",
    "error",
    "example",
    "exception",
    "expected",
    "file",
    "following",
    "hello",
    "hi",
    "issue",
    "last",
    "line",
    "minimal",
    "os",
    "output",
    "please",
    "problem",
    "python",
    "recent",
    "report",
    "reproduce",
    "result",
    "screenshot",
    "screenshots",
    "steps",
    "summary",
    "thanks",
    "traceback",
    "version",
    "versions",
    "work",
    "works",
];

/// Title and body are cut to these many bytes before parsing: the title weighs most, and a
/// Jira summary holds 255 characters; past the first 64 KiB a body is a pasted log whose
/// further lines add no evidence, only work.
pub const MAX_TITLE_BYTES: usize = 1_000;
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Query terms kept, strongest first (ranking keeps `Params::max_terms` of them by idf).
const MAX_TERMS: usize = 1_000;
/// Paths, frames, dotted names and identifiers kept, each in order of appearance (frames
/// innermost first: a frame's bonus halves within a few frames).
const MAX_EVIDENCE: usize = 64;
/// A token longer than this is no path, frame or dotted name (`a.b.a.b…` is not a package).
const MAX_NAME_BYTES: usize = 300;

/// Parses a ticket's title and body (each cut first, see `MAX_BODY_BYTES`). Linear in the
/// text: every dedup goes through a set.
pub fn parse(title: &str, body: &str) -> TicketQuery {
    let title = cut(title, MAX_TITLE_BYTES);
    let body = cut(body, MAX_BODY_BYTES);
    let mut q = TicketQuery::default();
    let mut seen_identifiers: HashSet<&str> = HashSet::new();
    let mut weights: HashMap<String, (f32, u32)> = HashMap::new();
    let mut add = |term: String, mult: f32| {
        let e = weights.entry(term).or_insert((0.0, 0));
        e.0 = e.0.max(mult);
        e.1 += 1;
    };
    // every whitespace token inside a code span, trimmed as the tokens below are
    let code: HashSet<&str> = code_spans(body)
        .into_iter()
        .flat_map(str::split_whitespace)
        .map(trim_token)
        .collect();
    for (text, base) in [(title, TITLE), (body, 1.0)] {
        let tokens: Vec<&str> = text.split_whitespace().collect();
        for (i, raw) in tokens.iter().enumerate() {
            let in_frame = i > 0 && tokens[i - 1] == "at" && raw.contains('(');
            let token = trim_token(raw);
            if in_frame {
                if let Some(f) = java_frame(token) {
                    q.frames.push(f);
                }
            }
            if let Some(p) = path_mention(token) {
                if raw.len() > 1 && i > 0 && tokens[i - 1] == "File" {
                    q.frames.push(p.clone());
                }
                q.paths.push(p);
            } else if let Some(d) = dotted_name(token).filter(|_| !in_frame) {
                q.qualified.push(d);
            }
            let in_code = !token.is_empty() && code.contains(token);
            for w in words(token) {
                let mut mult = base;
                if in_code {
                    mult *= CODE;
                }
                if in_frame {
                    mult *= TRACE;
                }
                let parts = split_identifier(w);
                let named =
                    is_compound(w) || (in_code && w.len() > 3 && w.starts_with(char::is_uppercase));
                if named || (w.len() > 3 && w.starts_with(char::is_uppercase)) {
                    if named
                        && !in_frame
                        && q.identifiers.len() < MAX_EVIDENCE
                        && seen_identifiers.insert(w)
                    {
                        q.identifiers.push(w.to_string());
                    }
                    let c = compound(w);
                    if parts.len() > 1 && c.len() <= 40 {
                        add(c, mult * IDENT);
                    }
                }
                for p in parts {
                    if keep(&p) {
                        let m = if BOILERPLATE_WORDS.binary_search(&p.as_str()).is_ok() {
                            mult * BOILERPLATE
                        } else {
                            mult
                        };
                        add(p, m);
                    }
                }
            }
        }
    }
    let mut terms: Vec<(String, f32)> = weights
        .into_iter()
        .map(|(t, (m, n))| (t, m * (1.0 + (n as f32).ln())))
        .collect();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    terms.truncate(MAX_TERMS);
    q.terms = terms;
    dedup(&mut q.paths);
    dedup(&mut q.frames);
    dedup(&mut q.qualified);
    q
}

/// Keeps the first occurrence of each, at most `MAX_EVIDENCE` of them.
fn dedup(v: &mut Vec<String>) {
    let mut seen = HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
    v.truncate(MAX_EVIDENCE);
}

/// A whitespace token without the quotes, brackets and punctuation around it.
fn trim_token(raw: &str) -> &str {
    raw.trim_matches(|c: char| "\"'`,;()[]{}<>".contains(c))
}

/// Contents of Markdown code spans and fenced blocks.
fn code_spans(text: &str) -> Vec<&str> {
    text.split("```")
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s)
        .chain(
            text.split('`')
                .enumerate()
                .filter(|(i, s)| i % 2 == 1 && !s.contains('\n'))
                .map(|(_, s)| s),
        )
        .collect()
}

/// `org.acme.Foo$Bar.method(Foo.java:12)` → `org/acme/Foo.java`.
pub fn java_frame(token: &str) -> Option<String> {
    if token.len() > MAX_NAME_BYTES {
        return None;
    }
    let (qualified, rest) = token.split_once('(')?;
    let comps: Vec<&str> = qualified.split('.').collect();
    if comps.len() < 3
        || comps
            .iter()
            .any(|c| c.is_empty() || !c.chars().all(is_word_char))
    {
        return None;
    }
    let class = comps[comps.len() - 2].split('$').next()?;
    let package = comps[..comps.len() - 2].join("/");
    let file = rest
        .split([':', ')'])
        .next()
        .filter(|f| f.contains('.') && !f.contains(' '))
        .map(str::to_string)
        .unwrap_or_else(|| format!("{class}.java"));
    Some(format!("{package}/{file}"))
}

/// A source-file path as written (`./src/a.py:12:3`, `C:\x\y.cs`) → `src/a.py`.
pub fn path_mention(token: &str) -> Option<String> {
    if token.len() > MAX_NAME_BYTES {
        return None;
    }
    let t = token.replace('\\', "/");
    let mut t = t.as_str();
    while let Some((head, tail)) = t.rsplit_once(':') {
        if tail.chars().all(|c| c.is_ascii_digit()) {
            t = head;
        } else {
            break;
        }
    }
    let t = t.trim_start_matches("./").trim_start_matches('/');
    let t = t
        .rsplit_once(':')
        .map_or(t, |(_, p)| p)
        .trim_start_matches('/');
    let name = t.rsplit('/').next()?;
    let stem = name.rsplit_once('.')?.0;
    let ok = !stem.is_empty()
        && t.chars().all(|c| is_word_char(c) || "/.-+@".contains(c))
        && (t.contains('/') || stem.chars().all(is_word_char))
        && has_source_extension(name);
    ok.then(|| t.to_string())
}

/// `org.aspectj.weaver.World` or `requests.sessions.Session.send` → slash form, when it
/// has at least three components and starts lowercase (a package, not a sentence).
pub fn dotted_name(token: &str) -> Option<String> {
    if token.len() > MAX_NAME_BYTES {
        return None;
    }
    let t = token.trim_end_matches(['.', ':']);
    let t = t.split('(').next().unwrap_or(t);
    let comps: Vec<&str> = t.split('.').collect();
    let ok = comps.len() >= 3
        && comps
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(is_word_char))
        && comps[0].starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && !comps.iter().any(|c| c.chars().all(|x| x.is_ascii_digit()));
    ok.then(|| comps.join("/"))
}

/// Identifier parts of `text` weighted by their count: the plain BM25 query.
pub fn plain_terms(text: &str) -> Vec<(String, f32)> {
    let mut all = Vec::new();
    super::tokens::parts(text, &mut all);
    let mut counts: HashMap<String, f32> = HashMap::new();
    for t in all {
        *counts.entry(t).or_default() += 1.0;
    }
    let mut v: Vec<(String, f32)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boilerplate_list_is_sorted() {
        assert!(BOILERPLATE_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn java_stack_frames_become_path_suffixes_innermost_first() {
        let q = parse(
            "NPE in weaver",
            "java.lang.NullPointerException \tat org.aspectj.weaver.bcel.BcelShadow$1.run(BcelShadow.java:12) \tat org.aspectj.weaver.World.resolve(Unknown Source)",
        );
        assert_eq!(
            q.frames,
            [
                "org/aspectj/weaver/bcel/BcelShadow.java",
                "org/aspectj/weaver/World.java"
            ]
        );
    }

    #[test]
    fn python_tracebacks_and_written_paths_are_extracted() {
        let q = parse(
            "crash",
            "Traceback (most recent call last):\n  File \"/usr/lib/python3/site-packages/requests/sessions.py\", line 12, in send\nsee src/_pytest/python.py:100 and `conftest.py`",
        );
        assert_eq!(
            q.frames,
            ["usr/lib/python3/site-packages/requests/sessions.py"]
        );
        assert!(
            q.paths.contains(&"src/_pytest/python.py".to_string()),
            "{:?}",
            q.paths
        );
        assert!(q.paths.contains(&"conftest.py".to_string()));
    }

    #[test]
    fn path_mentions_ignore_prose_and_strip_line_numbers() {
        assert_eq!(path_mention("./lib/a.rs:12:4").as_deref(), Some("lib/a.rs"));
        assert_eq!(
            path_mention(r"C:\proj\Foo.cs").as_deref(),
            Some("proj/Foo.cs")
        );
        assert_eq!(path_mention("e.g."), None);
        assert_eq!(path_mention("version1.2"), None);
        assert_eq!(path_mention("notes.txt"), None);
    }

    #[test]
    fn dotted_names_become_paths_and_sentences_do_not() {
        assert_eq!(
            dotted_name("org.aspectj.weaver.World").as_deref(),
            Some("org/aspectj/weaver/World")
        );
        assert_eq!(
            dotted_name("requests.sessions.Session.send()").as_deref(),
            Some("requests/sessions/Session/send")
        );
        assert_eq!(dotted_name("e.g."), None);
        assert_eq!(dotted_name("version 1.2.3"), None);
    }

    #[test]
    fn identifiers_weigh_more_than_template_words_and_title_words_weigh_most() {
        let q = parse(
            "Redirect loses method",
            "Steps to reproduce: call `Session.resolve_redirects` with a 303\nExpected behavior: GET",
        );
        let w = |t: &str| {
            q.terms
                .iter()
                .find(|(x, _)| x == t)
                .map(|x| x.1)
                .unwrap_or(0.0)
        };
        assert!(w("resolveredirects") > w("redirects") * 0.99);
        assert!(w("redirect") > w("reproduce"));
        assert!(w("expected") < 0.5);
        assert!(q.identifiers.contains(&"resolve_redirects".to_string()));
        assert!(q.identifiers.contains(&"Session".to_string()));
    }
}
