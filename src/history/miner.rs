//! The git2 history miner: walks a branch (all commits reachable from its tip, parents
//! first), diffs each non-merge commit against its parent on a pool of threads, each with
//! its own `Repository` handle, and follows renames. Missing objects are counted, never fatal.

use super::HistoryError;
use crate::domain::{ChangeKind, FileChange, MinedCommit};
use git2::{
    Delta, Diff, DiffFindOptions, DiffOptions, ErrorCode, ObjectType, Oid, Repository, Sort, Tree,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Commit messages are kept up to this many bytes: enough for keys and the fix wording.
const MESSAGE_CAP: usize = 4096;
/// Above this many deltas rename detection is skipped, as git's own `diff.renameLimit` does.
const RENAME_LIMIT: usize = 1000;

/// What to mine: the repository, the branch, and what was mined before.
#[derive(Debug, Clone)]
pub struct MineRequest {
    pub path: PathBuf,
    /// A branch name (`main`) or any revision git understands.
    pub branch: String,
    /// The tip mined last time, if any.
    pub known_tip: Option<String>,
    /// `seq` the first new commit gets.
    pub next_seq: i64,
    /// Diff threads; 0 means one per core.
    pub threads: usize,
}

/// What changed since the last run.
#[derive(Debug, Clone, Default)]
pub struct MineOutcome {
    /// The branch tip now mined.
    pub tip: String,
    /// Everything mined before must be forgotten (unrelated history, or the old tip is gone).
    pub reset: bool,
    /// Commits mined before that the branch no longer contains (a force-push rewrote them).
    pub dropped: Vec<String>,
    /// New commits, parents first, numbered from `next_seq`.
    pub commits: Vec<MinedCommit>,
    /// Commits, trees or blobs that were needed but are absent from the object database.
    pub missing_objects: u64,
}

impl MineOutcome {
    /// True when a previous tip was known and the branch no longer contains it.
    pub fn force_pushed(&self) -> bool {
        self.reset || !self.dropped.is_empty()
    }
}

/// Mines the commits of `req.branch` that are new since `req.known_tip`. When the branch was
/// rewritten, the commits after the common ancestor are reported as dropped and re-mined.
pub fn mine(req: &MineRequest) -> Result<MineOutcome, HistoryError> {
    // git itself does not re-hash every object it reads; libgit2 does by default, which
    // costs about a third of a full mine. Process-wide, and only ever relaxed here.
    git2::opts::strict_hash_verification(false);
    // Nor is its object cache worth its memory here: each commit's trees are read for one
    // diff and rarely again soon enough to hit, and the cache (up to 256 MiB, per process)
    // tripled the peak (690 MB against 240 MB on apache/tomcat) for no measurable speed
    // (0.91-0.99x `git log --numstat` with or without it; `cargo bench --bench history_mine`).
    git2::opts::enable_caching(false);
    let repo = Repository::open(&req.path).map_err(|e| HistoryError::open(&req.path, e))?;
    let head = resolve_branch(&repo, &req.branch)?;
    let mut out = MineOutcome {
        tip: head.to_string(),
        ..MineOutcome::default()
    };
    let known = req.known_tip.as_deref().and_then(|t| Oid::from_str(t).ok());
    let mut hide = None;
    match known {
        Some(tip) if tip == head => return Ok(out),
        Some(tip) if repo.graph_descendant_of(head, tip).unwrap_or(false) => hide = Some(tip),
        Some(tip) => match repo.merge_base(head, tip) {
            Ok(base) => {
                let (dropped, missing) = walk(&repo, tip, Some(base))?;
                out.dropped = dropped.iter().map(Oid::to_string).collect();
                out.missing_objects += missing;
                hide = Some(base);
            }
            Err(_) => out.reset = true,
        },
        None => {}
    }
    let (oids, missing) = walk(&repo, head, hide)?;
    out.missing_objects += missing;
    let mailmap = mailmap_text(&repo, head);
    drop(repo);
    let mined = diff_all(&req.path, &oids, mailmap.as_deref(), req.threads)?;
    for (i, commit) in mined.into_iter().enumerate() {
        match commit {
            Some(mut c) => {
                c.seq = req.next_seq + i as i64;
                out.missing_objects += u64::from(c.missing_objects);
                out.commits.push(c);
            }
            None => out.missing_objects += 1,
        }
    }
    Ok(out)
}

/// Mines the named commits only (an evaluation reads labelled commits): each with its
/// diff against its first parent and the `.mailmap` of the repository's HEAD; `None` for a
/// sha that is not in the repository.
pub fn mine_shas(
    path: &Path,
    shas: &[String],
    threads: usize,
) -> Result<Vec<Option<MinedCommit>>, HistoryError> {
    git2::opts::strict_hash_verification(false);
    let repo = Repository::open(path).map_err(|e| HistoryError::open(path, e))?;
    let mailmap = repo
        .head()
        .ok()
        .and_then(|h| h.target())
        .and_then(|head| mailmap_text(&repo, head));
    let parsed: Vec<Option<Oid>> = shas.iter().map(|s| Oid::from_str(s).ok()).collect();
    let oids: Vec<Oid> = parsed.iter().flatten().copied().collect();
    drop(repo);
    let mut mined = diff_all(path, &oids, mailmap.as_deref(), threads)?.into_iter();
    Ok(parsed
        .iter()
        .map(|p| p.and_then(|_| mined.next().flatten()))
        .collect())
}

/// Every file path of the tree at `rev` (a branch or any revision), for the module cut.
pub fn tree_paths(path: &std::path::Path, rev: &str) -> Result<Vec<String>, HistoryError> {
    let repo = Repository::open(path).map_err(|e| HistoryError::open(path, e))?;
    let commit = resolve_branch(&repo, rev)?;
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(HistoryError::Git)?;
    let mut out = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
        if entry.kind() == Some(git2::ObjectType::Blob) {
            if let Some(name) = entry.name() {
                out.push(format!("{root}{name}"));
            }
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(HistoryError::Git)?;
    Ok(out)
}

fn resolve_branch(repo: &Repository, branch: &str) -> Result<Oid, HistoryError> {
    let by_ref = repo
        .find_reference(&format!("refs/heads/{branch}"))
        .and_then(|r| r.peel_to_commit());
    let commit = match by_ref {
        Ok(c) => c,
        Err(_) => repo
            .revparse_single(branch)
            .and_then(|o| o.peel_to_commit())
            .map_err(|_| HistoryError::NoBranch(branch.to_string()))?,
    };
    Ok(commit.id())
}

/// Commits reachable from `from` but not from `hide`, parents first. A walk that runs into a
/// missing commit keeps what it reached and counts the gap.
fn walk(repo: &Repository, from: Oid, hide: Option<Oid>) -> Result<(Vec<Oid>, u64), HistoryError> {
    let mut walk = repo.revwalk().map_err(HistoryError::Git)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)
        .map_err(HistoryError::Git)?;
    walk.push(from).map_err(HistoryError::Git)?;
    if let Some(h) = hide {
        walk.hide(h).map_err(HistoryError::Git)?;
    }
    let mut oids = Vec::new();
    let mut missing = 0;
    for oid in walk {
        match oid {
            Ok(o) => oids.push(o),
            Err(_) => missing += 1,
        }
    }
    Ok((oids, missing))
}

/// The `.mailmap` of the mined branch's tip (a bare mirror's HEAD may name another branch).
fn mailmap_text(repo: &Repository, head: Oid) -> Option<String> {
    let tree = repo.find_commit(head).ok()?.tree().ok()?;
    let entry = tree.get_path(Path::new(".mailmap")).ok()?;
    let blob = repo.find_blob(entry.id()).ok()?;
    Some(String::from_utf8_lossy(blob.content()).into_owned())
}

/// Diffs every commit on a pool of threads; `None` marks a commit object that is missing.
fn diff_all(
    path: &Path,
    oids: &[Oid],
    mailmap: Option<&str>,
    threads: usize,
) -> Result<Vec<Option<MinedCommit>>, HistoryError> {
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(oids.len().max(1));
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![None; oids.len()]);
    let first_error = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let repo = match Repository::open(path) {
                    Ok(r) => r,
                    Err(e) => {
                        *first_error.lock().expect("lock") = Some(HistoryError::open(path, e));
                        return;
                    }
                };
                let mailmap = match mailmap {
                    Some(text) => git2::Mailmap::from_buffer(text).ok(),
                    None => repo.mailmap().ok(),
                };
                const CHUNK: usize = 16;
                let mut local = Vec::with_capacity(CHUNK);
                loop {
                    let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if start >= oids.len() {
                        break;
                    }
                    let end = (start + CHUNK).min(oids.len());
                    for (i, oid) in oids[start..end].iter().enumerate() {
                        local.push((start + i, mine_commit(&repo, mailmap.as_ref(), *oid)));
                    }
                    let mut all = results.lock().expect("lock");
                    for (i, c) in local.drain(..) {
                        all[i] = c;
                    }
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().expect("lock") {
        return Err(e);
    }
    Ok(results.into_inner().expect("lock"))
}

fn mine_commit(
    repo: &Repository,
    mailmap: Option<&git2::Mailmap>,
    oid: Oid,
) -> Option<MinedCommit> {
    let commit = repo.find_commit(oid).ok()?;
    let author = mailmap
        .and_then(|m| commit.author_with_mailmap(m).ok())
        .unwrap_or_else(|| commit.author().to_owned());
    let raw = commit.message_bytes();
    let message = String::from_utf8_lossy(&raw[..raw.len().min(MESSAGE_CAP)]).into_owned();
    let mut mined = MinedCommit {
        sha: oid.to_string(),
        seq: 0,
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).to_lowercase(),
        time_ms: commit.time().seconds() * 1000,
        message,
        is_merge: commit.parent_count() > 1,
        files: Vec::new(),
        missing_objects: 0,
    };
    if mined.is_merge {
        return Some(mined);
    }
    let Ok(tree) = commit.tree() else {
        mined.missing_objects += 1;
        return Some(mined);
    };
    let parent_tree = match commit.parent_count() {
        0 => None,
        _ => match commit.parent(0).and_then(|p| p.tree()) {
            Ok(t) => Some(t),
            Err(_) => {
                // A shallow or truncated boundary: diffing against nothing would invent
                // whole-file additions, so the commit keeps its metadata and no files.
                mined.missing_objects += 1;
                return Some(mined);
            }
        },
    };
    // libgit2's tree diff walks both whole trees; naming the changed paths (found by a walk
    // that skips equal subtrees, as git does) lets it skip everything else.
    let mut paths = Vec::new();
    changed_paths(
        repo,
        parent_tree.as_ref(),
        Some(&tree),
        "",
        &mut paths,
        &mut mined.missing_objects,
    );
    if paths.is_empty() {
        return Some(mined);
    }
    let mut opts = DiffOptions::new();
    opts.context_lines(0)
        .interhunk_lines(0)
        .disable_pathspec_match(true);
    for p in &paths {
        opts.pathspec(p);
    }
    let Ok(mut diff) = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))
    else {
        mined.missing_objects += 1;
        return Some(mined);
    };
    find_renames(&mut diff, &mut mined.missing_objects);
    mined.files = changes(&diff, &mut mined.missing_objects);
    Some(mined)
}

/// Appends the paths of blobs that differ between two trees, descending only into subtrees
/// whose ids differ.
fn changed_paths(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    prefix: &str,
    out: &mut Vec<String>,
    missing: &mut u32,
) {
    let entries = |t: Option<&Tree<'_>>| -> HashMap<Vec<u8>, (Oid, bool)> {
        t.map(|t| {
            t.iter()
                .map(|e| {
                    let is_tree = e.kind() == Some(ObjectType::Tree);
                    (e.name_bytes().to_vec(), (e.id(), is_tree))
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let (before, after) = (entries(old), entries(new));
    let mut names: Vec<&Vec<u8>> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let (a, b) = (before.get(name), after.get(name));
        if let (Some(x), Some(y)) = (a, b) {
            if x == y {
                continue;
            }
        }
        let path = format!("{prefix}{}", String::from_utf8_lossy(name));
        let subtree = |side: Option<&(Oid, bool)>, missing: &mut u32| match side {
            Some((oid, true)) => match repo.find_tree(*oid) {
                Ok(t) => Some(t),
                Err(_) => {
                    *missing += 1;
                    None
                }
            },
            _ => None,
        };
        let (ta, tb) = (subtree(a, missing), subtree(b, missing));
        if ta.is_some() || tb.is_some() {
            changed_paths(
                repo,
                ta.as_ref(),
                tb.as_ref(),
                &format!("{path}/"),
                out,
                missing,
            );
        }
        let blob = |side: Option<&(Oid, bool)>| matches!(side, Some((_, false)));
        if blob(a) || blob(b) {
            out.push(path);
        }
    }
}

/// Pairs deletions with additions as renames when the diff has both (cheap otherwise).
fn find_renames(diff: &mut Diff<'_>, missing: &mut u32) {
    let deltas = diff.deltas();
    let n = deltas.len();
    let (mut adds, mut dels) = (false, false);
    for d in deltas {
        adds |= d.status() == Delta::Added;
        dels |= d.status() == Delta::Deleted;
    }
    if !(adds && dels) || n > RENAME_LIMIT {
        return;
    }
    let mut find = DiffFindOptions::new();
    find.renames(true);
    if diff.find_similar(Some(&mut find)).is_err() {
        *missing += 1;
    }
}

fn changes(diff: &Diff<'_>, missing: &mut u32) -> Vec<FileChange> {
    let mut files = Vec::with_capacity(diff.deltas().len());
    for (i, delta) in diff.deltas().enumerate() {
        let kind = match delta.status() {
            Delta::Added | Delta::Copied => ChangeKind::Added,
            Delta::Deleted => ChangeKind::Deleted,
            Delta::Renamed => ChangeKind::Renamed,
            Delta::Modified | Delta::Typechange => ChangeKind::Modified,
            _ => continue,
        };
        let side = match kind {
            ChangeKind::Deleted => delta.old_file(),
            _ => delta.new_file(),
        };
        let Some(path) = side.path_bytes() else {
            continue;
        };
        let path = String::from_utf8_lossy(path).into_owned();
        let old_path = match kind {
            ChangeKind::Renamed => delta
                .old_file()
                .path_bytes()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
            _ => None,
        };
        let (added, deleted) = match git2::Patch::from_diff(diff, i) {
            Ok(Some(p)) => p
                .line_stats()
                .map(|(_, a, d)| (a as u32, d as u32))
                .unwrap_or_default(),
            Ok(None) => (0, 0),
            Err(e) => {
                if e.code() == ErrorCode::NotFound || e.class() == git2::ErrorClass::Odb {
                    *missing += 1;
                }
                (0, 0)
            }
        };
        files.push(FileChange {
            path,
            old_path,
            kind,
            added,
            deleted,
        });
    }
    files
}
