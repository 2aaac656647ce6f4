//! Shared indexing steps: which tree files are indexed, extracting and adding them, and
//! turning a tree into a `Snapshot` with modules and owners.

use super::codeowners::{CodeOwners, LOCATIONS};
use super::extract::{extract, is_source_content, is_source_path};
use super::fileindex::{doc_key, FileIndex};
use super::gitsrc::{GitRepo, TreeFile};
use super::glob::Patterns;
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

/// Reads, checks and indexes one file version unless its key is already known. `known`
/// maps keys to body lengths.
pub fn index_file(
    git: &GitRepo,
    index: &FileIndex,
    writer: &IndexWriter,
    path: &str,
    blob: git2::Oid,
    known: &mut HashMap<u64, u32>,
) -> anyhow::Result<Indexed> {
    let key = doc_key(path, blob.as_bytes());
    if known.contains_key(&key) {
        return Ok(Indexed::Yes);
    }
    let Some(bytes) = git.read_blob_if_present(blob)? else {
        return Ok(Indexed::Missing);
    };
    if !is_source_content(&bytes) {
        return Ok(Indexed::Skipped);
    }
    let text = String::from_utf8_lossy(&bytes);
    let e = extract(path, &text);
    index.add(writer, key, path, &e)?;
    known.insert(key, e.n_terms);
    Ok(Indexed::Yes)
}

/// The snapshot of a tree: its indexed files with modules and CODEOWNERS owners.
#[allow(clippy::too_many_arguments)]
pub fn snapshot(
    repository: &str,
    git: &GitRepo,
    commit: git2::Oid,
    tree: &[TreeFile],
    known: &HashMap<u64, u32>,
    rules: &ModuleRules,
    restrict: bool,
) -> anyhow::Result<Snapshot> {
    let indexed: Vec<(&TreeFile, u64, u32)> = tree
        .iter()
        .filter_map(|f| {
            let key = doc_key(&f.path, f.blob.as_bytes());
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
