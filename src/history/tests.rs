//! The miner, metrics and score on a repository built in the test: known authors (one of
//! them under two identities joined by `.mailmap`), a rename, a merge, a mass reformat, a
//! force-push, a missing blob.

use super::testrepo::{day_ms, lines, TestRepo};
use super::*;
use crate::domain::{ChangeKind, FileChange, MinedCommit};
use git2::Oid;
use std::collections::BTreeMap;

const ALICE: (&str, &str) = ("Alice", "alice@example.com");
const BOB_OLD: (&str, &str) = ("Bob Old", "bob@old.example");
const BOB: (&str, &str) = ("Bob", "bob@example.com");
const CAROL: (&str, &str) = ("Carol", "carol@example.com");
const DAVE: (&str, &str) = ("Dave", "dave@example.com");

/// C1 import · C2 fix (Bob's old identity) · C3 rename · C4 on a branch · C5 fix · M6 merge ·
/// C7 mass reformat · C8 auth+billing together.
fn scenario() -> (TestRepo, Vec<Oid>, BTreeMap<String, String>) {
    let t = TestRepo::new();
    let mut f: BTreeMap<String, String> = BTreeMap::new();
    set(&mut f, "src/auth/login.rs", lines("l", 10));
    set(&mut f, "src/billing/pay.rs", lines("p", 5));
    set(&mut f, "README.md", lines("r", 2));
    set(
        &mut f,
        ".mailmap",
        "Bob <bob@example.com> Bob Old <bob@old.example>\n".into(),
    );
    let c1 = t.commit("main", &[], &f, ALICE, 0, "Initial import");
    let login = f["src/auth/login.rs"].replacen("l1\nl2\n", "x1\nx2\n", 1);
    set(&mut f, "src/auth/login.rs", login);
    set(&mut f, "src/billing/pay.rs", lines("p", 6));
    let c2 = t.commit("main", &[c1], &f, BOB_OLD, 10, "Fix login loop");
    let login = f.remove("src/auth/login.rs").unwrap();
    set(&mut f, "src/auth/session.rs", login);
    let c3 = t.commit("main", &[c2], &f, ALICE, 20, "Move login to session");
    let mut feature = f.clone();
    set(&mut feature, "src/billing/refund.rs", lines("f", 3));
    let c4 = t.commit("feature", &[c3], &feature, CAROL, 30, "Add refunds");
    set(
        &mut f,
        "src/billing/pay.rs",
        lines("p", 6).replace("p3", "q3"),
    );
    let c5 = t.commit("main", &[c3], &f, BOB, 31, "Fix pay rounding");
    set(&mut f, "src/billing/refund.rs", lines("f", 3));
    let m6 = t.commit("main", &[c5, c4], &f, ALICE, 32, "Merge branch feature");
    for path in [
        "src/auth/session.rs",
        "src/billing/pay.rs",
        "src/billing/refund.rs",
        "README.md",
    ] {
        let reformatted = format!("  {}", f[path]);
        set(&mut f, path, reformatted);
    }
    let c7 = t.commit("main", &[m6], &f, DAVE, 40, "Reformat with the new style");
    let pre_c8 = f.clone();
    let session = format!("{}s11\n", f["src/auth/session.rs"]);
    set(&mut f, "src/auth/session.rs", session);
    let refund = format!("{}f4\n", f["src/billing/refund.rs"]);
    set(&mut f, "src/billing/refund.rs", refund);
    let c8 = t.commit("main", &[c7], &f, ALICE, 45, "Log refunds at login");
    (t, vec![c1, c2, c3, c4, c5, m6, c7, c8], pre_c8)
}

fn set(f: &mut BTreeMap<String, String>, k: &str, v: String) {
    f.insert(k.to_string(), v);
}

fn request(t: &TestRepo, known_tip: Option<Oid>, next_seq: i64) -> MineRequest {
    MineRequest {
        path: t.dir.path().to_path_buf(),
        branch: "main".into(),
        known_tip: known_tip.map(|o| o.to_string()),
        next_seq,
        threads: 2,
    }
}

fn params() -> Params {
    Params {
        now_ms: day_ms(70),
        window_days: 61,
        mass_change_files: 3,
    }
}

fn change(path: &str, kind: ChangeKind, added: u32, deleted: u32) -> FileChange {
    FileChange {
        path: path.into(),
        old_path: None,
        kind,
        added,
        deleted,
    }
}

fn by_sha(commits: &[MinedCommit], oid: Oid) -> &MinedCommit {
    commits
        .iter()
        .find(|c| c.sha == oid.to_string())
        .expect("mined")
}

#[test]
fn mining_records_authors_renames_merges_and_line_counts() {
    let (t, c, _) = scenario();
    let out = mine(&request(&t, None, 0)).unwrap();
    assert_eq!(out.tip, c[7].to_string());
    assert_eq!(out.commits.len(), 8);
    assert_eq!(out.missing_objects, 0);
    assert!(!out.force_pushed());
    let seqs: Vec<i64> = out.commits.iter().map(|x| x.seq).collect();
    assert_eq!(seqs, (0..8).collect::<Vec<_>>());
    let (first, last) = (&out.commits[0], &out.commits[7]);
    assert_eq!(
        (first.sha.as_str(), last.sha.as_str()),
        (&*c[0].to_string(), &*c[7].to_string())
    );

    let c1 = by_sha(&out.commits, c[0]);
    assert_eq!(c1.files.len(), 4);
    assert_eq!(
        c1.files[2],
        change("src/auth/login.rs", ChangeKind::Added, 10, 0)
    );
    let c2 = by_sha(&out.commits, c[1]);
    assert_eq!(
        (c2.author_name.as_str(), c2.author_email.as_str()),
        ("Bob", "bob@example.com")
    );
    assert_eq!(c2.time_ms, day_ms(10));
    assert_eq!(
        c2.files,
        vec![
            change("src/auth/login.rs", ChangeKind::Modified, 2, 2),
            change("src/billing/pay.rs", ChangeKind::Modified, 1, 0),
        ]
    );
    let mut renamed = change("src/auth/session.rs", ChangeKind::Renamed, 0, 0);
    renamed.old_path = Some("src/auth/login.rs".into());
    assert_eq!(by_sha(&out.commits, c[2]).files, vec![renamed]);
    let merge = by_sha(&out.commits, c[5]);
    assert!(merge.is_merge && merge.files.is_empty());
    assert_eq!(by_sha(&out.commits, c[3]).author_name, "Carol");
    assert_eq!(by_sha(&out.commits, c[6]).files.len(), 4);
}

#[test]
fn metrics_follow_renames_and_keep_mass_changes_out_of_coupling() {
    let (t, _, _) = scenario();
    let out = mine(&request(&t, None, 0)).unwrap();
    let m = compute(
        &out.commits,
        &dir_depth_2,
        &Classifier::new(&Default::default(), []).unwrap(),
        &params(),
    );
    let names: Vec<&str> = m.files.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            ".mailmap",
            "README.md",
            "src/auth/session.rs",
            "src/billing/pay.rs",
            "src/billing/refund.rs"
        ]
    );
    let lewis = |days: &[i64]| -> f64 {
        days.iter()
            .map(|d| 1.0 / (1.0 + (-12.0 * (*d as f64 / 70.0) + 12.0).exp()))
            .sum()
    };
    let session = &m.files[2];
    assert_eq!(session.module, "src/auth");
    let a = &session.all_time;
    assert_eq!((a.commits, a.churn, a.authors, a.fixes), (5, 17, 3, 1));
    assert_eq!((a.ownership, a.minor_contributors), (0.6, 0));
    assert!((a.bugfix_score - lewis(&[10])).abs() < 1e-12);
    let w = &session.window;
    assert_eq!(
        (w.commits, w.churn, w.authors, w.fixes, w.ownership),
        (4, 7, 3, 1, 0.5)
    );
    assert_eq!(
        (session.size_lines, session.age_days, session.last_change_ms),
        (11, 25, day_ms(45))
    );

    let pay = &m.files[3];
    assert_eq!(
        (pay.all_time.commits, pay.all_time.churn, pay.size_lines),
        (4, 10, 6)
    );
    // Bob's two identities are one author thanks to .mailmap.
    assert_eq!((pay.all_time.authors, pay.all_time.fixes), (3, 2));
    assert!((pay.all_time.bugfix_score - lewis(&[10, 31])).abs() < 1e-12);
    assert_eq!(
        (pay.window.commits, pay.window.authors, pay.window.fixes),
        (3, 2, 2)
    );

    let modules: Vec<&str> = m.modules.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(modules, [".", "src/auth", "src/billing"]);
    let billing = &m.modules[2];
    assert_eq!(
        (
            billing.all_time.commits,
            billing.all_time.churn,
            billing.size_lines
        ),
        (6, 16, 10)
    );
    assert_eq!(
        (
            billing.window.commits,
            billing.window.authors,
            billing.files
        ),
        (5, 4, 2)
    );
    // The reformat touched both modules but is a mass change: only C2 and C8 couple them,
    // and two shared commits are below the five a coupling claim needs.
    assert!(m.modules[1].coupled.is_empty() && billing.coupled.is_empty());
}

#[test]
fn scores_levels_and_reasons_come_out_as_computed_by_hand() {
    let (t, _, _) = scenario();
    let out = mine(&request(&t, None, 0)).unwrap();
    let m = compute(
        &out.commits,
        &dir_depth_2,
        &Classifier::new(&Default::default(), []).unwrap(),
        &params(),
    );
    let (files, modules) = score_all(&m);
    let got: Vec<(&str, f32, &str)> = files
        .iter()
        .map(|s| {
            (
                s.metrics.name.as_str(),
                s.fragility.score,
                s.fragility.level.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // first of five on recency-weighted changes, all-time commits and size (every
            // mid-rank percentile 0.9) and second on past fixes (0.7):
            // 0.5·0.9 + 0.15·0.9 + 0.2·0.9 + 0.15·0.7 = 0.87; four changes in the window
            // are short of the five (with two fixes) a file needs for `high`
            ("src/auth/session.rs", 87.0, "medium"),
            ("src/billing/pay.rs", 73.0, "medium"),
            ("src/billing/refund.rs", 42.5, "medium"),
            ("README.md", 25.5, "low"),
            (".mailmap", 8.5, "low"),
        ]
    );
    assert_eq!(
        files[0].fragility.reasons,
        [
            "changed 4 times in 2 months by 3 people",
            // four changes are too few for a share: the count is said
            "fixed once in 2 months",
        ]
    );
    assert_eq!(files[1].fragility.reasons[0], "fixed 2 times in 2 months");
    let got: Vec<(&str, f32, &str)> = modules
        .iter()
        .map(|s| {
            (
                s.metrics.name.as_str(),
                s.fragility.score,
                s.fragility.level.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // three modules: ten changes are what `high` needs of a module
            ("src/billing", 76.7, "medium"),
            ("src/auth", 56.7, "medium"),
            (".", 14.2, "low")
        ]
    );
    // two shared commits are no coupling claim (five are needed), so no reason says so
    let auth = &modules[1].fragility;
    assert!(auth.coupled_with.is_empty());
    assert_eq!(
        auth.reasons,
        [
            "changed 4 times in 2 months by 3 people",
            // four changes are too few for a share: the count is said
            "fixed once in 2 months",
        ]
    );
}

#[test]
fn a_rerun_mines_only_new_commits_and_a_force_push_is_re_mined() {
    let (t, c, pre_c8) = scenario();
    let first = mine(&request(&t, None, 0)).unwrap();
    assert_eq!(mine(&request(&t, Some(c[7]), 8)).unwrap().commits.len(), 0);

    // Force-push: main loses C7 and C8 and gets C9 on top of the merge instead.
    let mut f = pre_c8;
    for path in [
        "src/auth/session.rs",
        "src/billing/pay.rs",
        "src/billing/refund.rs",
        "README.md",
    ] {
        let undone = f[path].trim_start().to_string();
        f.insert(path.to_string(), undone);
    }
    f.insert(
        "src/billing/refund.rs".into(),
        lines("f", 3).replace("f2", "g2"),
    );
    let c9 = t.commit("main", &[c[5]], &f, CAROL, 46, "Fix refund totals");
    let second = mine(&request(&t, Some(c[7]), 8)).unwrap();
    assert!(second.force_pushed() && !second.reset);
    assert_eq!(second.dropped, [c[6].to_string(), c[7].to_string()]);
    assert_eq!(second.commits.len(), 1);
    assert_eq!(
        (second.commits[0].sha.clone(), second.commits[0].seq),
        (c9.to_string(), 8)
    );
    assert_eq!(
        second.commits[0].files,
        [change("src/billing/refund.rs", ChangeKind::Modified, 1, 1)]
    );

    f.insert("NOTES.md".into(), lines("n", 4));
    let c10 = t.commit("main", &[c9], &f, DAVE, 47, "Add notes");
    let third = mine(&request(&t, Some(c9), 9)).unwrap();
    assert!(!third.force_pushed());
    assert_eq!(third.commits.len(), 1);
    assert_eq!(
        (third.commits[0].sha.clone(), third.tip),
        (c10.to_string(), c10.to_string())
    );
    assert_eq!(first.commits.len() - second.dropped.len() + 2, 8);
}

#[test]
fn a_missing_blob_is_counted_and_mining_goes_on() {
    let (t, _, _) = scenario();
    let blob = Oid::hash_object(git2::ObjectType::Blob, lines("r", 2).as_bytes()).unwrap();
    let hex = blob.to_string();
    let loose = t.dir.path().join("objects").join(&hex[..2]).join(&hex[2..]);
    std::fs::remove_file(loose).expect("loose README blob");
    let out = mine(&request(&t, None, 0)).unwrap();
    assert_eq!(out.commits.len(), 8);
    // C1 adds it, C7 modifies it: both diffs needed the gone blob.
    assert_eq!(out.missing_objects, 2);
    let c1 = &out.commits[0];
    assert_eq!(c1.files[1], change("README.md", ChangeKind::Added, 0, 0));
    assert_eq!(c1.files[2].added, 10);
}

/// Modules as the first two directories, for tests that are about metrics, not the cut.
fn dir_depth_2(path: &str) -> String {
    let dirs: Vec<&str> = path.split('/').collect();
    let dirs = &dirs[..dirs.len() - 1];
    if dirs.is_empty() {
        ".".to_string()
    } else {
        dirs[..dirs.len().min(2)].join("/")
    }
}
