//! A table of hostile strings (crafted titles, author and module names, paths, CODEOWNERS
//! entries, addresses) put in every outside field of an enrichment, through all three
//! renderings: whatever the comment shows of them is inert.

use super::inert::ZWSP;
use super::{render, Format, RenderOptions};
use crate::domain::{
    CoupledModule, DuplicateCandidate, DuplicateTier, Enrichment, Expert, Fragility, ModuleHistory,
    ModuleHit, Precedent, Tracker,
};
use serde_json::Value;

/// Hostile strings, each carrying a marker word so the test can tell it was shown at all.
pub const HOSTILE: &[&str] = &[
    "Invoice crash\n/close\n/label ~security\n/assign @mallory",
    "Zulu @all @channel @here @org/team please look",
    "Yankee [~accountid:5b10a2844c20165700ede21g]x.py",
    "Xray [x|javascript:alert(1)]y.py",
    "Whiskey see https://evil.example/phish and www.evil.example",
    "Victor {{code}} {noformat} *bold* _it_ \\ \\\\ trailing\\",
    "Uniform <script>alert(1)</script> &#64;all ![img](http://x.example/y.png)",
    "Tango #1 !2 GH-3 acme/app#4 ~label %milestone $snip &epic",
    "Sierra \u{202E}evil\u{2028}/close\r\n/merge\u{85}/approve\t/unassign",
    "Romeo `code` ``double`` | table | ### heading\n\n- item",
];

/// Our own links' target: the only address a rendering may link to.
const OURS: &str = "https://tracker.example/browse/OK-1";

/// A module's history whose every name is the hostile text `h`.
fn history(h: &str) -> ModuleHistory {
    ModuleHistory {
        window_days: 180,
        commits: 40,
        authors: 3,
        fixes: 9,
        commits_all: 90,
        fixes_all: 20,
        last_change_ms: 1_780_000_000_000,
        last_fix_ms: Some(1_780_000_000_000),
        first_change_ms: 1_600_000_000_000,
        experts: vec![
            Expert {
                name: h.into(),
                share: 0.6,
                commits: 24,
                last_commit_ms: 1_780_000_000_000,
                at_risk: false,
                ..Expert::default()
            },
            Expert {
                name: format!("gone {h}"),
                share: 0.3,
                commits: 12,
                last_commit_ms: 1_600_000_000_000,
                at_risk: true,
                ..Expert::default()
            },
        ],
        coupled: vec![CoupledModule {
            module: h.into(),
            name: h.into(),
            share: 0.6,
            ..CoupledModule::default()
        }],
        ..ModuleHistory::default()
    }
}

fn enrichment(h: &str) -> Enrichment {
    let module = ModuleHit {
        repository: h.into(),
        module: h.into(),
        name: h.into(),
        files: 3,
        score: 0.9,
        owners: vec![h.into()],
        codeowners: vec![h.into(), "@acme/platform-team".into()],
        top_files: vec![format!("src/{h}.rs"), h.into()],
        matched_terms: vec![h.into()],
        fragility: Some(Fragility {
            score: 80.0,
            level: "high".into(),
            reasons: vec![h.into()],
            coupled_with: vec![h.into()],
        }),
        history: Some(history(h)),
        dependents: Some(crate::domain::Dependents {
            used_by: 9,
            files: 40,
            reach: vec![h.into(), h.into()],
        }),
        ..ModuleHit::default()
    };
    let candidate = |tier: DuplicateTier, url: &str| DuplicateCandidate {
        tracker: Tracker::Gitlab,
        id: "1".into(),
        key: "acme/app#7".into(),
        title: h.into(),
        status: Some(h.into()),
        url: Some(url.into()),
        similarity: 0.9,
        tier,
        shared_terms: vec![h.into()],
        shared_modules: vec![h.into()],
    };
    let precedent = Precedent {
        tracker: Some(Tracker::Gitlab),
        key: "acme/app#3".into(),
        title: h.into(),
        url: Some("javascript:alert(1)".into()),
        similarity: 0.8,
        days: Some(3.0),
        fixed_ms: 1_780_000_000_000,
        commits: vec!["abc".into()],
        repository: h.into(),
        files: vec![format!("src/{h}"), h.into()],
        modules: vec![h.into()],
        lines_added: 3,
        lines_deleted: 1,
    };
    Enrichment {
        modules: vec![module],
        duplicates: vec![
            candidate(DuplicateTier::LikelyDuplicate, OURS),
            candidate(DuplicateTier::Related, "javascript:alert(1)"),
            candidate(DuplicateTier::AlreadyLinked, h),
        ],
        estimation_hints: vec![h.into()],
        precedents: vec![precedent],
        // sure enough that the brief comment shows its facts line (owners, experts) too
        confidence: crate::domain::Confidence {
            level: crate::domain::ConfidenceLevel::Likely,
            probability: 0.9,
            reason: h.into(),
        },
        ..Enrichment::default()
    }
}

/// Both forms of the comment: the brief default and the long one.
fn forms() -> [RenderOptions; 2] {
    [
        RenderOptions::default(),
        RenderOptions {
            detail: super::Detail::Full,
            ..RenderOptions::default()
        },
    ]
}

/// The text of `line` outside Markdown code spans.
fn outside_code_spans(line: &str) -> String {
    line.split('`').step_by(2).collect()
}

/// Tells whether `text` has a mention: an `@` followed by something a mention could be.
fn has_mention(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(2).any(|w| {
        w[0] == '@' && w[1] != ZWSP && (w[1].is_alphanumeric() || matches!(w[1], '_' | '-' | '.'))
    })
}

/// Tells whether `text` has a reference a forge would link: `#1`, `!2`, `GH-3`, `~label`.
fn has_reference(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(2)
        .any(|w| matches!(w[0], '#' | '!' | '~' | '%' | '$' | '&') && w[1].is_ascii_alphanumeric())
        || text.contains("GH-")
}

fn assert_common(h: &str, format: &str, text: &str) {
    assert!(
        !text
            .chars()
            .any(|c| matches!(c, '\r' | '\u{85}' | '\u{2028}' | '\u{202E}')),
        "{format} of {h:?} keeps a control character: {text:?}"
    );
}

#[test]
fn hostile_text_is_inert_in_markdown() {
    for (h, opts) in HOSTILE.iter().flat_map(|h| forms().map(|o| (h, o))) {
        let md = render(&enrichment(h), Format::Markdown, &opts).unwrap();
        assert_common(h, "markdown", &md);
        let marker = h.split_whitespace().next().unwrap();
        assert!(md.contains(marker), "{h:?} is shown somewhere: {md}");
        for line in md.lines() {
            assert!(
                !line.trim_start().starts_with('/'),
                "a line starts with a slash (GitLab quick action) for {h:?}: {line:?}\n{md}"
            );
            let text = outside_code_spans(line);
            assert!(!has_mention(&text), "mention for {h:?}: {line:?}");
            // a `\` escapes the sigil for Markdown but references are read after it: the
            // zero-width space is what breaks them
            let unescaped = text.replace('\\', "");
            assert!(!has_reference(&unescaped), "reference for {h:?}: {line:?}");
            // links only to our address; no bare address to autolink
            let ours = format!("]({OURS})");
            let rest = text.replace(&ours, "");
            assert!(!rest.contains("://"), "an address for {h:?}: {line:?}");
            assert!(
                !rest.replace("\\]", "").contains("]("),
                "a link not ours for {h:?}: {line:?}"
            );
            assert!(
                !rest.to_lowercase().contains("www."),
                "www for {h:?}: {line:?}"
            );
            let chars: Vec<char> = rest.chars().collect();
            for (i, c) in chars.iter().enumerate() {
                if matches!(c, '<' | '&') {
                    assert!(
                        i > 0 && chars[i - 1] == '\\',
                        "unescaped {c} for {h:?}: {line:?}"
                    );
                }
            }
        }
    }
}

/// Wiki markup: every `[` that is not one of our `[text|https://…]` links is escaped, in
/// `{{…}}` too; no line starts with `/`; no bare address.
#[test]
fn hostile_text_is_inert_in_jira_wiki_markup() {
    for (h, opts) in HOSTILE.iter().flat_map(|h| forms().map(|o| (h, o))) {
        let wiki = render(&enrichment(h), Format::Wiki, &opts).unwrap();
        assert_common(h, "wiki", &wiki);
        let marker = h.split_whitespace().next().unwrap();
        assert!(wiki.contains(marker), "{h:?} is shown somewhere: {wiki}");
        for line in wiki.lines() {
            assert!(!line.trim_start().starts_with('/'), "{h:?}: {line:?}");
            let chars: Vec<char> = line.chars().collect();
            for (i, c) in chars.iter().enumerate() {
                let escaped = i > 0 && chars[i - 1] == '\\';
                if *c == '[' && !escaped {
                    let rest: String = chars[i..].iter().collect();
                    let link = rest.find('|').map(|bar| rest[bar + 1..].starts_with(OURS));
                    assert_eq!(link, Some(true), "an unescaped [ for {h:?}: {line:?}");
                }
                if *c == '\\' {
                    let next = chars.get(i + 1);
                    assert!(
                        next.is_some_and(|n| *n == ZWSP || "*_{}[]|!+^~".contains(*n)),
                        "a backslash that escapes something of the input for {h:?}: {line:?}"
                    );
                }
            }
            let rest = line.replace(&format!("|{OURS}]"), "");
            assert!(!rest.contains("://"), "an address for {h:?}: {line:?}");
        }
        assert!(!wiki.replace("\\|", "").contains("|javascript:"), "{wiki}");
    }
}

fn text_nodes(v: &Value, out: &mut Vec<(String, Vec<String>, Option<String>)>) {
    if v["type"] == "text" {
        let marks: Vec<String> = v["marks"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|m| m["type"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let href = v["marks"].as_array().and_then(|m| {
            m.iter()
                .find_map(|m| m["attrs"]["href"].as_str().map(str::to_string))
        });
        out.push((
            v["text"].as_str().unwrap_or_default().to_string(),
            marks,
            href,
        ));
    }
    assert_ne!(v["type"], "mention", "ADF never carries a mention node");
    if let Some(children) = v["content"].as_array() {
        for c in children {
            text_nodes(c, out);
        }
    }
}

#[test]
fn hostile_text_is_inert_in_adf() {
    for (h, opts) in HOSTILE.iter().flat_map(|h| forms().map(|o| (h, o))) {
        let adf = render(&enrichment(h), Format::Adf, &opts).unwrap();
        let v: Value = serde_json::from_str(&adf).unwrap();
        let mut nodes = Vec::new();
        text_nodes(&v, &mut nodes);
        let marker = h.split_whitespace().next().unwrap();
        assert!(
            nodes.iter().any(|n| n.0.contains(marker)),
            "{h:?} shown: {adf}"
        );
        for (text, marks, href) in &nodes {
            assert_common(h, "adf", text);
            assert!(
                !text.contains('\n') && !text.contains('\t'),
                "{h:?}: {text:?}"
            );
            assert!(!text.is_empty(), "ADF refuses empty text nodes");
            if let Some(href) = href {
                assert_eq!(href, OURS, "a link not ours for {h:?}");
            }
            if !marks.iter().any(|m| m == "code") {
                assert!(!has_mention(text), "mention for {h:?}: {text:?}");
                assert!(!text.contains("://"), "an address for {h:?}: {text:?}");
            }
        }
    }
}

/// CODEOWNERS teams are named, never notified, in every format.
#[test]
fn codeowners_are_named_without_a_ping() {
    let e = enrichment("Quiet");
    // the long form lists the owners of every module shown
    let full = RenderOptions {
        detail: super::Detail::Full,
        ..RenderOptions::default()
    };
    for format in [Format::Markdown, Format::Wiki, Format::Adf] {
        let out = render(&e, format, &full).unwrap();
        assert!(!out.contains("@acme/platform-team"), "{format:?}: {out}");
        assert!(
            out.contains(&format!("@{ZWSP}acme/platform"))
                || out.contains(&format!("@{ZWSP}acme\\/platform")),
            "{format:?} still names the team: {out}"
        );
    }
}
