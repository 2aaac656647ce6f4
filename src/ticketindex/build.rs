//! Tickets turned into documents in batches, spread over the cores when a batch is large.

/// Batches smaller than this build their documents on the caller's thread.
const PARALLEL_BUILD_MIN: usize = 64;
/// Tickets a rebuild turns into documents at a time.
pub const REBUILD_CHUNK: usize = 2_000;

/// Boilerplate answers by line fingerprint, for the tickets of one batch (template lines
/// recur, and each answer costs a term lookup per segment).
pub type BoilerplateMemo = rustc_hash::FxHashMap<u64, bool>;

/// Builds the documents of a batch in order, spread over the cores when the batch is large
/// (tokenizing and fingerprinting are most of indexing); each thread has its own memo.
pub fn build_documents<T: Sync>(
    items: &[T],
    build: impl Fn(&T, &mut BoilerplateMemo) -> tantivy::TantivyDocument + Sync,
) -> Vec<tantivy::TantivyDocument> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || items.len() < PARALLEL_BUILD_MIN {
        let mut memo = BoilerplateMemo::default();
        return items.iter().map(|t| build(t, &mut memo)).collect();
    }
    let build = &build;
    std::thread::scope(|s| {
        let parts: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|part| {
                s.spawn(move || {
                    let mut memo = BoilerplateMemo::default();
                    part.iter().map(|t| build(t, &mut memo)).collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}
