//! Identifier splitting and the one tokenizer every field and every query goes through.

pub use crate::domain::split_identifier;

/// True for characters that belong inside an identifier (`$` for Java inner classes).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Maximal runs of identifier characters, in order.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
}

/// True when `word` is a compound identifier (`fooBar`, `foo_bar`, `HTTPServer`).
pub fn is_compound(word: &str) -> bool {
    let w = word.trim_matches(|c| c == '_' || c == '$');
    w.contains('_') || w.contains('$') || {
        let mut upper_after_lower = false;
        let mut prev_lower = false;
        for c in w.chars() {
            if c.is_uppercase() && prev_lower {
                upper_after_lower = true;
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        }
        upper_after_lower
    }
}

/// Keeps a part as a term: at least two characters, not only digits, not a stop word.
pub fn keep(part: &str) -> bool {
    part.len() >= 2
        && part.len() <= 40
        && !part.bytes().all(|b| b.is_ascii_digit())
        && !is_stop_word(part)
}

/// Lowercase parts of every identifier in `text` (the content analyzer).
pub fn parts(text: &str, out: &mut Vec<String>) {
    for w in words(text) {
        for p in split_identifier(w) {
            if keep(&p) {
                out.push(p);
            }
        }
    }
}

/// The lowercase compound form of an identifier (`fooBar_baz` → `foobarbaz`).
pub fn compound(word: &str) -> String {
    split_identifier(word).concat()
}

/// English function words and keywords common to most languages: they carry no topic.
pub fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.binary_search(&w).is_ok()
}

// sorted; checked by a test
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "abstract",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "assert",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "between",
    "bool",
    "boolean",
    "both",
    "break",
    "but",
    "by",
    "byte",
    "can",
    "case",
    "catch",
    "char",
    "class",
    "const",
    "continue",
    "could",
    "def",
    "default",
    "did",
    "do",
    "does",
    "doing",
    "double",
    "each",
    "elif",
    "else",
    "end",
    "extends",
    "false",
    "few",
    "final",
    "finally",
    "float",
    "fn",
    "for",
    "from",
    "func",
    "function",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "him",
    "his",
    "how",
    "if",
    "implements",
    "import",
    "in",
    "int",
    "into",
    "is",
    "it",
    "its",
    "just",
    "let",
    "long",
    "may",
    "me",
    "might",
    "more",
    "most",
    "mut",
    "my",
    "new",
    "no",
    "none",
    "nor",
    "not",
    "null",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "package",
    "pass",
    "private",
    "protected",
    "pub",
    "public",
    "raise",
    "return",
    "same",
    "self",
    "she",
    "short",
    "should",
    "so",
    "some",
    "static",
    "such",
    "super",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "throw",
    "throws",
    "to",
    "too",
    "true",
    "try",
    "under",
    "until",
    "up",
    "use",
    "var",
    "very",
    "void",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_splits_at_each_hump_and_keeps_acronyms_whole() {
        assert_eq!(
            split_identifier("getHTTPResponse"),
            ["get", "http", "response"]
        );
        assert_eq!(split_identifier("BcelShadow"), ["bcel", "shadow"]);
        assert_eq!(split_identifier("parseV2Header"), ["parse", "v2", "header"]);
    }

    #[test]
    fn snake_kebab_and_dotted_names_split_at_separators() {
        assert_eq!(
            split_identifier("resolve_redirects"),
            ["resolve", "redirects"]
        );
        assert_eq!(split_identifier("__init__"), ["init"]);
        assert_eq!(
            split_identifier("max-line-length"),
            ["max", "line", "length"]
        );
        assert_eq!(
            split_identifier("org.aspectj.weaver.World"),
            ["org", "aspectj", "weaver", "world"]
        );
        assert_eq!(split_identifier("Outer$Inner"), ["outer", "inner"]);
    }

    #[test]
    fn compounds_are_recognised_and_flattened() {
        assert!(is_compound("fooBar"));
        assert!(is_compound("foo_bar"));
        assert!(!is_compound("Session"));
        assert!(!is_compound("HTTP"));
        assert_eq!(compound("resolve_redirects"), "resolveredirects");
    }

    #[test]
    fn parts_drop_stop_words_digits_and_single_letters() {
        let mut out = Vec::new();
        parts(
            "public void setX(int a) { return 42; } // the weaverState",
            &mut out,
        );
        assert_eq!(out, ["set", "weaver", "state"]);
    }

    #[test]
    fn the_stop_word_list_is_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }
}
