//! What every writer does to text before its own escaping, so that nothing quoted from
//! outside (titles, keys, names, module names, paths, CODEOWNERS entries) acts in the
//! tracker: text is folded onto one line (`domain::one_line`), mentions and references
//! cannot form (`@all`, `@org/team`, `#12`, `!12`, `GH-12`, `~label`: a zero-width space
//! follows the sigil, so people and tickets are named, never pinged or cross-referenced),
//! and bare addresses cannot become links (`https:\u{200B}//`, `www\u{200B}.`). Links exist only
//! where TicketLens builds them, and only to `http(s)` addresses (`link_target`).
//!
//! Hand-written rather than a sanitizer crate: what is live differs per tracker (GitHub and
//! GitLab references, Jira wiki tokens) and the Markdown crates parse rather than escape.

use crate::domain::one_line;

/// The zero-width space that separates a sigil from what follows it.
pub const ZWSP: char = '\u{200B}';

/// Sigils that start a mention or a reference when a word follows: GitHub and GitLab
/// users and teams (`@`), issues (`#`), merge requests (`!`), snippets (`$`), epics (`&`),
/// labels (`~`) and milestones (`%`).
const SIGILS: &[char] = &['@', '#', '!', '$', '&', '~', '%'];

/// `s` folded onto one line with mentions, references and bare addresses broken.
pub fn defuse(s: &str) -> String {
    let s = one_line(s);
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let next = chars.get(i + 1).copied();
        let breaks = match c {
            '@' => true,
            c if SIGILS.contains(&c) => {
                next.is_some_and(|n| n.is_alphanumeric() || matches!(n, '"' | '_'))
            }
            // `scheme://`: no autolink
            ':' => next == Some('/') && chars.get(i + 2) == Some(&'/'),
            // `www.`: no autolink
            'w' | 'W' => {
                i >= 2
                    && next == Some('.')
                    && chars[i - 2..=i]
                        .iter()
                        .all(|c| c.eq_ignore_ascii_case(&'w'))
            }
            // `GH-12`: GitHub's other issue reference
            'h' | 'H' => {
                i >= 1
                    && chars[i - 1].eq_ignore_ascii_case(&'g')
                    && next == Some('-')
                    && chars.get(i + 2).is_some_and(|d| d.is_ascii_digit())
            }
            _ => false,
        };
        if breaks {
            out.push(ZWSP);
        }
    }
    out
}

/// Text for a code span or monospace run: one line, no other change (code spans are inert
/// in Markdown and ADF; the wiki writer escapes inside `{{…}}` itself).
pub fn code(s: &str) -> String {
    one_line(s).into_owned()
}

/// A link target TicketLens may write: an absolute `http` or `https` URL, normalised and
/// percent-encoded by the URL parser; `None` for anything else (`javascript:`, relative
/// paths, text with spaces), which the writers then show as plain text.
pub fn link_target(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let web = matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some();
    web.then(|| parsed.to_string())
}

/// A rendered line that could still start with `/` (a GitLab quick action) gets a
/// zero-width space in front. The writers fold quoted text, so only a line TicketLens
/// built could start so; this keeps it true whatever a future block puts first.
pub fn guard_line(line: String) -> String {
    if line.trim_start().starts_with('/') {
        format!("{ZWSP}{line}")
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigils_and_addresses_are_broken_and_everything_else_kept() {
        let z = ZWSP;
        assert_eq!(
            defuse("ping @all and @org/team"),
            format!("ping @{z}all and @{z}org/team")
        );
        assert_eq!(
            defuse("see #12, !3 and GH-7"),
            format!("see #{z}12, !{z}3 and GH{z}-7")
        );
        assert_eq!(
            defuse("~security %\"v1\""),
            format!("~{z}security %{z}\"v1\"")
        );
        assert_eq!(
            defuse("https://evil.example and WWW.evil.example"),
            format!("https:{z}//evil.example and WWW{z}.evil.example")
        );
        assert_eq!(defuse("a\n/close"), "a /close");
        assert_eq!(
            defuse("Crash on save (50% of runs) #"),
            "Crash on save (50% of runs) #"
        );
        assert_eq!(
            defuse("mail bob@example.com"),
            format!("mail bob@{z}example.com")
        );
    }

    #[test]
    fn only_absolute_web_addresses_are_link_targets() {
        assert_eq!(
            link_target("https://acme.atlassian.net/browse/TES-1").as_deref(),
            Some("https://acme.atlassian.net/browse/TES-1")
        );
        assert_eq!(
            link_target("https://x.test/a b)c").as_deref(),
            Some("https://x.test/a%20b)c")
        );
        for bad in [
            "javascript:alert(1)",
            "/relative",
            "data:text/html,x",
            "mailto:a@b",
            "",
        ] {
            assert_eq!(link_target(bad), None, "{bad}");
        }
    }

    #[test]
    fn no_line_starts_with_a_slash() {
        assert_eq!(guard_line("/close".into()), format!("{ZWSP}/close"));
        assert_eq!(guard_line("- /close".into()), "- /close");
    }
}
