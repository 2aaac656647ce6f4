//! Ticket ↔ commit links: the ticket keys a commit message names, in every tracker's key
//! shape — Jira and Linear `ABC-123`, GitHub `#123` and `owner/repo#123`, GitLab
//! `group/sub/project#123` — and in configured patterns for other trackers (Bugzilla
//! `bug 12345`, `show_bug.cgi?id=12345`). Keys are written the way the tracker writes them
//! (project keys upper case), so they join the stored tickets' keys as they are. A configured
//! pattern may carry a key template (`BZ-{1}`): the capture becomes the key a tracker gives
//! the ticket, so `bug 55970` links to the Jira ticket `BZ-55970`.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A configured link pattern: a bare regex (the `key` group, else group 1, else the match is
/// the key), or a regex with the key template its captures fill in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LinkPattern {
    Bare(String),
    Keyed(KeyedPattern),
}

/// A regex and how its captures become a ticket key: `{1}`, `{2}` … are numbered groups,
/// `{name}` a named group, `{0}` the whole match (`BZ-{1}`, `{project}-{1}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyedPattern {
    pub pattern: String,
    pub key: String,
}

impl LinkPattern {
    /// The regex text.
    pub fn regex(&self) -> &str {
        match self {
            LinkPattern::Bare(p) => p,
            LinkPattern::Keyed(k) => &k.pattern,
        }
    }

    /// The key template, when there is one.
    pub fn template(&self) -> Option<&str> {
        match self {
            LinkPattern::Bare(_) => None,
            LinkPattern::Keyed(k) => Some(&k.key),
        }
    }
}

impl From<&str> for LinkPattern {
    fn from(s: &str) -> Self {
        LinkPattern::Bare(s.to_string())
    }
}

/// Why configured patterns cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    #[error(transparent)]
    Regex(#[from] regex::Error),
    #[error("key template `{template}` {why}")]
    Template { template: String, why: String },
}

/// A compiled pattern and its template's parts.
#[derive(Debug, Clone)]
struct Rule {
    regex: Regex,
    template: Option<Vec<Part>>,
}

/// A piece of a key template: text as it is, or a capture group.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Group(String),
}

/// Splits `BZ-{1}` into its text and groups, checking each group exists in `regex`.
fn parse_template(template: &str, regex: &Regex) -> Result<Vec<Part>, PatternError> {
    let bad = |why: &str| PatternError::Template {
        template: template.to_string(),
        why: why.to_string(),
    };
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_string()));
        }
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| bad("has a `{` without `}`"))?;
        let name = &rest[open + 1..open + close];
        let known = match name.parse::<usize>() {
            Ok(i) => i < regex.captures_len(),
            Err(_) => regex.capture_names().flatten().any(|n| n == name),
        };
        if !known {
            return Err(bad(&format!(
                "names `{{{name}}}`, not a group of its pattern"
            )));
        }
        parts.push(Part::Group(name.to_string()));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_string()));
    }
    if !parts.iter().any(|p| matches!(p, Part::Group(_))) {
        return Err(bad("names no group, so every match would be the same key"));
    }
    Ok(parts)
}

/// The key a template makes of a match; `None` when a group it names did not take part.
fn fill(parts: &[Part], c: &regex::Captures<'_>) -> Option<String> {
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Group(g) => {
                let m = match g.parse::<usize>() {
                    Ok(i) => c.get(i),
                    Err(_) => c.name(g),
                }?;
                out.push_str(m.as_str());
            }
        }
    }
    Some(out)
}

/// Keys kept per message: a release commit listing hundreds of tickets links none of them
/// usefully, and the bound keeps a hostile message cheap.
pub const MAX_KEYS: usize = 20;

/// Shapes that look like `ABC-123` but name encodings, hashes and standards, not tickets.
const NOT_PROJECTS: &[&str] = &[
    "UTF", "SHA", "MD", "ISO", "RFC", "CVE", "GPL", "LGPL", "AGPL", "BSD", "HTTP", "TLS", "SSL",
    "JSR", "PEP", "X", "JDK", "JAVA", "PY", "IPV", "AES", "RSA",
];

/// Reads ticket keys from commit messages.
#[derive(Debug, Clone)]
pub struct Linker {
    /// Jira and Linear: an upper-case project key, a dash, a number.
    dashed: Regex,
    /// GitHub and GitLab: `#123`, optionally after `owner/repo` or `group/sub/project`.
    hashed: Regex,
    /// Configured patterns; the key is the template filled in, else the `key` group, else
    /// group 1, else the match.
    patterns: Vec<Rule>,
    /// The forge project a bare `#123` belongs to (`owner/repo`), when known.
    forge_project: Option<String>,
}

impl Linker {
    /// Builds a linker with the configured extra patterns.
    pub fn new(patterns: &[LinkPattern]) -> Result<Linker, PatternError> {
        Ok(Linker {
            dashed: Regex::new(r"\b([A-Z][A-Z0-9_]{1,15})-([1-9][0-9]{0,8})\b")?,
            hashed: Regex::new(
                r"(?:^|[\s(\[{,;:'\x22])((?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]+)?#([1-9][0-9]{0,8})\b",
            )?,
            patterns: patterns
                .iter()
                .filter(|p| !p.regex().trim().is_empty())
                .map(|p| {
                    let regex = Regex::new(p.regex())?;
                    let template = p
                        .template()
                        .map(|t| parse_template(t, &regex))
                        .transpose()?;
                    Ok(Rule { regex, template })
                })
                .collect::<Result<_, PatternError>>()?,
            forge_project: None,
        })
    }

    /// Reads a bare `#123` as issue 123 of `project` (`owner/repo#123`, the key its tracker
    /// gives it) instead of leaving it `#123`.
    pub fn with_forge_project(mut self, project: Option<&str>) -> Linker {
        self.forge_project = project.map(str::to_string);
        self
    }

    /// The ticket keys a message names, first mention first, each once, at most `MAX_KEYS`.
    pub fn keys(&self, message: &str) -> Vec<String> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut push = |k: String| {
            if out.len() < MAX_KEYS && seen.insert(k.clone()) {
                out.push(k);
            }
        };
        let mut found: Vec<(usize, String)> = Vec::new();
        for c in self.dashed.captures_iter(message) {
            let (whole, project) = (c.get(0).expect("match"), &c[1]);
            // `ABC-12-3` and `ABC-1.2` are versions or ranges, not keys
            let mut after = message[whole.end()..].chars();
            let version = matches!(after.next(), Some('-' | '.'))
                && after.next().is_some_and(|c| c.is_ascii_digit());
            if NOT_PROJECTS.contains(&project) || version {
                continue;
            }
            found.push((whole.start(), whole.as_str().to_string()));
        }
        for c in self.hashed.captures_iter(message) {
            let n = c.get(2).expect("number");
            let key = match (c.get(1), &self.forge_project) {
                (Some(repo), _) => format!("{}#{}", repo.as_str(), n.as_str()),
                (None, Some(project)) => format!("{project}#{}", n.as_str()),
                (None, None) => format!("#{}", n.as_str()),
            };
            found.push((n.start(), key));
        }
        for p in &self.patterns {
            for c in p.regex.captures_iter(message) {
                let start = c.get(0).expect("match").start();
                if let Some(parts) = &p.template {
                    found.extend(fill(parts, &c).map(|k| (start, k)));
                    continue;
                }
                let m = c
                    .name("key")
                    .or_else(|| c.get(1))
                    .or_else(|| c.get(0))
                    .expect("match");
                if !m.as_str().is_empty() {
                    found.push((m.start(), m.as_str().to_string()));
                }
            }
        }
        found.sort_by_key(|f| f.0);
        for (_, k) in found {
            push(k);
        }
        out
    }
}

impl Default for Linker {
    fn default() -> Self {
        Linker::new(&[]).expect("valid built-in patterns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keys(msg: &str) -> Vec<String> {
        Linker::default().keys(msg)
    }

    #[test]
    fn jira_and_linear_keys_are_read_from_a_message() {
        assert_eq!(keys("TOM-123: fix the host config"), ["TOM-123"]);
        assert_eq!(
            keys("Fix login loop (ENG-42)\n\nAlso closes ENG-7 and PAY_OPS-9."),
            ["ENG-42", "ENG-7", "PAY_OPS-9"]
        );
    }

    #[test]
    fn encodings_versions_and_lower_case_words_are_not_keys() {
        assert!(keys("read files as UTF-8, hash with SHA-256 per RFC-7231").is_empty());
        assert!(keys("bump to ABC-1.2 and ABC-1-2; see the x-1 offset").is_empty());
        assert!(keys("pre-release, re-run tests").is_empty());
    }

    #[test]
    fn github_and_gitlab_references_are_read_with_their_repository() {
        assert_eq!(
            keys("Fix crash on empty body (#123)"),
            ["#123"],
            "GitHub's merge and squash messages"
        );
        assert_eq!(
            keys("Fixes octo-org/octo-repo#45, closes #46"),
            ["octo-org/octo-repo#45", "#46"]
        );
        assert_eq!(
            keys("Closes gitlab-org/sub.group/my_project#9"),
            ["gitlab-org/sub.group/my_project#9"]
        );
        // HTML entities and anchors are not references
        assert!(keys("escape &#304; and see page.html#12").is_empty());
    }

    #[test]
    fn a_bare_reference_belongs_to_the_forge_project_when_one_is_known() {
        let l = Linker::default().with_forge_project(Some("octo-org/octo-repo"));
        assert_eq!(
            l.keys("Fix crash on empty body (#123), see other/repo#7"),
            ["octo-org/octo-repo#123", "other/repo#7"]
        );
    }

    #[test]
    fn configured_patterns_read_bugzilla_references() {
        let l = Linker::new(&[
            r"(?i)\b(?:bug|bz|pr)\s*#?(\d{4,7})\b".into(),
            r"show_bug\.cgi\?id=(?P<key>\d+)".into(),
        ])
        .unwrap();
        assert_eq!(l.keys("Fix for Bug 423257: generics"), ["423257"]);
        assert_eq!(l.keys("pr318878: synchronized perObjectBind"), ["318878"]);
        assert_eq!(
            l.keys("see https://bugs.eclipse.org/bugs/show_bug.cgi?id=12345 and TOM-1"),
            ["12345", "TOM-1"]
        );
        assert!(Linker::new(&["(".into()]).is_err());
    }

    fn keyed(pattern: &str, key: &str) -> LinkPattern {
        LinkPattern::Keyed(KeyedPattern {
            pattern: pattern.into(),
            key: key.into(),
        })
    }

    #[test]
    fn a_key_template_turns_a_bare_bug_number_into_the_trackers_key() {
        let l = Linker::new(&[keyed(r"(?i)\b(?:bug|bz)\s*#?(\d{4,7})\b", "BZ-{1}")]).unwrap();
        assert_eq!(l.keys("Fix for Bug 55970: NPE"), ["BZ-55970"]);
        assert_eq!(l.keys("bz 4242 and TOM-1"), ["BZ-4242", "TOM-1"]);
        let named = Linker::new(&[keyed(r"(?P<p>[a-z]+) issue (\d+)", "{p}-{2}")]).unwrap();
        assert_eq!(named.keys("see tc issue 12"), ["tc-12"]);
    }

    #[test]
    fn a_template_naming_no_group_or_a_missing_one_is_refused() {
        for bad in ["BZ", "BZ-{2}", "BZ-{nope}", "BZ-{1"] {
            let e = Linker::new(&[keyed(r"bug (\d+)", bad)]).unwrap_err();
            assert!(e.to_string().contains(bad), "{e}");
        }
    }

    #[test]
    fn a_key_named_twice_links_once_and_a_long_list_is_capped() {
        assert_eq!(keys("ENG-1 ENG-1 eng ENG-1"), ["ENG-1"]);
        let many: String = (1..100).map(|i| format!("ENG-{i} ")).collect();
        assert_eq!(keys(&many).len(), MAX_KEYS);
    }

    proptest! {
        #[test]
        fn a_dashed_key_between_separators_is_always_found(
            project in "[A-Z][A-Z0-9]{2,6}",
            n in 1u32..1_000_000,
            before in "[a-z ]{0,12}",
            sep in prop::sample::select(vec![" ", ": ", "(", "[", "\n"]),
        ) {
            prop_assume!(!NOT_PROJECTS.contains(&project.as_str()));
            let key = format!("{project}-{n}");
            let msg = format!("{before}{sep}{key}) tail");
            prop_assert_eq!(keys(&msg), vec![key]);
        }

        #[test]
        fn a_github_reference_is_found_with_or_without_its_repository(
            owner in "[a-z][a-z0-9-]{0,8}",
            repo in "[a-z][a-z0-9_.]{0,8}",
            n in 1u32..100_000,
            qualified in any::<bool>(),
        ) {
            let key = if qualified { format!("{owner}/{repo}#{n}") } else { format!("#{n}") };
            prop_assert_eq!(keys(&format!("Merge fix for {key} into main")), vec![key]);
        }

        #[test]
        fn any_message_gives_a_bounded_list_of_distinct_keys(msg in "\\PC{0,400}") {
            let k = keys(&msg);
            prop_assert!(k.len() <= MAX_KEYS);
            let distinct: HashSet<&String> = k.iter().collect();
            prop_assert_eq!(distinct.len(), k.len());
        }
    }
}
