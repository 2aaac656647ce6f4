//! The one tokenizer every reader shares: identifiers, punctuation, string literals and line
//! ends, with comments dropped, so an import written in a comment, a string or a text
//! block is never read as one. Each language has its comments and strings (`syntax_of`).

use super::facts::Lang;

/// A token of source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier, keyword or number (`import`, `java`, `_pytest`, `42`).
    Ident(String),
    /// One character of punctuation (`.`, `;`, `{`).
    Punct(char),
    /// A string literal's contents (escapes left as written).
    Str(String),
    /// The end of a line (readers of languages with statements ended by lines need it).
    Newline,
}

/// What a language's comments and strings look like.
#[derive(Debug, Clone, Copy, Default)]
pub struct Syntax {
    /// `//` and `/* */` comments (every language here but Python).
    pub c_comments: bool,
    /// Block comments nest (Rust, Scala, Kotlin).
    pub nested_blocks: bool,
    /// `#` starts a line comment (Python).
    pub hash_comments: bool,
    /// `'…'` is a string (not a Rust lifetime or a JVM char, which the lexer skips alike).
    pub single_quote_strings: bool,
    /// `"""…"""` (and `'''…'''` with `single_quote_strings`) span lines.
    pub triple_quotes: bool,
    /// `` `…` `` strings that span lines (JS templates, Go raw strings).
    pub backtick_strings: bool,
    /// Rust raw strings `r"…"`, `r#"…"#`.
    pub rust_raw: bool,
    /// C# verbatim strings `@"…"`.
    pub verbatim: bool,
}

/// The comments and strings of each language.
pub fn syntax_of(lang: Lang) -> Syntax {
    let c = Syntax {
        c_comments: true,
        ..Syntax::default()
    };
    let jvm = lang != Lang::Java;
    match lang {
        Lang::Java | Lang::Kotlin | Lang::Scala => Syntax {
            nested_blocks: jvm,
            triple_quotes: true,
            backtick_strings: jvm,
            ..c
        },
        Lang::Js => Syntax {
            single_quote_strings: true,
            backtick_strings: true,
            ..c
        },
        Lang::Go => Syntax {
            backtick_strings: true,
            ..c
        },
        Lang::Rust => Syntax {
            nested_blocks: true,
            rust_raw: true,
            ..c
        },
        Lang::CSharp => Syntax {
            verbatim: true,
            triple_quotes: true,
            ..c
        },
        Lang::Python => Syntax {
            hash_comments: true,
            single_quote_strings: true,
            triple_quotes: true,
            ..Syntax::default()
        },
    }
}

/// Longest source read: a file larger than this is cut (generated code, bundles).
pub const MAX_SOURCE: usize = 2 << 20;

/// Tokenizes `text` under `syntax`. Bounded: one pass over at most `MAX_SOURCE` bytes.
pub fn tokens(text: &str, syntax: Syntax) -> Vec<Tok> {
    let text = cut(text);
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            out.push(Tok::Newline);
            i += 1;
        } else if c.is_ascii_whitespace() {
            i += 1;
        } else if syntax.c_comments && b[i..].starts_with(b"//") {
            i = line_end(b, i);
        } else if syntax.c_comments && b[i..].starts_with(b"/*") {
            i = block_end(b, i + 2, syntax.nested_blocks, &mut out);
        } else if syntax.hash_comments && c == b'#' {
            i = line_end(b, i);
        } else if c == b'"' || (c == b'\'' && syntax.single_quote_strings) {
            i = string(text, i, syntax, &mut out);
        } else if c == b'`' && syntax.backtick_strings {
            let end = find(b, i + 1, b"`", true).unwrap_or(b.len());
            push_str(text, i + 1, end, &mut out);
            count_lines(&b[i..end.min(b.len())], &mut out);
            i = (end + 1).min(b.len());
        } else if c == b'\'' {
            i = char_or_lifetime(b, i);
        } else if c == b'@' && syntax.verbatim && b.get(i + 1) == Some(&b'"') {
            i = verbatim(text, i + 2, &mut out);
        } else if syntax.rust_raw && c == b'r' && raw_start(b, i).is_some() {
            i = rust_raw(text, i, &mut out);
        } else if is_ident_byte(c) {
            let start = i;
            while i < b.len() && is_ident_byte(b[i]) {
                i += 1;
            }
            out.push(Tok::Ident(text[start..i].to_string()));
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(Tok::Punct(ch));
            i += ch.len_utf8();
        }
    }
    out
}

fn cut(text: &str) -> &str {
    if text.len() <= MAX_SOURCE {
        return text;
    }
    let mut end = MAX_SOURCE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn line_end(b: &[u8], i: usize) -> usize {
    b[i..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| i + p)
}

/// The end of a block comment opened before `i`; its line ends are kept.
fn block_end(b: &[u8], mut i: usize, nested: bool, out: &mut Vec<Tok>) -> usize {
    let mut depth = 1;
    while i < b.len() {
        if b[i..].starts_with(b"*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else if nested && b[i..].starts_with(b"/*") {
            depth += 1;
            i += 2;
        } else {
            if b[i] == b'\n' {
                out.push(Tok::Newline);
            }
            i += 1;
        }
    }
    i
}

/// The first `pat` at or after `i`, skipping backslash escapes when `escapes`.
fn find(b: &[u8], mut i: usize, pat: &[u8], escapes: bool) -> Option<usize> {
    while i < b.len() {
        if escapes && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i..].starts_with(pat) {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn push_str(text: &str, start: usize, end: usize, out: &mut Vec<Tok>) {
    let end = end.min(text.len());
    let s = text.get(start..end).unwrap_or_default();
    out.push(Tok::Str(s.to_string()));
}

fn count_lines(b: &[u8], out: &mut Vec<Tok>) {
    out.extend(b.iter().filter(|&&c| c == b'\n').map(|_| Tok::Newline));
}

/// A quoted string at `i`: triple-quoted ones span lines; others end at their quote or,
/// unterminated, at the line's end (so a stray quote costs one line, never the file).
fn string(text: &str, i: usize, syntax: Syntax, out: &mut Vec<Tok>) -> usize {
    let b = text.as_bytes();
    let q = b[i];
    if syntax.triple_quotes && b[i..].starts_with(&[q, q, q]) {
        let end = find(b, i + 3, &[q, q, q], true).unwrap_or(b.len());
        push_str(text, i + 3, end, out);
        count_lines(&b[i..end.min(b.len())], out);
        return (end + 3).min(b.len());
    }
    let mut j = i + 1;
    while j < b.len() && b[j] != q && b[j] != b'\n' {
        j += if b[j] == b'\\' && b.get(j + 1) != Some(&b'\n') {
            2
        } else {
            1
        };
    }
    let j = j.min(b.len());
    push_str(text, i + 1, j, out);
    if j < b.len() && b[j] == q {
        j + 1
    } else {
        j
    }
}

/// `'x'`, `'\n'` (a char literal) or `'a` (a Rust lifetime or label): skipped either way.
fn char_or_lifetime(b: &[u8], i: usize) -> usize {
    if b.get(i + 1) == Some(&b'\\') {
        return find(b, i + 1, b"'", true)
            .map_or(i + 1, |e| e + 1)
            .min(line_end(b, i));
    }
    let ch_len = std::str::from_utf8(&b[i + 1..(i + 5).min(b.len())])
        .ok()
        .or_else(|| std::str::from_utf8(&b[i + 1..(i + 2).min(b.len())]).ok())
        .and_then(|s| s.chars().next())
        .map_or(1, char::len_utf8);
    if b.get(i + 1 + ch_len) == Some(&b'\'') {
        i + 2 + ch_len
    } else {
        i + 1
    }
}

fn verbatim(text: &str, start: usize, out: &mut Vec<Tok>) -> usize {
    let b = text.as_bytes();
    let mut j = start;
    while j < b.len() {
        if b[j] == b'"' {
            if b.get(j + 1) == Some(&b'"') {
                j += 2;
                continue;
            }
            break;
        }
        j += 1;
    }
    push_str(text, start, j, out);
    count_lines(&b[start..j.min(b.len())], out);
    (j + 1).min(b.len())
}

/// The number of `#` of a raw string starting at `i` (`r"`, `r#"`), if one does; not when
/// the `r` ends an identifier (`bar"`).
fn raw_start(b: &[u8], i: usize) -> Option<usize> {
    if i > 0 && is_ident_byte(b[i - 1]) {
        return None;
    }
    let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
    (b.get(i + 1 + hashes) == Some(&b'"')).then_some(hashes)
}

fn rust_raw(text: &str, i: usize, out: &mut Vec<Tok>) -> usize {
    let b = text.as_bytes();
    let hashes = raw_start(b, i).unwrap_or(0);
    let start = i + 2 + hashes;
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat(b'#').take(hashes));
    let end = find(b, start, &close, false).unwrap_or(b.len());
    push_str(text, start, end, out);
    count_lines(&b[start.min(b.len())..end.min(b.len())], out);
    (end + close.len()).min(b.len())
}

/// A reader's position in a token stream.
pub struct Cursor<'t> {
    pub toks: &'t [Tok],
    pub i: usize,
}

impl<'t> Cursor<'t> {
    pub fn new(toks: &'t [Tok]) -> Self {
        Cursor { toks, i: 0 }
    }

    pub fn at(&self, k: usize) -> Option<&'t Tok> {
        self.toks.get(self.i + k)
    }

    /// The identifier `k` tokens ahead.
    pub fn ident(&self, k: usize) -> Option<&'t str> {
        match self.at(k) {
            Some(Tok::Ident(s)) => Some(s),
            _ => None,
        }
    }

    pub fn is_punct(&self, k: usize, c: char) -> bool {
        self.at(k) == Some(&Tok::Punct(c))
    }

    /// The token before the current one, line ends included.
    pub fn prev(&self) -> Option<&'t Tok> {
        self.i.checked_sub(1).and_then(|j| self.toks.get(j))
    }

    /// True at the start of a statement: first token, after a line end, `;`, `{` or `}`.
    pub fn at_statement_start(&self) -> bool {
        matches!(
            self.prev(),
            None | Some(Tok::Newline) | Some(Tok::Punct(';' | '{' | '}'))
        )
    }

    pub fn done(&self) -> bool {
        self.i >= self.toks.len()
    }

    pub fn skip_newlines(&mut self) {
        while self.at(0) == Some(&Tok::Newline) {
            self.i += 1;
        }
    }

    /// `a.b.c` from here (identifiers, or backquoted names, joined by `sep`); stops before
    /// anything else. Returns the names and whether the separator was followed by `*`.
    pub fn dotted(&mut self, sep: &str) -> (Vec<String>, bool) {
        let mut names = Vec::new();
        loop {
            match self.at(0) {
                Some(Tok::Ident(s)) => names.push(s.clone()),
                Some(Tok::Str(s)) if !names.is_empty() || sep == "." => names.push(s.clone()),
                _ => return (names, false),
            }
            self.i += 1;
            if !self.eat_sep(sep) {
                return (names, false);
            }
            if self.is_punct(0, '*') {
                self.i += 1;
                return (names, true);
            }
        }
    }

    /// Eats `sep` (`.` or `::`) when it comes next.
    pub fn eat_sep(&mut self, sep: &str) -> bool {
        let n = sep.chars().count();
        if sep.chars().enumerate().all(|(k, c)| self.is_punct(k, c)) {
            self.i += n;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(text: &str, syntax: Syntax) -> Vec<String> {
        tokens(text, syntax)
            .into_iter()
            .filter_map(|t| match t {
                Tok::Ident(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_and_strings_hide_what_they_hold() {
        let c = Syntax {
            c_comments: true,
            nested_blocks: true,
            triple_quotes: true,
            ..Syntax::default()
        };
        let text = "a /* import x; /* nested */ import y */ b // import z\n\"import w\" \"\"\"\nimport v\n\"\"\" c";
        assert_eq!(idents(text, c), ["a", "b", "c"]);
        let py = Syntax {
            hash_comments: true,
            single_quote_strings: true,
            triple_quotes: true,
            ..Syntax::default()
        };
        assert_eq!(idents("x # import y\n'''\nimport z'''\nw", py), ["x", "w"]);
    }

    #[test]
    fn rust_lifetimes_chars_and_raw_strings_do_not_swallow_code() {
        let rs = Syntax {
            c_comments: true,
            nested_blocks: true,
            rust_raw: true,
            ..Syntax::default()
        };
        let text = "fn f<'a>(x: &'a str) { let c = '\"'; let r = r#\"use x;\"#; }\nuse y;";
        let ids = idents(text, rs);
        assert!(
            ids.ends_with(&["use".to_string(), "y".to_string()]),
            "{ids:?}"
        );
        assert!(!ids.contains(&"x".to_string()) || ids.iter().filter(|i| *i == "x").count() == 1);
    }

    #[test]
    fn an_unterminated_quote_costs_one_line() {
        let js = Syntax {
            c_comments: true,
            single_quote_strings: true,
            ..Syntax::default()
        };
        let toks = tokens("const s = 'oops\nimport 'a'", js);
        assert!(toks.contains(&Tok::Str("a".into())), "{toks:?}");
    }
}
