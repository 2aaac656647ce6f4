//! The tantivy file index: one document per (path, blob), fields with their own BM25
//! statistics, searched with per-field boosts and an optional set of allowed documents.

use super::extract::Extracted;
use anyhow::Context;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING,
};
use tantivy::{DocAddress, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher};
use tantivy::{SegmentReader, TantivyDocument, Term};

/// Text fields, in the order of `FieldBoosts`. `docs` holds the words of the docs beside
/// the file (`nearbydocs`).
pub const TEXT_FIELDS: [&str; 7] = ["name", "dirs", "defs", "idents", "comments", "body", "docs"];

/// The fields a file's own code and names are in (not its comments, not its docs).
const CODE_FIELDS: [usize; 4] = [0, 2, 3, 5];
/// The field of the docs beside a file.
pub const DOCS_FIELD: usize = 6;

/// Multipliers of each text field's BM25 score.
pub type FieldBoosts = [f32; 7];

/// The schema, built once.
#[derive(Clone)]
struct Fields {
    key: Field,
    path: Field,
    n_terms: Field,
    text: [Field; 7],
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let key = b.add_u64_field("key", INDEXED | FAST | STORED);
    let path = b.add_text_field("path", STRING | STORED);
    let n_terms = b.add_u64_field("n_terms", FAST | STORED);
    let opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let text = TEXT_FIELDS.map(|n| b.add_text_field(n, opts.clone()));
    (
        b.build(),
        Fields {
            key,
            path,
            n_terms,
            text,
        },
    )
}

/// Opens the index in `dir`, creating it when absent. An index with another schema (built
/// by an older version) is derived data: it is removed and built again, never an error.
fn open_dir(dir: &Path, schema: Schema) -> anyhow::Result<Index> {
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let mmap = tantivy::directory::MmapDirectory::open(dir)?;
    if Index::exists(&mmap)? {
        let old = Index::open(mmap.clone()).context("failed to open the file index")?;
        if old.schema() != schema {
            drop(old);
            tracing::info!(index = %dir.display(), "file index schema changed; rebuilding it");
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("failed to remove {}", dir.display()))?;
            return open_dir(dir, schema);
        }
    }
    Index::open_or_create(mmap, schema).context("failed to open the file index")
}

/// A hit: the document's key and its score.
#[derive(Debug, Clone, Copy)]
pub struct RawHit {
    pub key: u64,
    pub score: f32,
    addr: DocAddress,
}

/// One tantivy index with a long-lived reader.
pub struct FileIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

/// Stable 64-bit key of a file version (FNV-1a over path and blob id).
pub fn doc_key(path: &str, blob: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in path.as_bytes().iter().chain([0u8].iter()).chain(blob) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl FileIndex {
    /// Opens the index in `dir`, creating it when absent; `None` keeps it in memory.
    pub fn open(dir: Option<&Path>) -> anyhow::Result<FileIndex> {
        let (schema, fields) = schema();
        let index = match dir {
            None => Index::create_in_ram(schema),
            Some(dir) => open_dir(dir, schema)?,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(FileIndex {
            index,
            reader,
            fields,
        })
    }

    /// A writer using one indexing thread (the machine is shared with the service).
    pub fn writer(&self) -> anyhow::Result<IndexWriter> {
        Ok(self.index.writer_with_num_threads(1, 128 * 1024 * 1024)?)
    }

    /// Adds one file version.
    pub fn add(&self, w: &IndexWriter, key: u64, path: &str, e: &Extracted) -> anyhow::Result<()> {
        let (name, dirs) = super::extract::path_fields(path);
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.key, key);
        doc.add_text(f.path, path);
        doc.add_u64(f.n_terms, u64::from(e.n_terms));
        let texts = [
            &name,
            &dirs,
            &e.defs,
            &e.idents,
            &e.comments,
            &e.body,
            &e.docs,
        ];
        for (field, text) in f.text.iter().zip(texts) {
            doc.add_text(*field, text);
        }
        w.add_document(doc)?;
        Ok(())
    }

    /// Removes every version of a path.
    pub fn delete_path(&self, w: &IndexWriter, path: &str) {
        w.delete_term(Term::from_field_text(self.fields.path, path));
    }

    /// Makes committed changes visible to searches.
    pub fn reload(&self) -> anyhow::Result<()> {
        Ok(self.reader.reload()?)
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Every indexed document: (key, path, n_terms).
    pub fn all_docs(&self) -> anyhow::Result<Vec<(u64, String, u32)>> {
        let searcher = self.searcher();
        let mut out = Vec::new();
        for seg in searcher.segment_readers() {
            let store = seg.get_store_reader(64)?;
            for doc in seg.doc_ids_alive() {
                let d: TantivyDocument = store.get(doc)?;
                let key = d.get_first(self.fields.key).and_then(|v| v.as_u64());
                let path = d.get_first(self.fields.path).and_then(|v| v.as_str());
                let n = d.get_first(self.fields.n_terms).and_then(|v| v.as_u64());
                if let (Some(k), Some(p), Some(n)) = (key, path, n) {
                    out.push((k, p.to_string(), n as u32));
                }
            }
        }
        Ok(out)
    }

    /// Largest number of documents containing `term` in the name, defs, idents or body
    /// field, and the docs field when `docs` (for query-term idf; compounds only live in
    /// some fields).
    pub fn doc_freq(&self, searcher: &Searcher, term: &str, docs: bool) -> u64 {
        let docs = docs.then_some(DOCS_FIELD);
        CODE_FIELDS
            .iter()
            .chain(docs.iter())
            .map(|&i| {
                let t = Term::from_field_text(self.fields.text[i], term);
                searcher.doc_freq(&t).unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
    }

    /// How much of a term's use in this repository is code rather than prose: the files
    /// naming it in a file name, definition or identifier over those having it in code or
    /// comments, 0–1. "every", "like" and "users" live in comments; "samesite" in code.
    pub fn code_share(&self, searcher: &Searcher, term: &str) -> f32 {
        let df = |i: usize| {
            let t = Term::from_field_text(self.fields.text[i], term);
            searcher.doc_freq(&t).unwrap_or(0)
        };
        let code = df(0).max(df(2)).max(df(3));
        let prose = df(4);
        let all = code.max(prose);
        if all == 0 {
            return 1.0;
        }
        code as f32 / all as f32
    }

    /// BM25 per field, weighted by term weight × field boost, summed; top `limit` hits among
    /// `allowed` keys (all documents when `None`).
    pub fn search(
        &self,
        searcher: &Searcher,
        terms: &[(String, f32)],
        boosts: &FieldBoosts,
        allowed: Option<Arc<HashSet<u64>>>,
        limit: usize,
    ) -> anyhow::Result<Vec<RawHit>> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (term, weight) in terms {
            for (field, boost) in self.fields.text.iter().zip(boosts) {
                if *boost <= 0.0 || *weight <= 0.0 {
                    continue;
                }
                let q = TermQuery::new(
                    Term::from_field_text(*field, term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), weight * boost)),
                ));
            }
        }
        if clauses.is_empty() {
            return Ok(Vec::new());
        }
        let query = BooleanQuery::new(clauses);
        let top = TopDocs::with_limit(limit.max(1));
        let hits: Vec<(f32, DocAddress)> = match allowed {
            None => searcher.search(&query, &top)?,
            Some(allowed) => searcher.search(
                &query,
                &top.tweak_score(move |seg: &SegmentReader| {
                    let col = seg.fast_fields().u64("key").expect("key is a fast field");
                    let allowed = allowed.clone();
                    move |doc, score| match col.first(doc) {
                        Some(k) if allowed.contains(&k) => score,
                        _ => f32::NEG_INFINITY,
                    }
                }),
            )?,
        };
        let mut out = Vec::with_capacity(hits.len());
        for (score, addr) in hits {
            if score == f32::NEG_INFINITY {
                continue;
            }
            let col = searcher
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .u64("key")?;
            if let Some(key) = col.first(addr.doc_id) {
                out.push(RawHit { key, score, addr });
            }
        }
        Ok(out)
    }

    /// For each hit, the query terms found in its code and names, in query order.
    pub fn matched_terms(
        &self,
        searcher: &Searcher,
        hits: &[RawHit],
        terms: &[(String, f32)],
    ) -> anyhow::Result<Vec<Vec<String>>> {
        self.matched_in(searcher, hits, terms, &CODE_FIELDS)
    }

    /// True when few documents say `term` in their code or their docs (at most one in 50,
    /// or one): a word that tells a directory from the others, worth naming as a reason;
    /// one that most files or directories' docs say (`need`, `via`) is not.
    pub fn telling_in_docs(&self, searcher: &Searcher, term: &str) -> bool {
        self.doc_freq(searcher, term, true) <= (searcher.num_docs() / 50).max(1)
    }

    /// For each hit, the query terms the docs beside it say, in query order.
    pub fn docs_terms(
        &self,
        searcher: &Searcher,
        hits: &[RawHit],
        terms: &[(String, f32)],
    ) -> anyhow::Result<Vec<Vec<String>>> {
        self.matched_in(searcher, hits, terms, &[DOCS_FIELD])
    }

    /// For each hit, the query terms found in any of `fields`, in query order.
    fn matched_in(
        &self,
        searcher: &Searcher,
        hits: &[RawHit],
        terms: &[(String, f32)],
        fields: &[usize],
    ) -> anyhow::Result<Vec<Vec<String>>> {
        let mut out = vec![Vec::new(); hits.len()];
        for (term, _) in terms {
            for field in fields.iter().map(|&i| self.fields.text[i]) {
                let t = Term::from_field_text(field, term);
                for (i, hit) in hits.iter().enumerate() {
                    if out[i].last() == Some(term) {
                        continue;
                    }
                    let seg = searcher.segment_reader(hit.addr.segment_ord);
                    let inv = seg.inverted_index(field)?;
                    if let Some(mut postings) = inv.read_postings(&t, IndexRecordOption::Basic)? {
                        let target = hit.addr.doc_id;
                        // seek may only move forward
                        let doc = if postings.doc() < target {
                            postings.seek(target)
                        } else {
                            postings.doc()
                        };
                        if doc == target {
                            out[i].push(term.clone());
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index on disk built with an older schema (the six fields before `docs`) opens
    /// empty, to be built again, instead of failing.
    #[test]
    fn an_index_with_an_older_schema_is_rebuilt_rather_than_failing() {
        let dir = tempfile::tempdir().unwrap();
        let files = dir.path().join("files");
        std::fs::create_dir_all(&files).unwrap();
        let mut b = Schema::builder();
        let key = b.add_u64_field("key", INDEXED | FAST | STORED);
        b.add_text_field("path", STRING | STORED);
        for n in &TEXT_FIELDS[..6] {
            b.add_text_field(n, tantivy::schema::TEXT);
        }
        let old = Index::create_in_dir(&files, b.build()).unwrap();
        let mut w: IndexWriter = old.writer_with_num_threads(1, 15_000_000).unwrap();
        w.add_document(tantivy::doc!(key => 7u64)).unwrap();
        w.commit().unwrap();
        drop((w, old));

        let index = FileIndex::open(Some(&files)).expect("an old index is rebuilt");
        assert!(index.all_docs().unwrap().is_empty());
        let w = index.writer().unwrap();
        index.add(&w, 1, "a/b.rs", &Extracted::default()).unwrap();
        let mut w = w;
        w.commit().unwrap();
        drop(index);
        let again = FileIndex::open(Some(&files)).unwrap();
        assert_eq!(again.all_docs().unwrap().len(), 1, "the new schema is kept");
    }
}
