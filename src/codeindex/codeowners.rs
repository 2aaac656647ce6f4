//! CODEOWNERS: the three standard locations, last matching rule wins.

use super::glob::Patterns;

/// Where GitHub and GitLab look for the file, in their order of precedence.
pub const LOCATIONS: &[&str] = &[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// Parsed rules, in file order, with their patterns compiled once.
#[derive(Debug, Clone, Default)]
pub struct CodeOwners {
    rules: Vec<(String, Vec<String>)>,
    patterns: Patterns,
}

impl CodeOwners {
    /// Parses CODEOWNERS text; comments, blank lines and GitLab `[Section]` headers are skipped.
    pub fn parse(text: &str) -> CodeOwners {
        let rules: Vec<(String, Vec<String>)> = text
            .lines()
            .map(|l| l.split_once(" #").map_or(l, |(a, _)| a).trim())
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('['))
            .filter_map(|l| {
                let mut it = l.split_whitespace();
                let pattern = it.next()?.to_string();
                Some((pattern, it.map(str::to_string).collect()))
            })
            .collect();
        let patterns = Patterns::new(rules.iter().map(|(p, _)| p.as_str()));
        CodeOwners { rules, patterns }
    }

    /// Owners of a path: the last matching rule's (a rule with no owners un-assigns).
    pub fn owners_of(&self, path: &str) -> &[String] {
        self.patterns
            .last_match(path)
            .map_or(&[], |i| self.rules[i].1.as_slice())
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# owners\n* @org/everyone\n/src/auth/ @org/security alice@example.com\n*.sql @org/dba\n[Docs]\ndocs/ @org/writers # inline comment\n/src/auth/generated.rs\n";

    #[test]
    fn the_last_matching_rule_wins() {
        let co = CodeOwners::parse(FILE);
        assert_eq!(co.owners_of("README.rs"), ["@org/everyone"]);
        assert_eq!(
            co.owners_of("src/auth/session.rs"),
            ["@org/security", "alice@example.com"]
        );
        assert_eq!(co.owners_of("src/auth/schema.sql"), ["@org/dba"]);
        assert_eq!(co.owners_of("docs/x/guide.rs"), ["@org/writers"]);
    }

    #[test]
    fn a_rule_without_owners_unassigns() {
        let co = CodeOwners::parse(FILE);
        assert!(co.owners_of("src/auth/generated.rs").is_empty());
    }
}
