//! Evidence from the team's own past: files fixed for similar earlier tickets (BugLocator's
//! similar-report score, Ye et al.'s collaborative-filtering feature) and files that usually
//! change together with the strongest candidates (change coupling at file level).

use super::signals::{add_gains, seeds, Cand, HistoryView, Params};
use super::snapshot::Snapshot;
use crate::domain::Precedent;
use std::collections::HashMap;

/// Precedents read for evidence (the best first).
const MAX_PRECEDENTS: usize = 10;
/// Files of one precedent's fix read (a sweeping fix says little about any one file).
const MAX_FILES_PER_PRECEDENT: usize = 50;
/// The strongest candidates whose change partners are considered.
const COUPLING_SEEDS: usize = 5;
/// A partner must change in at least this share of the seed's commits.
const MIN_COUPLING: f32 = 0.3;
/// The best files a precedent may reorder: the ten a comment and the API show by default.
const REORDERED: usize = 10;
/// A file gains from precedents only when this many of their fixes changed it, or when one
/// precedent is at least `ALIKE` similar: a single barely alike ticket's fix moves nothing.
/// Chosen on aspectj, spring-xd and evergreen (see docs/localization.md).
const AGREEING: usize = 2;
const ALIKE: f32 = 0.5;
/// A precedent is named as a file's reason from this similarity × focus (a 30%-alike
/// ticket whose fix was this file and at most one other, say).
const SHOWN_SHARE: f32 = 0.15;

/// Reorders the `REORDERED` best files of `ranked` (sorted, best first) by what similar past
/// tickets' fixes say: each of them fixed for at least `AGREEING` precedents, or for one at
/// least `ALIKE` similar, gains `p.precedent` × Σ similarity × focus, where the similarity is
/// how alike the two tickets' texts are (a cosine, 0 to 1) and the focus is the file's share
/// of that fix (1 / its files). A precedent never brings
/// in a file the ticket's own evidence did not already put among the best: the files fixed
/// for a similar ticket are evidence about which of the likely files, not a list to copy.
/// The reason names the precedent that gave the most, when it gave enough to matter.
pub fn precedent_evidence(
    snap: &Snapshot,
    precedents: &[Precedent],
    p: &Params,
    ranked: &mut [(&str, Cand)],
) {
    if p.precedent <= 0.0 || precedents.is_empty() {
        return;
    }
    let top = ranked.len().min(REORDERED);
    // per file: Σ similarity × focus, the best share and its precedent, how many agree
    let mut score: HashMap<&str, (f32, f32, &Precedent, usize)> = HashMap::new();
    for prec in precedents.iter().take(MAX_PRECEDENTS) {
        if prec.repository != snap.repository && !prec.repository.is_empty() {
            continue;
        }
        let files: Vec<&str> = prec
            .files
            .iter()
            .take(MAX_FILES_PER_PRECEDENT)
            .filter_map(|f| snap.by_path(f).map(|f| f.path.as_str()))
            .collect();
        if files.is_empty() {
            continue;
        }
        let share = prec.similarity.clamp(0.0, 1.0) / files.len() as f32;
        for f in files {
            let slot = score.entry(f).or_insert((0.0, 0.0, prec, 0));
            slot.0 += share;
            slot.3 += 1;
            if share > slot.1 {
                (slot.1, slot.2) = (share, prec);
            }
        }
    }
    for (path, c) in ranked[..top].iter_mut() {
        let Some((s, _, best, agreeing)) = score.get(path) else {
            continue;
        };
        // one barely alike ticket's fix is a coincidence; two fixes that agree, or one
        // ticket truly alike, are evidence
        let alike = precedents
            .iter()
            .take(MAX_PRECEDENTS)
            .filter(|q| q.files.iter().any(|f| f.as_str() == *path))
            .any(|q| q.similarity >= ALIKE);
        if *agreeing < AGREEING && !alike {
            continue;
        }
        c.bonus += p.precedent * s.min(1.0);
        if *s >= SHOWN_SHARE {
            c.reasons.push(format!(
                "fixed for {}, {:.0}% similar",
                best.key,
                100.0 * best.similarity.clamp(0.0, 1.0)
            ));
        }
    }
    let total = |c: &Cand| c.lex + c.bonus;
    ranked[..top].sort_by(|a, b| total(&b.1).total_cmp(&total(&a.1)).then(a.0.cmp(b.0)));
}

/// Adds to the partners of the `COUPLING_SEEDS` strongest candidates `p.coupling` × the
/// share of the seed's commits that also change the partner × the seed's standing (its score
/// over the best score), so a partner of a weak seed gains little.
pub fn coupling_evidence<'a>(
    snap: &'a Snapshot,
    hv: &HistoryView,
    p: &Params,
    score: impl Fn(&str, &Cand) -> f32,
    cands: &mut HashMap<&'a str, Cand>,
) {
    if p.coupling <= 0.0 {
        return;
    }
    let Some((seeds, best)) = seeds(cands, score, COUPLING_SEEDS) else {
        return;
    };
    let mut gains: Vec<(&'a str, f32, String)> = Vec::new();
    for (seed, s) in &seeds {
        for (partner, share) in hv.history.coupled(seed, hv.mask) {
            if share < MIN_COUPLING || partner == *seed {
                continue;
            }
            if let Some(f) = snap.by_path(&partner) {
                let name = seed.rsplit('/').next().unwrap_or(seed);
                gains.push((
                    f.path.as_str(),
                    p.coupling * share * s / best,
                    format!(
                        "changes in {:.0}% of the commits that change `{name}`",
                        100.0 * share
                    ),
                ));
            }
        }
    }
    add_gains(cands, gains, 0.3 * p.coupling);
}

#[cfg(test)]
mod tests {
    use crate::codeindex::{Corpus, Locate, Params};
    use crate::domain::Precedent;
    use crate::history::testrepo::TestRepo;
    use std::collections::BTreeMap;

    fn java(class: &str, words: &str) -> String {
        format!("package org.aspectj.weaver;\n/** {words} */\npublic class {class} {{\n    void run() {{}}\n}}\n")
    }

    /// The repository below, and a corpus of its tip.
    fn corpus() -> (TestRepo, String, Corpus) {
        let (repo, tip) = repository();
        let corpus = Corpus::of_tip(repo.dir.path(), &tip);
        (repo, tip, corpus)
    }

    /// A weaver whose `BcelShadow` and `LazyMethodGen` change together, and a string helper
    /// whose words match the ticket best.
    fn repository() -> (TestRepo, String) {
        let r = TestRepo::new();
        let mut files: BTreeMap<String, String> = BTreeMap::new();
        let classes = [
            (
                "weaver/BcelShadow.java",
                "BcelShadow",
                "shadow munging of join points while weaving",
            ),
            (
                "weaver/LazyMethodGen.java",
                "LazyMethodGen",
                "lazy method bodies",
            ),
            (
                "weaver/BcelWorld.java",
                "BcelWorld",
                "resolved types of the world",
            ),
            (
                "util/StringFormat.java",
                "StringFormat",
                "formats the message string of a verify error",
            ),
            ("ajde/BuildUi.java", "BuildUi", "build progress dialog"),
        ];
        for (path, class, words) in classes {
            files.insert(path.into(), java(class, words));
        }
        let who = ("dev", "dev@example.com");
        let mut tip = r.commit("main", &[], &files, who, 0, "initial import");
        for day in 1..=4 {
            for path in ["weaver/BcelShadow.java", "weaver/LazyMethodGen.java"] {
                let text = files[path].clone() + &format!("// change {day}\n");
                files.insert(path.into(), text);
            }
            tip = r.commit("main", &[tip], &files, who, day, "rework around advice");
        }
        let text = files["ajde/BuildUi.java"].clone() + "// ui\n";
        files.insert("ajde/BuildUi.java".into(), text);
        tip = r.commit("main", &[tip], &files, who, 5, "dialog layout");
        (r, tip.to_string())
    }

    fn rank(
        view: &crate::codeindex::CommitView<'_>,
        precedents: &[Precedent],
    ) -> Vec<(String, Vec<String>)> {
        let title = "VerifyError message string when weaving around advice";
        let body = "the verify error message string is wrong after weaving";
        view.locate_with(title, body, None, 10, precedents)
            .unwrap()
            .files
            .into_iter()
            .map(|f| (f.path, f.reasons))
            .collect()
    }

    #[test]
    fn a_file_fixed_for_a_similar_past_ticket_rises_among_the_likely_files_with_its_reason() {
        let (_repo, tip, corpus) = corpus();
        // the commit messages' words left out: they alone would already lift the weaver
        let params = Params {
            commit_words: 0.0,
            ..Params::default()
        };
        let view = corpus.view(&tip, params).unwrap();
        let plain = rank(&view, &[]);
        assert_eq!(plain[0].0, "util/StringFormat.java", "{plain:#?}");
        let pos = |list: &[(String, Vec<String>)], p: &str| {
            list.iter().position(|f| f.0 == p).unwrap_or(99)
        };
        let shadow = "weaver/BcelShadow.java";
        assert!(pos(&plain, shadow) < 10, "{plain:#?}");
        // its change partner is there by change coupling, precedent or not
        let partner = plain
            .iter()
            .find(|f| f.0 == "weaver/LazyMethodGen.java")
            .expect("the partner is ranked");
        assert!(
            partner
                .1
                .iter()
                .any(|r| r == "changes in 100% of the commits that change `BcelShadow.java`"),
            "{plain:#?}"
        );

        let precedent = Precedent {
            key: "ASPJ-7".into(),
            similarity: 0.87,
            repository: "r".into(),
            files: vec![shadow.into(), "gone/Removed.java".into()],
            ..Precedent::default()
        };
        let ranked = rank(&view, &[precedent]);
        assert!(
            pos(&ranked, shadow) < pos(&plain, shadow),
            "{plain:#?}\n{ranked:#?}"
        );
        let why = &ranked[pos(&ranked, shadow)].1;
        assert!(
            why.contains(&"fixed for ASPJ-7, 87% similar".to_string()),
            "{ranked:#?}"
        );
        // a file of a precedent's fix that no longer exists is not invented
        assert!(ranked.iter().all(|f| f.0 != "gone/Removed.java"));
    }

    #[test]
    fn a_precedent_reorders_the_likely_files_and_never_brings_in_another() {
        let (_repo, tip, corpus) = corpus();
        let view = corpus.view(&tip, Params::default()).unwrap();
        let plain = rank(&view, &[]);
        let ui = "ajde/BuildUi.java";
        assert!(plain.iter().all(|f| f.0 != ui), "{plain:#?}");
        // the dialog's file shares no word with the ticket: however alike the precedent,
        // its fix is not copied into the ranking
        let precedent = Precedent {
            key: "ASPJ-9".into(),
            similarity: 0.95,
            repository: "r".into(),
            files: vec![ui.into()],
            ..Precedent::default()
        };
        let ranked = rank(&view, &[precedent]);
        assert_eq!(ranked, plain);
    }
}
