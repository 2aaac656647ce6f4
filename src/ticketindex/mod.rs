//! The ticket index (tantivy): tickets in, similar tickets out. Derived data, rebuilt from
//! the store when missing; one writer, one long-lived reader; tantivy types stay in here.

mod caches;
mod dir;
mod features;
mod model;
pub mod online;
mod schema;
mod search;
pub mod text;
mod union;

use caches::DocFreqs;
pub use caches::IndexMemory;
pub use features::{Features, FEATURE_NAMES};
pub use model::Logistic;
pub use online::{FutureLabel, Label, ModelSource, ModelSummary, OnlineModel};
pub use search::{BaselineHit, Scored, FIRST_STAGE};

use crate::domain::{TicketDoc, Tracker};
use schema::{register_analyzers, uid, Fields};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

/// Why the ticket index failed.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("ticket index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("ticket index directory: {0}")]
    Directory(String),
    #[error("ticket index writer lock poisoned")]
    Poisoned,
}

/// A line is boilerplate when at least this share of tickets carries it...
const BOILERPLATE_SHARE: f64 = 0.02;
/// ...and at least this many tickets do.
const BOILERPLATE_MIN_DOCS: u64 = 5;

/// A ticket's content, hashed (what decides whether re-indexing it changes anything).
fn content_hash(t: &TicketDoc) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// Tells whether a line found in `df` of `n` tickets is template text.
fn is_boilerplate_df(df: u64, n: u64) -> bool {
    df >= BOILERPLATE_MIN_DOCS && df as f64 >= BOILERPLATE_SHARE * n as f64
}

/// Indexing memory of the writer (tantivy's minimum is 15 MB).
const WRITER_BUDGET_BYTES: usize = 16_000_000;

/// The ticket index. Share it behind an `Arc`; every method blocks (use `spawn_blocking`).
pub struct TicketIndex {
    index: Index,
    fields: Fields,
    writer: Mutex<IndexWriter>,
    /// Group commit: changes handed to the writer so far, and (its lock also serialising
    /// committers) how many of them are committed and searchable.
    added: std::sync::atomic::AtomicU64,
    committed: Mutex<u64>,
    /// Candidates' analysed text by content hash: re-ranking reads the same popular tickets
    /// over and over, and tokenizing and stemming them is most of a search's work.
    analyzed: Mutex<HashMap<u64, std::sync::Arc<features::Analyzed>>>,
    /// What the writer was last handed for each ticket: its content hash, or `None` for a
    /// removal. A ticket applied again unchanged (the follower meeting this process's own
    /// tickets or re-reading its window, a re-fetched back-fill page) costs nothing.
    indexed: Mutex<HashMap<(Tracker, String), Option<u64>>>,
    /// Document frequencies read from the current searcher generation (exact: they change
    /// only with a commit, which starts a new generation and empties this).
    doc_freqs: Mutex<DocFreqs>,
    /// Signalled when changes are staged (the timed committer waits on it).
    staged: tokio::sync::Notify,
    reader: IndexReader,
    model: Logistic,
    /// Models learned per project (or team) from its own labels (`crate::learning`), with
    /// the threshold calibrated on its data when there was enough of it.
    projects: std::sync::RwLock<HashMap<String, (Logistic, Option<f32>)>>,
    with_baseline: bool,
    /// The caller's position in its source (opaque), saved with every commit.
    payload: Mutex<Option<String>>,
}

impl TicketIndex {
    /// Opens the index in `dir` (created when missing) or in memory when `dir` is `None`.
    /// Also tells whether the index was created empty, i.e. needs a rebuild from the store.
    /// An index that cannot be opened (a truncated or missing segment file, a damaged
    /// `meta.json`) is derived data: it is moved aside, said so in the log, and created
    /// empty, to be rebuilt from the store.
    pub fn open(dir: Option<&Path>) -> Result<(TicketIndex, bool), IndexError> {
        let Some(d) = dir else {
            return Self::open_in(None);
        };
        let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Self::open_in(dir)))
            .unwrap_or_else(|_| Err(IndexError::Directory("opening it panicked".into())));
        let error = match first {
            Ok(opened) => return Ok(opened),
            Err(e) => e,
        };
        let aside = dir::set_aside(d)?;
        tracing::warn!(
            index = %d.display(), error = %error, moved_to = %aside.display(),
            "ticket index cannot be opened; moved aside, rebuilding it from the store"
        );
        Self::open_in(dir).map(|(index, _)| (index, true))
    }

    fn open_in(dir: Option<&Path>) -> Result<(TicketIndex, bool), IndexError> {
        let (schema, fields) = Fields::build();
        let (index, fresh) = match dir {
            None => (Index::create_in_ram(schema), true),
            Some(dir) => dir::open_or_create(dir, schema)?,
        };
        register_analyzers(&index);
        // Every commit starts a segment whose hash table is sized (and zeroed) from this
        // budget; near tantivy's minimum keeps the many small commits of live traffic cheap.
        let writer = index.writer_with_num_threads(1, WRITER_BUDGET_BYTES)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let fresh = fresh || reader.searcher().num_docs() == 0;
        let payload = if fresh {
            None
        } else {
            index.load_metas()?.payload
        };
        Ok((
            TicketIndex {
                index,
                fields,
                writer: Mutex::new(writer),
                added: Default::default(),
                committed: Mutex::new(0),
                staged: tokio::sync::Notify::new(),
                analyzed: Mutex::new(HashMap::new()),
                indexed: Mutex::new(HashMap::new()),
                doc_freqs: Mutex::new((u64::MAX, HashMap::new())),
                reader,
                model: Logistic::shipped(),
                projects: Default::default(),
                with_baseline: false,
                payload: Mutex::new(payload),
            },
            fresh,
        ))
    }

    /// Also indexes the raw title+body with the stock tokenizer for `baseline_search`.
    pub fn with_baseline(mut self) -> Self {
        self.with_baseline = true;
        self
    }

    /// Puts a project's searches on its learned model, and its calibrated threshold when
    /// there is one (`None` keeps the configured threshold).
    pub fn set_project_model(&self, project: &str, model: Logistic, threshold: Option<f32>) {
        if let Ok(mut p) = self.projects.write() {
            p.insert(project.to_string(), (model, threshold));
        }
    }

    /// The model and (when calibrated) threshold a project's searches use.
    pub fn project_model(&self, project: Option<&str>) -> (Logistic, Option<f32>) {
        project
            .and_then(|p| self.projects.read().ok()?.get(p).copied())
            .unwrap_or((self.model, None))
    }

    /// Number of live tickets.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The position saved with the last commit (see `apply`).
    pub fn position(&self) -> Option<String> {
        self.payload.lock().ok().and_then(|p| p.clone())
    }

    /// Inserts or replaces tickets and makes them searchable.
    pub fn upsert(&self, docs: &[TicketDoc]) -> Result<(), IndexError> {
        self.apply(docs, &[], None).map(|_| ())
    }

    /// Removes a ticket.
    pub fn remove(&self, tracker: Tracker, id: &str) -> Result<(), IndexError> {
        self.apply(&[], &[(tracker, id.to_string())], None)
            .map(|_| ())
    }

    /// Upserts and removes tickets, saving `position` (the caller's place in its source) with
    /// the commit when given; searchable when this returns. Concurrent callers share one
    /// commit (group commit), and a call that changes nothing commits nothing. Boilerplate
    /// is judged against the tickets already indexed. Returns how many tickets changed.
    pub fn apply(
        &self,
        upserts: &[TicketDoc],
        deletes: &[(Tracker, String)],
        position: Option<String>,
    ) -> Result<usize, IndexError> {
        let (mine, changed) = self.add(upserts, deletes, position)?;
        self.commit_upto(mine)?;
        Ok(changed)
    }

    /// Hands changes to the writer without waiting for them to be searchable: the next
    /// `commit_staged` (or any commit) publishes them. Live traffic stages each ticket and
    /// commits on a short timer, so a burst of tickets costs a few commits, not one each.
    /// Returns how many tickets changed.
    pub fn stage(
        &self,
        upserts: &[TicketDoc],
        deletes: &[(Tracker, String)],
    ) -> Result<usize, IndexError> {
        let changed = self.add(upserts, deletes, None)?.1;
        if changed > 0 {
            self.staged.notify_one();
        }
        Ok(changed)
    }

    /// Completes when changes have been staged since the last call.
    pub async fn staged(&self) {
        self.staged.notified().await
    }

    /// Commits whatever was staged and not yet committed; tells whether there was any.
    pub fn commit_staged(&self) -> Result<bool, IndexError> {
        self.commit_upto(self.added.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// Makes the changes numbered up to `mine` searchable, unless a commit already did.
    fn commit_upto(&self, mine: u64) -> Result<bool, IndexError> {
        let mut committed = self.committed.lock().map_err(|_| IndexError::Poisoned)?;
        if *committed >= mine {
            // a commit that started after these changes were added has published them
            return Ok(false);
        }
        let mut writer = self.writer.lock().map_err(|_| IndexError::Poisoned)?;
        let upto = self.added.load(std::sync::atomic::Ordering::SeqCst);
        self.commit(&mut writer, None)?;
        *committed = upto;
        Ok(true)
    }

    /// Hands the changes among these to the writer (not yet committed); returns the sequence
    /// number a commit must reach to publish them, and how many tickets changed. Documents
    /// are built (tokenized, boilerplate judged) before the writer is locked: a large ticket
    /// holds the writer only for handing over its finished document.
    fn add(
        &self,
        upserts: &[TicketDoc],
        deletes: &[(Tracker, String)],
        position: Option<String>,
    ) -> Result<(u64, usize), IndexError> {
        let searcher = self.reader.searcher();
        let n = searcher.num_docs();
        let fresh: Vec<&TicketDoc> = {
            let mut indexed = self.indexed.lock().map_err(|_| IndexError::Poisoned)?;
            upserts
                .iter()
                .filter(|t| {
                    let hash = Some(content_hash(t));
                    indexed.insert((t.tracker, t.id.clone()), hash) != Some(hash)
                })
                .collect()
        };
        // template lines recur across a page, and each answer costs a lookup per segment
        let mut memo: rustc_hash::FxHashMap<u64, bool> = Default::default();
        let docs: Vec<_> = fresh
            .iter()
            .map(|t| {
                self.fields.document(
                    t,
                    |fp| {
                        *memo.entry(fp).or_insert_with(|| {
                            let df = searcher
                                .doc_freq(&Term::from_field_u64(self.fields.lines, fp))
                                .unwrap_or(0);
                            is_boilerplate_df(df, n)
                        })
                    },
                    self.with_baseline,
                )
            })
            .collect();
        let writer = self.writer.lock().map_err(|_| IndexError::Poisoned)?;
        let mut changed = 0;
        for (t, doc) in fresh.iter().zip(docs) {
            writer.delete_term(self.uid_term(t.tracker, &t.id));
            writer.add_document(doc)?;
            changed += 1;
        }
        let mut indexed = self.indexed.lock().map_err(|_| IndexError::Poisoned)?;
        for (tracker, id) in deletes {
            if indexed.insert((*tracker, id.clone()), None) == Some(None) {
                continue; // removed before
            }
            writer.delete_term(self.uid_term(*tracker, id));
            changed += 1;
        }
        drop(indexed);
        let sequence = if changed > 0 || position.is_some() {
            if position.is_some() {
                *self.payload.lock().map_err(|_| IndexError::Poisoned)? = position;
            }
            self.added.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1
        } else {
            // nothing of ours to publish; still wait for what was staged before
            self.added.load(std::sync::atomic::Ordering::SeqCst)
        };
        Ok((sequence, changed))
    }

    /// Replaces the whole index with `docs`, learning boilerplate lines from all of them
    /// first (so the oldest tickets are cleaned as well as the newest).
    pub fn rebuild(&self, docs: &[TicketDoc], position: Option<String>) -> Result<(), IndexError> {
        let mut counts: HashMap<u64, u64> = HashMap::new();
        for t in docs {
            for fp in text::fingerprints(schema::indexed_body(&t.body)) {
                *counts.entry(fp).or_default() += 1;
            }
        }
        let n = docs.len() as u64;
        let mut writer = self.writer.lock().map_err(|_| IndexError::Poisoned)?;
        writer.delete_all_documents()?;
        {
            let mut indexed = self.indexed.lock().map_err(|_| IndexError::Poisoned)?;
            indexed.clear();
            indexed.extend(
                docs.iter()
                    .map(|t| ((t.tracker, t.id.clone()), Some(content_hash(t)))),
            );
        }
        for t in docs {
            let doc = self.fields.document(
                t,
                |fp| is_boilerplate_df(counts.get(&fp).copied().unwrap_or(0), n),
                self.with_baseline,
            );
            writer.add_document(doc)?;
        }
        self.commit(&mut writer, position)
    }

    fn commit(&self, writer: &mut IndexWriter, position: Option<String>) -> Result<(), IndexError> {
        let mut saved = self.payload.lock().map_err(|_| IndexError::Poisoned)?;
        if position.is_some() {
            *saved = position;
        }
        let mut prepared = writer.prepare_commit()?;
        if let Some(p) = saved.as_deref() {
            prepared.set_payload(p);
        }
        prepared.commit()?;
        drop(saved);
        self.reader.reload()?;
        Ok(())
    }

    fn uid_term(&self, tracker: Tracker, id: &str) -> Term {
        Term::from_field_text(self.fields.uid, &uid(tracker.as_str(), id))
    }
}
