//! Golden tests of the three comment renderings.

use ticketlens::domain::*;
use ticketlens::render::{count_words, render, Detail, Format, RenderOptions, WhenQuiet};

/// 2026-08-14T00:00:00Z and days before it.
const AUG14: i64 = 1_786_665_600_000;
const DAY: i64 = 86_400_000;

fn file(commits: u32, fixes: u32, days_ago: i64) -> Option<FileHistory> {
    Some(FileHistory {
        window_days: 180,
        commits,
        fixes,
        last_change_ms: AUG14 - days_ago * DAY,
        fragility: Fragility {
            score: 70.0,
            level: "high".into(),
            reasons: vec![],
            coupled_with: vec![],
        },
    })
}

fn rich() -> Enrichment {
    let precedents = vec![
        Precedent {
            tracker: Some(Tracker::Jira),
            key: "TOM-123".into(),
            title: "Host config ignores deployOnStartup".into(),
            url: Some("https://jira.example.com/browse/TOM-123".into()),
            similarity: 0.87,
            days: Some(4.2),
            fixed_ms: AUG14 - 30 * DAY,
            commits: vec!["a1b2c3".into()],
            repository: "tomcat".into(),
            files: vec![
                "java/org/apache/catalina/startup/HostConfig.java".into(),
                "java/org/apache/catalina/startup/ContextConfig.java".into(),
            ],
            modules: vec!["java/org/apache/catalina/startup".into()],
            lines_added: 40,
            lines_deleted: 12,
        },
        Precedent {
            tracker: Some(Tracker::Jira),
            key: "TOM-98".into(),
            title: "Contexts redeploy twice".into(),
            similarity: 0.52,
            days: Some(19.0),
            fixed_ms: AUG14 - 200 * DAY,
            commits: vec!["d4e5f6".into(), "a7b8c9".into()],
            repository: "tomcat".into(),
            files: vec![
                "java/org/apache/catalina/startup/HostConfig.java".into(),
                "java/org/apache/catalina/core/StandardHost.java".into(),
                "java/org/apache/catalina/core/ContainerBase.java".into(),
                "test/org/apache/catalina/startup/TestHostConfig.java".into(),
                "webapps/docs/changelog.xml".into(),
            ],
            modules: vec![
                "java/org/apache/catalina/startup".into(),
                "java/org/apache/catalina/core".into(),
            ],
            lines_added: 120,
            lines_deleted: 30,
            ..Precedent::default()
        },
    ];
    Enrichment {
        modules: vec![
            ModuleHit {
                repository: "tomcat".into(),
                module: "java/org/apache/catalina/startup".into(),
                name: "catalina/startup".into(),
                files: 58,
                score: 12.5,
                owners: vec!["Mark Thomas".into(), "Rémy Maucherat".into()],
                codeowners: vec!["@tomcat/committers".into()],
                top_files: vec![
                    "java/org/apache/catalina/startup/HostConfig.java".into(),
                    "java/org/apache/catalina/startup/ContextConfig.java".into(),
                    "test/org/apache/catalina/startup/TestHostConfig.java".into(),
                    "java/org/apache/catalina/startup/extra.java".into(),
                ],
                top_files_history: vec![file(9, 4, 3), file(6, 2, 20), None, file(1, 0, 90)],
                matched_terms: vec!["deploy".into(), "context".into()],
                fragility: Some(Fragility {
                    score: 82.0,
                    level: "high".into(),
                    reasons: vec![
                        "changed 48 times in 6 months by 9 people".into(),
                        "1 in 3 changes was a fix".into(),
                    ],
                    coupled_with: vec!["java/org/apache/catalina/core".into()],
                }),
                history: Some(ModuleHistory {
                    window_days: 180,
                    commits: 48,
                    authors: 9,
                    fixes: 16,
                    commits_all: 1210,
                    fixes_all: 402,
                    last_change_ms: AUG14 - 3 * DAY,
                    last_fix_ms: Some(AUG14 - 10 * DAY),
                    first_change_ms: 1_143_849_600_000,
                    sweeps: 0,
                    bot_commits: 0,
                    last_refactor_ms: None,
                    history_start_ms: 1_000_000_000_000,
                    older_than_history: false,
                    year_commits: 0,
                    year_top_author: None,
                    year_top_commits: 0,
                    experts: vec![
                        Expert {
                            name: "Mark Thomas".into(),
                            share: 0.62,
                            commits: 30,
                            last_commit_ms: AUG14 - 3 * DAY,
                            last_commit_anywhere_ms: 0,
                            at_risk: false,
                        },
                        Expert {
                            name: "Rémy Maucherat".into(),
                            share: 0.21,
                            commits: 10,
                            last_commit_ms: AUG14 - 40 * DAY,
                            last_commit_anywhere_ms: 0,
                            at_risk: false,
                        },
                        Expert {
                            name: "Filip Hanik".into(),
                            share: 0.31,
                            commits: 375,
                            last_commit_ms: 1_262_304_000_000,
                            last_commit_anywhere_ms: 0,
                            at_risk: true,
                        },
                    ],
                    coupled: vec![CoupledModule {
                        module: "java/org/apache/catalina/core".into(),
                        name: "catalina/core".into(),
                        share: 0.45,
                        shared: 22,
                        commits: vec![],
                    }],
                }),
                dependents: Some(Dependents {
                    used_by: 14,
                    files: 120,
                    reach: vec![
                        "catalina/core".into(),
                        "catalina/ha".into(),
                        "catalina/manager".into(),
                    ],
                }),
            },
            ModuleHit {
                repository: "tomcat".into(),
                module: "java/org/apache/coyote/http2".into(),
                name: "coyote/http2".into(),
                files: 40,
                score: 4.0,
                top_files: vec!["java/org/apache/coyote/http2/Stream_*render*.java".into()],
                matched_terms: vec!["stream".into()],
                ..ModuleHit::default()
            },
        ],
        files: vec![],
        duplicates: vec![
            DuplicateCandidate {
                tracker: Tracker::Jira,
                id: "10001".into(),
                key: "SHOP-12".into(),
                title: "Login fails after [token] refresh".into(),
                status: Some("Resolved".into()),
                url: Some("https://example.atlassian.net/browse/SHOP-12".into()),
                similarity: 0.91,
                tier: DuplicateTier::LikelyDuplicate,
                shared_terms: vec!["token".into(), "refresh".into(), "401".into()],
                shared_modules: vec!["auth".into()],
            },
            DuplicateCandidate {
                tracker: Tracker::Jira,
                id: "10002".into(),
                key: "SHOP-40".into(),
                title: "Session cookie *expires* early".into(),
                status: None,
                url: None,
                similarity: 0.47,
                tier: DuplicateTier::Related,
                shared_terms: vec![],
                shared_modules: vec![],
            },
        ],
        estimation_hints: vec![
            "45% of the changes to catalina/startup also touched catalina/core: estimate for both."
                .into(),
        ],
        footprint: Footprint::of(&precedents),
        precedents,
        confidence: Confidence {
            level: ConfidenceLevel::Likely,
            probability: 0.91,
            reason: "the ticket names `HostConfig`".into(),
        },
        pending_history: vec![],
        shared_plan: None,
        no_precedents: None,
    }
}

/// Today's long form, kept for teams that set `[comments] detail = "full"`.
fn full() -> RenderOptions {
    RenderOptions {
        detail: Detail::Full,
        ..RenderOptions::default()
    }
}

fn check(name: &str, got: &str) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("golden file {path}"));
    assert_eq!(got, want, "{name} differs from its golden file");
}

#[test]
fn a_rich_enrichment_renders_the_same_content_in_all_three_formats() {
    let opts = full();
    let md = render(&rich(), Format::Markdown, &opts).unwrap();
    let wiki = render(&rich(), Format::Wiki, &opts).unwrap();
    let adf = render(&rich(), Format::Adf, &opts).unwrap();
    let adf: serde_json::Value = serde_json::from_str(&adf).unwrap();
    check("rich.md", &md);
    check("rich.wiki", &wiki);
    check(
        "rich.adf.json",
        &(serde_json::to_string_pretty(&adf).unwrap() + "\n"),
    );
    // Markup in titles is escaped, not interpreted; only three of four files are listed.
    assert!(md.contains(r"\[token\]") && !md.contains("extra.java"));
    // the PM's questions are answered for the module with history
    for part in [
        "48 changes and 16 fixes in 6 months, by 9 people",
        "last changed 2026-08-11",
        "last fix 2026-08-04",
        "in the code since 2006-04-01",
        "Mark Thomas (62% of recent changes)",
        "Knowledge at risk: Filip Hanik made 31% of its changes, none since 2010-01-01",
        "(82/100 in this repository)",
        "Often changes with",
        "9 changes and 4 fixes in 6 months, last 2026-08-11",
    ] {
        assert!(md.contains(part), "{part} missing from\n{md}");
        assert!(wiki.contains(part), "{part} missing from\n{wiki}");
        assert!(
            adf.to_string().contains(part),
            "{part} missing from the ADF"
        );
    }
    assert!(md.contains("no history mined for it yet"));
    assert_eq!(adf["type"], "doc");
}

#[test]
fn an_enrichment_with_nothing_to_say_says_little_or_nothing() {
    let quiet = Enrichment::default();
    let opts = full();
    check(
        "quiet.md",
        &render(&quiet, Format::Markdown, &opts).unwrap(),
    );
    check("quiet.wiki", &render(&quiet, Format::Wiki, &opts).unwrap());
    let skip = RenderOptions {
        when_quiet: WhenQuiet::Skip,
        ..RenderOptions::default()
    };
    assert_eq!(render(&quiet, Format::Adf, &skip), None);
}

#[test]
fn with_a_public_page_address_every_format_links_to_the_tickets_page() {
    let base = RenderOptions {
        page_base: Some("https://tl.example.com/".into()),
        ..RenderOptions::default()
    };
    let opts = base.for_ticket("jira", "TOM-12");
    let url = "https://tl.example.com/tickets/jira/TOM-12";
    assert_eq!(opts.details_url.as_deref(), Some(url));
    for detail in [Detail::Brief, Detail::Full] {
        let opts = RenderOptions {
            detail,
            ..opts.clone()
        };
        for format in [Format::Markdown, Format::Wiki, Format::Adf] {
            let text = render(&rich(), format, &opts).unwrap();
            assert!(text.contains(url), "{format:?}: {text}");
        }
    }
    let plain = render(&rich(), Format::Markdown, &RenderOptions::default()).unwrap();
    assert!(!plain.contains("/tickets/"), "no address, no link");
    // a key with characters a path cannot hold is encoded
    let odd = base.for_ticket("github", "acme/app#33");
    assert_eq!(
        odd.details_url.as_deref(),
        Some("https://tl.example.com/tickets/github/acme%2Fapp%2333")
    );
}

/// Words of a rendering without its footer line (the last paragraph).
fn words_without_footer(md: &str) -> usize {
    let body = md.trim_end().rsplit_once("\n\n").map_or(md, |(b, _)| b);
    count_words(body)
}

#[test]
fn the_brief_comment_says_the_first_module_how_sure_and_why_in_few_words() {
    let opts = RenderOptions::default();
    let md = render(&rich(), Format::Markdown, &opts).unwrap();
    let wiki = render(&rich(), Format::Wiki, &opts).unwrap();
    let adf = render(&rich(), Format::Adf, &opts).unwrap();
    let adf: serde_json::Value = serde_json::from_str(&adf).unwrap();
    check("brief.md", &md);
    check("brief.wiki", &wiki);
    check(
        "brief.adf.json",
        &(serde_json::to_string_pretty(&adf).unwrap() + "\n"),
    );
    assert!(
        md.contains("**Likely** (91% sure): `catalina/startup` — the ticket names `HostConfig`."),
        "{md}"
    );
    assert!(md.contains("Also possible: `coyote/http2`."), "{md}");
    assert!(words_without_footer(&md) <= 120, "{md}");
    // Jira Cloud gets the rest in an expand; Markdown for Linear and wiki markup don't
    // carry it (the page does)
    assert!(adf.to_string().contains(r#""type":"expand""#));
    assert!(!md.contains("<details>") && !md.contains("Knowledge at risk"));
    assert!(!wiki.contains("Knowledge at risk"));
    // GitHub and GitLab render <details>: the long form goes there
    let forge = RenderOptions::default().for_ticket("github", "acme/app#3");
    let gh = render(&rich(), Format::Markdown, &forge).unwrap();
    check("brief.github.md", &gh);
    assert!(gh.contains("<details><summary>") && gh.contains("Knowledge at risk"));
}

#[test]
fn a_ticket_sharing_its_sprint_and_a_module_with_others_says_so_in_one_line() {
    let mut e = rich();
    e.shared_plan = Some(SharedPlan {
        scope: "Sprint 42".into(),
        module: "catalina/connector".into(),
        keys: vec!["TES-1".into(), "TES-7".into()],
    });
    let opts = RenderOptions::default();
    let md = render(&e, Format::Markdown, &opts).unwrap();
    let wiki = render(&e, Format::Wiki, &opts).unwrap();
    check("shared_plan.md", &md);
    check("shared_plan.wiki", &wiki);
    assert!(
        md.contains("2 other tickets in Sprint 42 land in `catalina/connector`: TES-1, TES-7."),
        "{md}"
    );
    assert!(words_without_footer(&md) <= 120, "{md}");
    e.shared_plan.as_mut().unwrap().keys.truncate(1);
    let one = render(&e, Format::Markdown, &opts).unwrap();
    assert!(
        one.contains("1 other ticket in Sprint 42 lands in `catalina/connector`: TES-1."),
        "{one}"
    );
    // without it, the comment is the brief one as before
    e.shared_plan = None;
    assert_eq!(
        render(&e, Format::Markdown, &opts).unwrap(),
        render(&rich(), Format::Markdown, &opts).unwrap()
    );
}

#[test]
fn a_guess_says_so_in_one_line_naming_at_most_two_areas_or_nothing_when_told_to_skip() {
    let mut e = rich();
    e.duplicates.clear();
    e.confidence = Confidence {
        level: ConfidenceLevel::Guess,
        probability: 0.18,
        reason: "no code is named; only words match (`deploy`, `context`)".into(),
    };
    e.modules.push(ModuleHit {
        module: "java/org/apache/catalina/ha".into(),
        name: "catalina/ha".into(),
        ..ModuleHit::default()
    });
    let opts = RenderOptions::default();
    let md = render(&e, Format::Markdown, &opts).unwrap();
    check("guess.md", &md);
    check("guess.wiki", &render(&e, Format::Wiki, &opts).unwrap());
    assert!(md.contains("Not sure where this lands"), "{md}");
    assert!(md.contains("`catalina/startup` or `coyote/http2`") && !md.contains("catalina/ha"));
    assert!(!md.contains("Similar past work") && !md.contains("Fragility"));
    let skip = RenderOptions {
        when_quiet: WhenQuiet::Skip,
        ..RenderOptions::default()
    };
    assert_eq!(render(&e, Format::Adf, &skip), None);
    assert_eq!(render(&e, Format::Markdown, &skip), None);
}

#[test]
fn a_comment_with_long_titles_and_many_names_still_fits_in_120_words() {
    let mut e = rich();
    let long = "a very long title that goes on and on about many things nobody needs in a comment";
    for p in e.precedents.iter_mut() {
        p.title = long.into();
    }
    for d in e.duplicates.iter_mut() {
        d.title = long.into();
        d.tier = DuplicateTier::LikelyDuplicate;
    }
    e.confidence.reason = long.repeat(2);
    if let Some(h) = e.modules[0].history.as_mut() {
        for x in h.experts.iter_mut() {
            x.name = "Somebody With Four Names".into();
        }
    }
    let md = render(&e, Format::Markdown, &RenderOptions::default()).unwrap();
    assert!(
        words_without_footer(&md) <= 120,
        "{} words:\n{md}",
        words_without_footer(&md)
    );
    assert!(md.contains("**Likely**"), "the first line always stays");
}
