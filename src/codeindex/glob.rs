//! gitignore-style patterns for CODEOWNERS and `.gitignore`, compiled once into one
//! `globset::GlobSet` (linear-time matching: the patterns come from the repository's own
//! files, and a hand-written matcher backtracked exponentially on `*a*a*a…b`).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// gitignore/CODEOWNERS patterns in file order. A pattern with a slash (other than a
/// trailing one) is anchored at the root, otherwise it matches a name at any depth; a
/// trailing slash matches directories only; a match on a directory covers everything below
/// it; `*` and `?` stay within one component, `**` spans any number.
#[derive(Debug, Clone)]
pub struct Patterns {
    set: GlobSet,
    /// The pattern (index in the given order) each glob of `set` came from.
    rule_of: Vec<usize>,
}

impl Default for Patterns {
    fn default() -> Self {
        Patterns {
            set: GlobSet::empty(),
            rule_of: Vec::new(),
        }
    }
}

impl Patterns {
    /// Compiles the patterns; one that does not compile matches nothing.
    pub fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Patterns {
        let mut builder = GlobSetBuilder::new();
        let mut rule_of = Vec::new();
        for (rule, pattern) in patterns.into_iter().enumerate() {
            for glob in globs_of(pattern) {
                if let Ok(g) = GlobBuilder::new(&glob).literal_separator(true).build() {
                    builder.add(g);
                    rule_of.push(rule);
                }
            }
        }
        match builder.build() {
            Ok(set) => Patterns { set, rule_of },
            Err(_) => Patterns::default(),
        }
    }

    /// True when any pattern matches the path.
    pub fn is_match(&self, path: &str) -> bool {
        self.set.is_match(path)
    }

    /// The index of the last pattern that matches the path (CODEOWNERS: the last rule wins).
    pub fn last_match(&self, path: &str) -> Option<usize> {
        self.set
            .matches(path)
            .into_iter()
            .map(|g| self.rule_of[g])
            .max()
    }
}

/// The globs a gitignore pattern stands for, over whole repository paths.
fn globs_of(pattern: &str) -> Vec<String> {
    let dir_only = pattern.ends_with('/');
    let p = pattern.trim_end_matches('/');
    let anchored = p.trim_start_matches('/').contains('/') || p.starts_with('/');
    // gitignore has no `{a,b}` alternation: braces are literal
    let p = p
        .trim_start_matches('/')
        .replace('{', "[{]")
        .replace('}', "[}]");
    if p.is_empty() {
        return Vec::new();
    }
    let base = if anchored {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    let below = format!("{base}/**");
    if dir_only {
        vec![below]
    } else {
        vec![base, below]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        Patterns::new([pattern]).is_match(path)
    }

    #[test]
    fn stars_stay_in_one_component_and_double_stars_span_many() {
        assert!(matches("/src/*.rs", "src/main.rs"));
        assert!(!matches("/src/*.rs", "src/a/main.rs"));
        assert!(matches("src/**", "src/a/b/main.rs"));
        assert!(matches("**/auth/**", "crates/auth/src/lib.rs"));
        assert!(matches("src/**/*.rs", "src/main.rs"));
        assert!(matches("a?c", "x/abc"));
        assert!(!matches("a?c", "x/a/c"));
    }

    #[test]
    fn gitignore_patterns_follow_anchoring_and_directory_rules() {
        assert!(matches("*.js", "web/app.js"));
        assert!(matches("/docs/", "docs/x/y.md"));
        assert!(!matches("/docs/", "src/docs/y.md"));
        assert!(matches("build/", "a/build/out.rs"));
        assert!(!matches("build/", "a/build"));
        assert!(matches("src/auth", "src/auth/session.rs"));
        assert!(matches("*", "anything/at/all.rs"));
        assert!(!matches("/", "anything"));
        assert!(matches("{a,b}.rs", "src/{a,b}.rs"));
        assert!(!matches("{a,b}.rs", "src/a.rs"));
    }

    #[test]
    fn the_last_matching_pattern_is_found() {
        let p = Patterns::new(["*", "/src/", "*.sql", "[", "docs/"]);
        assert_eq!(p.last_match("README.md"), Some(0));
        assert_eq!(p.last_match("src/a.rs"), Some(1));
        assert_eq!(p.last_match("src/a.sql"), Some(2));
        assert_eq!(p.last_match("docs/a.sql"), Some(4));
        assert_eq!(Patterns::new(["/src/"]).last_match("lib/a.rs"), None);
    }

    #[test]
    fn a_pathological_pattern_matches_in_linear_time() {
        // exponential for a backtracking matcher: every `*` may end at every position
        let pattern = format!("{}b", "*a".repeat(30));
        let path = format!("dir/{}", "a".repeat(5_000));
        let started = std::time::Instant::now();
        let p = Patterns::new([pattern.as_str(), "**/**/**/**/**/**/**/**/**/**/x"]);
        assert!(!p.is_match(&path));
        assert!(!p.is_match(&format!("{}/y", "d/".repeat(2_000))));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
}
