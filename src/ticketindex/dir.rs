//! The ticket index's directory: opened when its schema is current, else its own files are
//! deleted and a fresh index created. Only tantivy's files go (`meta.json`, the files
//! `.managed.json` lists, the locks): `index_dir` may be shared with anything, the database
//! included, and derived data must never take it along.

use super::IndexError;
use std::path::Path;
use tantivy::directory::MmapDirectory;
use tantivy::schema::Schema;
use tantivy::Index;

/// The files tantivy writes beside the segment files it lists in `.managed.json`.
const OWN_FILES: &[&str] = &[
    "meta.json",
    ".managed.json",
    ".tantivy-writer.lock",
    ".tantivy-meta.lock",
];

fn dir_error(e: impl std::fmt::Display) -> IndexError {
    IndexError::Directory(e.to_string())
}

/// Opens the index in `dir` (created when missing, rebuilt empty when its schema is not
/// `schema`); tells whether it starts empty.
pub fn open_or_create(dir: &Path, schema: Schema) -> Result<(Index, bool), IndexError> {
    std::fs::create_dir_all(dir).map_err(dir_error)?;
    let mmap = MmapDirectory::open(dir).map_err(dir_error)?;
    let exists = Index::exists(&mmap).unwrap_or(false);
    let same_schema = exists
        && Index::open(mmap.clone())
            .map(|i| i.schema() == schema)
            .unwrap_or(false);
    if same_schema {
        return Ok((Index::open(mmap)?, false));
    }
    if exists {
        // derived data: an index of another schema version is rebuilt
        tracing::warn!(dir = %dir.display(), "ticket index schema changed; rebuilding");
        drop(mmap);
        remove_index_files(dir)?;
    }
    let mmap = MmapDirectory::open(dir).map_err(dir_error)?;
    Ok((Index::create(mmap, schema, Default::default())?, true))
}

/// Where an index that could not be opened is kept for a person to look at (one, the latest).
pub const SET_ASIDE_DIR: &str = "broken-ticket-index";

/// The names of the tantivy index's files in `dir`: those `.managed.json` lists, its own,
/// and segment files by their shape (`<32 hex>.<component>`), which a damaged
/// `.managed.json` would not list.
fn index_files(dir: &Path) -> Vec<String> {
    let managed: Vec<String> = std::fs::read(dir.join(".managed.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    // a listed name is a plain file name of this directory, never a path out of it
    let listed = managed
        .into_iter()
        .filter(|n| !n.is_empty() && !n.contains(['/', '\\']) && n != "." && n != "..");
    let segments = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            n.split_once('.')
                .is_some_and(|(id, _)| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        });
    let mut names: Vec<String> = listed
        .chain(segments)
        .chain(OWN_FILES.iter().map(|s| s.to_string()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Deletes the files of the tantivy index in `dir`, and nothing else.
fn remove_index_files(dir: &Path) -> Result<(), IndexError> {
    for name in index_files(dir) {
        match std::fs::remove_file(dir.join(&name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(dir_error(format!("cannot remove {name}: {e}"))),
        }
    }
    Ok(())
}

/// Moves the files of an index that cannot be opened into `dir/broken-ticket-index/`
/// (replacing an older one there), so a fresh index can be created in their place and a
/// person can still look at what broke. Nothing else in `dir` is touched.
pub fn set_aside(dir: &Path) -> Result<std::path::PathBuf, IndexError> {
    let aside = dir.join(SET_ASIDE_DIR);
    if aside.exists() {
        std::fs::remove_dir_all(&aside).map_err(dir_error)?;
    }
    std::fs::create_dir(&aside).map_err(dir_error)?;
    for name in index_files(dir) {
        match std::fs::rename(dir.join(&name), aside.join(&name)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(dir_error(format!("cannot move {name} aside: {e}"))),
        }
    }
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{STORED, STRING};

    fn schema(field: &str) -> Schema {
        let mut b = Schema::builder();
        b.add_text_field(field, STRING | STORED);
        b.build()
    }

    #[test]
    fn a_schema_change_deletes_the_index_files_and_nothing_beside_them() {
        let dir = tempfile::tempdir().unwrap();
        let (index, fresh) = open_or_create(dir.path(), schema("old")).unwrap();
        assert!(fresh);
        let old = index.schema().get_field("old").unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer
            .add_document(tantivy::doc!(old => "a ticket"))
            .unwrap();
        writer.commit().unwrap();
        drop(writer);
        drop(index);
        std::fs::write(dir.path().join("ticketlens.db"), b"the database").unwrap();
        std::fs::create_dir(dir.path().join("clones")).unwrap();
        let segment_files = std::fs::read_dir(dir.path()).unwrap().count();
        assert!(segment_files > 5, "the index wrote its files");

        let (index, fresh) = open_or_create(dir.path(), schema("new")).unwrap();
        assert!(fresh);
        assert!(index.schema().get_field("new").is_ok());
        assert_eq!(index.reader().unwrap().searcher().num_docs(), 0);
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".idx") || n.ends_with(".store") || n.ends_with(".term"))
            .collect();
        assert!(left.is_empty(), "old segment files left: {left:?}");
        assert_eq!(
            std::fs::read(dir.path().join("ticketlens.db")).unwrap(),
            b"the database"
        );
        assert!(dir.path().join("clones").is_dir());
    }

    #[test]
    fn setting_an_index_aside_moves_its_files_and_nothing_beside_them() {
        let dir = tempfile::tempdir().unwrap();
        let (index, _) = open_or_create(dir.path(), schema("f")).unwrap();
        let f = index.schema().get_field("f").unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(tantivy::doc!(f => "x")).unwrap();
        writer.commit().unwrap();
        drop(writer);
        drop(index);
        std::fs::write(dir.path().join("ticketlens.db"), b"the database").unwrap();
        let aside = set_aside(dir.path()).unwrap();
        let left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let mut left = left;
        left.sort();
        assert_eq!(left, vec![SET_ASIDE_DIR, "ticketlens.db"]);
        assert!(aside.join("meta.json").exists());
        let (index, fresh) = open_or_create(dir.path(), schema("f")).unwrap();
        assert!(fresh);
        assert_eq!(index.reader().unwrap().searcher().num_docs(), 0);
    }

    #[test]
    fn the_same_schema_reopens_the_index_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let (index, _) = open_or_create(dir.path(), schema("f")).unwrap();
        let f = index.schema().get_field("f").unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(tantivy::doc!(f => "x")).unwrap();
        writer.commit().unwrap();
        drop(writer);
        drop(index);
        let (index, fresh) = open_or_create(dir.path(), schema("f")).unwrap();
        assert!(!fresh);
        assert_eq!(index.reader().unwrap().searcher().num_docs(), 1);
    }
}
