//! Dotted names to files: JVM packages and classes (a class is the file named after it in
//! its package; members of `import static` and nested classes are stripped until a class
//! is found; a wildcard names the package's files), C# namespaces (the files declaring
//! them) and `using static` classes.

use super::facts::{Facts, Lang};
use super::tree::{internal, stem, Outcome, Tree};
use std::collections::{HashMap, HashSet};

/// Declared packages and namespaces of one language family.
#[derive(Default)]
pub struct Declared {
    /// Package (namespace) → its files.
    packages: HashMap<String, Vec<u32>>,
    /// (package, file stem) → file.
    classes: HashMap<(String, String), u32>,
    /// The package roots this repository declares: `org.apache.catalina`, `jakarta.servlet`.
    roots: HashSet<String>,
}

/// JVM languages share one declared index (Kotlin imports Java classes); C# has its own.
pub fn family(lang: Lang) -> usize {
    usize::from(lang == Lang::CSharp)
}

impl Declared {
    pub fn add(&mut self, file: u32, path: &str, facts: &Facts) {
        let declares: Vec<&str> = if facts.declares.is_empty() && facts.lang != Lang::CSharp {
            vec![""]
        } else {
            facts.declares.iter().map(String::as_str).collect()
        };
        for pkg in declares {
            self.packages.entry(pkg.to_string()).or_default().push(file);
            self.classes
                .insert((pkg.to_string(), stem(path).to_string()), file);
            if !pkg.is_empty() {
                self.roots.insert(root(pkg, facts.lang));
            }
        }
    }

    /// Resolves one dotted import.
    pub fn resolve(&self, path: &[String], wildcard: bool, member: bool, lang: Lang) -> Outcome {
        let dotted = path.join(".");
        if wildcard {
            if let Some(o) = self.package(&dotted) {
                return o;
            }
        }
        // `a.b.C`, then `a.b.C.Inner` / `a.b.C.member` as `a.b.C`
        for k in (1..=path.len()).rev() {
            let pkg = path[..k - 1].join(".");
            if let Some(&f) = self.classes.get(&(pkg, path[k - 1].clone())) {
                return Outcome::Internal(vec![f]);
            }
        }
        // Kotlin and Scala import top-level functions and objects' members: the longest
        // declared package that is a prefix
        if member && matches!(lang, Lang::Kotlin | Lang::Scala) {
            for k in (1..=path.len()).rev() {
                if let Some(o) = self.package(&path[..k].join(".")) {
                    return o;
                }
            }
        }
        if self.roots.contains(&root(&dotted, lang)) {
            Outcome::Unresolved
        } else {
            Outcome::External(external(path, lang))
        }
    }

    fn package(&self, name: &str) -> Option<Outcome> {
        self.packages
            .get(name)
            .and_then(|f| internal(f.iter().copied()))
    }
}

/// How many leading segments make a package root: three under a domain (`org.apache.x`),
/// else two (`jakarta.servlet`, `System.Text`).
fn root_len(first: &str) -> usize {
    const TLDS: &[&str] = &[
        "org", "com", "net", "io", "edu", "gov", "de", "fr", "uk", "ch",
    ];
    if TLDS.contains(&first) {
        3
    } else {
        2
    }
}

/// A name's package root; C# namespaces by their first name (`Acme`), as companies name them.
fn root(dotted: &str, lang: Lang) -> String {
    let first = dotted.split('.').next().unwrap_or("");
    let n = if lang == Lang::CSharp {
        1
    } else {
        root_len(first)
    };
    dotted.split('.').take(n).collect::<Vec<_>>().join(".")
}

/// The package an external import is counted under: its lower-case (JVM) segments up to
/// the root length (`java.util`, `org.junit`), C#'s first two (`System.Collections`).
fn external(path: &[String], lang: Lang) -> String {
    let n = root_len(path.first().map_or("", String::as_str));
    let segs: Vec<&str> = path
        .iter()
        .map(String::as_str)
        .take_while(|s| lang == Lang::CSharp || s.starts_with(|c: char| c.is_ascii_lowercase()))
        .take(n)
        .collect();
    if segs.is_empty() {
        path.first().cloned().unwrap_or_default()
    } else {
        segs.join(".")
    }
}

/// The declared indexes of a tree's files, one per family.
pub fn declared(tree: &Tree, facts: &[(u32, &Facts)]) -> [Declared; 2] {
    let mut out = [Declared::default(), Declared::default()];
    for (file, f) in facts {
        if matches!(
            f.lang,
            Lang::Java | Lang::Kotlin | Lang::Scala | Lang::CSharp
        ) {
            out[family(f.lang)].add(*file, tree.path(*file), f);
        }
    }
    out
}
