//! Facts mined from a repository's history: one commit and the files it changed.

/// How a commit changed one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "A",
            ChangeKind::Modified => "M",
            ChangeKind::Deleted => "D",
            ChangeKind::Renamed => "R",
        }
    }

    /// Parses the one-letter form `as_str` writes; anything else reads as a modification.
    pub fn parse(s: &str) -> ChangeKind {
        match s {
            "A" => ChangeKind::Added,
            "D" => ChangeKind::Deleted,
            "R" => ChangeKind::Renamed,
            _ => ChangeKind::Modified,
        }
    }
}

/// One file a commit changed, with `git log --numstat` style line counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Repository-relative path after the change (the old path for a deletion).
    pub path: String,
    /// The path before a rename.
    pub old_path: Option<String>,
    pub kind: ChangeKind,
    pub added: u32,
    pub deleted: u32,
}

/// One commit of the mined branch. Merge commits carry no file changes: their changes are
/// counted in the commits that made them, as `git log --numstat` counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinedCommit {
    pub sha: String,
    /// Position in mining order: parents always before children.
    pub seq: i64,
    /// Author after `.mailmap`.
    pub author_name: String,
    pub author_email: String,
    /// Committer time, epoch milliseconds: when the change entered the branch.
    pub time_ms: i64,
    pub message: String,
    pub is_merge: bool,
    pub files: Vec<FileChange>,
    /// Objects (trees or blobs) this commit needed but the repository lacks.
    pub missing_objects: u32,
}

/// A ticket key a commit's message names (`history::Linker`): the commit is work on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommitLink {
    pub sha: String,
    /// The key as the tracker writes it (`TOM-123`, `#45`, `owner/repo#45`, `423257`).
    pub key: String,
}
