//! The docs beside the code: for each source file, the README or package doc of the nearest
//! directory above it that has one, and the words they say. A product manager's ticket
//! names what a directory does ("partner iframes", "the billing export"), and its README
//! often says it in the same words when no identifier does.

use super::gitsrc::TreeFile;
use super::tokens::{compound, is_compound, parts, words};
use crate::domain::text::cut;
use std::collections::{HashMap, HashSet};

/// Bytes of one doc read: its head says what the directory is for, and the cap bounds the
/// work and the index whatever the repository holds.
pub const DOC_CAP_BYTES: usize = 3 * 1024;
/// Directories holding files that a file's docs may come from: its own and two above (a
/// directory holding only directories, such as Java's `src/main/java/org`, is no level).
const MAX_LEVELS: usize = 3;
/// Docs read from one directory (a README in two formats and a package doc at most).
const MAX_DOCS_PER_DIR: usize = 3;

/// How a doc says what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Prose: all of it (README in Markdown, reStructuredText, AsciiDoc, text).
    Prose,
    /// HTML prose (`package.html`, `readme.html`): the text between the tags.
    Html,
    /// The comment right before the `package` clause (`doc.go`, `package-info.java`).
    PackageComment,
    /// The module docstring (`__init__.py`).
    Docstring,
}

const README_EXTENSIONS: &[&str] = &["md", "markdown", "rst", "txt", "adoc", "asciidoc"];

/// Tells whether a tree path is a doc beside code, and of which kind.
fn kind(path: &str) -> Option<Kind> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    match name.as_str() {
        "doc.go" | "package-info.java" => return Some(Kind::PackageComment),
        "package.html" => return Some(Kind::Html),
        "__init__.py" => return Some(Kind::Docstring),
        _ => {}
    }
    let rest = name.strip_prefix("readme")?;
    if rest.is_empty() {
        return Some(Kind::Prose);
    }
    // `README.md`, `readme-lib-module.adoc`, `README_de.txt`
    if !rest.starts_with(['.', '-', '_']) {
        return None;
    }
    match rest.rsplit_once('.').map(|(_, ext)| ext) {
        None => Some(Kind::Prose),
        Some("html" | "htm") => Some(Kind::Html),
        Some(ext) if README_EXTENSIONS.contains(&ext) => Some(Kind::Prose),
        Some(_) => None,
    }
}

/// The docs of one tree, by directory.
pub struct NearbyDocs {
    /// Directory → its docs, sorted by path; the root is never one.
    by_dir: HashMap<String, Vec<TreeFile>>,
    /// Directories that directly hold a file.
    with_files: HashSet<String>,
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

impl NearbyDocs {
    /// Finds the docs of a tree (paths only; nothing is read).
    pub fn of(tree: &[TreeFile]) -> NearbyDocs {
        let mut by_dir: HashMap<String, Vec<TreeFile>> = HashMap::new();
        let mut with_files = HashSet::new();
        for f in tree {
            let dir = parent(&f.path);
            with_files.insert(dir.to_string());
            // the root README says everything about everything
            if !dir.is_empty() && kind(&f.path).is_some() {
                by_dir.entry(dir.to_string()).or_default().push(f.clone());
            }
        }
        for docs in by_dir.values_mut() {
            docs.sort_by(|a, b| a.path.cmp(&b.path));
            docs.truncate(MAX_DOCS_PER_DIR);
        }
        NearbyDocs { by_dir, with_files }
    }

    /// The docs of the nearest documented directory holding `path`, walking up at most
    /// `MAX_LEVELS` directories with files and never to the root; empty when none.
    pub fn of_file(&self, path: &str) -> &[TreeFile] {
        let mut dir = parent(path);
        let mut levels = 0;
        while !dir.is_empty() && levels < MAX_LEVELS {
            if let Some(docs) = self.by_dir.get(dir) {
                return docs;
            }
            if self.with_files.contains(dir) {
                levels += 1;
            }
            dir = parent(dir);
        }
        &[]
    }
}

/// The terms a doc says (the same analyzer as comments, with the compound form of
/// compound identifiers), from the first `DOC_CAP_BYTES` of its prose.
pub fn doc_words(path: &str, text: &str) -> String {
    // a package comment or docstring lies under a header: found in a wider window
    let text = cut(text, 4 * DOC_CAP_BYTES);
    let mut prose = match kind(path) {
        Some(Kind::PackageComment) => package_comment(text),
        Some(Kind::Docstring) => docstring(text).to_string(),
        Some(Kind::Html) => without_tags(text),
        Some(Kind::Prose) => text.to_string(),
        None => String::new(),
    };
    prose.truncate(cut(&prose, DOC_CAP_BYTES).len());
    let mut out = Vec::new();
    parts(&prose, &mut out);
    out.extend(
        words(&prose)
            .filter(|w| w.len() >= 4 && is_compound(w))
            .map(compound),
    );
    out.join(" ")
}

/// The comment right before the `package` clause (Go's and Java's package doc), without
/// a licence header that a blank line separates from it.
fn package_comment(text: &str) -> String {
    let head = text
        .find("\npackage ")
        .map_or(text, |i| &text[..i])
        .trim_end();
    if head.ends_with("*/") {
        return head.rfind("/*").map_or("", |i| &head[i..]).to_string();
    }
    let lines: Vec<&str> = head.lines().collect();
    let comment = lines
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with("//"))
        .count();
    lines[lines.len() - comment..].join("\n")
}

/// A Python module's docstring: the first statement, when it is a string.
fn docstring(text: &str) -> &str {
    let mut rest = text;
    loop {
        let t = rest.trim_start();
        if t.starts_with('#') {
            rest = t.split_once('\n').map_or("", |(_, r)| r);
        } else {
            rest = t;
            break;
        }
    }
    let rest = rest.trim_start_matches(['r', 'R', 'u', 'U']);
    for quote in ["\"\"\"", "'''"] {
        if let Some(body) = rest.strip_prefix(quote) {
            return body.find(quote).map_or(body, |end| &body[..end]);
        }
    }
    ""
}

/// HTML's text: what lies between the tags.
fn without_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(paths: &[&str]) -> Vec<TreeFile> {
        paths
            .iter()
            .map(|p| TreeFile {
                path: p.to_string(),
                blob: git2::Oid::zero(),
            })
            .collect()
    }

    fn docs_of<'a>(d: &'a NearbyDocs, path: &str) -> Vec<&'a str> {
        d.of_file(path).iter().map(|f| f.path.as_str()).collect()
    }

    #[test]
    fn the_nearest_documented_directory_is_used_and_never_the_root() {
        let d = NearbyDocs::of(&tree(&[
            "README.md",
            "main.go",
            "billing/README.md",
            "billing/export/csv.go",
            "billing/export/doc.go",
            "billing/invoice.go",
            "billing/tax/a.go",
            "billing/tax/rates/b.go",
            "billing/tax/rates/x/c.go",
            "billing/deep/er/still/d.go",
            "weaver/readme.txt",
            "weaver/pom.xml",
            "weaver/src/main/java/org/acme/weaver/Shadow.java",
            "notes/README.html",
        ]));
        assert_eq!(docs_of(&d, "billing/invoice.go"), ["billing/README.md"]);
        assert_eq!(
            docs_of(&d, "billing/export/csv.go"),
            ["billing/export/doc.go"]
        );
        assert!(docs_of(&d, "main.go").is_empty());
        assert_eq!(docs_of(&d, "billing/tax/rates/b.go"), ["billing/README.md"]);
        // a third directory with files above is too far; the root is never reached
        assert!(docs_of(&d, "billing/tax/rates/x/c.go").is_empty());
        assert_eq!(
            docs_of(&d, "billing/deep/er/still/d.go"),
            ["billing/README.md"]
        );
        assert_eq!(
            docs_of(&d, "weaver/src/main/java/org/acme/weaver/Shadow.java"),
            ["weaver/readme.txt"],
            "directories holding only directories are no level"
        );
        assert!(kind("notes/README.html") == Some(Kind::Html));
        assert!(kind("src/readme.rs").is_none() && kind("src/readmes.md").is_none());
    }

    #[test]
    fn package_docs_are_their_package_comment_and_docstring_only() {
        let go = "// Copyright 2020 Acme. Licensed under Apache.\n\n// Package billing sends invoices.\npackage billing\n";
        let w = doc_words("billing/doc.go", go);
        assert!(w.contains("invoices") && !w.contains("copyright"), "{w}");
        let java = "/* licence */\n/** Partner iframe cookies. */\npackage org.acme;\n";
        let w = doc_words("src/org/acme/package-info.java", java);
        assert!(w.contains("iframe") && !w.contains("licence"), "{w}");
        let py = "# licence header\n\"\"\"Coadd images into mosaics.\"\"\"\nfrom .x import *\n";
        let w = doc_words("lsst/tasks/__init__.py", py);
        assert!(w.contains("mosaics") && !w.contains("licence") && !w.contains("import"));
        let html = "<html><body><p>Weaving <b>aspects</b></p></body></html>";
        assert_eq!(doc_words("a/package.html", html), "weaving aspects");
    }

    #[test]
    fn a_long_readme_is_read_up_to_its_cap() {
        let text = format!("{} finalword", "alpha ".repeat(DOC_CAP_BYTES));
        let w = doc_words("billing/README.md", &text);
        assert!(!w.contains("finalword"));
        assert!(w.split(' ').count() <= DOC_CAP_BYTES / 6 + 1);
    }

    /// A billing directory whose README says what it is for in a PM's words; a root README
    /// that says everything; a reports directory whose README says its word only past the
    /// cap; a screen no doc names.
    fn repository() -> (crate::history::testrepo::TestRepo, String) {
        let filler = "Columns of the report layout. ".repeat(DOC_CAP_BYTES / 20);
        let files: std::collections::BTreeMap<String, String> = [
            (
                "README.md",
                "The whole product: sandbox, ledger, iframe partners.\n".to_string(),
            ),
            ("Main.java", "class Main { void run() {} }\n".to_string()),
            (
                "billing/README.md",
                "# Billing\nInvoices shown to partners inside an iframe.\n".to_string(),
            ),
            (
                "billing/Invoice.java",
                "class Invoice { long amount; }\n".to_string(),
            ),
            (
                "reports/README.md",
                format!("# Reports\n{filler}\nThe ledger.\n"),
            ),
            (
                "reports/Summary.java",
                "class Summary { int rows; }\n".to_string(),
            ),
            (
                "ui/Screen.java",
                "class Screen { int width; }\n".to_string(),
            ),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_string(), t))
        .collect();
        let r = crate::history::testrepo::TestRepo::new();
        let tip = r.commit("main", &[], &files, ("dev", "dev@example.com"), 0, "import");
        (r, tip.to_string())
    }

    fn ranked(view: &crate::codeindex::CommitView<'_>, title: &str) -> Vec<(String, Vec<String>)> {
        use crate::codeindex::Locate;
        view.locate(title, "", None, 10)
            .unwrap()
            .files
            .into_iter()
            .map(|f| (f.path, f.reasons))
            .collect()
    }

    fn with_docs() -> crate::codeindex::Params {
        let mut p = crate::codeindex::Params::default();
        p.boosts[crate::codeindex::Params::DOCS] = 0.5;
        p
    }

    #[test]
    fn a_file_whose_only_match_is_its_directory_readme_ranks_with_that_reason() {
        let (repo, tip) = repository();
        let corpus = crate::codeindex::Corpus::of_tip(repo.dir.path(), &tip);
        let mut view = corpus
            .view(&tip, crate::codeindex::Params::default())
            .unwrap();
        let title = "partners see a blank iframe";
        assert!(ranked(&view, title).is_empty(), "no code says it");
        view.set_params(with_docs());
        let on = ranked(&view, title);
        assert_eq!(on.len(), 1, "{on:#?}");
        assert_eq!(on[0].0, "billing/Invoice.java");
        assert_eq!(
            on[0].1,
            ["its directory's README.md says `iframe`, `partners`"],
            "{on:#?}"
        );
    }

    #[test]
    fn the_root_readme_and_words_past_a_long_readmes_cap_rank_nothing() {
        let (repo, tip) = repository();
        let corpus = crate::codeindex::Corpus::of_tip(repo.dir.path(), &tip);
        let view = corpus.view(&tip, with_docs()).unwrap();
        assert!(
            ranked(&view, "sandbox").is_empty(),
            "the root README is not used"
        );
        assert!(ranked(&view, "ledger").is_empty(), "past the cap");
        let within = ranked(&view, "report layout columns");
        assert_eq!(within[0].0, "reports/Summary.java", "{within:#?}");
    }
}
