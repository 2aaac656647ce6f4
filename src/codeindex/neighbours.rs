//! Structural neighbours as evidence: the files that import, or are imported by, the
//! strongest candidates gain a little (`Params::neighbours`), as change coupling does for
//! files that change with them. Off by default: see docs/localization.md for what it
//! measured.

use super::signals::{add_gains, seeds, Cand, Params};
use super::snapshot::Snapshot;
use std::collections::HashMap;

/// Candidates whose neighbours gain.
const NEIGHBOUR_SEEDS: usize = 5;

/// Adds to the neighbours of the `NEIGHBOUR_SEEDS` strongest candidates (by `score`)
/// `p.neighbours` × the seed's score relative to the best × the link's weight over the
/// square root of the seed's total link weight: a file linked to a seed by one direct
/// import, among few, gains most; one of a hundred files a seed imports gains a tenth.
pub fn neighbour_evidence<'a>(
    snap: &'a Snapshot,
    p: &Params,
    score: impl Fn(&str, &Cand) -> f32,
    cands: &mut HashMap<&'a str, Cand>,
) {
    let Some(links) = snap.links.as_deref().filter(|_| p.neighbours > 0.0) else {
        return;
    };
    let Some((seeds, best)) = seeds(cands, score, NEIGHBOUR_SEEDS) else {
        return;
    };
    let mut gains: Vec<(&'a str, f32, String)> = Vec::new();
    for (seed, s) in &seeds {
        let list = links.of_file(seed);
        let total: f32 = list.iter().map(|(_, w)| w).sum();
        if total <= 0.0 {
            continue;
        }
        let name = seed.rsplit('/').next().unwrap_or(seed);
        for (other, w) in list {
            if let Some(f) = snap.by_path(other) {
                gains.push((
                    f.path.as_str(),
                    p.neighbours * s / best * w.min(1.0) / total.sqrt(),
                    format!("an import links it to `{name}`"),
                ));
            }
        }
    }
    add_gains(cands, gains, 0.3 * p.neighbours);
}

#[cfg(test)]
mod tests {
    use crate::codeindex::{Corpus, Locate, Params};
    use crate::history::testrepo::TestRepo;
    use std::collections::BTreeMap;

    /// An invoice class the ticket's words name, which imports a tax table the ticket does
    /// not name; a screen neither names nor imports.
    fn files() -> BTreeMap<String, String> {
        [
            (
                "src/org/acme/billing/Invoice.java",
                "package org.acme.billing;\nimport org.acme.tax.TaxTable;\n/** invoice rounding of the amount */\nclass Invoice { TaxTable t; }\n",
            ),
            (
                "src/org/acme/tax/TaxTable.java",
                "package org.acme.tax;\n/** rates by country */\npublic class TaxTable {}\n",
            ),
            (
                "src/org/acme/ui/Screen.java",
                "package org.acme.ui;\n/** layout of panels */\npublic class Screen {}\n",
            ),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
    }

    fn repository() -> (TestRepo, String) {
        let r = TestRepo::new();
        let who = ("dev", "dev@example.com");
        let tip = r.commit("main", &[], &files(), who, 0, "initial import");
        (r, tip.to_string())
    }

    /// The tax table is imported by the invoice at the first commit; at the second the
    /// invoice imports the screen instead.
    fn repository_that_changes_its_import() -> (TestRepo, String, String) {
        let (r, first) = repository();
        let parent = git2::Oid::from_str(&first).unwrap();
        let mut files = files();
        files.insert(
            "src/org/acme/billing/Invoice.java".into(),
            "package org.acme.billing;\nimport org.acme.ui.Screen;\n/** invoice rounding of the amount */\nclass Invoice { Screen s; }\n".into(),
        );
        let who = ("dev", "dev@example.com");
        let second = r.commit("main", &[parent], &files, who, 1, "show the invoice");
        (r, first, second.to_string())
    }

    fn ranked(view: &crate::codeindex::CommitView<'_>) -> Vec<(String, Vec<String>)> {
        view.locate(
            "invoice rounding is wrong",
            "the invoice amount rounding",
            None,
            10,
        )
        .unwrap()
        .files
        .into_iter()
        .map(|f| (f.path, f.reasons))
        .collect()
    }

    #[test]
    fn a_file_imported_by_the_best_candidate_joins_the_ranking_with_its_reason_only_when_weighted()
    {
        let (repo, tip) = repository();
        let corpus = Corpus::of_tip(repo.dir.path(), &tip);
        let table = "src/org/acme/tax/TaxTable.java";
        let mut view = corpus.view(&tip, Params::default()).unwrap();
        view.with_links().unwrap();
        let off = ranked(&view);
        assert_eq!(off[0].0, "src/org/acme/billing/Invoice.java", "{off:#?}");
        assert!(off.iter().all(|f| f.0 != table), "{off:#?}");

        view.set_params(Params {
            neighbours: 0.2,
            ..Params::default()
        });
        let on = ranked(&view);
        assert_eq!(on[0].0, "src/org/acme/billing/Invoice.java", "{on:#?}");
        let t = on
            .iter()
            .find(|f| f.0 == table)
            .expect("the import's target ranks");
        assert_eq!(t.1, ["an import links it to `Invoice.java`"], "{on:#?}");
        assert!(
            on.iter().all(|f| f.0 != "src/org/acme/ui/Screen.java"),
            "{on:#?}"
        );
    }

    /// Each view reads the imports of its own commit's tree (the time rule of an
    /// evaluation): the link the invoice has at the first commit is gone at the second,
    /// whichever order the views are made in.
    #[test]
    fn a_view_links_the_files_its_own_commit_imports_and_no_later_ones() {
        let (repo, first, second) = repository_that_changes_its_import();
        let rules = crate::modules::ModuleRules::default();
        let commits = [second.clone(), first.clone()];
        let corpus = Corpus::build("r", repo.dir.path(), &commits, None, rules, 100).unwrap();
        let on = Params {
            neighbours: 0.2,
            ..Params::default()
        };
        let linked = |commit: &str| -> Vec<String> {
            let mut view = corpus.view(commit, on.clone()).unwrap();
            view.with_links().unwrap();
            ranked(&view)
                .into_iter()
                .filter(|f| f.1.iter().any(|r| r.starts_with("an import links")))
                .map(|f| f.0)
                .collect()
        };
        let (table, screen) = (
            "src/org/acme/tax/TaxTable.java",
            "src/org/acme/ui/Screen.java",
        );
        assert_eq!(linked(&second), [screen]);
        assert_eq!(linked(&first), [table]);
        assert_eq!(linked(&second), [screen]);
    }
}
