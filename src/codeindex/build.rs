//! Shared indexing steps: which tree files are indexed, extracting and adding them with the
//! docs beside them, and turning a tree into a `Snapshot` with modules and owners.

use super::codeowners::{CodeOwners, LOCATIONS};
use super::extract::{extract, is_source_content, is_source_path};
use super::fileindex::{doc_key, FileIndex};
use super::gitsrc::{GitRepo, TreeFile};
use super::glob::Patterns;
use super::nearbydocs::{doc_words, NearbyDocs};
use super::snapshot::{SnapFile, Snapshot};
use crate::modules::{ModuleCut, ModuleMap, ModuleRules};
use std::collections::HashMap;
use tantivy::IndexWriter;

/// Patterns of the root `.gitignore` at a commit, compiled (negations are not supported and
/// skipped).
pub fn ignore_patterns(tree: &[TreeFile], git: &GitRepo) -> Patterns {
    let text = tree
        .iter()
        .find(|f| f.path == ".gitignore")
        .and_then(|f| git.read_blob(f.blob).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    Patterns::new(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!')),
    )
}

/// True when a tree path is a candidate source file under the ignore patterns.
pub fn wanted(path: &str, ignores: &Patterns) -> bool {
    is_source_path(path) && !ignores.is_match(path)
}

/// What became of one file version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexed {
    /// In the index (now, or already).
    Yes,
    /// Not source content (binary, generated, minified, too large).
    Skipped,
    /// Its blob is not in the repository (a shallow, partial or truncated clone).
    Missing,
}

/// The key of a file version with the docs beside it: a file's document changes when
/// either does, so a README's new words reach the files it describes.
pub fn file_key(path: &str, blob: git2::Oid, docs: &[TreeFile]) -> u64 {
    if docs.is_empty() {
        return doc_key(path, blob.as_bytes());
    }
    let mut ids = blob.as_bytes().to_vec();
    for d in docs {
        ids.extend_from_slice(d.blob.as_bytes());
    }
    doc_key(path, &ids)
}

/// Indexes file versions with the docs beside them, reading each doc once per run (many
/// files share one README; the cache holds one entry per distinct doc version).
pub struct Indexer<'a> {
    git: &'a GitRepo,
    index: &'a FileIndex,
    writer: &'a IndexWriter,
    doc_words: HashMap<(git2::Oid, String), String>,
}

impl<'a> Indexer<'a> {
    pub fn new(git: &'a GitRepo, index: &'a FileIndex, writer: &'a IndexWriter) -> Indexer<'a> {
        Indexer {
            git,
            index,
            writer,
            doc_words: HashMap::new(),
        }
    }

    /// Reads, checks and indexes one file version with `docs`, its nearby docs, unless its
    /// key is already known. `known` maps keys to body lengths.
    pub fn file(
        &mut self,
        f: &TreeFile,
        docs: &[TreeFile],
        known: &mut HashMap<u64, u32>,
    ) -> anyhow::Result<Indexed> {
        let key = file_key(&f.path, f.blob, docs);
        if known.contains_key(&key) {
            return Ok(Indexed::Yes);
        }
        let Some(bytes) = self.git.read_blob_if_present(f.blob)? else {
            return Ok(Indexed::Missing);
        };
        if !is_source_content(&bytes) {
            return Ok(Indexed::Skipped);
        }
        let text = String::from_utf8_lossy(&bytes);
        let mut e = extract(&f.path, &text);
        e.docs = self.docs_words(docs)?;
        self.index.add(self.writer, key, &f.path, &e)?;
        known.insert(key, e.n_terms);
        Ok(Indexed::Yes)
    }

    /// The words of `docs`, each read once; a doc whose blob is missing says nothing.
    fn docs_words(&mut self, docs: &[TreeFile]) -> anyhow::Result<String> {
        let mut out = Vec::with_capacity(docs.len());
        for d in docs {
            let name = d.path.rsplit('/').next().unwrap_or(&d.path).to_string();
            let slot = (d.blob, name);
            if !self.doc_words.contains_key(&slot) {
                let words = match self.git.read_blob_if_present(d.blob)? {
                    Some(bytes) => doc_words(&d.path, &String::from_utf8_lossy(&bytes)),
                    None => String::new(),
                };
                self.doc_words.insert(slot.clone(), words);
            }
            out.push(self.doc_words[&slot].clone());
        }
        Ok(out.join(" "))
    }
}

/// The snapshot of a tree: its indexed files with modules and CODEOWNERS owners.
#[allow(clippy::too_many_arguments)]
pub fn snapshot(
    repository: &str,
    git: &GitRepo,
    commit: git2::Oid,
    tree: &[TreeFile],
    docs: &NearbyDocs,
    known: &HashMap<u64, u32>,
    rules: &ModuleRules,
    restrict: bool,
) -> anyhow::Result<Snapshot> {
    let indexed: Vec<(&TreeFile, u64, u32)> = tree
        .iter()
        .filter_map(|f| {
            let key = file_key(&f.path, f.blob, docs.of_file(&f.path));
            known.get(&key).map(|&n| (f, key, n))
        })
        .collect();
    let cut = ModuleCut::build(tree.iter().map(|f| f.path.as_str()), rules);
    let owners_text = LOCATIONS
        .iter()
        .find_map(|loc| tree.iter().find(|f| f.path == *loc))
        .and_then(|f| git.read_blob(f.blob).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let files = indexed
        .into_iter()
        .map(|(f, key, n_terms)| SnapFile {
            module: cut.module_of(&f.path),
            path: f.path.clone(),
            key,
            n_terms,
            doc: docs.of_file(&f.path).first().map(|d| d.path.clone()),
        })
        .collect();
    Ok(Snapshot::new(
        repository,
        commit.to_string(),
        git.commit_time(commit)?,
        files,
        cut,
        &CodeOwners::parse(&owners_text),
        restrict,
    ))
}
