//! Module detection: overrides win, else the nearest package root (refined into its top
//! source directories when the package is large), else the directory at a fixed depth.

use super::glob::glob_match;
use std::collections::{BTreeMap, HashMap, HashSet};

const MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "package.json",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "build.sbt",
    "mix.exs",
    "composer.json",
    "Gemfile",
    "pubspec.yaml",
    "Package.swift",
    "build.xml",
    "CMakeLists.txt",
];

const MANIFEST_SUFFIXES: &[&str] = &[".csproj", ".fsproj", ".vbproj", ".gemspec"];

/// How modules are cut.
#[derive(Debug, Clone)]
pub struct ModuleRules {
    /// Directory depth used where no package manifest encloses a file.
    pub depth: usize,
    /// A package with more source files than this is split into its top source directories.
    pub large_package_files: usize,
    /// `(glob, module)`: the longest matching glob wins over detection.
    pub overrides: Vec<(String, String)>,
}

impl Default for ModuleRules {
    fn default() -> Self {
        ModuleRules {
            depth: 2,
            large_package_files: 150,
            overrides: Vec::new(),
        }
    }
}

/// True when a file name marks a package root.
pub fn is_manifest(name: &str) -> bool {
    MANIFESTS.contains(&name) || MANIFEST_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Assigns a module (a repository-relative directory, `.` for the root) to every source
/// file. `all_paths` is the whole tree, used to find package manifests.
pub fn assign_modules<'a>(
    all_paths: impl IntoIterator<Item = &'a str>,
    sources: &[&'a str],
    rules: &ModuleRules,
) -> HashMap<String, String> {
    let roots: HashSet<&str> = all_paths
        .into_iter()
        .filter(|p| is_manifest(p.rsplit('/').next().unwrap_or(p)))
        .map(|p| p.rsplit_once('/').map_or("", |(d, _)| d))
        .collect();
    let mut packages: BTreeMap<Option<&str>, Vec<&str>> = BTreeMap::new();
    for &path in sources {
        packages
            .entry(package_root(path, &roots))
            .or_default()
            .push(path);
    }
    let mut out = HashMap::with_capacity(sources.len());
    for (root, files) in packages {
        match root {
            Some(root) => refine(root, &files, rules.large_package_files, 3, &mut out),
            None => {
                for f in files {
                    out.insert(f.to_string(), dir_at_depth(f, rules.depth));
                }
            }
        }
    }
    let mut overrides: Vec<&(String, String)> = rules.overrides.iter().collect();
    overrides.sort_by_key(|(g, _)| std::cmp::Reverse(g.len()));
    for (path, module) in out.iter_mut() {
        if let Some((_, m)) = overrides.iter().find(|(g, _)| glob_match(g, path)) {
            *module = m.clone();
        }
    }
    out
}

fn package_root<'a>(path: &'a str, roots: &HashSet<&str>) -> Option<&'a str> {
    let mut dir = path;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        if roots.contains(parent) {
            return Some(parent);
        }
        dir = parent;
    }
    roots.contains("").then_some("")
}

fn dir_at_depth(path: &str, depth: usize) -> String {
    let dirs: Vec<&str> = path.split('/').collect();
    let dirs = &dirs[..dirs.len() - 1];
    if dirs.is_empty() {
        ".".to_string()
    } else {
        dirs[..dirs.len().min(depth.max(1))].join("/")
    }
}

fn join(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, true) => ".".to_string(),
        (true, false) => rest.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}/{rest}"),
    }
}

/// Splits a large package: single-child directory chains (`src/main/java/org/acme`) are
/// skipped, then each directory below gets its own module, recursively while still large.
fn refine(
    prefix: &str,
    files: &[&str],
    large: usize,
    levels: usize,
    out: &mut HashMap<String, String>,
) {
    if files.len() <= large || levels == 0 {
        let module = join(prefix, "");
        for f in files {
            out.insert(f.to_string(), module.clone());
        }
        return;
    }
    let strip = if prefix.is_empty() {
        0
    } else {
        prefix.len() + 1
    };
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut here = Vec::new();
    for &f in files {
        match f[strip..].split_once('/') {
            Some((dir, _)) => groups.entry(dir).or_default().push(f),
            None => here.push(f),
        }
    }
    for f in here {
        out.insert(f.to_string(), join(prefix, ""));
    }
    // a single child directory is a chain link, not a level of structure
    let levels = if groups.len() == 1 {
        levels
    } else {
        levels - 1
    };
    for (dir, group) in groups {
        refine(
            &join(prefix, dir).replace("./", ""),
            &group,
            large,
            levels,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules(tree: &[&str], rules: &ModuleRules) -> HashMap<String, String> {
        let sources: Vec<&str> = tree
            .iter()
            .copied()
            .filter(|p| super::super::extract::is_source_path(p))
            .collect();
        assign_modules(tree.iter().copied(), &sources, rules)
    }

    fn check(tree: &[&str], file: &str, module: &str) {
        let m = modules(tree, &ModuleRules::default());
        assert_eq!(m.get(file).map(String::as_str), Some(module), "{m:?}");
    }

    #[test]
    fn rust_crates_are_modules() {
        let tree = [
            "Cargo.toml",
            "crates/auth/Cargo.toml",
            "crates/auth/src/lib.rs",
            "src/main.rs",
        ];
        check(&tree, "crates/auth/src/lib.rs", "crates/auth");
        check(&tree, "src/main.rs", ".");
    }

    #[test]
    fn node_packages_are_modules() {
        let tree = [
            "packages/ui/package.json",
            "packages/ui/src/button.tsx",
            "tools/x.js",
        ];
        check(&tree, "packages/ui/src/button.tsx", "packages/ui");
        check(&tree, "tools/x.js", "tools");
    }

    #[test]
    fn go_modules_are_modules() {
        check(
            &["svc/go.mod", "svc/internal/db/db.go"],
            "svc/internal/db/db.go",
            "svc",
        );
    }

    #[test]
    fn maven_and_gradle_projects_are_modules() {
        let tree = [
            "pom.xml",
            "weaver/pom.xml",
            "weaver/src/main/java/org/W.java",
            "app/build.gradle.kts",
            "app/src/main/kotlin/A.kt",
            "lib/build.gradle",
            "lib/src/L.java",
        ];
        check(&tree, "weaver/src/main/java/org/W.java", "weaver");
        check(&tree, "app/src/main/kotlin/A.kt", "app");
        check(&tree, "lib/src/L.java", "lib");
    }

    #[test]
    fn python_projects_are_modules() {
        check(&["pyproject.toml", "pkg/core.py"], "pkg/core.py", ".");
        check(
            &["plugins/p/setup.py", "plugins/p/p/x.py"],
            "plugins/p/p/x.py",
            "plugins/p",
        );
    }

    #[test]
    fn dotnet_projects_are_modules() {
        check(
            &["src/Api/Api.csproj", "src/Api/Controllers/Home.cs"],
            "src/Api/Controllers/Home.cs",
            "src/Api",
        );
    }

    #[test]
    fn files_outside_packages_use_the_directory_at_the_configured_depth() {
        check(&["a/b/c/d.py", "top.py"], "a/b/c/d.py", "a/b");
        check(&["a/b/c/d.py", "top.py"], "top.py", ".");
    }

    #[test]
    fn large_packages_split_into_top_source_directories() {
        let mut tree = vec!["pom.xml".to_string()];
        for d in ["bcel", "patterns"] {
            for i in 0..100 {
                tree.push(format!("src/main/java/org/aspectj/weaver/{d}/F{i}.java"));
            }
        }
        tree.push("src/main/java/org/aspectj/weaver/World.java".to_string());
        let refs: Vec<&str> = tree.iter().map(String::as_str).collect();
        check(
            &refs,
            "src/main/java/org/aspectj/weaver/bcel/F1.java",
            "src/main/java/org/aspectj/weaver/bcel",
        );
        check(
            &refs,
            "src/main/java/org/aspectj/weaver/World.java",
            "src/main/java/org/aspectj/weaver",
        );
    }

    #[test]
    fn overrides_win_and_the_longest_glob_is_most_specific() {
        let rules = ModuleRules {
            overrides: vec![
                ("src/**".into(), "core".into()),
                ("src/auth/**".into(), "auth".into()),
            ],
            ..ModuleRules::default()
        };
        let m = modules(&["Cargo.toml", "src/auth/a.rs", "src/b.rs"], &rules);
        assert_eq!(m["src/auth/a.rs"], "auth");
        assert_eq!(m["src/b.rs"], "core");
    }
}
