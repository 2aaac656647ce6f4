//! Display names: what every module shares is dropped. JVM packages lose their source root
//! and the domain prefix all packages of that domain share (`java/org/apache/catalina/startup`
//! → `catalina/startup`; `src/main/java/com/fasterxml/jackson/databind/deser` → `deser`);
//! other modules lose their `src` segments (`src/_pytest/assertion` → `_pytest/assertion`).
//! Names that would clash fall back to the module id.

use super::layout::{JVM, PACKAGE_TLDS};
use super::Module;
use std::collections::HashMap;

/// The name of the repository root's module.
pub const ROOT_NAME: &str = "(root)";

/// A module's logical path: (module index, directories before the JVM packages, the
/// package path when it is one).
type Split<'a> = (usize, Vec<&'a str>, Option<Vec<&'a str>>);

/// Names `modules[i]` from its logical path, for every `(i, path)` in `logical`.
pub fn assign(modules: &mut [Module], logical: &[(usize, Vec<String>)]) {
    let split: Vec<Split<'_>> = logical
        .iter()
        .map(|(i, segs)| {
            let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
            match segs.iter().position(|s| *s == JVM) {
                Some(m) => (*i, segs[..m].to_vec(), Some(segs[m + 1..].to_vec())),
                None => (*i, segs, None),
            }
        })
        .collect();
    // the prefix every package of a domain shares (`org/apache`, `com/fasterxml/jackson/databind`)
    let mut shared: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
    for (_, _, pkg) in &split {
        let Some(pkg) = pkg else { continue };
        let Some(domain) = domain(pkg) else { continue };
        shared
            .entry(domain)
            .and_modify(|p| {
                let n = p.iter().zip(pkg.iter()).take_while(|(a, b)| a == b).count();
                p.truncate(n);
            })
            .or_insert_with(|| pkg.clone());
    }
    for (i, project, pkg) in &split {
        let mut parts: Vec<&str> = project.iter().copied().filter(|s| *s != "src").collect();
        match pkg {
            Some(pkg) => {
                let strip = domain(pkg).and_then(|d| shared.get(&d)).map_or(0, Vec::len);
                let rest = &pkg[strip.min(pkg.len())..];
                let rest = if rest.is_empty() {
                    &pkg[pkg.len().saturating_sub(1)..]
                } else {
                    rest
                };
                for seg in rest {
                    // `core/src/main/java/com/acme/core` reads `core`, not `core/core`
                    if parts.last() != Some(seg) {
                        parts.push(seg);
                    }
                }
            }
            None if parts.is_empty() && !project.is_empty() => parts = project.clone(),
            None => {}
        }
        modules[*i].name = if parts.is_empty() {
            ROOT_NAME.to_string()
        } else {
            parts.join("/")
        };
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in modules.iter().filter(|m| m.files > 0) {
        *seen.entry(m.name.clone()).or_default() += 1;
    }
    for m in modules.iter_mut() {
        if seen.get(&m.name).copied().unwrap_or(0) > 1 {
            m.name = m.id.clone();
        }
    }
}

/// A reverse-domain package's domain (`org`, `apache`), when it has one.
fn domain<'a>(pkg: &[&'a str]) -> Option<(&'a str, &'a str)> {
    match pkg {
        [tld, org, ..] if PACKAGE_TLDS.contains(tld) => Some((tld, org)),
        _ => None,
    }
}
