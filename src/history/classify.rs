//! The commit classifier: what kind of change a commit is (bug fix, revert, feature,
//! refactor, housekeeping, tests only), whether it is a sweep (one mechanical edit across
//! many files) and whether a bot made it, with the rule that decided. Every count of fixes,
//! changes, churn and coupling goes through it.
//!
//! The rules are the ones a careful engineer applies reading a log, in this order:
//! 1. the author: `[bot]` names, dependabot, renovate, pre-commit-ci, github-actions, names
//!    ending in " bot", and `[history] bot_authors` make the bot flag (and a bot's commit is
//!    housekeeping: it bumps, regenerates, reformats);
//! 2. reverts: `Revert "…"` or "This reverts commit";
//! 3. the paths: only tests changed → tests; only docs, changelogs, build or CI files →
//!    housekeeping;
//! 4. the subject's housekeeping words: typos, Javadoc, comments, docs, release notes,
//!    changelogs, versions and dependency bumps, build and CI, checkstyle, warnings,
//!    formatting, licence headers, translations, review nits ("Fix typo" is not a fix);
//! 5. tracker types: a key in the message naming a stored Bug makes a fix; naming stored
//!    tickets that are all Stories, Tasks or features makes it not a fix ("Fixes #12"
//!    closing a feature request);
//! 6. the subject's own words: test work, fix words ("fix", "bug", "NPE", "avoid … exception",
//!    "harden", "leak", "wrong", "does not …"), feature words ("add", "support",
//!    "implement", "speed up"), refactor words ("refactor", "rename", "simplify",
//!    "remove unused");
//! 7. the body: "Fixes #123", "bug", fix words in the rest of the message;
//! 8. otherwise a feature when source changed.
//!
//! A team adds its own words in `[history] fix_patterns` and `housekeeping_patterns` (regexes
//! over the whole message; housekeeping is checked first, as the built-in words are).
//! The sweep flag: more than 30 files, or 10 or more files changed by one mechanical edit
//! (housekeeping or refactor wording, or the same few lines in every file).

use regex::{Regex, RegexSet};
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// What a commit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Bugfix,
    Revert,
    Feature,
    Refactor,
    Housekeeping,
    /// Tests only (flaky-test fixes included).
    Test,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Bugfix,
        Kind::Revert,
        Kind::Feature,
        Kind::Refactor,
        Kind::Housekeeping,
        Kind::Test,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Bugfix => "bugfix",
            Kind::Revert => "revert",
            Kind::Feature => "feature",
            Kind::Refactor => "refactor",
            Kind::Housekeeping => "housekeeping",
            Kind::Test => "test",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A real fix: a bug fix or a revert (a revert undoes a change that broke something).
    pub fn is_fix(self) -> bool {
        matches!(self, Kind::Bugfix | Kind::Revert)
    }

    /// A change worth naming as "last changed": a fix, a feature or a refactoring.
    pub fn is_significant(self) -> bool {
        matches!(
            self,
            Kind::Bugfix | Kind::Revert | Kind::Feature | Kind::Refactor
        )
    }
}

/// A commit's class and the rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Class {
    pub kind: Kind,
    pub sweep: bool,
    pub bot: bool,
    pub rule: String,
}

impl Class {
    /// Counts as a fix: a bug fix or revert that is neither a sweep nor a bot's.
    pub fn counts_as_fix(&self) -> bool {
        self.kind.is_fix() && !self.sweep && !self.bot
    }

    /// Counts as a change of a module (commits, authors, coupling): not a bot's, not a sweep.
    pub fn counts_as_change(&self) -> bool {
        !self.sweep && !self.bot
    }
}

/// What the classifier sees of a commit.
#[derive(Debug, Clone, Copy)]
pub struct CommitView<'a> {
    pub message: &'a str,
    pub author_name: &'a str,
    pub author_email: &'a str,
    /// (path, lines added, lines deleted) per file.
    pub files: &'a [(&'a str, u32, u32)],
}

/// A stored ticket's type, as far as fixes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketType {
    Bug,
    NotBug,
}

impl TicketType {
    /// Bug, defect, incident and bug report are bugs; every other type is not.
    pub fn of(issue_type: &str) -> TicketType {
        match issue_type.trim().to_lowercase().as_str() {
            "bug" | "defect" | "bug report" | "incident" | "regression" => TicketType::Bug,
            _ => TicketType::NotBug,
        }
    }
}

/// A team's additions (`[history]`).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub fix_patterns: Vec<String>,
    pub housekeeping_patterns: Vec<String>,
    /// Author names or emails (case-insensitive substrings) of bots.
    pub bot_authors: Vec<String>,
}

/// More files than this is a sweep whatever the edit.
pub const SWEEP_FILES: usize = 30;
/// From this many files one mechanical edit is a sweep.
const MECHANICAL_FILES: usize = 10;
/// Subject text looked at (the first line); the body is cut at the miner's cap.
const SUBJECT_CAP: usize = 300;

/// The classifier: built-in rules plus a team's, and the stored tickets' types.
#[derive(Debug, Clone)]
pub struct Classifier {
    team_fix: Option<RegexSet>,
    team_housekeeping: Option<RegexSet>,
    bots: Vec<String>,
    tickets: HashMap<String, TicketType>,
    /// `#12` → the types of stored tickets whose key ends in `#12` (GitHub, GitLab).
    hashed: HashMap<String, Vec<TicketType>>,
    fingerprint: u64,
    w: &'static Words,
}

impl Classifier {
    /// Builds a classifier; `tickets` are stored ticket keys with their issue types.
    pub fn new(
        rules: &Rules,
        tickets: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Classifier, regex::Error> {
        let set = |p: &[String]| -> Result<Option<RegexSet>, regex::Error> {
            let p: Vec<&String> = p.iter().filter(|s| !s.trim().is_empty()).collect();
            if p.is_empty() {
                Ok(None)
            } else {
                RegexSet::new(p).map(Some)
            }
        };
        let mut map = HashMap::new();
        let mut hashed: HashMap<String, Vec<TicketType>> = HashMap::new();
        for (key, ty) in tickets {
            let ty = TicketType::of(&ty);
            if let Some(i) = key.rfind('#') {
                hashed.entry(key[i..].to_string()).or_default().push(ty);
            }
            map.insert(key.to_uppercase(), ty);
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            RULES_VERSION,
            &rules.fix_patterns,
            &rules.housekeeping_patterns,
        )
            .hash(&mut h);
        rules.bot_authors.hash(&mut h);
        // the built-in word lists too, so editing one re-derives what is stored
        for list in [
            HOUSEKEEPING,
            TEST,
            FIX,
            FEATURE,
            WEAK_FEATURE,
            REFACTOR,
            BODY_FIX,
        ] {
            list.hash(&mut h);
        }
        let mut keys: Vec<(&String, bool)> = map
            .iter()
            .map(|(k, t)| (k, *t == TicketType::Bug))
            .collect();
        keys.sort();
        keys.hash(&mut h);
        Ok(Classifier {
            team_fix: set(&rules.fix_patterns)?,
            team_housekeeping: set(&rules.housekeeping_patterns)?,
            bots: rules
                .bot_authors
                .iter()
                .map(|b| b.trim().to_lowercase())
                .filter(|b| !b.is_empty())
                .collect(),
            tickets: map,
            hashed,
            fingerprint: h.finish(),
            w: words(),
        })
    }

    /// Identifies the rules and the ticket types in force: classes stored under another
    /// fingerprint are re-derived.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// True when the author is an automated one.
    pub fn is_bot(&self, name: &str, email: &str) -> bool {
        let (n, e) = (name.to_lowercase(), email.to_lowercase());
        self.w.bot_name.is_match(&n)
            || self.w.bot_name.is_match(&e)
            || self.bots.iter().any(|b| n.contains(b) || e.contains(b))
    }

    /// Classifies a mined commit (its message, author and diffstat).
    pub fn classify_mined(&self, c: &crate::domain::MinedCommit) -> Class {
        let files: Vec<(&str, u32, u32)> = c
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.added, f.deleted))
            .collect();
        self.classify(&CommitView {
            message: &c.message,
            author_name: &c.author_name,
            author_email: &c.author_email,
            files: &files,
        })
    }

    /// Classifies one commit.
    pub fn classify(&self, c: &CommitView<'_>) -> Class {
        let bot = self.is_bot(c.author_name, c.author_email);
        let (kind, rule) = self.kind(c, bot);
        let sweep = self.sweep(c, kind);
        Class {
            kind,
            sweep,
            bot,
            rule,
        }
    }

    fn kind(&self, c: &CommitView<'_>, bot: bool) -> (Kind, String) {
        let w = self.w;
        let subject = subject(c.message);
        let body = c
            .message
            .get(c.message.find('\n').unwrap_or(c.message.len())..);
        let body = body.unwrap_or("");
        if bot {
            return (Kind::Housekeeping, "automated author".into());
        }
        // the subject only: a squashed pull request's body lists reverts of its own steps
        if w.revert.is_match(&subject) {
            return (Kind::Revert, "revert".into());
        }
        if let Some(rule) = paths_only(c.files) {
            return rule;
        }
        if let Some(set) = &self.team_housekeeping {
            if let Some(i) = set.matches(c.message).iter().next() {
                return (Kind::Housekeeping, format!("team housekeeping pattern {i}"));
            }
        }
        if let Some(rule) = w.first(&w.housekeeping, &subject) {
            return (Kind::Housekeeping, format!("housekeeping: {rule}"));
        }
        if let Some(rule) = self.by_ticket(c.message) {
            return rule;
        }
        if let Some(set) = &self.team_fix {
            if let Some(i) = set.matches(c.message).iter().next() {
                return (Kind::Bugfix, format!("team fix pattern {i}"));
            }
        }
        if let Some(rule) = fragment(c.files) {
            return rule;
        }
        if let Some(rule) = w.first(&w.test, &subject) {
            if test_share(c.files) >= 0.5 {
                return (Kind::Test, format!("tests: {rule}"));
            }
        }
        if let Some(rule) = w.first(&w.fix, &subject) {
            return (Kind::Bugfix, format!("fix: {rule}"));
        }
        if let Some(rule) = w.first(&w.feature, &subject) {
            return (Kind::Feature, format!("feature: {rule}"));
        }
        if let Some(rule) = w.first(&w.refactor, &subject) {
            return (Kind::Refactor, format!("refactor: {rule}"));
        }
        // "Improve X" / "Make X …" say little: a body that describes a defect decides
        if let Some(rule) = w.first(&w.weak_feature, &subject) {
            if let Some(fix) = w.first(&w.fix[..2], body) {
                return (Kind::Bugfix, format!("fix (message body): {fix}"));
            }
            return (Kind::Feature, format!("feature: {rule}"));
        }
        if let Some(rule) = w.first(&w.body_fix, body) {
            return (Kind::Bugfix, format!("fix (message body): {rule}"));
        }
        (Kind::Feature, "source change, no other rule".into())
    }

    /// A Bug named → a fix; only non-bug tickets named → not a fix (a feature).
    fn by_ticket(&self, message: &str) -> Option<(Kind, String)> {
        if self.tickets.is_empty() {
            return None;
        }
        let mut other = None;
        for key in super::Linker::default().keys(message) {
            let types: Vec<TicketType> = match self.tickets.get(&key.to_uppercase()) {
                Some(t) => vec![*t],
                None if key.starts_with('#') => self.hashed.get(&key).cloned().unwrap_or_default(),
                None => Vec::new(),
            };
            // `#12` naming tickets of several repositories of differing types says nothing
            match types[..] {
                [TicketType::Bug, ..] if types.iter().all(|t| *t == TicketType::Bug) => {
                    return Some((Kind::Bugfix, format!("ticket {key} is a bug")));
                }
                [TicketType::NotBug, ..] if types.iter().all(|t| *t == TicketType::NotBug) => {
                    other.get_or_insert(key);
                }
                _ => {}
            }
        }
        other.map(|key| (Kind::Feature, format!("ticket {key} is not a bug")))
    }

    fn sweep(&self, c: &CommitView<'_>, kind: Kind) -> bool {
        let n = c.files.len();
        if n > SWEEP_FILES {
            return true;
        }
        if n < MECHANICAL_FILES {
            return false;
        }
        // housekeeping wording across many files is mechanical; a refactoring or anything
        // else is only when the edit is the same in every file
        let worded = kind == Kind::Housekeeping;
        worded || uniform(c.files)
    }
}

/// Bumped when the built-in rules' code changes (the word lists are fingerprinted by
/// their text), so stored classes are re-derived.
pub const RULES_VERSION: u32 = 1;

/// The first line, without a leading `[ISSUE #12]`-style tag or conventional-commit scope.
fn subject(message: &str) -> String {
    let first = message.lines().next().unwrap_or("").trim();
    let mut s = &first[..floor(first, SUBJECT_CAP)];
    // `[ISSUE #5999] …`, `[#5551] …`, `[code quality] …`: templates, not wording
    while let Some(rest) = s.strip_prefix('[').and_then(|r| r.split_once(']')) {
        let tag = rest.0.to_lowercase();
        if tag.contains("test") || tag.contains("doc") || tag.contains("maven-release") {
            break;
        }
        s = rest.1.trim_start();
    }
    // `XD-353, XD-691: …`, `EVG-14369 …`, `543657: …`: the tickets, not the wording
    let lead = words().lead_keys.find(s).map_or(0, |m| m.end());
    s[lead..].to_string()
}

fn floor(s: &str, max: usize) -> usize {
    let mut i = s.len().min(max);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Files every one changed by the same small edit (the same added/deleted counts, a few
/// lines each): a search-and-replace.
fn uniform(files: &[(&str, u32, u32)]) -> bool {
    let mut counts: HashMap<(u32, u32), usize> = HashMap::new();
    for f in files {
        *counts.entry((f.1, f.2)).or_default() += 1;
    }
    let top = counts.values().max().copied().unwrap_or(0);
    let small = files.iter().filter(|f| f.1 + f.2 <= 6).count();
    top * 10 >= files.len() * 8 || small * 10 >= files.len() * 9
}

/// Tests only, or docs/build/CI only, decided by the paths alone.
fn paths_only(files: &[(&str, u32, u32)]) -> Option<(Kind, String)> {
    if files.is_empty() {
        return None;
    }
    if files.iter().all(|f| is_test_path(f.0)) {
        return Some((Kind::Test, "paths: tests only".into()));
    }
    if files.iter().all(|f| is_housekeeping_path(f.0)) {
        return Some((Kind::Housekeeping, "paths: docs, build or CI only".into()));
    }
    if files
        .iter()
        .all(|f| is_test_path(f.0) || is_housekeeping_path(f.0))
    {
        return Some((Kind::Test, "paths: tests and docs only".into()));
    }
    None
}

/// A changelog fragment the commit adds names its kind (towncrier and its kin:
/// `changelog/123.bugfix.rst`, `changes/123.feature`, `newsfragments/9.doc.md`).
fn fragment(files: &[(&str, u32, u32)]) -> Option<(Kind, String)> {
    let mut found: Option<Kind> = None;
    for (path, _, _) in files {
        let lower = path.to_lowercase();
        let Some((dir, file)) = lower.rsplit_once('/') else {
            continue;
        };
        let dir = dir.rsplit('/').next().unwrap_or(dir);
        if !matches!(
            dir,
            "changelog" | "changelog.d" | "changes" | "newsfragments" | "news"
        ) {
            continue;
        }
        let kind = file.split('.').skip(1).find_map(|part| match part {
            "bugfix" | "bug" | "fix" | "fixed" | "security" => Some(Kind::Bugfix),
            "feature" | "improvement" | "enhancement" | "added" | "breaking" | "removal"
            | "deprecation" | "performance" => Some(Kind::Feature),
            "doc" | "docs" | "trivial" | "misc" | "vendor" | "contrib" | "packaging" => {
                Some(Kind::Housekeeping)
            }
            _ => None,
        });
        // a bug-fix fragment wins over any other fragment of the same commit
        match (found, kind) {
            (_, Some(Kind::Bugfix)) => found = Some(Kind::Bugfix),
            (None, Some(k)) => found = Some(k),
            _ => {}
        }
    }
    found.map(|k| (k, format!("changelog fragment: {}", k.as_str())))
}

fn test_share(files: &[(&str, u32, u32)]) -> f64 {
    if files.is_empty() {
        return 1.0;
    }
    files.iter().filter(|f| is_test_path(f.0)).count() as f64 / files.len() as f64
}

/// Test code by the usual layouts: `test/`, `tests/`, `testing/`, `src/test/`, `__tests__/`,
/// `test_x.py`, `x_test.go`, `XTest.java`, `x.test.ts`, `x_spec.rb`, `conftest.py`.
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_lowercase();
    let dirs: Vec<&str> = lower.split('/').collect();
    let (file, dirs) = dirs.split_last().unwrap_or((&"", &[]));
    if dirs.iter().any(|d| {
        matches!(
            *d,
            "test" | "tests" | "testing" | "__tests__" | "spec" | "specs" | "testdata" | "it"
        ) || d.ends_with("-tests")
            || d.ends_with("_tests")
    }) {
        return true;
    }
    let stem = file.split('.').next().unwrap_or(file);
    let original = path.rsplit('/').next().unwrap_or(path);
    let original_stem = original.split('.').next().unwrap_or(original);
    stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem.ends_with("_spec")
        || file.contains(".test.")
        || file.contains(".spec.")
        || *file == "conftest.py"
        || original_stem.ends_with("Test")
        || original_stem.ends_with("Tests")
        || original_stem.ends_with("TestCase")
}

/// Documentation, changelogs, licences, build and CI configuration.
pub fn is_housekeeping_path(path: &str) -> bool {
    let lower = path.to_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let (file, dirs) = parts.split_last().unwrap_or((&"", &[]));
    let doc_dir = dirs.iter().any(|d| {
        matches!(
            *d,
            "doc"
                | "docs"
                | "documentation"
                | "changelog"
                | "changelog.d"
                | "changes"
                | "news"
                | ".github"
                | ".circleci"
                | ".gitlab"
                | ".mvn"
                | ".idea"
                | "ci"
                | "release-notes"
                | "release_notes"
                | "releasenotes"
        )
    }) || parts
        .first()
        .is_some_and(|d| parts.len() > 1 && matches!(*d, "scripts" | "dev-tools" | "build-tools"));
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    let doc_ext = matches!(ext, "md" | "rst" | "adoc" | "txt" | "asciidoc" | "textile");
    let named = [
        "changelog",
        "changes",
        "news",
        "release-notes",
        "release_notes",
        "readme",
        "license",
        "licence",
        "notice",
        "contributing",
        "authors",
        "contributors",
        ".gitignore",
        ".gitattributes",
        ".mailmap",
        ".travis.yml",
        ".pre-commit-config.yaml",
        "tox.ini",
        "jenkinsfile",
        "azure-pipelines.yml",
        "appveyor.yml",
        "codecov.yml",
        ".editorconfig",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "gradle.properties",
        "settings.gradle",
        "setup.cfg",
        "pyproject.toml",
        "requirements.txt",
        "package.json",
        "package-lock.json",
        "yarn.lock",
        "cargo.lock",
        "go.sum",
        "mvnw",
        "mvnw.cmd",
        "build.properties.default",
        "dependabot.yml",
        "renovate.json",
    ];
    let stem = file.split('.').next().unwrap_or(file);
    doc_dir || doc_ext || named.contains(file) || named.contains(&stem)
}

/// The built-in word lists, compiled once: each a list of (rule name, regex).
#[derive(Debug)]
struct Words {
    bot_name: Regex,
    revert: Regex,
    lead_keys: Regex,
    housekeeping: Vec<(&'static str, Regex)>,
    test: Vec<(&'static str, Regex)>,
    fix: Vec<(&'static str, Regex)>,
    feature: Vec<(&'static str, Regex)>,
    weak_feature: Vec<(&'static str, Regex)>,
    refactor: Vec<(&'static str, Regex)>,
    body_fix: Vec<(&'static str, Regex)>,
}

impl Words {
    fn first(&self, list: &[(&'static str, Regex)], text: &str) -> Option<&'static str> {
        list.iter().find(|(_, r)| r.is_match(text)).map(|(n, _)| *n)
    }
}

fn words() -> &'static Words {
    static WORDS: std::sync::OnceLock<Words> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        let list = |items: &[(&'static str, &str)]| -> Vec<(&'static str, Regex)> {
            items
                .iter()
                .map(|(n, p)| (*n, Regex::new(&format!("(?i){p}")).expect("built-in rule")))
                .collect()
        };
        Words {
            bot_name: Regex::new(
                r"\[bot\]|\bdependabot|\brenovate|pre-commit-ci|github-actions|[\s_-]bot$|^bot[\s_-]|\bbot@|noreply\+bot|-bot@",
            )
            .expect("bot regex"),
            revert: Regex::new(r#"(?i)^\s*(revert(ed|s)?\b|reverting\b|partially revert|partial revert|roll ?back\b|undo\b)"#)
                .expect("revert regex"),
            lead_keys: Regex::new(r"^((\[?[A-Z][A-Z0-9_]+-\d+\]?|\d{4,7}:)[\s,:;-]*)+")
                .expect("leading keys regex"),
            housekeeping: list(HOUSEKEEPING),
            test: list(TEST),
            fix: list(FIX),
            feature: list(FEATURE),
            weak_feature: list(WEAK_FEATURE),
            refactor: list(REFACTOR),
            body_fix: list(BODY_FIX),
        }
    })
}

/// Subject words of housekeeping: what changes no behaviour of the product.
const HOUSEKEEPING: &[(&str, &str)] = &[
    ("typo", r"\btypos?\b|\bspelling\b|\bmisspell|\bgrammar\b"),
    (
        "javadoc or comments",
        r"\bjava-?docs?\b|\bdocstrings?\b|\bkdoc\b|\bdoxygen\b|\b(fix|update|improve|correct|clarify|add|remove|clean ?up|tweak)(e[sd])?\s+(the\s+|a\s+|some\s+|code\s+)?comments?\b|\bcomments?\s+(fix|typo|update|cleanup|improvement)",
    ),
    (
        "docs",
        r"^(docs?|documentation)\b|^\S+\s*:\s*docs?\b|\b(fix|update|improve|clarify|add|correct)(e[sd])?\s+(the\s+|some\s+)?(docs?|documentation|readme|user guide|guide|example in docs)\b|\bdocs?\s+(fix|update|typo)|\breadme\b|\bsphinx\b|\bregendoc\b|\bdocumentation\b|\bto-?do\b|\bdoc-?tests?\b",
    ),
    (
        "release notes or changelog",
        r"\brelease[ -]?notes?\b|\bchange ?log\b|\bchanges\.(md|txt|xml)\b|\bnews entry\b|\bmark(ed)?\s.*\bas (fixed|resolved|done)\b|\b(prepare|preparing|prep)\b.*\brelease\b|\bmaven-release-plugin\b|\bnext development iteration\b|\byank\b|\brelease \d|\b(back to|update to|bump to) snapshot\b|\bstart \d+(\.\d+)+ branch\b|^\s*(release|version) v?\d+(\.\d+)+\s*$",
    ),
    (
        "version or dependency bump",
        r"^\s*(bump|upgrade|update)s?\b.*\b(from|to)\s+v?\d+(\.\d+)+|\bbump(ed|s)?\b.*\b(version|deps?|dependenc(y|ies)|plugin)\b|^\s*(build|chore)\(deps\)|\bupdate (the )?(deps|dependencies)\b|\b(version|versions) bump\b|^\s*bump\b|\bupdate (to )?(latest|new) (version|release)\b",
    ),
    (
        "build or CI",
        r"^\s*(ci|build|chore|maint|style|docs?)\s*(\([^)]*\))?!?\s*:|\b(fix|update|drop|add)(e[sd])?\s+(the\s+)?(ci|build|travis|github actions?|workflows?|jenkins|gradle|maven|tox|pipeline)\b|\b(ci|travis|github actions?|workflow)\s+(fix|config|update)|\bpre-commit\b|\bgitignore\b|\bbuild (failure|fix|break)",
    ),
    (
        "checkstyle, lint or warnings",
        r"\bcheck-?style\b|\blint(er|ing)?\b|\bpmd\b|\bspotbugs\b|\bfindbugs\b|\bsonar\w*\b|\berror[- ]?prone\b|\bmypy\b|\bflake8\b|\bruff\b|\bclippy\b|\beslint\b|\bwarnings?\b.*\b(clean ?up|fix|remove|silence|suppress|avoid)|\b(clean ?up|fix|remove|silence|suppress|avoid|reduce)\w*\s+([\w-]+\s+){0,4}warnings?\b|\btyping\b|\bfix\w*\s+(the\s+)?deprecat|\b(compiler|compile|deprecation|javac|ide|eclipse|build) warnings?\b|\bunused imports?\b|\b(override|nullability|nullable|@\w+) annotations?\b|\bimport order\b|\btype (hints?|annotations?)\b",
    ),
    (
        "formatting",
        r"\b(re)?format(ting|ted)?\b|\bwhite ?space\b|\bindent(ation|s)?\b|\b(remove|strip|delete|fix|clean)\w*\s+(the\s+)?trailing (white ?spaces?|spaces?|blanks?)\b|\bcode style\b|\bstyle (fix|nits?)\b|\btabs? (to|->) spaces\b|\bline endings?\b|\bspotless\b|\bblack\b|\bprettier\b",
    ),
    (
        "licence or copyright",
        r"\blicen[cs]e(s|d)?\b|\bcopyright\b|\basf header\b",
    ),
    (
        "translations",
        r"\btranslat(e|ion|ions|ed)\b|\bi18n\b|\bl10n\b|\blocali[sz]ation\b|\bmessages?_[a-z]{2}\b",
    ),
    (
        "review nits",
        r"\breview (nits?|comments?|feedback|fix(es)?|remarks?|suggestions?)\b|\b(code|pr) review\b|\bnits?\b|\bnitpicks?\b|\bapply suggestions?\b|\baddress(ed|ing)? (the )?(review|feedback|comments)\b|\bpolish(ing)?\b",
    ),
    (
        "minor cleanup",
        r"^\s*(minor|small|trivial)?\s*(clean ?-?ups?|tidy( ?up)?)\s*\.?\s*$|^\s*\.{2,}\s*$|^\s*(wip|tmp|temp|misc|minor|update)\.?\s*$",
    ),
];

/// Subject words of test work.
const TEST: &[(&str, &str)] = &[(
    "tests",
    r"^\s*tests?\s*[:(]|\b(fix|repair|stabili[sz]e|deflake|improve|update|adjust|move|rename|reorg\w*|refactor\w*|clean ?up|add(ed)?|more)\s+(\S+\s+)?(unit\s+)?(tests?|test ?cases?|ut|its?|junit)\b|\b(unit )?tests? (fix(es)?|refactor\w*|reorg\w*|rename|cleanup|coverage|regression)\b|\bflak(y|iness)\b|\b\w+Test\b|\bcoverage\b|\btest(s|ing)?\b",
)];

/// Subject words of a bug fix.
const FIX: &[(&str, &str)] = &[
    (
        "fix word",
        r"\b(bug ?)?fix(es|ed|ing)?\b|\bhot-?fix\w*\b|\bbugs?\b|\bregressions?\b|\bbz\s*\d",
    ),
    (
        "failure word",
        r"\bnpes?\b|null ?pointer|\bcrash(es|ed|ing)?\b|\bleak(s|ed|ing)?\b|\bdead-?lock|\brace( condition)?\b|\binfinite (loop|recursion)\b|\bhangs?\b|\boverflow\b|\bpanic(s|ked)?\b|\b(nil|null) (pointer|dereference)|\bdereferenc\w*|\b\w+(exception|error)\b|\bthrows?\b|\bclass ?cast\b|\bcve-\d|\bvulnerab|\bsecurity\b|\bthread-?safe(ty)?\b|\bconcurren(t|cy) (issue|problem|modification)|\bdos\b",
    ),
    (
        "defect word",
        r"\b(incorrect(ly)?|wrong(ly)?|broken|invalid|improper(ly)?|inconsisten(t|cy)|mis-?match(ed|ing)?|faulty|erroneous(ly)?)\b|\b(does|do|did)\s*(not|n't)\s+(work|return|handle|close|release|respect|honou?r|apply|match|parse|compile|start|stop)\w*\b|\b(isn'?t|wasn'?t|aren'?t|weren'?t|doesn'?t|didn'?t|don'?t) (working|closed|released|handled|applied|called|set|found|shown|updated|propagated)\b|\b(not|never) (working|respected|honou?red|applied|closed|released|handled|called|cleared|reset|set|used|found|shown|updated|propagated)\b|\bignor(ed|ing|es)\b|\bfail(s|ed|ing|ure)?\b|\bproblems?\b|\bissues? with\b|\bcorrect(ly)?\b|\bworkaround\b|\bmissing\b",
    ),
    (
        "avoid, prevent or harden",
        r"\bavoid(s|ed|ing)?\s+([\w-]+\s+){0,3}(npe|exception|error|crash|leak|deadlock|race|infinite|loop|overflow|hang|duplicat\w*|double|memory|null|oom|corruption|data loss|failure)|\b(prevent|guard against|protect against|harden|sanitize|validate|reject|disallow)(s|ed|ing)?\b|\bmake sure\b|\bensure\b|^\s*(do not|don'?t|dont'?t|never)\b|\bdon'?t\b|\bshould(n'?t| not)?\b|\bcheck (for )?null|\bnull ?check|\bnot null\b",
    ),
];

/// Subject words of new or extended behaviour.
const FEATURE: &[(&str, &str)] = &[
    (
        "new behaviour",
        r"^\s*(feat|feature|enh|enhancement|perf)\s*[:(]|^\s*(add|added|adds|adding|support|supports|implement|implemented|implements|introduce|introduced|introduces|new|allow|allows|enable|enables|expose|provide|create|offer)\b|\bsupport (for|of)\b|\bnew (option|feature|api|method|setting|attribute|parameter)\b",
    ),
    (
        "performance",
        r"\bspeed ?up\b|\bfaster\b|\bperformance\b|\boptimi[sz](e|ed|ation|ations)\b|\bperf\b|\bgc\b|\befficien",
    ),
];

/// Subject words that may name a feature or a fix ("Improve X", "Make X …").
const WEAK_FEATURE: &[(&str, &str)] = &[(
    "improvement",
    r"^\s*(improve|improves|improved|extend|extends|extended|expand|expanded|enhance|enhanced|make|makes|change|changes|changed|update|updated|updates)\b",
)];

/// Subject words of restructuring without behaviour change.
const REFACTOR: &[(&str, &str)] = &[(
    "refactor word",
    r"\brefactor\w*\b|\bre-?organi[sz]\w*|\brestructur\w*|\brename[sd]?\b|\bextract(ed|s)?\b|\bsimplif(y|ied|ies|ication)\b|\bclean ?-?up\b|\bmove[sd]?\b|\bsplit\b|\binline[sd]?\b|\bdedup\w*|\bcode quality\b|\bdeprecat\w*|\bunused\b|\bdead code\b|\bobsolete\b|\buseless\b|\bredundant\b|\bremove[sd]?\b|\binstead of\b|\breplace[sd]?\b|\buse \w+\b|\bswitch (to|from)\b|\bmigrat\w*|\bconsolidat\w*|\bunif(y|ied)\b|\btweak\w*|\boptimize (judge|logic|code)\b",
)];

/// Fix words found in the body once the subject said nothing clear.
const BODY_FIX: &[(&str, &str)] = &[(
    "fix word",
    r"\b(fix(es|ed)?|close[sd]?|resolve[sd]?)\s+(bug\s+)?([\w.-]+/[\w.-]+)?#\d+|\bbug ?fix\b|\bfix(es|ed)? (a|the) (bug|problem|issue|crash|npe)\b|\bbugs?\b|\bregression\b|\bnpe\b|null ?pointer|\bcrash\w*\b|\bshow_bug\.cgi|\bbz\s*\d",
)];

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(message: &str, files: &[(&str, u32, u32)]) -> Class {
        let c = Classifier::new(&Rules::default(), []).unwrap();
        c.classify(&CommitView {
            message,
            author_name: "Ann Example",
            author_email: "ann@example.com",
            files,
        })
    }

    const SRC: &[(&str, u32, u32)] = &[
        ("src/main/java/org/x/Parser.java", 10, 2),
        ("src/test/java/org/x/ParserTest.java", 20, 0),
    ];

    #[test]
    fn fix_words_about_the_product_make_fixes_and_housekeeping_words_do_not() {
        for m in [
            "Fix NPE in session manager",
            "Avoid NPE when the header is missing",
            "Harden the parsing of chunked trailers",
            "Fixed #3003",
            "Handle empty cookies correctly",
            "Session not closed after timeout",
        ] {
            assert_eq!(classify(m, SRC).kind, Kind::Bugfix, "{m}");
        }
        for m in [
            "Fix typo",
            "Fix Javadoc indent",
            "Minor fixes from code review",
            "Fix checkstyle",
            "Fix compiler warnings",
            "Update release notes wrt #2895 fix",
            "Javadoc fixes and improvements",
            "Bump jackson from 2.12.6 to 2.12.7",
        ] {
            assert_eq!(classify(m, SRC).kind, Kind::Housekeeping, "{m}");
        }
        assert_eq!(classify("Revert \"Add cache\"", SRC).kind, Kind::Revert);
        let squash = "Remove outdated example (#2843)\n\n* Fix typos and revert a review change";
        assert_ne!(classify(squash, SRC).kind, Kind::Revert);
        assert_eq!(classify("Add support for HTTP/3", SRC).kind, Kind::Feature);
        assert_eq!(classify("Refactor the parser", SRC).kind, Kind::Refactor);
    }

    #[test]
    fn paths_decide_tests_only_and_docs_only() {
        let tests = [("src/test/java/org/x/ParserTest.java", 3, 1)];
        assert_eq!(classify("Fix the parser", &tests).kind, Kind::Test);
        let docs = [("docs/usage.md", 3, 1), ("CHANGELOG.md", 1, 0)];
        assert_eq!(
            classify("Fix wrong example", &docs).kind,
            Kind::Housekeeping
        );
    }

    #[test]
    fn bots_are_flagged_by_name_and_by_the_configured_list() {
        let c = Classifier::new(
            &Rules {
                bot_authors: vec!["jenkins@ci.example".into()],
                ..Rules::default()
            },
            [],
        )
        .unwrap();
        assert!(c.is_bot(
            "dependabot[bot]",
            "49699333+dependabot[bot]@users.noreply.github.com"
        ));
        assert!(c.is_bot("pre-commit-ci[bot]", "x@y"));
        assert!(c.is_bot("renovate-bot", "bot@renovateapp.com"));
        assert!(c.is_bot("pytest bot", "pytestbot@gmail.com"));
        assert!(c.is_bot("Jenkins", "jenkins@ci.example"));
        assert!(!c.is_bot("Abbott Lee", "abbott@example.com"));
        assert!(!c.is_bot("Robot Wang", "rw@example.com"));
    }

    #[test]
    fn stored_ticket_types_decide_what_fix_words_cannot() {
        let c = Classifier::new(
            &Rules::default(),
            [
                ("PAY-7".to_string(), "Bug".to_string()),
                ("acme/app#12".to_string(), "Story".to_string()),
            ],
        )
        .unwrap();
        let view = |m| CommitView {
            message: m,
            author_name: "Ann",
            author_email: "ann@example.com",
            files: SRC,
        };
        let story = c.classify(&view("Fixes #12: checkout page"));
        assert_eq!(story.kind, Kind::Feature, "{story:?}");
        let bug = c.classify(&view("PAY-7 checkout totals"));
        assert_eq!(
            (bug.kind, bug.rule.as_str()),
            (Kind::Bugfix, "ticket PAY-7 is a bug")
        );
    }

    #[test]
    fn a_sweep_is_many_files_or_one_mechanical_edit() {
        let many: Vec<String> = (0..40).map(|i| format!("src/m/F{i}.java")).collect();
        let files: Vec<(&str, u32, u32)> = many.iter().map(|p| (p.as_str(), 1, 1)).collect();
        let c = classify("Javadoc fixes", &files);
        assert!(c.sweep && c.kind == Kind::Housekeeping && !c.counts_as_fix());
        let twelve: Vec<(&str, u32, u32)> = files[..12]
            .iter()
            .enumerate()
            .map(|(i, f)| (f.0, 10 + i as u32 * 7, 3 + i as u32))
            .collect();
        assert!(!classify("Fix the session race across stores", &twelve).sweep);
        assert!(classify("Use the new logger API", &files[..12]).sweep);
    }

    #[test]
    fn team_patterns_add_fixes_and_housekeeping() {
        let c = Classifier::new(
            &Rules {
                fix_patterns: vec![r"(?i)^defect:".into()],
                housekeeping_patterns: vec![r"(?i)^sync upstream".into()],
                ..Rules::default()
            },
            [],
        )
        .unwrap();
        let view = |m| CommitView {
            message: m,
            author_name: "Ann",
            author_email: "a@x",
            files: SRC,
        };
        assert_eq!(c.classify(&view("defect: totals")).kind, Kind::Bugfix);
        assert_eq!(
            c.classify(&view("Sync upstream fix for NPE")).kind,
            Kind::Housekeeping
        );
        assert!(Classifier::new(
            &Rules {
                fix_patterns: vec!["(".into()],
                ..Rules::default()
            },
            []
        )
        .is_err());
    }

    #[test]
    fn test_and_doc_paths_follow_the_usual_layouts() {
        for p in [
            "src/test/java/a/B.java",
            "testing/test_x.py",
            "pkg/a_test.go",
            "a/BTest.java",
            "web/x.spec.ts",
        ] {
            assert!(is_test_path(p), "{p}");
        }
        for p in ["src/main/java/a/Testable.java", "src/contest/a.py"] {
            assert!(!is_test_path(p), "{p}");
        }
        for p in [
            "docs/a.rst",
            "README.md",
            ".github/workflows/ci.yml",
            "pom.xml",
        ] {
            assert!(is_housekeeping_path(p), "{p}");
        }
        assert!(!is_housekeeping_path("src/main/java/a/Doc.java"));
    }
}
