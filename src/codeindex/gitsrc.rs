//! Reading repositories with git2 straight from the object database (bare or not):
//! trees at a commit, blobs, the history of changed files, and clone/fetch for URLs.

use anyhow::Context;
use git2::{Oid, Repository, Sort, TreeWalkMode, TreeWalkResult};
use std::path::Path;

/// One file of a tree.
#[derive(Debug, Clone)]
pub struct TreeFile {
    pub path: String,
    pub blob: Oid,
}

/// One commit of the history with the files it changed.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: Oid,
    /// Seconds since the epoch (committer time).
    pub time: i64,
    /// Subject and body, capped.
    pub message: String,
    pub files: Vec<String>,
}

/// Commits touching more files than this are sweeping changes (reformatting, licence
/// headers, merges): they say nothing about where a bug lives.
pub const MAX_FILES_PER_COMMIT: usize = 50;

pub struct GitRepo {
    repo: Repository,
}

impl GitRepo {
    pub fn open(path: &Path) -> anyhow::Result<GitRepo> {
        let repo = Repository::open(path)
            .with_context(|| format!("failed to open git repository {}", path.display()))?;
        Ok(GitRepo { repo })
    }

    /// Clones `url` bare into `dest` when absent, else fetches `branch`; uses the `git`
    /// command because git2 is built without network transports.
    pub fn clone_or_fetch(url: &str, dest: &Path, branch: &str) -> anyhow::Result<GitRepo> {
        let status = if dest.exists() {
            std::process::Command::new("git")
                .arg("--git-dir")
                .arg(dest)
                .args(["fetch", "--quiet", "origin"])
                .arg(format!("+refs/heads/{branch}:refs/heads/{branch}"))
                .status()
        } else {
            std::process::Command::new("git")
                .args(["clone", "--quiet", "--bare", "--branch", branch, url])
                .arg(dest)
                .status()
        }
        .context("failed to run git")?;
        anyhow::ensure!(
            status.success(),
            "git clone/fetch of {url} failed: {status}"
        );
        GitRepo::open(dest)
    }

    /// Resolves a branch, tag or commit id to a commit.
    pub fn resolve(&self, rev: &str) -> anyhow::Result<Oid> {
        let obj = self
            .repo
            .revparse_single(rev)
            .with_context(|| format!("unknown revision {rev}"))?;
        Ok(obj.peel_to_commit()?.id())
    }

    /// Every file (blob) of the commit's tree, with repository-relative paths.
    pub fn tree_files(&self, commit: Oid) -> anyhow::Result<Vec<TreeFile>> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut out = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |root, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                if let Some(name) = entry.name() {
                    out.push(TreeFile {
                        path: format!("{root}{name}"),
                        blob: entry.id(),
                    });
                }
            }
            TreeWalkResult::Ok
        })?;
        Ok(out)
    }

    pub fn read_blob(&self, blob: Oid) -> anyhow::Result<Vec<u8>> {
        Ok(self.repo.find_blob(blob)?.content().to_vec())
    }

    /// Committer time of a commit.
    pub fn commit_time(&self, commit: Oid) -> anyhow::Result<i64> {
        Ok(self.repo.find_commit(commit)?.time().seconds())
    }

    /// Ancestors of `tips` (themselves included), newest first, at most `max`.
    pub fn ancestors(&self, tips: &[Oid], max: usize) -> anyhow::Result<Vec<Oid>> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TIME)?;
        for t in tips {
            walk.push(*t)?;
        }
        walk.take(max)
            .map(|r| r.map_err(anyhow::Error::from))
            .collect()
    }

    /// The commit with its message and changed files (against its first parent; merges
    /// and sweeping commits keep their message but list no files).
    pub fn commit_info(&self, id: Oid) -> anyhow::Result<CommitInfo> {
        let c = self.repo.find_commit(id)?;
        let mut message = c.message_raw().unwrap_or("").to_string();
        if message.len() > 2048 {
            let mut end = 2048;
            while !message.is_char_boundary(end) {
                end -= 1;
            }
            message.truncate(end);
        }
        let mut files = Vec::new();
        if c.parent_count() <= 1 {
            let parent = c.parents().next().map(|p| p.tree()).transpose()?;
            let diff = self
                .repo
                .diff_tree_to_tree(parent.as_ref(), Some(&c.tree()?), None)?;
            if diff.deltas().len() <= MAX_FILES_PER_COMMIT {
                for d in diff.deltas() {
                    if let Some(p) = d.new_file().path().and_then(|p| p.to_str()) {
                        files.push(p.to_string());
                    }
                }
            }
        }
        Ok(CommitInfo {
            id,
            time: c.time().seconds(),
            message,
            files,
        })
    }

    /// Paths that differ between two commits' trees, with the new blob (`None` = deleted).
    pub fn changed_paths(&self, from: Oid, to: Oid) -> anyhow::Result<Vec<(String, Option<Oid>)>> {
        let a = self.repo.find_commit(from)?.tree()?;
        let b = self.repo.find_commit(to)?.tree()?;
        let diff = self.repo.diff_tree_to_tree(Some(&a), Some(&b), None)?;
        let mut out = Vec::new();
        for d in diff.deltas() {
            if let Some(p) = d.old_file().path().and_then(|p| p.to_str()) {
                if d.status() == git2::Delta::Deleted || d.status() == git2::Delta::Renamed {
                    out.push((p.to_string(), None));
                }
            }
            if d.status() != git2::Delta::Deleted {
                if let Some(p) = d.new_file().path().and_then(|p| p.to_str()) {
                    out.push((p.to_string(), Some(d.new_file().id())));
                }
            }
        }
        Ok(out)
    }
}
