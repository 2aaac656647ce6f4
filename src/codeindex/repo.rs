//! One configured repository: clone or open it, build its index at the branch head, and
//! refresh incrementally (re-index only the files that changed between two commits).

use super::build::{file_key, ignore_patterns, snapshot, wanted, Indexed, Indexer};
use super::deps::{DepsCache, DepsStats};
use super::fileindex::FileIndex;
use super::gitsrc::{GitRepo, TreeFile};
use super::glob::Patterns;
use super::history::History;
use super::nearbydocs::NearbyDocs;
use super::pasttickets::TicketWords;
use super::snapshot::Snapshot;
use super::vocab::Vocabulary;
use super::RepoSpec;
use crate::domain::DependencyGraph;
use crate::modules::ModuleRules;
use anyhow::Context;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

/// The bare clone of a repository given by URL, inside its index directory.
const CLONE_DIR: &str = "clone.git";

/// Where the bare clone of the repository `name` given by URL lives under `index_dir`.
pub fn clone_dir(index_dir: &std::path::Path, name: &str) -> PathBuf {
    index_dir.join(name).join(CLONE_DIR)
}

/// What searches read; replaced whole on every refresh.
pub struct RepoState {
    pub snapshot: Snapshot,
    pub history: History,
    pub recency: HashMap<String, f32>,
    /// The module graph from the code's imports at the snapshot's commit.
    pub dependencies: Arc<DependencyGraph>,
    /// The commit messages' words per file.
    pub words: Vocabulary,
}

pub struct RepoIndex {
    pub spec: RepoSpec,
    dir: Option<PathBuf>,
    rules: ModuleRules,
    history_depth: usize,
    pub files: FileIndex,
    git: Mutex<Option<GitRepo>>,
    known: Mutex<HashMap<u64, u32>>,
    deps: Mutex<DepsCache>,
    state: RwLock<Option<Arc<RepoState>>>,
    /// The stored past tickets that mined commits of this repository name, as words for
    /// the files their fixes changed (`CodeIndex::set_past_tickets`).
    tickets: RwLock<Option<Arc<TicketWords>>>,
    /// The last refresh's error, `None` once a refresh succeeds.
    pub last_error: Mutex<Option<String>>,
    /// When the last refresh ended (ms since the epoch).
    pub last_refresh_ms: Mutex<Option<i64>>,
    /// Why this repository's index could not be opened even after setting the old one
    /// aside; every refresh then fails with it, and the other repositories carry on.
    broken: Option<String>,
}

/// Opens the file index in `dir/files`. One that cannot be opened (a truncated or missing
/// segment file, a damaged `meta.json`) is derived data: it is moved to `dir/files.broken`
/// (replacing an older one), the indexed commit is forgotten, and an empty index is created
/// and built by the next refresh. Only if that fails too does the repository stay broken,
/// kept in memory and answering its error, while the others serve.
fn open_or_set_aside(name: &str, dir: &std::path::Path) -> (FileIndex, Option<String>) {
    let files = dir.join("files");
    let open = || {
        std::panic::catch_unwind(|| FileIndex::open(Some(&files)))
            .unwrap_or_else(|_| Err(anyhow::anyhow!("opening it panicked")))
    };
    let error = match open() {
        Ok(index) => return (index, None),
        Err(e) => e,
    };
    let aside = dir.join("files.broken");
    let moved = (|| -> std::io::Result<()> {
        if aside.exists() {
            std::fs::remove_dir_all(&aside)?;
        }
        std::fs::rename(&files, &aside)?;
        match std::fs::remove_file(dir.join("indexed-commit")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    })();
    tracing::warn!(
        repository = name, index = %files.display(), error = %format!("{error:#}"),
        moved_to = %aside.display(), moved = moved.is_ok(),
        "code index cannot be opened; moved aside, rebuilding this repository's index"
    );
    let retry = match moved {
        Ok(()) => open(),
        Err(e) => Err(anyhow::Error::from(e).context("failed to move the broken index aside")),
    };
    match retry {
        Ok(index) => (index, None),
        Err(e) => {
            let why = format!("the code index of {name} cannot be opened: {e:#}");
            tracing::error!(repository = name, error = %why, "repository left out");
            let index = FileIndex::open(None).expect("an index in memory opens");
            (index, Some(why))
        }
    }
}

/// A commit's tree with what indexing reads of it once: the docs beside each file and the
/// root `.gitignore`'s patterns.
#[derive(Clone, Copy)]
struct TreeAt<'t> {
    files: &'t [TreeFile],
    docs: &'t NearbyDocs,
    ignores: &'t Patterns,
}

/// Files indexed and blobs missing in one run.
#[derive(Default)]
struct Count {
    indexed: usize,
    missing: u64,
}

impl Count {
    fn add(&mut self, i: Indexed) {
        match i {
            Indexed::Yes => self.indexed += 1,
            Indexed::Missing => self.missing += 1,
            Indexed::Skipped => {}
        }
    }
}

/// What a build or refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshReport {
    pub commit: String,
    /// Files (re-)indexed by this run.
    pub indexed: usize,
    pub files: usize,
    pub changed: bool,
    /// File versions whose blob is missing from the repository: skipped and counted.
    pub missing_objects: u64,
    /// The git directory read (the local clone, or the bare clone of a URL), so history
    /// can be mined from the same objects at the same commit.
    pub git_dir: PathBuf,
    /// The module graph at `commit` (`None` until the repository is indexed).
    pub dependencies: Option<Arc<DependencyGraph>>,
    /// What building it read and took (zero when nothing changed).
    pub deps: DepsStats,
}

impl RepoIndex {
    /// Opens (or creates) the on-disk index under `dir/<name>`; `None` keeps it in memory.
    pub fn open(
        spec: RepoSpec,
        dir: Option<PathBuf>,
        rules: ModuleRules,
        history_depth: usize,
    ) -> anyhow::Result<RepoIndex> {
        let dir = dir.map(|d| d.join(&spec.name));
        // the index and the clone hold the code: this user's only
        if let Err(e) = dir.as_deref().map(super::gitsrc::private_dir).transpose() {
            tracing::warn!(repository = %spec.name, error = %format!("{e:#}"), "index directory not private");
        }
        let (files, broken) = match &dir {
            None => (FileIndex::open(None)?, None),
            Some(d) => open_or_set_aside(&spec.name, d),
        };
        Ok(RepoIndex {
            spec,
            dir,
            rules,
            history_depth,
            files,
            git: Mutex::new(None),
            known: Mutex::new(HashMap::new()),
            deps: Mutex::new(DepsCache::default()),
            state: RwLock::new(None),
            tickets: RwLock::new(None),
            last_error: Mutex::new(broken.clone()),
            last_refresh_ms: Mutex::new(None),
            broken,
        })
    }

    pub fn state(&self) -> Option<Arc<RepoState>> {
        self.state.read().expect("state lock").clone()
    }

    pub fn tickets(&self) -> Option<Arc<TicketWords>> {
        self.tickets.read().expect("tickets lock").clone()
    }

    /// Makes `words` the past tickets analyses read.
    pub fn set_tickets(&self, words: Option<TicketWords>) {
        *self.tickets.write().expect("tickets lock") = words.map(Arc::new);
    }

    fn open_git(&self) -> anyhow::Result<GitRepo> {
        match (&self.spec.path, &self.spec.url) {
            (Some(p), _) => GitRepo::open(p),
            (None, Some(url)) => {
                let dest = self
                    .dir
                    .as_ref()
                    .context("a repository given by URL needs an index_dir to clone into")?
                    .join(CLONE_DIR);
                GitRepo::clone_or_fetch(url, &dest, &self.spec.branch)
            }
            (None, None) => anyhow::bail!("repository {} has neither path nor url", self.spec.name),
        }
    }

    fn state_file(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("indexed-commit"))
    }

    /// Builds the index (first call) or brings it to the branch head, re-indexing only the
    /// files changed since the last indexed commit. Blocking.
    pub fn refresh(&self) -> anyhow::Result<RefreshReport> {
        if let Some(why) = &self.broken {
            anyhow::bail!("{why}");
        }
        let mut git_slot = self.git.lock().expect("git lock");
        let git = match git_slot.take() {
            Some(g) if self.spec.url.is_none() => g,
            _ => self.open_git()?,
        };
        let result = self.refresh_with(&git);
        *git_slot = Some(git);
        result
    }

    fn refresh_with(&self, git: &GitRepo) -> anyhow::Result<RefreshReport> {
        let head = git.resolve(&self.spec.branch)?;
        let mut known = self.known.lock().expect("known lock");
        let previous = self.state().map(|s| s.snapshot.commit.clone()).or_else(|| {
            let persisted = std::fs::read_to_string(self.state_file()?).ok()?;
            let docs = self.files.all_docs().ok()?;
            known.extend(docs.into_iter().map(|(k, _, n)| (k, n)));
            Some(persisted.trim().to_string())
        });
        let prev_oid = previous
            .as_deref()
            .and_then(|p| git2::Oid::from_str(p).ok());
        if let Some(state) = self.state().filter(|_| prev_oid == Some(head)) {
            return Ok(RefreshReport {
                commit: head.to_string(),
                indexed: 0,
                files: state.snapshot.files.len(),
                changed: false,
                missing_objects: 0,
                git_dir: git.path().to_path_buf(),
                dependencies: Some(state.dependencies.clone()),
                deps: DepsStats::default(),
            });
        }
        let tree = git.tree_files(head)?;
        let ignores = ignore_patterns(&tree, git);
        let writer = self.files.writer()?;
        let mut indexer = Indexer::new(git, &self.files, &writer);
        let docs = NearbyDocs::of(&tree);
        let incremental = prev_oid.and_then(|p| git.changed_paths(p, head).ok());
        let (indexed, missing) = match &incremental {
            Some(changes) if !known.is_empty() => {
                let tree = TreeAt {
                    files: &tree,
                    docs: &docs,
                    ignores: &ignores,
                };
                self.reindex_changed(&mut indexer, &writer, tree, changes, &mut known)?
            }
            _ => {
                writer.delete_all_documents()?;
                known.clear();
                let mut count = Count::default();
                for f in tree.iter().filter(|f| wanted(&f.path, &ignores)) {
                    count.add(indexer.file(f, docs.of_file(&f.path), &mut known)?);
                }
                (count.indexed, count.missing)
            }
        };
        drop(indexer);
        let mut writer = writer;
        writer.commit().context("failed to commit the file index")?;
        self.files.reload()?;
        let snap = snapshot(
            &self.spec.name,
            git,
            head,
            &tree,
            &docs,
            &known,
            &self.rules,
            false,
        )?;
        // stale keys of replaced versions are forgotten so the map tracks the index
        let live: HashSet<u64> = snap.files.iter().map(|f| f.key).collect();
        known.retain(|k, _| live.contains(k));
        let (graph, deps) = self.deps.lock().expect("deps lock").update(
            git,
            &tree,
            &ignores,
            &snap.cut,
            &head.to_string(),
        )?;
        let dependencies = Arc::new(graph);
        let files = snap.files.len();
        self.publish(git, head, snap, dependencies.clone())?;
        Ok(RefreshReport {
            commit: head.to_string(),
            indexed,
            files,
            changed: true,
            missing_objects: missing,
            git_dir: git.path().to_path_buf(),
            dependencies: Some(dependencies),
            deps,
        })
    }

    /// Re-indexes what changed between two commits: the changed files, and the indexed
    /// files whose nearby docs changed (a README's new words belong in the documents of the
    /// files it describes; a file's key changes with its docs). A file skipped before (not
    /// source content) and unchanged is not read again. Returns how many were indexed and
    /// how many blobs were missing.
    fn reindex_changed(
        &self,
        indexer: &mut Indexer<'_>,
        writer: &tantivy::IndexWriter,
        tree: TreeAt<'_>,
        changes: &[(String, Option<git2::Oid>)],
        known: &mut HashMap<u64, u32>,
    ) -> anyhow::Result<(usize, u64)> {
        let TreeAt {
            files: tree,
            docs,
            ignores,
        } = tree;
        let changed: HashSet<&str> = changes.iter().map(|(p, _)| p.as_str()).collect();
        for (path, blob) in changes {
            if blob.is_none() && wanted(path, ignores) {
                self.files.delete_path(writer, path);
            }
        }
        // what the index holds: the published snapshot, or after a restart the index itself
        let state = self.state();
        let persisted: HashSet<String> = match &state {
            Some(_) => HashSet::new(),
            None => self.files.all_docs()?.into_iter().map(|d| d.1).collect(),
        };
        let was_indexed = |path: &str| match &state {
            Some(s) => s.snapshot.by_path(path).is_some(),
            None => persisted.contains(path),
        };
        let mut count = Count::default();
        for f in tree.iter().filter(|f| wanted(&f.path, ignores)) {
            let near = docs.of_file(&f.path);
            let stale = changed.contains(f.path.as_str()) || was_indexed(&f.path);
            if !stale || known.contains_key(&file_key(&f.path, f.blob, near)) {
                continue;
            }
            self.files.delete_path(writer, &f.path);
            count.add(indexer.file(f, near, known)?);
        }
        Ok((count.indexed, count.missing))
    }

    /// Makes a new snapshot the one searches read, with the history and commit words at its
    /// commit, and records that commit for the next start.
    fn publish(
        &self,
        git: &GitRepo,
        head: git2::Oid,
        snap: Snapshot,
        dependencies: Arc<DependencyGraph>,
    ) -> anyhow::Result<()> {
        let history = self.history_at(git, head)?;
        let recency = history.recency(None, snap.time);
        let words = Vocabulary::of(&history, None, snap.time);
        *self.state.write().expect("state lock") = Some(Arc::new(RepoState {
            snapshot: snap,
            history,
            recency,
            dependencies,
            words,
        }));
        if let Some(p) = self.state_file() {
            std::fs::write(p, head.to_string()).context("failed to record the indexed commit")?;
        }
        Ok(())
    }

    fn history_at(&self, git: &GitRepo, head: git2::Oid) -> anyhow::Result<History> {
        let old = self.state();
        let ids = git.ancestors(&[head], self.history_depth)?;
        let mut history = History::default();
        let mut fresh = Vec::new();
        for id in &ids {
            match old.as_ref().filter(|s| s.history.contains(id)) {
                Some(_) => break,
                None => fresh.push(git.commit_info(*id)?),
            }
        }
        if let Some(old) = old {
            history = old.history.clone();
        }
        history.extend(fresh);
        Ok(history)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testrepo::TestRepo;
    use std::collections::BTreeMap;

    fn files(readme: &str) -> BTreeMap<String, String> {
        [
            ("billing/README.md", readme),
            ("billing/Invoice.java", "class Invoice { long amount; }\n"),
            ("ui/Screen.java", "class Screen { int width; }\n"),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
    }

    /// The files whose docs say `word`.
    fn said_by_docs(r: &RepoIndex, word: &str) -> Vec<String> {
        let mut boosts = [0.0; 7];
        boosts[super::super::Params::DOCS] = 1.0;
        let searcher = r.files.searcher();
        let terms = [(word.to_string(), 1.0)];
        let hits = r
            .files
            .search(&searcher, &terms, &boosts, None, 10)
            .unwrap();
        let state = r.state().unwrap();
        hits.iter()
            .filter_map(|h| state.snapshot.by_key(h.key).map(|f| f.path.clone()))
            .collect()
    }

    /// A commit that changes or removes only a README re-indexes the files it describes,
    /// and only those, in the service's incremental refresh.
    #[test]
    fn a_readme_change_or_removal_reaches_the_files_it_describes_on_an_incremental_refresh() {
        let repo = TestRepo::new();
        let who = ("dev", "dev@example.com");
        let first = repo.commit("main", &[], &files("Invoices.\n"), who, 0, "import");
        let spec = RepoSpec {
            name: "r".into(),
            path: Some(repo.dir.path().to_path_buf()),
            url: None,
            branch: "main".into(),
            modules: Vec::new(),
        };
        let r = RepoIndex::open(spec, None, ModuleRules::default(), 100).unwrap();
        assert_eq!(r.refresh().unwrap().indexed, 2);
        assert!(said_by_docs(&r, "iframe").is_empty());

        let readme = "Invoices shown to partners in an iframe.\n";
        let second = repo.commit("main", &[first], &files(readme), who, 1, "say where");
        let report = r.refresh().unwrap();
        assert_eq!(report.indexed, 1, "only the file the README describes");
        assert_eq!(said_by_docs(&r, "iframe"), ["billing/Invoice.java"]);
        assert_eq!(
            r.files.all_docs().unwrap().len(),
            2,
            "the old version is gone"
        );

        let mut without = files("");
        without.remove("billing/README.md");
        repo.commit("main", &[second], &without, who, 2, "drop the README");
        assert_eq!(r.refresh().unwrap().indexed, 1);
        assert!(said_by_docs(&r, "iframe").is_empty());
        assert_eq!(r.state().unwrap().snapshot.files.len(), 2);
    }
}
