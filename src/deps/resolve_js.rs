//! JavaScript/TypeScript specifiers to files: relative paths with the extensions and index
//! files Node and TypeScript try (a `.js` specifier also finds its `.ts` source), the
//! nearest `tsconfig.json`/`jsconfig.json`'s `paths` and `baseUrl`, and workspace packages
//! (a `package.json` of the repository, by its `name`).

use super::tree::{child, dir_of, join, Outcome, Tree};
use std::collections::HashMap;

const EXTS: &[&str] = &[
    "ts", "tsx", "d.ts", "js", "jsx", "mjs", "cjs", "mts", "cts", "vue", "svelte", "json",
];

/// One `tsconfig.json`: its directory, `baseUrl` and `paths` (pattern → targets).
struct TsConfig {
    dir: String,
    base: Option<String>,
    paths: Vec<(String, Vec<String>)>,
}

/// What resolving JS/TS needs beyond the tree.
#[derive(Default)]
pub struct JsContext {
    configs: Vec<TsConfig>,
    /// Workspace package name → its directory and entry file, if it names one.
    packages: HashMap<String, (String, Option<String>)>,
}

impl JsContext {
    /// Reads the `tsconfig.json`, `jsconfig.json` and `package.json` files among `configs`.
    pub fn new(configs: &HashMap<String, String>) -> JsContext {
        let mut ctx = JsContext::default();
        for (path, text) in configs {
            let name = path.rsplit('/').next().unwrap_or(path);
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&strip_jsonc(text)) else {
                continue;
            };
            let dir = dir_of(path).to_string();
            if name == "package.json" {
                if let Some(n) = v["name"].as_str() {
                    let main = ["module", "main", "types", "source"]
                        .iter()
                        .find_map(|k| v[*k].as_str())
                        .map(str::to_string);
                    ctx.packages.insert(n.to_string(), (dir, main));
                }
            } else if name.starts_with("tsconfig") || name == "jsconfig.json" {
                ctx.configs.push(ts_config(dir, &v));
            }
        }
        // the deepest configuration first: the nearest one wins
        ctx.configs.sort_by_key(|c| std::cmp::Reverse(c.dir.len()));
        ctx
    }

    pub fn resolve(&self, tree: &Tree, from: &str, spec: &str) -> Outcome {
        let spec = spec.split(['?', '#']).next().unwrap_or(spec);
        if spec.starts_with('.') {
            let target = join(dir_of(from), spec);
            return target
                .and_then(|t| file_or_index(tree, &t))
                .map_or(Outcome::Unresolved, |f| Outcome::Internal(vec![f]));
        }
        if let Some(abs) = spec.strip_prefix('/') {
            return self.absolute(tree, from, abs);
        }
        if let Some(o) = self.aliased(tree, from, spec) {
            return o;
        }
        let workspace = self.workspace(tree, spec);
        if let Some(o @ Outcome::Internal(_)) = workspace {
            return o;
        }
        // `alloy/controllers/Base` copied to the app's root at build time: one file of the
        // repository ending so
        if let Some(f) = spec.contains('/').then(|| by_tail(tree, spec)).flatten() {
            return Outcome::Internal(vec![f]);
        }
        workspace.unwrap_or_else(|| Outcome::External(package_name(spec)))
    }

    /// An absolute path names a root the runtime knows (Titanium's `Resources/`, a web
    /// root), which the build fills from the repository: the repository root, else the one
    /// file ending so, else the repository's own package it names (`/alloy` as `alloy`,
    /// through its `package.json`), else the file ending in the longest part of it that is
    /// nearest the importing file.
    fn absolute(&self, tree: &Tree, from: &str, abs: &str) -> Outcome {
        if let Some(f) = file_or_index(tree, abs).or_else(|| by_tail(tree, abs)) {
            return Outcome::Internal(vec![f]);
        }
        if let Some(o @ Outcome::Internal(_)) = self.workspace(tree, abs) {
            return o;
        }
        nearest_tail(tree, from, abs).map_or(Outcome::Unresolved, |f| Outcome::Internal(vec![f]))
    }

    /// Through the nearest configuration's `paths`, then its `baseUrl`.
    fn aliased(&self, tree: &Tree, from: &str, spec: &str) -> Option<Outcome> {
        let cfg = self
            .configs
            .iter()
            .find(|c| c.dir.is_empty() || from.starts_with(&format!("{}/", c.dir)))?;
        let base = match &cfg.base {
            Some(b) => join(&cfg.dir, b)?,
            None => cfg.dir.clone(),
        };
        let mut matched = false;
        for (pattern, targets) in &cfg.paths {
            let Some(star) = match_pattern(pattern, spec) else {
                continue;
            };
            matched = true;
            for t in targets {
                let t = join(&base, &t.replace('*', star))?;
                if let Some(f) = file_or_index(tree, &t) {
                    return Some(Outcome::Internal(vec![f]));
                }
            }
        }
        if cfg.base.is_some() {
            if let Some(f) = join(&base, spec).and_then(|t| file_or_index(tree, &t)) {
                return Some(Outcome::Internal(vec![f]));
            }
        }
        matched.then_some(Outcome::Unresolved)
    }

    /// `@acme/ui` or `@acme/ui/button` when `@acme/ui` is a package of this repository.
    fn workspace(&self, tree: &Tree, spec: &str) -> Option<Outcome> {
        let name = package_name(spec);
        let (dir, main) = self.packages.get(&name)?;
        let rest = spec[name.len()..].trim_start_matches('/');
        let found = if rest.is_empty() {
            main.as_deref()
                .and_then(|m| join(dir, m))
                .and_then(|m| file_or_index(tree, &m))
                .or_else(|| file_or_index(tree, &child(dir, "index")))
                .or_else(|| file_or_index(tree, &child(dir, "src/index")))
        } else {
            ["", "src/", "lib/"]
                .iter()
                .find_map(|p| file_or_index(tree, &child(dir, &format!("{p}{rest}"))))
        };
        Some(found.map_or(Outcome::Unresolved, |f| Outcome::Internal(vec![f])))
    }
}

fn ts_config(dir: String, v: &serde_json::Value) -> TsConfig {
    let opts = &v["compilerOptions"];
    let paths = opts["paths"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, t)| {
                    let targets = t
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    (k.clone(), targets)
                })
                .collect()
        })
        .unwrap_or_default();
    TsConfig {
        dir,
        base: opts["baseUrl"].as_str().map(str::to_string),
        paths,
    }
}

/// What `*` of `pattern` stands for in `spec`, when it matches (`@/*` and `@/a/b` → `a/b`).
fn match_pattern<'s>(pattern: &str, spec: &'s str) -> Option<&'s str> {
    match pattern.split_once('*') {
        None => (pattern == spec).then_some(""),
        Some((pre, post)) => spec
            .strip_prefix(pre)
            .and_then(|r| r.strip_suffix(post))
            .filter(|_| spec.len() >= pre.len() + post.len()),
    }
}

/// `path` itself, with an extension, the `.ts` of a `.js` specifier, or its index file.
fn file_or_index(tree: &Tree, path: &str) -> Option<u32> {
    if let Some(f) = tree.file(path) {
        return Some(f);
    }
    let mut candidates: Vec<String> = EXTS.iter().map(|e| format!("{path}.{e}")).collect();
    for (js, ts) in [
        (".js", ".ts"),
        (".js", ".tsx"),
        (".jsx", ".tsx"),
        (".mjs", ".mts"),
        (".cjs", ".cts"),
    ] {
        if let Some(s) = path.strip_suffix(js) {
            candidates.push(format!("{s}{ts}"));
        }
    }
    candidates.extend(EXTS.iter().map(|e| format!("{path}/index.{e}")));
    tree.first(candidates)
}

/// The one file whose path ends with `spec` and an extension (at least two names, so a
/// bare `x` never matches by accident).
fn by_tail(tree: &Tree, spec: &str) -> Option<u32> {
    if !spec.contains('/') {
        return None;
    }
    EXTS.iter()
        .find_map(|e| tree.unique_tail(&format!("{spec}.{e}")))
        .or_else(|| tree.unique_tail(spec))
}

/// The file ending in the longest tail of `spec` (leading directories dropped one by one)
/// that any file ends in, when one of those files is nearest `from`: it shares more
/// leading directories with `from` than any other, and at least one. A build that copies
/// `builtins/moment.js` to `/alloy/moment.js` leaves the copy's neighbours pointing at
/// the one beside them; candidates equally far away resolve to none.
fn nearest_tail(tree: &Tree, from: &str, spec: &str) -> Option<u32> {
    let segs: Vec<&str> = spec.split('/').filter(|s| !s.is_empty()).collect();
    let found = (0..segs.len())
        .map(|k| {
            let tail = segs[k..].join("/");
            EXTS.iter()
                .flat_map(|e| {
                    let mut v = tree.with_tail(&format!("{tail}.{e}"));
                    v.extend(tree.with_tail(&format!("{tail}/index.{e}")));
                    v
                })
                .collect::<Vec<u32>>()
        })
        .find(|found| !found.is_empty())?;
    let from_dirs: Vec<&str> = dir_of(from).split('/').collect();
    let shared = |f: u32| {
        dir_of(tree.path(f))
            .split('/')
            .zip(&from_dirs)
            .take_while(|(a, b)| !a.is_empty() && a == *b)
            .count()
    };
    let mut by_shared: Vec<(usize, u32)> = found.into_iter().map(|f| (shared(f), f)).collect();
    by_shared.sort_by_key(|s| std::cmp::Reverse(s.0));
    match by_shared[..] {
        [(best, f)] if best > 0 => Some(f),
        [(best, f), (next, _), ..] if best > 0 && next < best => Some(f),
        _ => None,
    }
}

/// The package a bare specifier comes from: `@scope/name` or `name` (`node:fs` → `node:fs`).
fn package_name(spec: &str) -> String {
    let mut parts = spec.split('/');
    let first = parts.next().unwrap_or(spec);
    match (first.starts_with('@'), parts.next()) {
        (true, Some(second)) => format!("{first}/{second}"),
        _ => first.to_string(),
    }
}

/// JSON with comments and trailing commas (what `tsconfig.json` allows) as plain JSON.
fn strip_jsonc(text: &str) -> String {
    let toks = super::lex::tokens(
        text,
        super::lex::Syntax {
            c_comments: true,
            ..Default::default()
        },
    );
    let mut out = String::with_capacity(text.len());
    let mut pending_comma = false;
    for t in toks {
        use super::lex::Tok;
        match t {
            Tok::Newline => {}
            Tok::Punct(',') => pending_comma = true,
            other => {
                let closes = matches!(other, Tok::Punct('}' | ']'));
                if pending_comma && !closes {
                    out.push(',');
                }
                pending_comma = false;
                match other {
                    Tok::Str(s) => {
                        out.push('"');
                        out.push_str(&s);
                        out.push('"');
                    }
                    Tok::Ident(s) => {
                        out.push_str(&s);
                        out.push(' ');
                    }
                    Tok::Punct(c) => out.push(c),
                    Tok::Newline => {}
                }
            }
        }
    }
    out
}
