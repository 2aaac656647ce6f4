//! Text handling for tickets: the analyzer, identifier splitting, code evidence (exception
//! names, stack frames, dotted names) and line fingerprints for learned boilerplate.

// Fx hashing: these maps are probed tens of thousands of times per search.
use crate::domain::split_identifier;
use rustc_hash::FxHashMap as HashMap;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    WhitespaceTokenizer,
};

/// Name of the stemming analyzer used for title and text.
pub const TEXT_ANALYZER: &str = "tl_text";
/// Name of the whitespace analyzer used for code tokens.
pub const CODE_ANALYZER: &str = "tl_code";

/// The analyzer for prose: words, lower case, English stop words removed, stemmed.
pub fn text_analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match StopWordFilter::new(Language::English) {
        Some(stop) => builder
            .filter(stop)
            .filter(Stemmer::new(Language::English))
            .build(),
        None => builder.filter(Stemmer::new(Language::English)).build(),
    }
}

/// The analyzer for code tokens, which are already normalized and space separated.
pub fn code_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(WhitespaceTokenizer::default())
        .filter(LowerCaser)
        .build()
}

/// Runs an analyzer over text and returns its terms in order.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Counts terms.
pub fn term_counts(terms: &[String]) -> HashMap<String, f32> {
    let mut m = HashMap::default();
    for t in terms {
        *m.entry(t.clone()).or_insert(0.0) += 1.0;
    }
    m
}

/// Appends the parts of camelCase and snake_case identifiers, so `NativeAzureFsOutputStream`
/// also matches "azure output stream".
pub fn with_identifier_parts(text: &str) -> String {
    let mut extra = String::new();
    for word in text.split(|c: char| !c.is_alphanumeric() && c != '_') {
        let parts = split_identifier(word);
        if parts.len() > 1 {
            for p in parts {
                extra.push(' ');
                extra.push_str(&p);
            }
        }
    }
    if extra.is_empty() {
        text.to_string()
    } else {
        format!("{text}\n{extra}")
    }
}

/// Code evidence kept per ticket: the search weighs 16 of the query's, and the overlap of
/// two tickets is judged on what they share among their first few hundred.
pub const MAX_CODE_TOKENS: usize = 200;

/// Extracts strong evidence from stack traces and error text: exception and error class
/// names, `Class.method` of stack frames, dotted configuration keys and package names, and
/// long identifiers. Lower case, deduplicated (through a set), in order of appearance, at
/// most `MAX_CODE_TOKENS`.
pub fn code_tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<String> = Default::default();
    let mut push = |t: String| {
        if t.len() >= 4 && out.len() < MAX_CODE_TOKENS && seen.insert(t.clone()) {
            out.push(t);
        }
    };
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '$')) {
        let t = raw.trim_matches(|c: char| c == '.' || c == '$');
        if t.len() < 4 || t.len() > 120 {
            continue;
        }
        let t = strip_source_suffix(t);
        let segments: Vec<&str> = t.split('.').collect();
        let last = segments.last().copied().unwrap_or_default();
        let is_throwable = |s: &str| {
            (s.ends_with("Exception") || s.ends_with("Error")) && s.len() > 8 && !s.contains('$')
        };
        if let Some(ex) = segments.iter().find(|s| is_throwable(s)) {
            push(ex.to_lowercase());
            continue;
        }
        if segments.len() >= 2 && segments.iter().all(|s| is_word(s)) {
            let n = segments.len();
            if segments[n - 2]
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
            {
                // a stack frame `pkg.Class.method`: the class and the method
                push(format!("{}.{}", segments[n - 2], segments[n - 1]).to_lowercase());
                push(segments[n - 2].to_lowercase());
            } else if last.chars().next().is_some_and(char::is_uppercase) {
                push(last.to_lowercase());
            } else if n >= 3 {
                // a configuration key or package name
                push(t.to_lowercase());
            }
            continue;
        }
        if segments.len() == 1 && is_long_identifier(t) {
            push(t.to_lowercase());
        }
    }
    out
}

fn strip_source_suffix(t: &str) -> &str {
    for suffix in [
        ".java", ".scala", ".py", ".rs", ".go", ".js", ".ts", ".kt", ".cc", ".c",
    ] {
        if let Some(s) = t.strip_suffix(suffix) {
            return s;
        }
    }
    t
}

fn is_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(char::is_alphabetic)
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// `camelCase` or `PascalCase` with at least two humps, or `snake_case`/`SCREAMING_CASE`.
fn is_long_identifier(t: &str) -> bool {
    if t.len() < 6 || !is_word(t) {
        return false;
    }
    let humps = t
        .chars()
        .zip(t.chars().skip(1))
        .filter(|(a, b)| a.is_lowercase() && b.is_uppercase())
        .count();
    humps >= 1 && t.chars().any(char::is_lowercase) || (t.contains('_') && t.len() >= 8)
}

/// A stable 64-bit fingerprint of a line with case, punctuation and spacing ignored; `None`
/// for lines too short to say anything.
pub fn line_fingerprint(line: &str) -> Option<u64> {
    let mut norm = String::with_capacity(line.len());
    for w in line
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !norm.is_empty() {
            norm.push(' ');
        }
        norm.extend(w.chars().flat_map(char::to_lowercase));
    }
    if norm.len() < 3 {
        return None;
    }
    // FNV-1a: stable across processes and releases, unlike the std hasher
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in norm.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    Some(h)
}

/// Keeps the lines of `body` that `is_boilerplate` rejects; empty lines are kept as breaks.
pub fn strip_lines(body: &str, mut is_boilerplate: impl FnMut(u64) -> bool) -> String {
    let mut out = String::with_capacity(body.len());
    for line in body.lines() {
        if line_fingerprint(line).is_some_and(&mut is_boilerplate) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `strip_lines` and `fingerprints` of one body in one pass, each line hashed once.
pub fn strip_and_fingerprint(
    body: &str,
    mut is_boilerplate: impl FnMut(u64) -> bool,
) -> (String, Vec<u64>) {
    let mut out = String::with_capacity(body.len());
    let mut fps = Vec::new();
    for line in body.lines() {
        if let Some(fp) = line_fingerprint(line) {
            fps.push(fp);
            if is_boilerplate(fp) {
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    fps.sort_unstable();
    fps.dedup();
    (out, fps)
}

/// Distinct fingerprints of a body's lines.
pub fn fingerprints(body: &str) -> Vec<u64> {
    let mut v: Vec<u64> = body.lines().filter_map(line_fingerprint).collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_split_into_their_words() {
        assert_eq!(
            split_identifier("NativeAzureFsOutputStream"),
            vec!["native", "azure", "fs", "output", "stream"]
        );
        assert_eq!(split_identifier("HTTPServer"), vec!["http", "server"]);
        assert_eq!(
            split_identifier("dfs_block_size"),
            vec!["dfs", "block", "size"]
        );
    }

    #[test]
    fn stack_traces_yield_exceptions_and_frames() {
        let t = "Caused by: java.lang.ClassNotFoundException: javax.activation.DataSource\n\
                 at org.apache.hadoop.fs.FileSystem.get(FileSystem.java:602)\n\
                 set fs.s3a.connection.maximum to 5";
        let toks = code_tokens(t);
        assert!(
            toks.contains(&"classnotfoundexception".to_string()),
            "{toks:?}"
        );
        assert!(toks.contains(&"filesystem.get".to_string()), "{toks:?}");
        assert!(
            toks.contains(&"fs.s3a.connection.maximum".to_string()),
            "{toks:?}"
        );
        assert!(!toks.iter().any(|t| t == "caused"), "{toks:?}");
    }

    #[test]
    fn one_pass_strips_and_fingerprints_as_the_two_do() {
        let body = "Steps to reproduce:\n\nrun it\n--\nrun it\nExpected: no NPE\n";
        let boilerplate = line_fingerprint("steps to reproduce").unwrap();
        let (clean, fps) = strip_and_fingerprint(body, |fp| fp == boilerplate);
        assert_eq!(clean, strip_lines(body, |fp| fp == boilerplate));
        assert_eq!(fps, fingerprints(body));
    }

    #[test]
    fn line_fingerprints_ignore_case_and_punctuation() {
        assert_eq!(
            line_fingerprint("*Steps to reproduce:*"),
            line_fingerprint("steps TO reproduce")
        );
        assert_ne!(line_fingerprint("steps"), line_fingerprint("expected"));
        assert_eq!(line_fingerprint("--"), None);
    }
}
