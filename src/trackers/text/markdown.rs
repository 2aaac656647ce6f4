//! Light Markdown (Linear descriptions) to plain text: a careful hand-written pass, no parser crate.

use super::{finish_toks, next_on_line, normalize_newlines, strip_emphasis, Tok};
use std::collections::HashMap;

/// Longest link destination `(…)` looked at, in characters.
const MAX_DEST_LEN: usize = 2048;

/// Flattens Markdown: fenced code content kept verbatim (fences dropped), `#` heading and `>`
/// quote markers stripped, rules dropped, `[text](url)` → `text`, `![alt](src)` → `alt`,
/// `<https://…>` → the URL, `` `code` `` → its content, `**`/`__`/`~~`/`*`/`_` emphasis markers
/// removed (not inside words, so `snake_case` survives), backslash escapes resolved.
pub fn markdown_to_text(s: &str) -> String {
    let text = normalize_newlines(s);
    let mut toks = Vec::with_capacity(text.len());
    let mut fence: Option<(char, usize)> = None;
    for line in text.split('\n') {
        if let Some((c, len)) = fence {
            if fence_run(line)
                .is_some_and(|(fc, flen, rest)| fc == c && flen >= len && rest.trim().is_empty())
            {
                fence = None;
            } else {
                toks.extend(line.chars().map(Tok::lit));
                toks.push(Tok::lit('\n'));
            }
            continue;
        }
        if let Some((c, len, info)) = fence_run(line) {
            if c == '~' || !info.contains('`') {
                fence = Some((c, len));
                continue;
            }
        }
        if let Some(content) = block_content(line) {
            inline_lex(content, &mut toks);
            toks.push(Tok::plain('\n'));
        }
    }
    let toks = links(toks, true);
    let toks = links(toks, false);
    let toks = strip_emphasis(toks, '*', 2);
    let toks = strip_emphasis(toks, '_', 2);
    let toks = strip_emphasis(toks, '~', 2);
    let toks = strip_emphasis(toks, '*', 1);
    let toks = strip_emphasis(toks, '_', 1);
    finish_toks(&toks)
}

/// A fence line: (fence character, run length, info string).
fn fence_run(line: &str) -> Option<(char, usize, &str)> {
    let t = line.trim_start();
    let c = t.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let len = t.chars().take_while(|&x| x == c).count();
    (len >= 3).then(|| (c, len, &t[len..]))
}

/// Strips quote and heading markers; `None` for lines that carry no text (rules, underlines).
fn block_content(line: &str) -> Option<&str> {
    let mut t = line.trim_start();
    while let Some(rest) = t.strip_prefix('>') {
        t = rest.trim_start();
    }
    let hashes = t.chars().take_while(|&c| c == '#').count();
    if (1..=6).contains(&hashes) && t[hashes..].chars().next().map_or(true, char::is_whitespace) {
        t = t[hashes..].trim();
        let closing = t.trim_end_matches('#');
        if closing.is_empty() || closing.ends_with(char::is_whitespace) {
            t = closing.trim_end();
        }
    }
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let rule = compact.len() >= 3
        && ['-', '*', '_', '=']
            .iter()
            .any(|&m| compact.chars().all(|c| c == m));
    (!rule).then_some(t)
}

/// Resolves escapes, code spans and autolinks of one line.
fn inline_lex(line: &str, out: &mut Vec<Tok>) {
    // Escapes first, so an escaped backtick opens nothing.
    let mut chars: Vec<Tok> = Vec::with_capacity(line.len());
    let mut it = line.chars().peekable();
    while let Some(c) = it.next() {
        match it.peek() {
            Some(&n) if c == '\\' && n.is_ascii_punctuation() => {
                chars.push(Tok::lit(n));
                it.next();
            }
            _ => chars.push(Tok::plain(c)),
        }
    }
    // Backtick runs and, for each, the next run of the same length.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let len = chars[i..].iter().take_while(|t| t.is('`')).count();
        if len > 0 {
            runs.push((i, len));
        }
        i += len.max(1);
    }
    let mut next_same: HashMap<usize, usize> = HashMap::new();
    let mut closing = vec![None; runs.len()];
    for (k, &(_, len)) in runs.iter().enumerate().rev() {
        closing[k] = next_same.insert(len, k);
    }
    let mut k = 0;
    let mut i = 0;
    while i < chars.len() {
        while runs.get(k).is_some_and(|r| r.0 < i) {
            k += 1;
        }
        if let Some(&(start, len)) = runs.get(k).filter(|r| r.0 == i) {
            match closing[k].map(|c| runs[c].0) {
                Some(end) => {
                    let mut content: &[Tok] = &chars[start + len..end];
                    if content.len() >= 2
                        && content[0].c == ' '
                        && content[content.len() - 1].c == ' '
                    {
                        content = &content[1..content.len() - 1];
                    }
                    out.extend(content.iter().map(|t| Tok::lit(t.c)));
                    i = end + len;
                    k = closing[k].map_or(runs.len(), |c| c + 1);
                }
                None => {
                    out.extend(chars[start..start + len].iter().map(|t| Tok::lit(t.c)));
                    i += len;
                    k += 1;
                }
            }
            continue;
        }
        if chars[i].is('<') {
            let end = chars[i + 1..]
                .iter()
                .position(|t| t.c.is_whitespace() || t.c == '<' || t.c == '>');
            if let Some(e) = end.map(|e| i + 1 + e).filter(|&e| chars[e].is('>')) {
                let inner: String = chars[i + 1..e].iter().map(|t| t.c).collect();
                if inner.contains("://")
                    || inner.starts_with("mailto:")
                    || (inner.contains('@') && !inner.starts_with('@'))
                {
                    out.extend(inner.chars().map(Tok::lit));
                    i = e + 1;
                    continue;
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
}

/// `[text](dest)` / `[text][ref]` → text (`images`: `![alt](src)` → alt).
fn links(toks: Vec<Tok>, images: bool) -> Vec<Tok> {
    let close = next_on_line(&toks, &[']']);
    let open = next_on_line(&toks, &['[']);
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let start = if images {
            toks[i].is('!') && toks.get(i + 1).is_some_and(|t| t.is('['))
        } else {
            toks[i].is('[')
        };
        let text_at = if images { i + 2 } else { i + 1 };
        if start {
            let j = close[text_at].filter(|&j| open[text_at].map_or(true, |o| o > j));
            if let Some((j, end)) = j.and_then(|j| Some((j, link_tail(&toks, j + 1)?))) {
                out.extend_from_slice(&toks[text_at..j]);
                i = end;
                continue;
            }
        }
        out.push(toks[i]);
        i += 1;
    }
    out
}

/// If `(dest)` or `[ref]` starts at `i`, the index just after it.
fn link_tail(toks: &[Tok], i: usize) -> Option<usize> {
    let (open, close) = match toks.get(i) {
        Some(t) if t.is('(') => ('(', ')'),
        Some(t) if t.is('[') => ('[', ']'),
        _ => return None,
    };
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(i).take(MAX_DEST_LEN) {
        if t.c == '\n' || (k > i && t.is('[')) {
            return None;
        }
        if t.is(open) && open == '(' {
            depth += 1;
        } else if t.is(close) {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(k + 1);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::markdown_to_text as md;

    #[test]
    fn headings_emphasis_and_quotes() {
        assert_eq!(
            md("# Title #\r\n\r\nSome **bold** and __strong__ and *it* and _em_ ~~gone~~ text.\n> quoted\n---\n- item"),
            "Title\n\nSome bold and strong and it and em gone text.\nquoted\n- item"
        );
        assert_eq!(
            md("#hashtag stays\n####### seven"),
            "#hashtag stays\n####### seven"
        );
        assert_eq!(
            md("call snake_case_fn with a*b*c and 2 * 3"),
            "call snake_case_fn with a*b*c and 2 * 3"
        );
    }

    #[test]
    fn links_images_and_autolinks() {
        assert_eq!(
            md("[docs](https://x.test/a_(b)) and ![screen shot](https://img/x_1.png) and <https://auto.test/a_b>"),
            "docs and screen shot and https://auto.test/a_b"
        );
        assert_eq!(
            md("[**bold link**](u) and [ref][1] and [1, 2] and [x](unclosed"),
            "bold link and ref and [1, 2] and [x](unclosed"
        );
        assert_eq!(md("[![badge](b.svg)](https://ci)"), "badge");
    }

    #[test]
    fn code_is_verbatim() {
        assert_eq!(
            md("Trace:\n```java\nat a_b.C*d(E.java:1) **x** [l](u)\n```\nthen `my_var * 2` and ``a ` b``"),
            "Trace:\nat a_b.C*d(E.java:1) **x** [l](u)\nthen my_var * 2 and a ` b"
        );
        assert_eq!(md("~~~\n# not a heading\n~~~~"), "# not a heading");
        assert_eq!(md("```\nunclosed *x*"), "unclosed *x*");
        assert_eq!(
            md("\\*not emphasis\\* and \\`tick\\` and `unclosed"),
            "*not emphasis* and `tick` and `unclosed"
        );
    }

    #[test]
    fn junk_does_not_panic() {
        for s in [
            "", "`", "``", "[", "![", "](", "<", "<>", "#", ">", "***", "\\", "[a](", "[a][", "~~~",
        ] {
            let _ = md(s);
        }
    }
}
