//! The brief comment, read in twenty seconds: the first module with how sure we are and
//! why; one line of facts about it (fragility and its main reason, who knows it, its last
//! change); up to two more modules; up to three files; the closest precedents and the likely
//! duplicates, one line each. Everything else goes to the ticket's page or to a collapsed
//! section where the tracker has one. Below the confidence floor it says so in one line and
//! names at most two areas as a guess. It never runs over `MAX_WORDS`: lines are shortened,
//! then the least important dropped, until it fits.

use super::doc::{date, text, Block, Doc, Inline};
use super::model::{full_blocks, push_footer, used_by_line};
use super::{RenderOptions, WhenQuiet};
use crate::domain::{
    ConfidenceLevel, DuplicateCandidate, DuplicateTier, Enrichment, ModuleHit, Precedent,
};

/// Most words the comment says, footer left out.
pub const MAX_WORDS: usize = 120;
/// Words of a precedent's or duplicate's title kept in its line.
const TITLE_WORDS: usize = 6;

/// Words as a reader counts them: whitespace-separated runs with a letter or digit.
pub fn count_words(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

fn inline_words(parts: &[Inline]) -> usize {
    parts
        .iter()
        .map(|p| match p {
            Inline::Text(t) | Inline::Strong(t) | Inline::Code(t) => count_words(t),
            Inline::Link { text, .. } => count_words(text),
        })
        .sum()
}

fn name(m: &ModuleHit) -> String {
    if m.name.is_empty() {
        m.module.clone()
    } else {
        m.name.clone()
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn short_title(t: &str) -> String {
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.len() <= TITLE_WORDS {
        words.join(" ")
    } else {
        format!("{}…", words[..TITLE_WORDS].join(" "))
    }
}

/// A ticket key, linked when it has an address.
fn key(k: &str, url: Option<&String>) -> Inline {
    match url {
        Some(url) => Inline::Link {
            text: k.to_string(),
            url: url.clone(),
        },
        None => Inline::Strong(k.to_string()),
    }
}

/// Text whose `backticked` parts are code (the confidence's reason).
fn with_code(s: &str) -> Vec<Inline> {
    s.split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| {
            if i % 2 == 1 {
                Inline::Code(part.to_string())
            } else {
                text(part)
            }
        })
        .collect()
}

/// A line of the comment in a long and a short form (the short one when words run out).
struct Line {
    long: Vec<Inline>,
    short: Option<Vec<Inline>>,
}

impl Line {
    fn one(l: Vec<Inline>) -> Line {
        Line {
            long: l,
            short: None,
        }
    }
}

/// Builds the brief comment; `None` when it should stay silent.
pub fn build(e: &Enrichment, opts: &RenderOptions) -> Option<Doc> {
    let likely = likely_duplicates(e, opts);
    let mut lines: Vec<Line> = Vec::new();
    let quiet = e.modules.is_empty() || e.confidence.level == ConfidenceLevel::Guess;
    if quiet {
        if opts.when_quiet == WhenQuiet::Skip && likely.is_empty() {
            return None;
        }
        lines.push(Line::one(quiet_line(e)));
    } else {
        let top = &e.modules[0];
        lines.push(Line::one(first_module(e, top)));
        if let Some(f) = facts(top) {
            lines.push(f);
        }
        if let Some(long) = used_by_line(top, true) {
            lines.push(Line {
                long,
                short: used_by_line(top, false),
            });
        }
        if let Some(l) = more_modules(e) {
            lines.push(Line::one(l));
        }
        if let Some(l) = files(e) {
            lines.push(Line::one(l));
        }
        if let Some(l) = shared_plan(e) {
            lines.push(l);
        }
        if let Some(l) = precedents(&e.precedents) {
            lines.push(l);
        }
    }
    if let Some(l) = duplicates(&likely) {
        lines.push(l);
    }
    let mut doc = vec![Block::Heading(vec![text(
        "TicketLens: where this ticket lands",
    )])];
    let fixed = inline_words(&[text("TicketLens: where this ticket lands")])
        + opts.details_url.as_ref().map_or(0, |_| 7);
    for l in fit(lines, MAX_WORDS.saturating_sub(fixed)) {
        doc.push(Block::Paragraph(l));
    }
    if opts.collapse && !quiet {
        let rest: Vec<Block> = full_blocks(e, opts);
        if !rest.is_empty() {
            doc.push(Block::Collapsed {
                summary: "Full analysis: every module's history, people and files".into(),
                body: rest,
            });
        }
    }
    push_footer(&mut doc, opts);
    Some(doc)
}

/// Keeps the lines within `budget` words: short forms from the last line up, then drops
/// lines from the last up (the first line always stays).
fn fit(mut lines: Vec<Line>, budget: usize) -> Vec<Vec<Inline>> {
    let total = |ls: &[Line]| -> usize { ls.iter().map(|l| inline_words(&l.long)).sum() };
    for i in (0..lines.len()).rev() {
        if total(&lines) <= budget {
            break;
        }
        if let Some(s) = lines[i].short.take() {
            lines[i].long = s;
        }
    }
    while total(&lines) > budget && lines.len() > 1 {
        lines.pop();
    }
    lines.into_iter().map(|l| l.long).collect()
}

fn level_words(level: ConfidenceLevel) -> &'static str {
    match level {
        ConfidenceLevel::Likely => "Likely",
        ConfidenceLevel::Possible => "Possibly",
        ConfidenceLevel::Guess => "A guess",
    }
}

/// "**Likely** (86%): `jasper/runtime` — the ticket names `PageContextImpl`."
fn first_module(e: &Enrichment, top: &ModuleHit) -> Vec<Inline> {
    let c = &e.confidence;
    let mut l = vec![
        Inline::Strong(level_words(c.level).into()),
        text(format!(" ({:.0}% sure): ", c.probability * 100.0)),
        Inline::Code(name(top)),
        text(" — "),
    ];
    l.extend(with_code(&c.reason));
    l.push(text("."));
    l
}

/// "Not sure where this lands: no code is named … A guess: `a` or `b`."
fn quiet_line(e: &Enrichment) -> Vec<Inline> {
    if e.modules.is_empty() {
        return vec![text(
            "Not sure where this lands: nothing in the code matched this ticket.",
        )];
    }
    let mut l = vec![text("Not sure where this lands: ")];
    l.extend(with_code(&e.confidence.reason));
    l.push(text(". A guess: "));
    for (i, m) in e.modules.iter().take(2).enumerate() {
        if i > 0 {
            l.push(text(" or "));
        }
        l.push(Inline::Code(name(m)));
    }
    l.push(text("."));
    l
}

/// "Fragility high: changed 48 times in 6 months · knows it: Mark Thomas · last changed
/// 2026-08-11". `None` when nothing is known of its history or owners.
fn facts(m: &ModuleHit) -> Option<Line> {
    let mut parts: Vec<String> = Vec::new();
    let mut short: Vec<String> = Vec::new();
    if let Some(f) = &m.fragility {
        let level = format!("Fragility {}", f.level);
        short.push(level.clone());
        parts.push(match f.reasons.first() {
            Some(r) => format!("{level}: {r}"),
            None => level,
        });
    }
    let knows: Vec<String> = match &m.history {
        Some(h) => h
            .experts
            .iter()
            .filter(|x| !x.at_risk)
            .take(2)
            .map(|x| x.name.clone())
            .collect(),
        None => m.codeowners.iter().take(2).cloned().collect(),
    };
    if !knows.is_empty() {
        let k = format!("knows it: {}", knows.join(", "));
        parts.push(k.clone());
        short.push(format!("knows it: {}", knows[0]));
    }
    if let Some(h) = &m.history {
        let l = format!("last changed {}", date(h.last_change_ms));
        parts.push(l.clone());
        short.push(l);
    }
    if parts.is_empty() {
        return None;
    }
    let cap = |v: Vec<String>| {
        let mut s = v.join(" · ");
        if let Some(c) = s.get(..1) {
            s = c.to_uppercase() + &s[1..];
        }
        vec![text(s + ".")]
    };
    Some(Line {
        long: cap(parts),
        short: Some(cap(short)),
    })
}

/// "2 other tickets in Sprint 42 land in `catalina/connector`: TES-1, TES-7." (short: the
/// count and the module).
fn shared_plan(e: &Enrichment) -> Option<Line> {
    let p = e.shared_plan.as_ref().filter(|p| !p.keys.is_empty())?;
    let n = p.keys.len();
    let head = vec![
        text(format!(
            "{n} other ticket{} in {} land{} in ",
            if n == 1 { "" } else { "s" },
            p.scope,
            if n == 1 { "s" } else { "" }
        )),
        Inline::Code(p.module.clone()),
    ];
    let mut long = head.clone();
    long.push(text(format!(": {}.", p.keys.join(", "))));
    let mut short = head;
    short.push(text("."));
    Some(Line {
        long,
        short: Some(short),
    })
}

/// "Also possible: `a`, `b`."
fn more_modules(e: &Enrichment) -> Option<Vec<Inline>> {
    let more: Vec<&ModuleHit> = e.modules.iter().skip(1).take(2).collect();
    if more.is_empty() {
        return None;
    }
    let mut l = vec![text("Also possible: ")];
    for (i, m) in more.iter().enumerate() {
        if i > 0 {
            l.push(text(", "));
        }
        l.push(Inline::Code(name(m)));
    }
    l.push(text("."));
    Some(l)
}

/// The modules (the first and up to two more), files (up to three distinct names) and
/// precedents (up to two) the brief comment names, as live accuracy judges them against the
/// fix.
pub fn shown(e: &Enrichment) -> crate::domain::Predicted {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for f in &e.files {
        let n = file_name(&f.path);
        if names.len() < 3 && !names.contains(&n) {
            names.push(n);
            files.push((f.repository.clone(), f.path.clone()));
        }
    }
    crate::domain::Predicted {
        modules: e
            .modules
            .iter()
            .take(3)
            .map(|m| (m.repository.clone(), m.module.clone()))
            .collect(),
        files,
        precedents: e
            .precedents
            .iter()
            .take(SHOWN_PRECEDENTS)
            .map(|p| crate::domain::ShownPrecedent {
                key: p.key.clone(),
                repository: p.repository.clone(),
                files: p
                    .files
                    .iter()
                    .take(crate::domain::ShownPrecedent::MAX_FILES)
                    .cloned()
                    .collect(),
            })
            .collect(),
    }
}

/// "Files: `A.java`, `B.java`, `C.java`." — the ranking's first three.
fn files(e: &Enrichment) -> Option<Vec<Inline>> {
    let mut names: Vec<&str> = Vec::new();
    for f in &e.files {
        let n = file_name(&f.path);
        if !names.contains(&n) {
            names.push(n);
        }
        if names.len() == 3 {
            break;
        }
    }
    if names.is_empty() {
        names = e.modules[0]
            .top_files
            .iter()
            .take(3)
            .map(|f| file_name(f))
            .collect();
    }
    if names.is_empty() {
        return None;
    }
    let mut l = vec![text("Files: ")];
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            l.push(text(", "));
        }
        l.push(Inline::Code(n.to_string()));
    }
    l.push(text("."));
    Some(l)
}

/// Precedents the brief comment names.
const SHOWN_PRECEDENTS: usize = 2;

/// "Similar past work: TOM-123 Host config ignores… (fixed in 4 days), TOM-98."
fn precedents(ps: &[Precedent]) -> Option<Line> {
    let shown: Vec<&Precedent> = ps.iter().take(SHOWN_PRECEDENTS).collect();
    let first = shown.first()?;
    let took = match first.days {
        Some(d) if d < 1.0 => "fixed within a day".to_string(),
        Some(d) if d.round() as i64 == 1 => "fixed in 1 day".to_string(),
        Some(d) => format!("fixed in {} days", d.round() as i64),
        None => format!("fixed {}", date(first.fixed_ms)),
    };
    let line = |titled: bool| {
        let mut l = vec![text("Similar past work: ")];
        for (i, p) in shown.iter().enumerate() {
            if i > 0 {
                l.push(text(", "));
            }
            l.push(key(&p.key, p.url.as_ref()));
            if i == 0 {
                if titled {
                    l.push(text(format!(" {}", short_title(&p.title))));
                }
                l.push(text(format!(" ({took})")));
            }
        }
        l.push(text("."));
        l
    };
    Some(Line {
        long: line(true),
        short: Some(line(false)),
    })
}

fn likely_duplicates<'a>(e: &'a Enrichment, opts: &RenderOptions) -> Vec<&'a DuplicateCandidate> {
    e.duplicates
        .iter()
        .filter(|d| d.tier == DuplicateTier::LikelyDuplicate)
        .take(opts.max_duplicates.min(2))
        .collect()
}

/// "Likely duplicate: SHOP-12 Login fails after token refresh (91% similar, Resolved)."
fn duplicates(ds: &[&DuplicateCandidate]) -> Option<Line> {
    if ds.is_empty() {
        return None;
    }
    let line = |titled: bool| {
        let label = if ds.len() == 1 {
            "Likely duplicate: "
        } else {
            "Likely duplicates: "
        };
        let mut l = vec![text(label)];
        for (i, d) in ds.iter().enumerate() {
            if i > 0 {
                l.push(text(", "));
            }
            l.push(key(&d.key, d.url.as_ref()));
            if i == 0 && titled {
                l.push(text(format!(" {}", short_title(&d.title))));
            }
            let status = d
                .status
                .as_ref()
                .map_or(String::new(), |s| format!(", {s}"));
            l.push(text(format!(
                " ({:.0}% similar{status})",
                d.similarity * 100.0
            )));
        }
        l.push(text("."));
        l
    };
    Some(Line {
        long: line(true),
        short: Some(line(false)),
    })
}
