//! Test support: builds bare git repositories commit by commit with git2, with chosen
//! authors and times, so mined numbers can be asserted exactly.

use git2::{Oid, Repository, Signature, Time};
use std::collections::BTreeMap;

/// Day 0 of the test histories (2023-11-14), in seconds.
pub const T0: i64 = 1_700_000_000;

pub fn day_ms(d: i64) -> i64 {
    (T0 + d * 86_400) * 1000
}

/// A bare repository and the file contents of the commit being built.
pub struct TestRepo {
    pub dir: tempfile::TempDir,
    pub repo: Repository,
}

impl TestRepo {
    pub fn new() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = Repository::init_bare(dir.path()).expect("init bare");
        TestRepo { dir, repo }
    }

    /// Commits the full tree `files` with the given parents, author and day; moves `branch`.
    pub fn commit(
        &self,
        branch: &str,
        parents: &[Oid],
        files: &BTreeMap<String, String>,
        author: (&str, &str),
        day: i64,
        message: &str,
    ) -> Oid {
        let tree = self.tree(files, "");
        let tree = self.repo.find_tree(tree).expect("tree");
        let sig = Signature::new(author.0, author.1, &Time::new(T0 + day * 86_400, 0)).unwrap();
        let parents: Vec<git2::Commit> = parents
            .iter()
            .map(|p| self.repo.find_commit(*p).expect("parent"))
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        let oid = self
            .repo
            .commit(None, &sig, &sig, message, &tree, &refs)
            .expect("commit");
        self.repo
            .reference(&format!("refs/heads/{branch}"), oid, true, "test")
            .expect("move branch");
        oid
    }

    fn tree(&self, files: &BTreeMap<String, String>, prefix: &str) -> Oid {
        let mut b = self.repo.treebuilder(None).expect("treebuilder");
        let mut dirs: BTreeMap<String, ()> = BTreeMap::new();
        for (path, content) in files {
            let Some(rest) = path.strip_prefix(prefix) else {
                continue;
            };
            match rest.split_once('/') {
                Some((dir, _)) => {
                    dirs.insert(dir.to_string(), ());
                }
                None => {
                    let blob = self.repo.blob(content.as_bytes()).expect("blob");
                    b.insert(rest, blob, 0o100644).expect("insert blob");
                }
            }
        }
        for dir in dirs.keys() {
            let sub = self.tree(files, &format!("{prefix}{dir}/"));
            b.insert(dir, sub, 0o040000).expect("insert tree");
        }
        b.write().expect("write tree")
    }
}

/// `n` numbered lines with a prefix: "p1\np2\n…".
pub fn lines(prefix: &str, n: usize) -> String {
    (1..=n).map(|i| format!("{prefix}{i}\n")).collect()
}
