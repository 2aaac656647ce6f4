//! Evaluation corpus: one repository indexed at many commits at once. Every distinct
//! (path, blob) is indexed once, so consecutive commits share almost all of their work;
//! a `CommitView` searches only the versions present at its commit, with history cut at it.

use super::build::{ignore_patterns, snapshot, wanted, Indexer};
use super::deps::DepsCache;
use super::fileindex::FileIndex;
use super::gitsrc::GitRepo;
use super::history::History;
use super::nearbydocs::NearbyDocs;
use super::rank::{rank_files, rank_modules};
use super::signals::{HistoryView, Params, TeamTexts};
use super::snapshot::Snapshot;
use super::vocab::Vocabulary;
use super::{query, Locate, LocateError, Located};
use crate::domain::Precedent;
use crate::modules::ModuleRules;
use anyhow::Context;
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub struct Corpus {
    name: String,
    git: GitRepo,
    files: FileIndex,
    known: HashMap<u64, u32>,
    history: History,
    /// Past tickets' texts with the files their fixes changed (`add_ticket_texts`).
    tickets: History,
    rules: ModuleRules,
    history_depth: usize,
    /// The imports read for the last view that asked for its links (`with_links`), so the
    /// next one re-reads only the files that differ.
    deps: std::sync::Mutex<DepsCache>,
}

impl Corpus {
    /// Test support: the corpus of one commit of the repository at `git_dir` (repository
    /// `r`, default module rules, no cache).
    #[cfg(test)]
    pub(crate) fn of_tip(git_dir: &Path, tip: &str) -> Corpus {
        let rules = crate::modules::ModuleRules::default();
        Corpus::build("r", git_dir, &[tip.to_string()], None, rules, 100).expect("corpus")
    }

    /// Opens `git_dir` and indexes every listed commit (ids or revisions such as
    /// `abc123^1`); `cache_dir` keeps the index between runs.
    pub fn build(
        name: &str,
        git_dir: &Path,
        commits: &[String],
        cache_dir: Option<&Path>,
        rules: ModuleRules,
        history_depth: usize,
    ) -> anyhow::Result<Corpus> {
        let git = GitRepo::open(git_dir)?;
        let files = FileIndex::open(cache_dir.map(|d| d.join(name.replace('/', "+"))).as_deref())?;
        let mut known: HashMap<u64, u32> = files
            .all_docs()?
            .into_iter()
            .map(|(k, _, n)| (k, n))
            .collect();
        let before = known.len();
        let mut writer = files.writer()?;
        let mut indexer = Indexer::new(&git, &files, &writer);
        let mut tips = Vec::new();
        for c in commits {
            let Ok(oid) = git.resolve(c) else { continue };
            tips.push(oid);
            let tree = git.tree_files(oid)?;
            let ignores = ignore_patterns(&tree, &git);
            // the docs of this commit's own tree: none from a later snapshot
            let docs = NearbyDocs::of(&tree);
            for f in tree.iter().filter(|f| wanted(&f.path, &ignores)) {
                // a missing blob is skipped: the file is simply not in the corpus
                indexer.file(f, docs.of_file(&f.path), &mut known)?;
            }
        }
        drop(indexer);
        writer
            .commit()
            .context("failed to commit the corpus index")?;
        files.reload()?;
        tracing::info!(
            repository = name,
            new = known.len() - before,
            total = known.len(),
            "corpus indexed"
        );
        let mut ids = HashSet::new();
        for t in &tips {
            ids.extend(git.ancestors(&[*t], history_depth)?);
        }
        // sorted so that ties rank the same way on every run
        let mut ids: Vec<git2::Oid> = ids.into_iter().collect();
        ids.sort();
        let infos = ids
            .into_iter()
            .map(|id| git.commit_info(id))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Corpus {
            name: name.to_string(),
            git,
            files,
            known,
            history: History::build(infos),
            tickets: History::default(),
            rules,
            history_depth,
            deps: Default::default(),
        })
    }

    /// The commit a revision names, if it resolves.
    pub fn resolve(&self, rev: &str) -> Option<String> {
        self.git.resolve(rev).ok().map(|o| o.to_string())
    }

    /// Committer time (epoch ms) and message of a revision, when it resolves.
    pub fn commit_facts(&self, rev: &str) -> Option<(i64, String)> {
        let oid = self.git.resolve(rev).ok()?;
        let info = self.git.commit_info(oid).ok()?;
        Some((info.time * 1000, info.message))
    }

    /// Adds past tickets, `(key, time in seconds, title and body, files their fixes
    /// changed)`, as texts that describe files. A view sees only those strictly older than
    /// its ticket's time, and none without a time. The time is the later of the ticket's
    /// report and its fix: the words are known, and linked to files, only then.
    pub fn add_ticket_texts(
        &mut self,
        texts: impl IntoIterator<Item = (String, i64, String, Vec<String>)>,
    ) {
        self.tickets.extend_texts(texts);
    }

    /// The repository as it was at `commit`, with every commit of its history visible.
    pub fn view(&self, commit: &str, params: Params) -> anyhow::Result<CommitView<'_>> {
        self.view_at(commit, params, None)
    }

    /// The repository as it was at `commit`, for a ticket written at `ticket_time` (seconds)
    /// when known: no commit or past ticket later than that reaches the ranking (the time
    /// rule of an evaluation; the tree is still the one at `commit`).
    pub fn view_at(
        &self,
        commit: &str,
        params: Params,
        ticket_time: Option<i64>,
    ) -> anyhow::Result<CommitView<'_>> {
        let oid = self.git.resolve(commit)?;
        let tree = self.git.tree_files(oid)?;
        let snap = snapshot(
            &self.name,
            &self.git,
            oid,
            &tree,
            &NearbyDocs::of(&tree),
            &self.known,
            &self.rules,
            true,
        )?;
        let mut mask = self
            .history
            .mask(&self.git.ancestors(&[oid], self.history_depth)?);
        if let Some(t) = ticket_time {
            self.history.hide_after(&mut mask, t);
        }
        let now = ticket_time.map_or(snap.time, |t| t.min(snap.time));
        let recency = self.history.recency(Some(&mask), now);
        let words = Vocabulary::of(&self.history, Some(&mask), now);
        let ticket_mask = self.tickets.before(ticket_time);
        let ticket_words = Vocabulary::of(&self.tickets, Some(&ticket_mask), now);
        Ok(CommitView {
            corpus: self,
            oid,
            tree_paths: tree.into_iter().map(|f| f.path).collect(),
            snap,
            mask,
            recency,
            words,
            ticket_mask,
            ticket_words,
            params,
        })
    }
}

/// A corpus restricted to one commit.
pub struct CommitView<'a> {
    corpus: &'a Corpus,
    oid: git2::Oid,
    snap: Snapshot,
    tree_paths: HashSet<String>,
    mask: Vec<bool>,
    recency: HashMap<String, f32>,
    words: Vocabulary,
    ticket_mask: Vec<bool>,
    ticket_words: Vocabulary,
    params: Params,
}

impl CommitView<'_> {
    /// Ranks with other weights from now on (an evaluation's rows: with and without a kind
    /// of evidence).
    pub fn set_params(&mut self, params: Params) {
        self.params = params;
    }

    /// Reads the imports of the commit's tree (only the files that differ from the last
    /// view's), so `Params::neighbours` can rank with structural neighbours. Blocking.
    pub fn with_links(&mut self) -> anyhow::Result<()> {
        if self.snap.links.is_some() {
            return Ok(());
        }
        let git = &self.corpus.git;
        let tree = git.tree_files(self.oid)?;
        let ignores = ignore_patterns(&tree, git);
        let mut cache = self
            .corpus
            .deps
            .lock()
            .map_err(|_| anyhow::anyhow!("the import cache was poisoned"))?;
        let links = cache.links(git, &tree, &ignores)?;
        self.snap.links = Some(std::sync::Arc::new(links));
        Ok(())
    }

    /// The module cut of the commit's tree.
    pub fn cut(&self) -> &crate::modules::ModuleCut {
        &self.snap.cut
    }

    /// True when the path exists in the commit's tree (indexed or not).
    pub fn exists(&self, path: &str) -> bool {
        self.tree_paths.contains(path)
    }

    /// Plain BM25 over file contents (k1 1.2, b 0.75, identifiers split): the baseline.
    pub fn baseline(&self, title: &str, body: &str, limit: usize) -> anyhow::Result<Vec<String>> {
        let q = query::TicketQuery {
            terms: query::plain_terms(&format!("{title}\n{body}")),
            ..Default::default()
        };
        let files = rank_files(
            &self.corpus.files,
            &self.snap,
            None,
            &q,
            &[],
            &Params::baseline(),
            limit,
        )?;
        Ok(files.into_iter().map(|f| f.path).collect())
    }
}

impl Locate for CommitView<'_> {
    fn locate(
        &self,
        title: &str,
        body: &str,
        repository: Option<&str>,
        limit: usize,
    ) -> Result<Located, LocateError> {
        self.locate_with(title, body, repository, limit, &[])
    }

    fn locate_with(
        &self,
        title: &str,
        body: &str,
        _repository: Option<&str>,
        limit: usize,
        precedents: &[Precedent],
    ) -> Result<Located, LocateError> {
        let q = query::parse(title, body);
        let hv = HistoryView {
            history: &self.corpus.history,
            mask: Some(&self.mask),
            recency: &self.recency,
            words: &self.words,
            tickets: Some(TeamTexts {
                history: &self.corpus.tickets,
                mask: &self.ticket_mask,
                words: &self.ticket_words,
            }),
        };
        let files = rank_files(
            &self.corpus.files,
            &self.snap,
            Some(&hv),
            &q,
            precedents,
            &self.params,
            limit.max(30),
        )?;
        let modules = rank_modules(&self.snap, &files, limit);
        Ok(Located {
            files: files.into_iter().take(limit).collect(),
            modules,
        })
    }
}
