//! Resolved file imports gathered into the module graph: edges with their import counts,
//! each module's blast radius, and the cycles between modules.

use super::tree::Outcome;
use crate::domain::{
    BlastRadius, DependencyGraph, ExternalPackage, ImportCounts, ModuleDeps, ModuleEdge,
};
use crate::modules::ModuleMap;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// External packages kept in the graph.
const MAX_EXTERNAL: usize = 50;

/// The per-file input: (path, language name, outcomes); `target` names an internal file.
pub struct FileImports<'a> {
    pub path: &'a str,
    pub lang: &'static str,
    pub outcomes: &'a [Outcome],
}

/// Builds the module graph of `files` under `map`; `target` gives an internal file's path.
pub fn build<'a>(
    commit: &str,
    files: &'a [FileImports<'a>],
    target: &dyn Fn(u32) -> &'a str,
    map: &dyn ModuleMap,
) -> DependencyGraph {
    let mut g = DependencyGraph {
        commit: commit.to_string(),
        files: files.len(),
        ..DependencyGraph::default()
    };
    let mut counts: BTreeMap<String, ImportCounts> = BTreeMap::new();
    let mut edges: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut external: HashMap<&str, u64> = HashMap::new();
    // file → files it imports, across modules (for the blast radius)
    let mut file_edges: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut modules: HashMap<&str, String> = HashMap::new();
    let mut module_of =
        |p: &'a str| -> String { modules.entry(p).or_insert_with(|| map.module_of(p)).clone() };
    for f in files {
        let from = module_of(f.path);
        let mut c = ImportCounts::default();
        for o in f.outcomes {
            match o {
                Outcome::Internal(targets) => {
                    c.internal_resolved += 1;
                    let mut reached = BTreeSet::new();
                    for &t in targets {
                        let tp = target(t);
                        let to = module_of(tp);
                        if to != from {
                            file_edges.insert((f.path, tp));
                            reached.insert(to);
                        }
                    }
                    for to in reached {
                        *edges.entry((from.clone(), to)).or_default() += 1;
                    }
                }
                Outcome::Unresolved => c.internal_unresolved += 1,
                Outcome::External(p) => {
                    c.external += 1;
                    *external.entry(p.as_str()).or_default() += 1;
                }
            }
        }
        g.imports.add(&c);
        g.languages.entry(f.lang.to_string()).or_default().add(&c);
        counts.entry(from).or_default().add(&c);
    }
    let blast = blast_radii(&file_edges, &modules);
    g.modules = module_list(counts, &edges, blast);
    for m in &mut g.modules {
        m.name = map.display_name(&m.module);
    }
    g.cycles = cycles(&edges);
    let mut ext: Vec<ExternalPackage> = external
        .into_iter()
        .map(|(p, n)| ExternalPackage {
            package: p.to_string(),
            imports: n,
        })
        .collect();
    ext.sort_by(|a, b| {
        b.imports
            .cmp(&a.imports)
            .then_with(|| a.package.cmp(&b.package))
    });
    ext.truncate(MAX_EXTERNAL);
    g.external = ext;
    g
}

fn module_list(
    counts: BTreeMap<String, ImportCounts>,
    edges: &BTreeMap<(String, String), u64>,
    mut blast: HashMap<String, BlastRadius>,
) -> Vec<ModuleDeps> {
    let mut by_id: BTreeMap<String, ModuleDeps> = counts
        .into_iter()
        .map(|(m, imports)| {
            let deps = ModuleDeps {
                module: m.clone(),
                name: String::new(),
                depends_on: Vec::new(),
                used_by: Vec::new(),
                imports,
                blast: BlastRadius::default(),
            };
            (m, deps)
        })
        .collect();
    for ((from, to), &n) in edges {
        let entry = |id: &str, by_id: &mut BTreeMap<String, ModuleDeps>| {
            by_id.entry(id.to_string()).or_insert_with(|| ModuleDeps {
                module: id.to_string(),
                name: String::new(),
                depends_on: Vec::new(),
                used_by: Vec::new(),
                imports: ImportCounts::default(),
                blast: BlastRadius::default(),
            });
        };
        entry(from, &mut by_id);
        entry(to, &mut by_id);
        let edge = |m: &str| ModuleEdge {
            module: m.to_string(),
            imports: n,
        };
        by_id
            .get_mut(from)
            .expect("added")
            .depends_on
            .push(edge(to));
        by_id.get_mut(to).expect("added").used_by.push(edge(from));
    }
    let mut out: Vec<ModuleDeps> = by_id.into_values().collect();
    for m in &mut out {
        let most = |a: &ModuleEdge, b: &ModuleEdge| {
            b.imports
                .cmp(&a.imports)
                .then_with(|| a.module.cmp(&b.module))
        };
        m.depends_on.sort_by(most);
        m.used_by.sort_by(most);
        m.blast = blast.remove(&m.module).unwrap_or_default();
    }
    out.sort_by(|a, b| {
        b.blast
            .files
            .cmp(&a.blast.files)
            .then(b.used_by.len().cmp(&a.used_by.len()))
            .then_with(|| a.module.cmp(&b.module))
    });
    out
}

/// Per module: the files (of other modules) importing its files, and the files importing
/// those, with their modules.
fn blast_radii(
    file_edges: &BTreeSet<(&str, &str)>,
    module_of: &HashMap<&str, String>,
) -> HashMap<String, BlastRadius> {
    let mut users: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut by_module: HashMap<String, Vec<&str>> = HashMap::new();
    for &(from, to) in file_edges {
        users.entry(to).or_default().push(from);
    }
    for &(from, to) in file_edges {
        for p in [from, to] {
            if let Some(m) = module_of.get(p) {
                by_module.entry(m.clone()).or_default().push(p);
            }
        }
    }
    for files in by_module.values_mut() {
        files.sort_unstable();
        files.dedup();
    }
    let mut out = HashMap::new();
    for (m, files) in &by_module {
        let outside = |p: &&str| module_of.get(p).is_some_and(|pm| pm != m);
        let direct: HashSet<&str> = files
            .iter()
            .flat_map(|f| users.get(f).into_iter().flatten().copied())
            .filter(outside)
            .collect();
        let mut two: HashSet<&str> = direct.clone();
        for f in &direct {
            two.extend(users.get(f).into_iter().flatten().copied().filter(outside));
        }
        let modules = |s: &HashSet<&str>| {
            s.iter()
                .filter_map(|p| module_of.get(p))
                .collect::<HashSet<_>>()
                .len()
        };
        out.insert(
            m.clone(),
            BlastRadius {
                modules: modules(&direct),
                files: direct.len(),
                modules_two_steps: modules(&two),
                files_two_steps: two.len(),
            },
        );
    }
    out
}

/// The strongly connected groups of two or more modules (Tarjan, iterative).
fn cycles(edges: &BTreeMap<(String, String), u64>) -> Vec<Vec<String>> {
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    for (a, b) in edges.keys() {
        let n = ids.len();
        ids.entry(a).or_insert(n);
        let n = ids.len();
        ids.entry(b).or_insert(n);
    }
    let names: Vec<&str> = {
        let mut v = vec![""; ids.len()];
        for (k, &i) in &ids {
            v[i] = k;
        }
        v
    };
    let mut adj = vec![Vec::new(); ids.len()];
    for (a, b) in edges.keys() {
        adj[ids[a.as_str()]].push(ids[b.as_str()]);
    }
    let mut out: Vec<Vec<String>> = scc(&adj)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut v: Vec<String> = c.iter().map(|&i| names[i].to_string()).collect();
            v.sort();
            v
        })
        .collect();
    out.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    out
}

/// Tarjan's strongly connected components without recursion.
fn scc(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let (mut index, mut low) = (vec![usize::MAX; n], vec![0; n]);
    let (mut on_stack, mut stack, mut out) = (vec![false; n], Vec::new(), Vec::new());
    let mut next = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work = vec![(start, 0usize)];
        while let Some((v, i)) = work.pop() {
            if i == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = adj[v].get(i) {
                work.push((v, i + 1));
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                out.push(comp);
            }
        }
    }
    out
}
