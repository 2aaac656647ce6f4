//! The classifier in the counts, on a repository built in the test: a typo fix, a Javadoc
//! sweep over 40 files, a dependabot bump, "Fixes #12" whose ticket is a Story, a `.mailmap`
//! alias, a login and a full name on one email, a top author active elsewhere in the
//! repository and one who is gone — each counted as the rules say.

use super::classify::Rules;
use super::testrepo::{day_ms, lines, TestRepo};
use super::*;
use std::collections::BTreeMap;

const ANN: (&str, &str) = ("Ann Lee", "ann@example.com");
const ANN_LOGIN: (&str, &str) = ("alee", "ann@example.com");
const BO_OLD: (&str, &str) = ("bchen", "bo@old.example");
const CAROL: (&str, &str) = ("Carol Diaz", "carol@example.com");
const DAN: (&str, &str) = ("Dan Frost", "dan@example.com");
const BOT: (&str, &str) = (
    "dependabot[bot]",
    "49699333+dependabot[bot]@users.noreply.github.com",
);

fn module_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() < 3 {
        ".".into()
    } else {
        parts[..2].join("/")
    }
}

struct Built {
    _t: TestRepo,
    commits: Vec<crate::domain::MinedCommit>,
}

fn edit(f: &mut BTreeMap<String, String>, path: &str, tag: &str) {
    let text = format!("{}{tag}\n", f.get(path).cloned().unwrap_or_default());
    f.insert(path.to_string(), text);
}

fn build() -> Built {
    let t = TestRepo::new();
    let mut f: BTreeMap<String, String> = BTreeMap::new();
    for i in 0..40 {
        f.insert(format!("src/core/F{i}.java"), lines(&format!("c{i}_"), 20));
    }
    f.insert("src/web/W.java".into(), lines("w", 20));
    f.insert("pom.xml".into(), "<version>2.1</version>\n".into());
    f.insert(
        ".mailmap".into(),
        "Bo Chen <bo@example.com> bchen <bo@old.example>\n".into(),
    );
    let mut tip = t.commit("main", &[], &f, DAN, 0, "Initial import");
    let mut day = 10;
    let mut commit = |f: &BTreeMap<String, String>, who, d: i64, msg: &str| {
        tip = t.commit("main", &[tip], f, who, d, msg);
    };
    // Dan: the web module's author, gone since day 60
    for (i, msg) in [
        "Fix session leak",
        "Add login page",
        "Fix NPE on logout",
        "Add remember-me",
        "Handle empty cookies correctly",
        "Add CSRF token",
    ]
    .iter()
    .enumerate()
    {
        edit(&mut f, "src/web/W.java", &format!("dan{i}"));
        commit(&f, DAN, day, msg);
        day += 10;
    }
    // Carol: the core module's top author long ago, still active elsewhere (below)
    for i in 0..3 {
        edit(&mut f, &format!("src/core/F{}.java", 10 + i), "carol");
        commit(&f, CAROL, 70 + i * 5, "Add a cache for parsed headers");
    }
    edit(&mut f, "src/core/F1.java", "typo");
    commit(&f, ANN, 250, "Fix typo in comment");
    for i in 0..40 {
        edit(&mut f, &format!("src/core/F{i}.java"), "javadoc");
    }
    commit(&f, ANN, 260, "Javadoc fixes and improvements");
    f.insert("pom.xml".into(), "<version>2.2</version>\n".into());
    edit(&mut f, "src/core/F2.java", "bump");
    commit(&f, BOT, 270, "Bump jackson-databind from 2.1 to 2.2");
    edit(&mut f, "src/core/F3.java", "story");
    commit(&f, ANN_LOGIN, 280, "Checkout page totals\n\nFixes #12");
    edit(&mut f, "src/core/F4.java", "npe");
    commit(&f, BO_OLD, 290, "Avoid NPE when the header is missing");
    edit(&mut f, "src/core/F5.java", "refactor");
    commit(&f, BO_OLD, 300, "Refactor the session store");
    // Carol again: web and api changed together five times
    for i in 0..5 {
        edit(&mut f, "src/web/W.java", &format!("carol{i}"));
        edit(&mut f, "src/api/A.java", &format!("carol{i}"));
        commit(&f, CAROL, 330 + i * 15, "Add the orders endpoint step");
    }
    let out = mine(&MineRequest {
        path: t.dir.path().to_path_buf(),
        branch: "main".into(),
        known_tip: None,
        next_seq: 0,
        threads: 2,
    })
    .unwrap();
    Built {
        _t: t,
        commits: out.commits,
    }
}

fn classifier() -> Classifier {
    Classifier::new(
        &Rules::default(),
        [("acme/app#12".to_string(), "Story".to_string())],
    )
    .unwrap()
}

fn params() -> Params {
    Params {
        now_ms: day_ms(400),
        window_days: 180,
        mass_change_files: 50,
    }
}

fn by_subject<'a>(b: &'a Built, subject: &str) -> &'a crate::domain::MinedCommit {
    b.commits
        .iter()
        .find(|c| c.message.starts_with(subject))
        .expect("commit")
}

#[test]
fn each_commit_gets_the_kind_and_flags_the_rules_say() {
    let b = build();
    let c = classifier();
    let class = |s| c.classify_mined(by_subject(&b, s));
    let typo = class("Fix typo in comment");
    assert_eq!((typo.kind, typo.sweep), (Kind::Housekeeping, false));
    let sweep = class("Javadoc fixes");
    assert!(sweep.sweep && !sweep.counts_as_fix());
    let bump = class("Bump jackson");
    assert!(bump.bot && !bump.counts_as_change());
    let story = class("Checkout page totals");
    assert_eq!(
        (story.kind, story.rule.as_str()),
        (Kind::Feature, "ticket #12 is not a bug")
    );
    assert_eq!(class("Avoid NPE").kind, Kind::Bugfix);
    assert_eq!(class("Refactor the session").kind, Kind::Refactor);
    // the import added 43 files at once: a sweep, not a change of any module
    assert!(class("Initial import").sweep);
}

#[test]
fn counts_leave_out_housekeeping_sweeps_bots_and_story_tickets() {
    let b = build();
    let m = compute(&b.commits, &module_of, &classifier(), &params());
    let core = m.modules.iter().find(|e| e.name == "src/core").unwrap();
    let w = &core.window;
    // typo, #12 and the NPE fix and the refactoring; not the sweep, not the bot
    assert_eq!((w.commits, w.fixes, w.sweeps, w.bot_commits), (4, 1, 1, 1));
    // Ann's login and full name are one person, Bo's alias is Bo: two people, no bot
    let names: Vec<&str> = w.top_authors.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Ann Lee", "Bo Chen"]);
    assert_eq!(w.authors, 2);
    // the last significant change is the refactoring, not the later-looking sweep or bump
    assert_eq!(core.last_change_ms, day_ms(300));
    assert_eq!(core.last_refactor_ms, Some(day_ms(300)));
    let web = m.modules.iter().find(|e| e.name == "src/web").unwrap();
    assert_eq!((web.all_time.commits, web.all_time.fixes), (11, 3));
}

#[test]
fn people_at_risk_are_gone_from_the_repository_not_only_from_the_module() {
    let b = build();
    let p = params();
    let m = compute(&b.commits, &module_of, &classifier(), &p);
    let facts = |name: &str| {
        let e = m.modules.iter().find(|e| e.name == name).unwrap();
        facts::module_history(e, p.window_days, p.now_ms, 180, &|s| s.to_string())
    };
    let web = facts("src/web");
    let dan = web.experts.iter().find(|x| x.name == "Dan Frost").unwrap();
    assert!(dan.at_risk);
    assert_eq!(dan.last_commit_anywhere_ms, day_ms(60));
    // Carol made most of core's counted changes long ago but commits elsewhere: not at risk
    let core = facts("src/core");
    assert!(
        core.experts.iter().all(|x| !x.at_risk),
        "{:?}",
        core.experts
    );
    assert!(!core.experts.iter().any(|x| x.name == "Carol Diaz"));
    // born with the history: older than it; born later: in the code since
    assert!(core.older_than_history);
    assert!(!facts("src/api").older_than_history);
}

#[test]
fn coupling_needs_five_deliberate_shared_changes_and_names_them() {
    let b = build();
    let m = compute(&b.commits, &module_of, &classifier(), &params());
    let api = m.modules.iter().find(|e| e.name == "src/api").unwrap();
    assert_eq!(api.coupled.len(), 1);
    let c = &api.coupled[0];
    assert_eq!(
        (c.module.as_str(), c.shared, c.commits.len()),
        ("src/web", 5, 5)
    );
    // the sweep touched all of core at once: core couples with nothing
    let core = m.modules.iter().find(|e| e.name == "src/core").unwrap();
    assert!(core.coupled.is_empty());
}
