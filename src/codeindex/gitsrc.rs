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
    /// Author name and email (the commit classifier tells bots by them).
    pub author: (String, String),
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

    /// Clones `url` bare into `dest` when absent, else fetches `branch` from `url`: a changed
    /// password takes effect at once, and a changed host or path clones again (another
    /// repository, perhaps with another default branch); uses the `git` command because git2
    /// is built without network transports. Credentials in an http(s) URL never reach git's command line nor its
    /// config: git is given the URL without them and reads them from a credential helper
    /// that answers from the child's own environment (readable by this user only). The
    /// clone's directory and its parent are this user's only (0700).
    pub fn clone_or_fetch(url: &str, dest: &Path, branch: &str) -> anyhow::Result<GitRepo> {
        let remote = Remote::parse(url);
        if let Some(parent) = dest.parent() {
            private_dir(parent)?;
        }
        // an interrupted clone leaves a directory git cannot use, and a clone of another
        // host or path is another repository (other history, another default branch):
        // either way, clone again
        let existing = dest.exists() && Repository::open_bare(dest).is_ok() && {
            let same = same_remote(dest, &remote.plain)?;
            if !same {
                tracing::info!(
                    clone = %dest.display(), url = %redact(url),
                    "repository url changed; cloning it again"
                );
            }
            same
        };
        if dest.exists() && !existing {
            std::fs::remove_dir_all(dest)
                .with_context(|| format!("failed to remove {}", dest.display()))?;
        }
        // `HEAD` (or nothing) means the remote's own default branch
        let named = !(branch.is_empty() || branch == "HEAD");
        let mut cmd = remote.command();
        let (what, limit) = if existing {
            cmd.arg("--git-dir")
                .arg(dest)
                .args(["fetch", "--quiet", "--prune", "--"])
                .arg(&remote.plain);
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
            cmd.arg("--").arg(&remote.plain).arg(dest);
            ("clone", GIT_CLONE_TIMEOUT)
        };
        let shown = redact(url);
        let (status, stderr) = run_with_timeout(cmd, limit)
            .with_context(|| format!("git {what} of {shown} could not run"))?;
        // git's own words, without anything like credentials
        let said = stderr.lines().last().unwrap_or("").trim();
        let said: String = remote.redact(said).chars().take(300).collect();
        anyhow::ensure!(
            status.success(),
            "git {what} of {shown} failed ({status}): {said}"
        );
        private_dir(dest)?;
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
        let author = c.author();
        Ok(CommitInfo {
            id,
            time: c.time().seconds(),
            message,
            files,
            author: (
                author.name().unwrap_or("").to_string(),
                author.email().unwrap_or("").to_string(),
            ),
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

/// A clone URL as git is given it, and the credentials it carried.
struct Remote {
    /// The URL without http(s) credentials (ssh and scp-like URLs keep their user name,
    /// which is no secret and which ssh needs).
    plain: String,
    user: Option<String>,
    password: Option<String>,
}

/// What the credential helper answers git with: the child's own environment, so the secret
/// is on no command line and in no file. The helper list is emptied first, so no helper
/// configured on the machine (`store`, a keychain) is handed the credentials to save.
const CREDENTIAL_HELPER: &str = "!f() { test \"$1\" = get || exit 0; \
     printf 'username=%s\\npassword=%s\\n' \"$TICKETLENS_GIT_USERNAME\" \"$TICKETLENS_GIT_PASSWORD\"; }; f";

impl Remote {
    fn parse(url: &str) -> Remote {
        let Ok(mut u) = url::Url::parse(url) else {
            return Remote {
                plain: url.to_string(),
                user: None,
                password: None,
            };
        };
        let http = matches!(u.scheme(), "http" | "https");
        if (!http || u.username().is_empty()) && u.password().is_none() {
            return Remote {
                plain: url.to_string(),
                user: None,
                password: None,
            };
        }
        let (user, password) = crate::config::url_userinfo(&u);
        let user = http.then_some(user);
        if http {
            let _ = u.set_username("");
        }
        let _ = u.set_password(None);
        Remote {
            plain: u.to_string(),
            user,
            password,
        }
    }

    /// A `git` command that never prompts, with the credentials (if any) in its environment
    /// for the helper.
    fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new("git");
        cmd.env("GIT_TERMINAL_PROMPT", "0")
            .env_remove("GIT_ASKPASS")
            .env_remove("SSH_ASKPASS")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        if self.user.is_some() || self.password.is_some() {
            cmd.env("GIT_CONFIG_COUNT", "2")
                .env("GIT_CONFIG_KEY_0", "credential.helper")
                .env("GIT_CONFIG_VALUE_0", "")
                .env("GIT_CONFIG_KEY_1", "credential.helper")
                .env("GIT_CONFIG_VALUE_1", CREDENTIAL_HELPER)
                .env(
                    "TICKETLENS_GIT_USERNAME",
                    self.user.as_deref().unwrap_or(""),
                )
                .env(
                    "TICKETLENS_GIT_PASSWORD",
                    self.password.as_deref().unwrap_or(""),
                );
        }
        cmd
    }

    /// Text from git, without this remote's credentials or anything shaped like them.
    fn redact(&self, text: &str) -> String {
        let secrets: Vec<&str> = self.password.iter().map(String::as_str).collect();
        crate::domain::redact::redact_text(text, &secrets)
    }
}

/// Whether the clone at `dest` is of `plain` (its `origin`, credentials aside). An
/// `origin` that carries credentials (written by an older version) is rewritten to `plain`,
/// so none stays in the config.
fn same_remote(dest: &Path, plain: &str) -> anyhow::Result<bool> {
    let repo = Repository::open_bare(dest)?;
    let recorded = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().map(str::to_string));
    let Some(recorded) = recorded else {
        return Ok(false);
    };
    if recorded == plain {
        return Ok(true);
    }
    if redact(&recorded) != redact(plain) {
        return Ok(false);
    }
    repo.remote_set_url("origin", plain)
        .context("failed to take the credentials out of the clone's origin")?;
    Ok(true)
}

/// Creates `dir` when missing and makes it this user's only (0700): clones and indexes hold
/// the code, and a clone's history may hold what its URL's credentials protect.
pub(super) fn private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("failed to restrict {}", dir.display()))?;
    }
    Ok(())
}

/// A clone URL without its credentials (`https://user:token@host/x` → `https://host/x`).
pub use crate::domain::redact::url_without_credentials as redact;

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
    }

    #[test]
    fn a_clone_of_the_same_url_is_kept_and_scrubbed_and_another_url_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path()).unwrap();
        repo.remote("origin", "https://bot:old-pass-1@git.example.com/a.git")
            .unwrap();
        drop(repo);
        let plain = "https://git.example.com/a.git";
        assert!(super::same_remote(dir.path(), plain).unwrap());
        let config = std::fs::read_to_string(dir.path().join("config")).unwrap();
        assert!(!config.contains("old-pass-1"), "{config}");
        assert!(config.contains(plain), "{config}");
        assert!(super::same_remote(dir.path(), plain).unwrap());
        assert!(!super::same_remote(dir.path(), "https://git.example.com/b.git").unwrap());
        assert!(!super::same_remote(dir.path(), "https://other.example.com/a.git").unwrap());
    }

    #[test]
    fn http_credentials_leave_the_url_git_is_given_and_ssh_users_stay() {
        let r = super::Remote::parse("https://bot:p%40ss@git.example.com/acme/app.git");
        assert_eq!(r.plain, "https://git.example.com/acme/app.git");
        assert_eq!(r.user.as_deref(), Some("bot"));
        assert_eq!(r.password.as_deref(), Some("p@ss"));
        let r = super::Remote::parse("ssh://git@git.example.com/acme/app.git");
        assert_eq!(r.plain, "ssh://git@git.example.com/acme/app.git");
        assert!(r.user.is_none() && r.password.is_none());
        let r = super::Remote::parse("git@github.com:acme/app.git");
        assert_eq!(r.plain, "git@github.com:acme/app.git");
        let r = super::Remote::parse("https://git.example.com/a.git");
        assert!(r.user.is_none() && r.password.is_none());
        let cmd = super::Remote::parse("https://bot:s3cr3t@h/x.git").command();
        let argv: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(!argv.iter().any(|a| a.contains("s3cr3t")), "{argv:?}");
        assert!(cmd
            .get_envs()
            .any(|(k, v)| k == "TICKETLENS_GIT_PASSWORD" && v == Some("s3cr3t".as_ref())));
    }
}
