//! Text helpers every room shares, defined once: splitting identifiers into words
//! (`split_identifier`), bounding text at a character boundary (`cut`), and text from outside on one line (`one_line`): titles, keys, names, paths and labels that TicketLens
//! quotes are folded here, once at parse and again at render, so a quoted piece can never
//! start a line of its own (where GitLab reads `/close` as a quick action) or carry
//! invisible controls. Escaping for a markup is the writers' business (`render`); this
//! only says what a line of quoted text may hold.

use std::borrow::Cow;

/// Tells whether `c` breaks a line or controls how text is shown rather than being text:
/// C0 and C1 controls (newlines, tabs, NEL, DEL), the Unicode line and paragraph
/// separators, and the bidirectional overrides and isolates that reorder what a reader sees.
fn is_folded(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `s` on one line: every line break, control character and run of whitespace becomes one
/// space. The ends are kept (as one space), so pieces of a sentence still join with their
/// spaces; a parser trims what it stores. Borrowed when already so.
pub fn one_line(s: &str) -> Cow<'_, str> {
    let clean = !s.contains("  ")
        && !s
            .chars()
            .any(|c| is_folded(c) || (c.is_whitespace() && c != ' '));
    if clean {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars() {
        if is_folded(c) || c.is_whitespace() {
            gap = true;
            continue;
        }
        if gap {
            out.push(' ');
            gap = false;
        }
        out.push(c);
    }
    if gap {
        out.push(' ');
    }
    Cow::Owned(out)
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary:
/// how every room bounds text it did not write before working on it.
pub fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Splits an identifier into lowercase parts, the one rule for the code index and the ticket
/// index alike: `getHTTPResponse_code` → `get http response code`, `kebab-case.dotted` →
/// `kebab case dotted`, `utf8Decoder` → `utf8 decoder`. Digits stay attached to the part
/// before them.
pub fn split_identifier(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut parts = Vec::new();
    let mut cur = String::new();
    for i in 0..chars.len() {
        let c = chars[i];
        if !c.is_alphanumeric() {
            flush(&mut cur, &mut parts);
            continue;
        }
        if c.is_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            // `fooBar` splits before B; `HTTPResponse` splits before the R of Response
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                flush(&mut cur, &mut parts);
            }
        }
        cur.extend(c.to_lowercase());
    }
    flush(&mut cur, &mut parts);
    parts
}

fn flush(cur: &mut String, parts: &mut Vec<String>) {
    if !cur.is_empty() {
        parts.push(std::mem::take(cur));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_cut_never_splits_a_character() {
        assert_eq!(cut("abc", 10), "abc");
        assert_eq!(cut("abc", 2), "ab");
        // 'é' is two bytes: a cut in its middle falls back before it
        assert_eq!(cut("café", 4), "caf");
        assert_eq!(cut("café", 5), "café");
        assert_eq!(cut("😀x", 3), "");
        assert_eq!(cut("", 0), "");
    }

    #[test]
    fn line_breaks_and_controls_fold_into_single_spaces() {
        assert_eq!(
            one_line("Invoice crash\n/close\r\n/label ~security\t/assign @mallory"),
            "Invoice crash /close /label ~security /assign @mallory"
        );
        assert_eq!(
            one_line("  a \u{2028}b\u{85}c\u{202E}d\u{0}e  "),
            " a b c d e "
        );
        assert_eq!(one_line("\n\n"), " ");
        assert_eq!(one_line(" — fragility "), " — fragility ");
        assert!(matches!(one_line("Crash on save"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn a_folded_text_is_one_trimmed_line(s in "\\PC*|[\\x00-\\x20a/\u{2028}\u{85}]*") {
            let out = one_line(&s);
            prop_assert!(!out.chars().any(|c| is_folded(c) || (c.is_whitespace() && c != ' ')));
            prop_assert!(!out.contains("  "));
            prop_assert_eq!(one_line(&out), out.clone());
        }
    }
}
