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
        // `HEAD` (or nothing) means the remote's own default branch
        let named = !(branch.is_empty() || branch == "HEAD");
        let mut cmd = std::process::Command::new("git");
        // never ask for credentials on a terminal; a URL never passes for an option
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let (what, limit) = if dest.exists() {
            cmd.arg("--git-dir")
                .arg(dest)
                .args(["fetch", "--quiet", "--prune", "origin"]);
            if named {
                cmd.arg(format!("+refs/heads/{branch}:refs/heads/{branch}"));
            } else {
                cmd.arg("+refs/heads/*:refs/heads/*");
            }
            ("fetch", GIT_FETCH_TIMEOUT)
        } else {
            cmd.args(["clone", "--quiet", "--bare"]);
            if named {
                cmd.args(["--branch", branch]);
            }
            cmd.arg("--").arg(url).arg(dest);
            ("clone", GIT_CLONE_TIMEOUT)
        };
        let shown = redact(url);
        let (status, stderr) = run_with_timeout(cmd, limit)
            .with_context(|| format!("git {what} of {shown} could not run"))?;
        // git's own words, with the URL as shown and without anything like credentials
        let said = stderr.replace(url, &shown);
        let said = said.lines().last().unwrap_or("").trim();
        let said: String = redact_userinfo(said).chars().take(300).collect();
        anyhow::ensure!(
            status.success(),
            "git {what} of {shown} failed ({status}): {said}"
        );
        GitRepo::open(dest)
    }

    /// The git directory.
    pub fn path(&self) -> &Path {
        self.repo.path()
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

    /// A blob's bytes; `None` when the object is missing (shallow, partial or truncated
    /// clones), which callers skip and count rather than abort on.
    pub fn read_blob_if_present(&self, blob: Oid) -> anyhow::Result<Option<Vec<u8>>> {
        match self.repo.find_blob(blob) {
            Ok(b) => Ok(Some(b.content().to_vec())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
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
        let message = crate::domain::text::cut(c.message_raw().unwrap_or(""), 2048).to_string();
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

/// How long a first clone may take before it is stopped.
const GIT_CLONE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30 * 60);
/// How long a fetch may take.
const GIT_FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Runs `cmd`, killing it when it takes longer than `limit`.
fn run_with_timeout(
    mut cmd: std::process::Command,
    limit: std::time::Duration,
) -> anyhow::Result<(std::process::ExitStatus, String)> {
    use std::io::Read;
    let mut child = cmd.spawn()?;
    // read stderr on the side so a chatty git never blocks on a full pipe
    let reader = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = e.by_ref().take(64 * 1024).read_to_string(&mut s);
            s
        })
    });
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            let stderr = reader.and_then(|r| r.join().ok()).unwrap_or_default();
            return Ok((status, stderr));
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!("timed out after {} s", limit.as_secs());
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Text with `scheme://user:secret@` reduced to `scheme://`.
fn redact_userinfo(text: &str) -> String {
    let re = regex::Regex::new(r"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@").expect("valid regex");
    re.replace_all(text, "$1").into_owned()
}

/// A clone URL without its credentials (`https://user:token@host/x` → `https://host/x`):
/// the one redaction of URLs, `config`'s, which also keeps them out of `Debug` output.
pub fn redact(url: &str) -> String {
    crate::config::url_without_credentials(url)
}

#[cfg(test)]
mod redact_tests {
    use super::redact;

    #[test]
    fn credentials_never_leave_a_clone_url() {
        assert_eq!(
            redact("https://bot:s3cr3t@git.example.com/acme/app.git"),
            "https://git.example.com/acme/app.git"
        );
        assert_eq!(
            redact("git@github.com:acme/app.git"),
            "github.com:acme/app.git"
        );
        assert_eq!(redact("file:///srv/app"), "file:///srv/app");
        assert_eq!(
            super::redact_userinfo("fatal: unable to access 'https://bot:tok@h/x/': 403"),
            "fatal: unable to access 'https://h/x/': 403"
        );
    }
}
