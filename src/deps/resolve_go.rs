//! Go import paths to package directories through each `go.mod`'s module path: an import
//! under a module of this repository names the directory's non-test `.go` files.

use super::tree::{child, dir_of, internal, Outcome, Tree};
use std::collections::HashMap;

/// The modules of a repository: module path → its directory, longest path first.
#[derive(Default)]
pub struct GoModules(Vec<(String, String)>);

impl GoModules {
    pub fn new(configs: &HashMap<String, String>) -> GoModules {
        let mut v: Vec<(String, String)> = configs
            .iter()
            .filter(|(p, _)| p.rsplit('/').next() == Some("go.mod"))
            .filter_map(|(p, text)| {
                let module = text.lines().find_map(|l| {
                    let l = l.split("//").next()?.trim();
                    l.strip_prefix("module")
                        .filter(|r| r.starts_with([' ', '\t']))
                        .map(|r| r.trim().trim_matches('"').to_string())
                })?;
                Some((module, dir_of(p).to_string()))
            })
            .collect();
        v.sort_by_key(|(m, _)| std::cmp::Reverse(m.len()));
        GoModules(v)
    }

    pub fn resolve(&self, tree: &Tree, spec: &str) -> Outcome {
        for (module, dir) in &self.0 {
            let rest = match spec.strip_prefix(module.as_str()) {
                Some("") => "",
                Some(r) if r.starts_with('/') => &r[1..],
                _ => continue,
            };
            let pkg = if rest.is_empty() {
                dir.clone()
            } else {
                child(dir, rest)
            };
            let files = tree.in_dir(&pkg).iter().copied().filter(|&f| {
                let p = tree.path(f);
                p.ends_with(".go") && !p.ends_with("_test.go")
            });
            return internal(files).unwrap_or(Outcome::Unresolved);
        }
        Outcome::External(go_package(spec))
    }
}

/// The package an external import is counted under: the standard library's path itself
/// (`net/http`), else the module-like first three segments (`github.com/pkg/errors`).
fn go_package(spec: &str) -> String {
    let first = spec.split('/').next().unwrap_or(spec);
    if !first.contains('.') {
        return spec.to_string();
    }
    spec.split('/').take(3).collect::<Vec<_>>().join("/")
}
