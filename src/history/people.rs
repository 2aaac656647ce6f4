//! People behind commits. The miner applies `.mailmap` first; then identities sharing an
//! email, or a normalised name, are one person; the person is shown by the full name they
//! used most (a name with a space wins over a login like `remm`). Bots and machine
//! identities ("Administrator", `root@…`) are never people.

use crate::domain::MinedCommit;
use std::collections::HashMap;

/// One person, as the metrics count them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// A stable key: the person's first-seen email (or name when there is none).
    pub id: String,
    pub name: String,
    /// False for bots and machine identities: counted as changes, never shown as experts.
    pub is_person: bool,
    /// Their last commit anywhere in the repository (before "now").
    pub last_ms: i64,
}

/// Every person of a history, and which one each commit's author is.
#[derive(Debug, Clone, Default)]
pub struct People {
    /// `(email, name)` → index into `people`.
    index: HashMap<(String, String), usize>,
    people: Vec<Person>,
}

impl People {
    /// Resolves the authors of `commits` up to `now_ms`; `is_bot` tells automated authors.
    pub fn resolve(
        commits: &[&MinedCommit],
        now_ms: i64,
        is_bot: &dyn Fn(&str, &str) -> bool,
    ) -> People {
        // union-find over identities: (email, name) pairs, joined by email and by name
        let mut ids: HashMap<(String, String), usize> = HashMap::new();
        let mut parent: Vec<usize> = Vec::new();
        let mut by_email: HashMap<String, usize> = HashMap::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut uses: Vec<(String, u32, i64, bool)> = Vec::new(); // name, commits, last, machine
        for c in commits {
            let key = (c.author_email.to_lowercase(), c.author_name.clone());
            let i = *ids.entry(key.clone()).or_insert_with(|| {
                parent.push(parent.len());
                let machine = is_bot(&c.author_name, &c.author_email)
                    || is_machine(&c.author_name, &c.author_email);
                uses.push((c.author_name.clone(), 0, i64::MIN, machine));
                parent.len() - 1
            });
            uses[i].1 += 1;
            if c.time_ms <= now_ms {
                uses[i].2 = uses[i].2.max(c.time_ms);
            }
            if uses[i].1 > 1 {
                continue;
            }
            let machine = uses[i].3;
            if !key.0.is_empty() && !machine {
                if let Some(&j) = by_email.get(&key.0) {
                    union(&mut parent, i, j);
                } else {
                    by_email.insert(key.0.clone(), i);
                }
            }
            let n = normalise(&c.author_name);
            if !n.is_empty() && !machine {
                if let Some(&j) = by_name.get(&n) {
                    union(&mut parent, i, j);
                } else {
                    by_name.insert(n, i);
                }
            }
        }
        let mut root_of: HashMap<usize, usize> = HashMap::new();
        let mut out = People::default();
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in 0..parent.len() {
            let r = find(&mut parent, i);
            let g = *root_of.entry(r).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[g].push(i);
        }
        let mut keys: Vec<(String, String)> = vec![Default::default(); parent.len()];
        for (k, i) in ids {
            keys[i] = k;
        }
        for members in groups {
            let name = display_name(members.iter().map(|&i| (&uses[i].0, uses[i].1)));
            let first = &keys[members[0]];
            let id = if first.0.is_empty() {
                first.1.clone()
            } else {
                first.0.clone()
            };
            let person = Person {
                id,
                name,
                is_person: members.iter().all(|&i| !uses[i].3),
                last_ms: members.iter().map(|&i| uses[i].2).max().unwrap_or(i64::MIN),
            };
            let p = out.people.len();
            out.people.push(person);
            for &i in &members {
                out.index.insert(keys[i].clone(), p);
            }
        }
        out
    }

    /// The person who authored `c` (resolved before), or `None` for an unknown commit.
    pub fn of(&self, c: &MinedCommit) -> Option<&Person> {
        let key = (c.author_email.to_lowercase(), c.author_name.clone());
        self.index.get(&key).map(|&i| &self.people[i])
    }

    pub fn by_id(&self, id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    pub fn len(&self) -> usize {
        self.people.len()
    }

    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        // the older identity stays the root, so a person's id is stable
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        parent[hi] = lo;
    }
}

/// "Mark  Thomas" and "mark.thomas" both read `mark thomas`.
pub fn normalise(name: &str) -> String {
    let spaced: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .flat_map(char::to_lowercase)
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Names no person goes by: default accounts of a machine or a tool.
fn is_machine(name: &str, email: &str) -> bool {
    const GENERIC: &[&str] = &[
        "administrator",
        "admin",
        "root",
        "unknown",
        "no author",
        "nobody",
        "anonymous",
        "user",
        "ubuntu",
        "system",
        "builder",
        "build",
    ];
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    let domain = email.rsplit('@').next().unwrap_or("").to_lowercase();
    GENERIC.contains(&normalise(name).as_str())
        || matches!(
            local.as_str(),
            "root" | "admin" | "administrator" | "nobody"
        )
        || local.starts_with("root-")
        || domain == "unknown"
}

/// The full name used most: a name with a space (a first and last name) wins over a login.
fn display_name<'a>(names: impl Iterator<Item = (&'a String, u32)>) -> String {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for (n, c) in names {
        *counts.entry(n.as_str()).or_default() += c;
    }
    let full = |n: &str| n.trim().contains(' ');
    counts
        .into_iter()
        .max_by(|a, b| {
            full(a.0)
                .cmp(&full(b.0))
                .then(a.1.cmp(&b.1))
                .then_with(|| b.0.cmp(a.0))
        })
        .map(|(n, _)| n.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(name: &str, email: &str, t: i64) -> MinedCommit {
        MinedCommit {
            sha: format!("{name}{t}"),
            seq: t,
            author_name: name.into(),
            author_email: email.into(),
            time_ms: t,
            message: String::new(),
            is_merge: false,
            files: Vec::new(),
            missing_objects: 0,
        }
    }

    #[test]
    fn one_person_per_email_and_name_shown_by_the_full_name() {
        let commits = [
            commit("remm", "remm@apache.org", 1),
            commit("remm", "remm@apache.org", 2),
            commit("remm", "remm@apache.org", 3),
            commit("Remy Maucherat", "remm@apache.org", 4),
            commit("Chris Schultz", "chris@home.net", 5),
            commit("Chris Schultz", "schultz@apache.org", 6),
            commit("Administrator", "Administrator@box.local", 7),
            commit("dependabot[bot]", "bot@github.com", 8),
        ];
        let refs: Vec<&MinedCommit> = commits.iter().collect();
        let p = People::resolve(&refs, 100, &|n, _| n.contains("[bot]"));
        assert_eq!(p.len(), 4);
        let remm = p.of(&commits[0]).unwrap();
        assert_eq!((remm.name.as_str(), remm.last_ms), ("Remy Maucherat", 4));
        assert_eq!(p.of(&commits[4]).unwrap().id, p.of(&commits[5]).unwrap().id);
        assert!(!p.of(&commits[6]).unwrap().is_person);
        assert!(!p.of(&commits[7]).unwrap().is_person);
        assert!(p.of(&commits[4]).unwrap().is_person);
    }
}
