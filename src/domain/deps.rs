//! The dependency map of one repository at one commit: which modules import which, read
//! from the code's own import statements (the `deps` room builds it; the store keeps it;
//! the API, the pages, the CLI and the comment read it).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts of import statements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCounts {
    /// Naming this repository's code, and resolved to its files.
    pub internal_resolved: u64,
    /// Naming this repository's code (a declared package, a relative path), no file found.
    pub internal_unresolved: u64,
    /// Resolved outside the repository (a library, the standard library).
    pub external: u64,
}

impl ImportCounts {
    pub fn add(&mut self, other: &ImportCounts) {
        self.internal_resolved += other.internal_resolved;
        self.internal_unresolved += other.internal_unresolved;
        self.external += other.external;
    }

    /// Share of internal imports resolved; `None` without internal imports.
    pub fn resolved_share(&self) -> Option<f64> {
        let internal = self.internal_resolved + self.internal_unresolved;
        (internal > 0).then(|| self.internal_resolved as f64 / internal as f64)
    }
}

/// One edge of the module graph, seen from one end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleEdge {
    /// The module at the other end (its id).
    pub module: String,
    /// Import statements behind the edge (an import reaching several files of the module
    /// counts once).
    pub imports: u64,
}

/// Who would feel a change to a module: files of other modules that import it (directly),
/// and files that import those (in two steps; counted with the direct ones).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlastRadius {
    pub modules: usize,
    pub files: usize,
    pub modules_two_steps: usize,
    pub files_two_steps: usize,
}

/// One module's dependencies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleDeps {
    pub module: String,
    /// The module's display name.
    #[serde(default)]
    pub name: String,
    /// Modules this one imports, most imports first.
    pub depends_on: Vec<ModuleEdge>,
    /// Modules importing this one, most imports first.
    pub used_by: Vec<ModuleEdge>,
    /// The module's own import statements.
    pub imports: ImportCounts,
    pub blast: BlastRadius,
}

/// An external package and the import statements naming it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalPackage {
    pub package: String,
    pub imports: u64,
}

/// The module graph of a repository at a commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependencyGraph {
    pub commit: String,
    /// Every import statement read, by outcome.
    pub imports: ImportCounts,
    /// The same by language (`java`, `python`, …).
    pub languages: BTreeMap<String, ImportCounts>,
    /// Files whose imports were read.
    pub files: usize,
    /// Every module with files read, most used first.
    pub modules: Vec<ModuleDeps>,
    /// Groups of modules that import each other in a circle (each sorted), largest first.
    pub cycles: Vec<Vec<String>>,
    /// The most imported external packages (at most 50).
    pub external: Vec<ExternalPackage>,
    /// Examples of imports naming this repository's code that resolve to no file
    /// (`path: import`), so a person can see what the resolved share leaves out.
    #[serde(default)]
    pub unresolved: Vec<String>,
}

impl DependencyGraph {
    pub fn module(&self, id: &str) -> Option<&ModuleDeps> {
        self.modules.iter().find(|m| m.module == id)
    }
}

/// What the code says about who uses a located module, for the comment: the modules
/// importing it, the files of theirs that do, and the names of those importing it most.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependents {
    pub used_by: u32,
    pub files: u32,
    /// Display names of the modules importing it most (three at most).
    pub reach: Vec<String>,
}

impl Dependents {
    /// Modules that import a module before the comment says so: below this, "used by two
    /// modules" tells a PM nothing a glance at the code would not.
    pub const WORTH_SAYING: u32 = 5;

    /// What the graph says of `module`, when anything uses it.
    pub fn of(g: &DependencyGraph, module: &str) -> Option<Dependents> {
        let d = g.module(module)?;
        if d.used_by.is_empty() {
            return None;
        }
        let name = |id: &str| g.module(id).map_or(id.to_string(), |m| m.name.clone());
        Some(Dependents {
            used_by: d.used_by.len() as u32,
            files: d.blast.files as u32,
            reach: d.used_by.iter().take(3).map(|e| name(&e.module)).collect(),
        })
    }
}
