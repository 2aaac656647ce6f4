//! What a module is, for every room: the cut of a repository's source files into modules a
//! person can hold in mind, each with a stable id (a directory, or an override's name) and
//! a short display name. The code index, the history miner, the stored scores, the API, the
//! comment and the evaluations all use this one cut, so a module's files, its fragility and
//! its owners are joined by id and always mean the same files.
//!
//! How the cut is made (`cut.rs`): the source files form a tree of directories in which
//! language units are made visible (`layout.rs`): a Java/Kotlin/Scala file sits in its
//! package under its project, whatever its source root (`src/main/java`, `src/test/java`,
//! Tomcat's `java/` and `test/`), so a test mirrored under the test root lands in the very
//! package module it tests. A directory is split into its children while it holds more
//! than `max_share` of the repository's source files (and more than `min_files`) or more
//! than `max_files` files; single-child chains (`org/apache`) are walked through; children
//! smaller than `min_files` stay with their parent; a directory holding a package manifest
//! (`Cargo.toml`, `package.json`, `go.mod`, `*.csproj`, …) starts a module of its own,
//! however small: a package is a unit its team made on purpose.
//! Overrides (`modules = { glob = name }`) win over all of it.

mod cut;
mod layout;
mod names;
mod source;
#[cfg(test)]
mod tests;

pub use cut::ModuleCut;
pub use source::{has_source_extension, is_source_path};

use serde::Deserialize;

/// How modules are cut (`[modules]`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ModuleRules {
    /// A directory holding more than this share of the repository's source files is split
    /// into its subdirectories (a single directory stays whole).
    pub max_share: f64,
    /// A directory holding more source files than this is split, whatever the share.
    pub max_files: usize,
    /// Subdirectories with fewer source files than this stay with their parent.
    pub min_files: usize,
    /// `(glob, module name)`: files matching a glob belong to that module; the longest glob
    /// wins. Per repository, from `[[repositories]] modules`.
    #[serde(skip)]
    pub overrides: Vec<(String, String)>,
}

impl Default for ModuleRules {
    fn default() -> Self {
        ModuleRules {
            max_share: 0.15,
            max_files: 150,
            min_files: 3,
            overrides: Vec::new(),
        }
    }
}

/// One module of a cut.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Module {
    /// Stable id: the module's directory (`java/org/apache/catalina/startup`, `.` for the
    /// repository root), or an override's name.
    pub id: String,
    /// Short display name: what every module shares is dropped (`catalina/startup`).
    pub name: String,
    /// Source files in the module.
    pub files: usize,
}

/// Maps a repository-relative path to the id of the module it belongs to.
pub trait ModuleMap: Send + Sync {
    fn module_of(&self, path: &str) -> String;

    /// True when the path is counted at all (the cut's source files); other files
    /// (documentation, changelogs, build files) belong to no module.
    fn is_member(&self, _path: &str) -> bool {
        true
    }

    /// The short name of a module id.
    fn display_name(&self, id: &str) -> String {
        id.to_string()
    }
}

impl<F: Fn(&str) -> String + Send + Sync> ModuleMap for F {
    fn module_of(&self, path: &str) -> String {
        self(path)
    }
}

/// The id of the repository root's module.
pub const ROOT: &str = ".";
