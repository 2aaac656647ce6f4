//! Jira wiki markup (the format of webhook `description` and comment bodies) to plain text.

use super::{finish_toks, next_on_line, normalize_newlines, strip_emphasis, Tok};
use crate::domain::TicketKey;

/// Block macros whose tags are dropped while their content is kept.
const DROPPED_MACROS: &[&str] = &[
    "quote", "panel", "color", "anchor", "section", "column", "expand", "tip", "info", "note",
    "warning",
];

/// Longest `{macro:parameters}` tag recognised, in characters.
const MAX_TAG_LEN: usize = 256;

/// Converts Jira wiki markup to plain text.
///
/// `{code}` / `{noformat}` content is kept verbatim; `{quote}`, `{panel}`, `{color}` tags are
/// dropped; `[text|url]` becomes `text`, `[~user]` becomes `@user`, `[~accountid:…]` is
/// dropped; heading, quote and list prefixes go; `*bold*`, `_italic_` and `{{mono}}` lose
/// their markers; `[PROJ-1]` loses its brackets, table pipes become ` | `; `\!`-style escapes
/// are resolved and `\\` is a line break. Unbalanced markup is left as text.
pub fn jira_wiki_to_text(s: &str) -> String {
    let chars: Vec<char> = normalize_newlines(s).chars().collect();
    let toks = lex(&chars);
    let toks = monospace(toks);
    let toks = drop_macro_tags(toks);
    let toks = links(toks);
    let toks = images(toks);
    let toks = line_prefixes(toks);
    let toks = strip_emphasis(toks, '*', 1);
    let toks = strip_emphasis(toks, '_', 1);
    finish_toks(&toks)
}

fn lit_str(s: &str) -> impl Iterator<Item = Tok> + '_ {
    s.chars().map(Tok::lit)
}

/// Case-insensitive match of `word` at `chars[i..]`.
fn word_at(chars: &[char], i: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    i + w.len() <= chars.len()
        && chars[i..i + w.len()]
            .iter()
            .zip(&w)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

/// If `chars[i..]` opens a `{code}`, `{code:lang}`, `{noformat}` or `{noformat:…}` block,
/// returns the macro name and the index right after the tag.
fn code_open(chars: &[char], i: usize) -> Option<(&'static str, usize)> {
    let name = ["code", "noformat"]
        .into_iter()
        .find(|n| word_at(chars, i + 1, n))?;
    let mut j = i + 1 + name.len();
    match chars.get(j) {
        Some('}') => Some((name, j + 1)),
        Some(':') => {
            while j < chars.len() && j - i < MAX_TAG_LEN {
                match chars[j] {
                    '}' => return Some((name, j + 1)),
                    '\n' | '{' => return None,
                    _ => j += 1,
                }
            }
            None
        }
        _ => None,
    }
}

/// Resolves escapes and lifts code blocks out as literal text.
fn lex(chars: &[char]) -> Vec<Tok> {
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            match chars.get(i + 1) {
                Some('\\') => {
                    out.push(Tok::lit('\n'));
                    i += 2;
                    continue;
                }
                Some(&n) if n.is_ascii_punctuation() => {
                    out.push(Tok::lit(n));
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        if c == '{' {
            if let Some((name, start)) = code_open(chars, i) {
                let close_len = name.len() + 2;
                let end = (start..chars.len()).find(|&j| {
                    chars[j] == '{'
                        && word_at(chars, j + 1, name)
                        && chars.get(j + 1 + name.len()) == Some(&'}')
                });
                let content_end = end.unwrap_or(chars.len());
                out.push(Tok::lit('\n'));
                out.extend(chars[start..content_end].iter().map(|&c| Tok::lit(c)));
                out.push(Tok::lit('\n'));
                i = end.map_or(chars.len(), |e| e + close_len);
                continue;
            }
        }
        out.push(Tok::plain(c));
        i += 1;
    }
    out
}

/// `{{mono}}` → `mono`, the content taken literally.
fn monospace(toks: Vec<Tok>) -> Vec<Tok> {
    let close = next_on_line(&toks, &['}', '}']);
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if toks[i].is('{') && toks.get(i + 1).is_some_and(|t| t.is('{')) {
            if let Some(j) = close[i + 2] {
                out.extend(toks[i + 2..j].iter().map(|t| Tok::lit(t.c)));
                i = j + 2;
                continue;
            }
        }
        out.push(toks[i]);
        i += 1;
    }
    out
}

/// Drops `{quote}`, `{panel:title=x}`, `{color:red}` and similar tags.
fn drop_macro_tags(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if let Some(len) = macro_tag_len(&toks[i..]) {
            i += len;
            continue;
        }
        out.push(toks[i]);
        i += 1;
    }
    out
}

/// Length of the dropped-macro tag starting `toks`, if it starts with one.
fn macro_tag_len(toks: &[Tok]) -> Option<usize> {
    if !toks.first()?.is('{') {
        return None;
    }
    let name_len = toks[1..]
        .iter()
        .take(16)
        .take_while(|t| t.c.is_ascii_alphabetic())
        .count();
    let name: String = toks[1..1 + name_len]
        .iter()
        .map(|t| t.c.to_ascii_lowercase())
        .collect();
    if !DROPPED_MACROS.contains(&name.as_str()) {
        return None;
    }
    let mut j = 1 + name_len;
    if toks.get(j)?.is(':') {
        while j < toks.len().min(MAX_TAG_LEN) && !matches!(toks[j].c, '}' | '\n' | '{') {
            j += 1;
        }
    }
    toks.get(j)?.is('}').then_some(j + 1)
}

/// `[text|url]` → text, `[url]` → url, `[~user]` → @user, `[~accountid:x]` → nothing,
/// `[^file]` → file. Brackets that are no link (`[1, 2]`) stay.
fn links(toks: Vec<Tok>) -> Vec<Tok> {
    let close = next_on_line(&toks, &[']']);
    let open = next_on_line(&toks, &['[']);
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if toks[i].is('[') {
            if let Some(j) = close[i + 1].filter(|&j| open[i + 1].map_or(true, |o| o > j)) {
                if let Some(repl) = link_text(&toks[i + 1..j]) {
                    out.extend(repl);
                    i = j + 1;
                    continue;
                }
            }
        }
        out.push(toks[i]);
        i += 1;
    }
    out
}

fn link_text(inner: &[Tok]) -> Option<Vec<Tok>> {
    let s: String = inner.iter().map(|t| t.c).collect();
    let first = inner.first()?;
    if first.is('~') {
        let user = s[1..].trim();
        if user.is_empty() {
            return None;
        }
        if user
            .get(..10)
            .is_some_and(|p| p.eq_ignore_ascii_case("accountid:"))
        {
            return Some(Vec::new());
        }
        return Some(
            std::iter::once(Tok::lit('@'))
                .chain(lit_str(user))
                .collect(),
        );
    }
    if let Some(bar) = inner.iter().position(|t| t.is('|')) {
        let alias = &inner[..bar];
        if alias.iter().any(|t| !t.c.is_whitespace()) {
            return Some(alias.to_vec());
        }
        return Some(inner[bar + 1..].iter().map(|t| Tok::lit(t.c)).collect());
    }
    if first.is('^') || first.is('#') {
        return Some(inner[1..].iter().map(|t| Tok::lit(t.c)).collect());
    }
    let lower = s.to_ascii_lowercase();
    let issue_link = TicketKey::parse(&s).is_ok();
    if issue_link
        || lower.contains("://")
        || lower.starts_with("mailto:")
        || lower.starts_with("file:")
    {
        return Some(lit_str(s.trim()).collect());
    }
    None
}

/// `!image.png!` / `!image.png|thumbnail!` → `image.png`.
fn images(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        if toks[i].is('!') {
            let mut j = i + 1;
            while j < toks.len() && !toks[j].c.is_whitespace() && !toks[j].is('!') {
                j += 1;
            }
            if j < toks.len() && toks[j].is('!') && j > i + 1 {
                let inner = &toks[i + 1..j];
                let name_end = inner.iter().position(|t| t.is('|')).unwrap_or(inner.len());
                let name = &inner[..name_end];
                if name.iter().any(|t| t.c == '.' || t.c == '/') {
                    out.extend(name.iter().map(|t| Tok::lit(t.c)));
                    i = j + 1;
                    continue;
                }
            }
        }
        out.push(toks[i]);
        i += 1;
    }
    out
}

/// Removes `h1.`…`h6.`, `bq.` and list (`*`, `#`, `-`) prefixes and `----` rules.
fn line_prefixes(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(toks.len());
    for (n, line) in toks.split(|t| t.c == '\n' && !t.lit).enumerate() {
        if n > 0 {
            out.push(Tok::plain('\n'));
        }
        let start = line
            .iter()
            .position(|t| !(t.is(' ') || t.is('\t')))
            .unwrap_or(line.len());
        let rest = &line[start..];
        let is = |k: usize, c: char| rest.get(k).is_some_and(|t| t.is(c));
        let space_at = |k: usize| rest.get(k).map_or(true, |t| t.is(' ') || t.is('\t'));
        let heading = is(0, 'h')
            && rest
                .get(1)
                .is_some_and(|t| !t.lit && ('1'..='6').contains(&t.c));
        let cut = if (heading || (is(0, 'b') && is(1, 'q'))) && is(2, '.') && space_at(3) {
            4
        } else if rest.len() >= 4 && rest.iter().all(|t| t.is('-')) {
            rest.len()
        } else {
            let run = rest.iter().take_while(|t| t.is('*') || t.is('#')).count();
            let run = if run == 0 && is(0, '-') { 1 } else { run };
            if run > 0 && rest.get(run).is_some_and(|t| t.is(' ')) {
                run + 1
            } else {
                0
            }
        };
        let rest = &rest[cut.min(rest.len())..];
        if rest.first().is_some_and(|t| t.is('|')) {
            // Table row: `||head||head||` / `|cell|cell|` → `head | head`.
            let cells = rest
                .split(|t| t.is('|'))
                .filter(|c| c.iter().any(|t| !t.c.is_whitespace()));
            for (k, cell) in cells.enumerate() {
                if k > 0 {
                    out.extend(" | ".chars().map(Tok::plain));
                }
                let from = cell.iter().position(|t| !t.c.is_whitespace()).unwrap_or(0);
                let to = cell
                    .iter()
                    .rposition(|t| !t.c.is_whitespace())
                    .map_or(0, |e| e + 1);
                out.extend_from_slice(&cell[from..to.max(from)]);
            }
        } else {
            out.extend_from_slice(rest);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::jira_wiki_to_text as w;

    #[test]
    fn fixture_markup_comment() {
        // Comment body of zulip-commented_markup_v1.json.
        let body = "This is a comment that likes to *exercise* a lot of _different_ {{conventions}} that {{jira uses}}.\r\n\r\n{noformat}\r\nthis code is not highlighted, but monospaced\r\n{noformat}\r\n\r\n{code:python}\r\ndef python():\r\n    print \"likes to be formatted\"\r\n{code}\r\n\r\n[http://www.google.com] is a bare link, and [Google|http://www.google.com] is given a title.\r\n\r\nThanks!\r\n\r\n{quote}\r\nSomeone said somewhere\r\n{quote}";
        assert_eq!(
            w(body),
            "This is a comment that likes to exercise a lot of different conventions that jira uses.\n\n\
             this code is not highlighted, but monospaced\n\n\
             def python():\n    print \"likes to be formatted\"\n\n\
             http://www.google.com is a bare link, and Google is given a title.\n\n\
             Thanks!\n\nSomeone said somewhere"
        );
    }

    #[test]
    fn headings_quotes_and_unbalanced_bold() {
        let desc = "h1. So this is a heading\r\n\r\nAnd some *bold* **and _bold_?\r\n\r\n{quote}\r\nsome stuff goes here\r\n{quote}";
        assert_eq!(
            w(desc),
            "So this is a heading\n\nAnd some bold **and bold?\n\nsome stuff goes here"
        );
        assert_eq!(w("h3.Not a heading"), "h3.Not a heading");
        assert_eq!(
            w("bq. quoted\n* item\n## sub\n- dash\n----\nend"),
            "quoted\nitem\nsub\ndash\n\nend"
        );
    }

    #[test]
    fn mentions_links_and_escapes() {
        assert_eq!(w("cc: [~SomeOtherUser]"), "cc: @SomeOtherUser");
        assert_eq!(w("[~accountid:619a4432ebce470067f20384] hi"), "hi");
        assert_eq!(
            w("_Issue created from a [message in Mattermost|https://x.test/pl/u7z1_a_b]_."),
            "Issue created from a message in Mattermost."
        );
        assert_eq!(
            w("This is important\\! I’m on it\\!"),
            "This is important! I’m on it!"
        );
        assert_eq!(
            w("not \\*bold\\* and [1, 2] and [^log.txt]"),
            "not *bold* and [1, 2] and log.txt"
        );
        assert_eq!(
            w("see !screen shot.png! and !trace.png|thumbnail! wow!"),
            "see !screen shot.png! and trace.png wow!"
        );
    }

    #[test]
    fn code_is_verbatim_and_identifiers_survive() {
        let s = "Call {{my_func_name}} with snake_case_var and a*b*c.\n{code:java}\nint x = a*b*c; // _not_ *bold* [x|y]\n  at Foo.bar(Foo.java:10)\n{code}";
        assert_eq!(
            w(s),
            "Call my_func_name with snake_case_var and a*b*c.\n\nint x = a*b*c; // _not_ *bold* [x|y]\n  at Foo.bar(Foo.java:10)"
        );
        assert_eq!(w("{code}\nunclosed *x*"), "unclosed *x*");
        assert_eq!(w("{CODE:title=a.py|borderStyle=solid}x_y_{CODE}"), "x_y_");
    }

    #[test]
    fn colors_panels_and_junk_do_not_panic() {
        assert_eq!(
            w("{color:red}red{color} {panel:title=T}in{panel}"),
            "red in"
        );
        assert_eq!(w("{unknown} {json: 1}"), "{unknown} {json: 1}");
        for s in [
            "{", "{{", "[", "[~", "[|]", "!", "*_*_", "\\", "{code:", "{quote", "h1.", "{{}}",
            "[~]",
        ] {
            let _ = w(s);
        }
        assert_eq!(w("[|http://a.test]"), "http://a.test");
        assert_eq!(
            w("See [PROJ-12].\n||Col A||Col B||\n| a_1 | b*2 |"),
            "See PROJ-12.\nCol A | Col B\na_1 | b*2"
        );
        assert_eq!(w("line\\\\break"), "line\nbreak");
    }
}
