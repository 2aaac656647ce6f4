//! The ticket index's caches (document frequencies of the current searcher generation,
//! analysed candidates) and what it reports of its memory and disk use.

use super::{features, TicketIndex};
use std::collections::HashMap;
use std::path::Path;
use tantivy::schema::Field;
use tantivy::Term;

/// Document frequencies by field and term, for one searcher generation (its id first);
/// nested so that a lookup borrows the term instead of allocating a key.
pub(super) type DocFreqs = (u64, HashMap<Field, HashMap<String, u64>>);

/// Analysed candidates kept (a few KB each); the cache starts over when full.
const ANALYZED_CACHE: usize = 20_000;

/// What the index holds in memory besides tantivy's memory-mapped files, for reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct IndexMemory {
    /// Segments the searcher reads (each costs per-query work: term lookups, scorers).
    pub segments: usize,
    /// Analysed candidates cached (bounded by `ANALYZED_CACHE`) and roughly their bytes.
    pub analyzed_entries: usize,
    pub analyzed_bytes: usize,
    /// Document frequencies cached for the current searcher generation.
    pub doc_freq_entries: usize,
    /// Tickets whose content hash is remembered (one per ticket ever applied).
    pub indexed_entries: usize,
}

impl TicketIndex {
    /// A term's document frequency in `searcher`, shared by the searches of one generation
    /// (every candidate's terms are weighed, so popular terms are asked for again and again).
    pub(super) fn doc_freq(&self, searcher: &tantivy::Searcher, field: Field, term: &str) -> u64 {
        let generation = searcher.generation().generation_id();
        if let Ok(mut cache) = self.doc_freqs.lock() {
            if cache.0 != generation {
                *cache = (generation, HashMap::new());
            } else if let Some(df) = cache.1.get(&field).and_then(|m| m.get(term)) {
                return *df;
            }
        }
        let df = searcher
            .doc_freq(&Term::from_field_text(field, term))
            .unwrap_or(0);
        if let Ok(mut cache) = self.doc_freqs.lock() {
            if cache.0 == generation {
                cache
                    .1
                    .entry(field)
                    .or_default()
                    .insert(term.to_string(), df);
            }
        }
        df
    }

    /// A candidate's analysed text, from the cache when the same content was analysed before.
    pub(super) fn analyzed(
        &self,
        title: &str,
        body: &str,
        code: &str,
        analyze: impl FnOnce() -> features::Analyzed,
    ) -> std::sync::Arc<features::Analyzed> {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (title, body, code).hash(&mut h);
        let key = h.finish();
        if let Some(hit) = self.analyzed.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return hit;
        }
        let fresh = std::sync::Arc::new(analyze());
        if let Ok(mut m) = self.analyzed.lock() {
            if m.len() >= ANALYZED_CACHE {
                m.clear();
            }
            m.insert(key, fresh.clone());
        }
        fresh
    }

    /// What the index holds in memory, for reports (walks the analysed-candidate cache).
    pub fn memory(&self) -> IndexMemory {
        let (analyzed_entries, analyzed_bytes) = self.analyzed.lock().map_or((0, 0), |m| {
            (m.len(), m.values().map(|a| a.heap_bytes()).sum())
        });
        IndexMemory {
            segments: self.reader.searcher().segment_readers().len(),
            analyzed_entries,
            analyzed_bytes,
            doc_freq_entries: self
                .doc_freqs
                .lock()
                .map_or(0, |c| c.1.values().map(HashMap::len).sum()),
            indexed_entries: self.indexed.lock().map_or(0, |m| m.len()),
        }
    }

    /// Size of the index files on disk, in bytes (0 in memory).
    pub fn disk_bytes(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok()?.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }
}
