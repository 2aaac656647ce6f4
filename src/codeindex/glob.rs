//! Glob matching for module overrides, CODEOWNERS and `.gitignore` patterns.

/// Matches `path` against `pattern`: `*` and `?` stay within one path component, `**`
/// spans any number of components.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    matches(pattern.as_bytes(), path.as_bytes())
}

fn matches(p: &[u8], s: &[u8]) -> bool {
    if p.is_empty() {
        return s.is_empty();
    }
    if p.starts_with(b"**") {
        let rest = p[2..].strip_prefix(b"/").unwrap_or(&p[2..]);
        // `**/` may match nothing, or any prefix ending at a component boundary
        if matches(rest, s) {
            return true;
        }
        return (0..s.len())
            .any(|i| (s[i] == b'/' || rest.is_empty()) && matches(rest, &s[i + 1..]))
            || (rest.is_empty() && !s.is_empty());
    }
    match p[0] {
        b'*' => (0..=s.len())
            .take_while(|&i| i == 0 || s[i - 1] != b'/')
            .any(|i| matches(&p[1..], &s[i..])),
        b'?' => !s.is_empty() && s[0] != b'/' && matches(&p[1..], &s[1..]),
        c => !s.is_empty() && s[0] == c && matches(&p[1..], &s[1..]),
    }
}

/// gitignore/CODEOWNERS semantics: a pattern with a slash (other than a trailing one) is
/// anchored at the root, otherwise it matches a name at any depth; a trailing slash matches
/// directories only; a match on a directory covers everything below it.
pub fn gitignore_match(pattern: &str, path: &str) -> bool {
    let dir_only = pattern.ends_with('/');
    let p = pattern.trim_end_matches('/');
    let anchored = p.trim_start_matches('/').contains('/') || p.starts_with('/');
    let p = p.trim_start_matches('/');
    if p.is_empty() {
        return false;
    }
    let mut candidates: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
    if !dir_only {
        candidates.push(path);
    }
    candidates.into_iter().any(|c| {
        if anchored {
            glob_match(p, c)
        } else {
            glob_match(p, c.rsplit('/').next().unwrap_or(c))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_stay_in_one_component_and_double_stars_span_many() {
        assert!(glob_match("src/*.rs", "src/main.rs"));
        assert!(!glob_match("src/*.rs", "src/a/main.rs"));
        assert!(glob_match("src/**", "src/a/b/main.rs"));
        assert!(glob_match("**/auth/**", "crates/auth/src/lib.rs"));
        assert!(glob_match("src/**/*.rs", "src/main.rs"));
        assert!(glob_match("a?c", "abc"));
    }

    #[test]
    fn gitignore_patterns_follow_anchoring_and_directory_rules() {
        assert!(gitignore_match("*.js", "web/app.js"));
        assert!(gitignore_match("/docs/", "docs/x/y.md"));
        assert!(!gitignore_match("/docs/", "src/docs/y.md"));
        assert!(gitignore_match("build/", "a/build/out.rs"));
        assert!(!gitignore_match("build/", "a/build"));
        assert!(gitignore_match("src/auth", "src/auth/session.rs"));
        assert!(gitignore_match("*", "anything/at/all.rs"));
    }
}
