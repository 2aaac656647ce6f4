//! The room map in `ARCHITECTURE.md` is enforced: every `crate::<room>` a file of `src/` names
//! must be listed in its own room's "may use" cell, every room of `src/` has a row, the
//! table has no cycle, and inside a room no two files use each other, however indirectly. The table is read from the page itself, so the map and the check cannot
//! drift apart.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Table = BTreeMap<String, BTreeSet<String>>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The "Rooms" table: room → rooms it may use.
fn table(markdown: &str) -> Table {
    let tick = regex::Regex::new(r"`([a-z_]+)`").unwrap();
    let mut out = Table::new();
    let section = markdown
        .split("\n## ")
        .find(|s| s.starts_with("Rooms"))
        .expect("ARCHITECTURE.md has a Rooms section");
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let room = tick.captures(cells[1]).expect("a room name")[1].to_string();
        let uses = tick
            .captures_iter(cells[3])
            .map(|c| c[1].to_string())
            .collect();
        assert!(
            out.insert(room.clone(), uses).is_none(),
            "room `{room}` has two rows"
        );
    }
    out
}

/// The rooms `src/` has: its top-level modules (a file or a folder), `lib.rs` and `main.rs`
/// aside.
fn rooms_in_src() -> BTreeSet<String> {
    std::fs::read_dir(root().join("src"))
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name().to_string_lossy().to_string();
            let room = name.strip_suffix(".rs").unwrap_or(&name).to_string();
            (room != "lib" && room != "main").then_some(room)
        })
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The rooms a file names through `crate::room` or `crate::{room, …}`, comments left out.
fn rooms_used(source: &str) -> BTreeSet<String> {
    let single = regex::Regex::new(r"\bcrate::([a-z_]+)").unwrap();
    let head = regex::Regex::new(r"^\s*([a-z_]+)").unwrap();
    let code: String = source
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut used: BTreeSet<String> = single
        .captures_iter(&code)
        .map(|c| c[1].to_string())
        .collect();
    // `crate::{a, b::{c, d}}`: the names at the group's top level
    for (at, _) in code.match_indices("crate::{") {
        let mut depth = 0;
        let mut item = String::new();
        for ch in code[at + "crate::".len()..].chars() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 1 => {
                    used.extend(head.captures(&item).map(|c| c[1].to_string()));
                    item.clear();
                    continue;
                }
                _ => {}
            }
            if depth == 0 {
                break;
            }
            if depth == 1 && ch != '{' {
                item.push(ch);
            }
        }
        used.extend(head.captures(&item).map(|c| c[1].to_string()));
    }
    used
}

/// Every (file, room it uses, its own room) edge of `src/` that the table does not allow.
fn violations(table: &Table) -> Vec<String> {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let first = rel.split('/').next().unwrap();
        let room = first.strip_suffix(".rs").unwrap_or(first);
        if room == "lib" || room == "main" {
            continue;
        }
        let allowed = table.get(room).cloned().unwrap_or_default();
        let source = std::fs::read_to_string(&file).unwrap();
        for used in rooms_used(&source) {
            if used != room && !allowed.contains(&used) {
                out.push(format!(
                    "src/{rel} uses `{used}`, which room `{room}` may not use"
                ));
            }
        }
    }
    out
}

/// A cycle in the table, as the rooms around it, if there is one.
fn cycle(table: &Table) -> Option<Vec<String>> {
    fn visit(
        room: &str,
        table: &Table,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(room) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|r| r == room).unwrap();
                let mut c = path[start..].to_vec();
                c.push(room.to_string());
                return Some(c);
            }
            _ => {}
        }
        state.insert(room.to_string(), 1);
        path.push(room.to_string());
        for next in table.get(room).into_iter().flatten() {
            if let Some(c) = visit(next, table, state, path) {
                return Some(c);
            }
        }
        path.pop();
        state.insert(room.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for room in table.keys() {
        if let Some(c) = visit(room, table, &mut state, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

fn the_map() -> Table {
    table(&std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap())
}

#[test]
fn every_room_uses_only_the_rooms_its_row_in_architecture_md_lists() {
    let bad = violations(&the_map());
    assert!(
        bad.is_empty(),
        "edges ARCHITECTURE.md does not allow:\n{}",
        bad.join("\n")
    );
}

#[test]
fn every_room_of_src_has_a_row_and_every_row_a_room() {
    let map = the_map();
    let listed: BTreeSet<String> = map.keys().cloned().collect();
    let named: BTreeSet<String> = map.values().flatten().cloned().collect();
    let present = rooms_in_src();
    assert_eq!(listed, present, "rows of ARCHITECTURE.md vs rooms of src/");
    let unknown: Vec<_> = named.difference(&present).collect();
    assert!(
        unknown.is_empty(),
        "'may use' names no such room: {unknown:?}"
    );
}

#[test]
fn the_room_map_has_no_cycle() {
    assert_eq!(cycle(&the_map()), None);
}

/// Inside each room folder: file → sibling files it names through `super::<file>` (test
/// modules and comments left out).
fn sibling_edges(room: &Path) -> Table {
    let names: BTreeSet<String> = std::fs::read_dir(room)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().to_string();
            match n.strip_suffix(".rs") {
                Some("mod") => None,
                Some(stem) => Some(stem.to_string()),
                None => e.path().is_dir().then_some(n),
            }
        })
        .collect();
    let used = regex::Regex::new(r"\bsuper::([a-z_]+)").unwrap();
    let mut out = Table::new();
    for name in &names {
        let file = room.join(format!("{name}.rs"));
        let file = if file.exists() {
            file
        } else {
            room.join(name).join("mod.rs")
        };
        let Ok(source) = std::fs::read_to_string(&file) else {
            continue;
        };
        let code = source
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let mut uses: BTreeSet<String> = used
            .captures_iter(&code)
            .map(|c| c[1].to_string())
            .collect();
        for (at, _) in code.match_indices("super::{") {
            let group = &code[at + "super::{".len()..];
            let group = &group[..group.find('}').unwrap_or(group.len())];
            uses.extend(group.split(',').map(|i| i.trim().to_string()));
        }
        uses.retain(|u| u != name && names.contains(u));
        out.insert(name.clone(), uses);
    }
    out
}

#[test]
fn no_two_files_of_a_room_use_each_other() {
    let src = root().join("src");
    let mut found = Vec::new();
    for e in std::fs::read_dir(&src).unwrap().flatten() {
        if e.path().is_dir() {
            if let Some(c) = cycle(&sibling_edges(&e.path())) {
                found.push(format!(
                    "src/{}: {}",
                    e.file_name().to_string_lossy(),
                    c.join(" → ")
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "files that use each other (move what they share to a file of its own):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_catches_an_upward_import_a_group_import_and_a_cycle() {
    let mut map = Table::new();
    map.insert("domain".into(), BTreeSet::new());
    map.insert("store".into(), ["domain".to_string()].into());
    assert_eq!(
        rooms_used("use crate::store::Store;\n// crate::web in a comment\n"),
        BTreeSet::from(["store".to_string()])
    );
    assert_eq!(
        rooms_used("use crate::{http, web::{self, x}};"),
        BTreeSet::from(["http".to_string(), "web".to_string()])
    );
    assert_eq!(cycle(&map), None);
    map.insert("domain".into(), ["store".to_string()].into());
    assert_eq!(
        cycle(&map),
        Some(vec![
            "domain".to_string(),
            "store".to_string(),
            "domain".to_string()
        ])
    );
}
