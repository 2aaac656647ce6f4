//! Golden tests of the three comment renderings.

use ticketlens::domain::*;
use ticketlens::render::{render, Format, RenderOptions, WhenQuiet};

fn rich() -> Enrichment {
    Enrichment {
        modules: vec![
            ModuleHit {
                repository: "shop".into(),
                module: "auth".into(),
                score: 12.5,
                owners: vec!["@shop/identity".into()],
                top_files: vec![
                    "auth/session.rs".into(),
                    "auth/token_refresh.rs".into(),
                    "auth/mod.rs".into(),
                    "auth/extra.rs".into(),
                ],
                matched_terms: vec!["session".into(), "refresh".into()],
                fragility: Some(Fragility {
                    score: 82.0,
                    level: "high".into(),
                    reasons: vec![
                        "changed 48 times in 6 months by 9 people".into(),
                        "1 in 3 changes was a fix".into(),
                    ],
                    coupled_with: vec!["billing".into()],
                }),
            },
            ModuleHit {
                repository: "shop".into(),
                module: "billing/invoices".into(),
                score: 4.0,
                owners: vec![],
                top_files: vec!["billing/invoices/pdf_*render*.rs".into()],
                matched_terms: vec!["invoice".into()],
                fragility: None,
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
            "Changes in auth usually also touch billing (6 of 10 commits).".into(),
        ],
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
    let opts = RenderOptions::default();
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
    assert!(md.contains(r"\[token\]") && !md.contains("auth/extra.rs"));
    assert_eq!(adf["type"], "doc");
}

#[test]
fn an_enrichment_with_nothing_to_say_says_little_or_nothing() {
    let quiet = Enrichment::default();
    let opts = RenderOptions::default();
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
