//! The long form of the comment: every module with its history, people and files, the
//! precedents, duplicates and hints (the brief form collapses it under its own lines).

use super::doc::{date, text, Block, Doc, Inline};
use super::{RenderOptions, WhenQuiet, FOOTER};
use crate::domain::{
    Dependents, DuplicateCandidate, DuplicateTier, Enrichment, ModuleHistory, ModuleHit,
};

/// The long form's sections without heading, link and footer: what the brief comment's
/// collapsed section holds.
pub(super) fn full_blocks(e: &Enrichment, opts: &RenderOptions) -> Vec<Block> {
    let mut doc = build_full(e, opts).unwrap_or_default();
    doc.retain(|b| !matches!(b, Block::Heading(_) | Block::Footer(_)));
    if opts.details_url.is_some() {
        doc.pop(); // the page link
    }
    doc
}

/// Today's long form (`[comments] detail = "full"`): every module with its history, people,
/// coupling and key files, then precedents, duplicates and hints.
pub(super) fn build_full(e: &Enrichment, opts: &RenderOptions) -> Option<Doc> {
    let modules: Vec<&ModuleHit> = e.modules.iter().take(opts.max_modules).collect();
    let shown = |tier: DuplicateTier| -> Vec<&DuplicateCandidate> {
        e.duplicates
            .iter()
            .filter(|d| d.tier == tier)
            .take(opts.max_duplicates)
            .collect()
    };
    let likely = shown(DuplicateTier::LikelyDuplicate);
    let related = shown(DuplicateTier::Related);
    let linked = shown(DuplicateTier::AlreadyLinked);
    let mut doc = vec![Block::Heading(vec![text(
        "TicketLens: where this ticket lands",
    )])];
    let past = super::precedents::blocks(e);
    if modules.is_empty()
        && likely.is_empty()
        && related.is_empty()
        && linked.is_empty()
        && e.precedents.is_empty()
    {
        if opts.when_quiet == WhenQuiet::Skip {
            return None;
        }
        doc.push(Block::Paragraph(vec![text(
            "No code module or earlier ticket matched this ticket confidently enough to point to.",
        )]));
        push_footer(&mut doc, opts);
        return Some(doc);
    }
    if !modules.is_empty() {
        doc.push(Block::Paragraph(vec![Inline::Strong(
            "Likely affected modules".into(),
        )]));
        doc.push(Block::List(
            modules.iter().map(|m| module_item(m, opts)).collect(),
        ));
    }
    doc.extend(past);
    for (title, list) in [
        ("Possible duplicates", &likely),
        ("Related tickets", &related),
        ("Already linked as duplicates", &linked),
    ] {
        if !list.is_empty() {
            doc.push(Block::Paragraph(vec![Inline::Strong(title.into())]));
            doc.push(Block::List(
                list.iter().map(|d| (duplicate_line(d), vec![])).collect(),
            ));
        }
    }
    if !e.estimation_hints.is_empty() {
        doc.push(Block::Paragraph(vec![Inline::Strong(
            "Estimation hint".into(),
        )]));
        doc.push(Block::List(
            e.estimation_hints
                .iter()
                .map(|h| (vec![text(h.clone())], vec![]))
                .collect(),
        ));
    }
    push_footer(&mut doc, opts);
    Some(doc)
}

/// The link to the ticket's page (when the page has a public address), then the footer.
pub(super) fn push_footer(doc: &mut Doc, opts: &RenderOptions) {
    if let Some(url) = &opts.details_url {
        doc.push(Block::Paragraph(vec![
            text("More on this ticket's code, its history and who knows it: "),
            Inline::Link {
                text: "the TicketLens page".into(),
                url: url.clone(),
            },
        ]));
    }
    doc.push(Block::Footer(FOOTER.into()));
}

/// One module, answering a PM's questions briefly: how fragile and why; how much it
/// changed, by how many people; who knows it (and whether that knowledge is gone); when it
/// last changed and was last fixed; how old it is; what changes with it; its key files.
/// Dates are absolute, so the comment only changes when the facts do.
fn module_item(m: &ModuleHit, opts: &RenderOptions) -> (Vec<Inline>, Vec<Vec<Inline>>) {
    let name = if m.name.is_empty() {
        &m.module
    } else {
        &m.name
    };
    let mut line = vec![Inline::Code(name.clone())];
    match &m.fragility {
        Some(f) => {
            line.push(text(" — fragility "));
            line.push(Inline::Strong(f.level.clone()));
            line.push(text(format!(" ({:.0}/100 in this repository)", f.score)));
            if !f.reasons.is_empty() {
                line.push(text(format!(": {}", f.reasons.join("; "))));
            }
        }
        None => line.push(text(" — no history mined for it yet")),
    }
    let mut nested = Vec::new();
    if let Some(h) = &m.history {
        nested.extend(history_lines(h));
    } else if !m.owners.is_empty() && m.codeowners.is_empty() {
        nested.push(vec![text(format!("Owners: {}", m.owners.join(", ")))]);
    }
    if !m.codeowners.is_empty() {
        nested.push(vec![text(format!(
            "CODEOWNERS: {}",
            m.codeowners.join(", ")
        ))]);
    }
    if let Some(c) = m.history.as_ref().and_then(|h| h.coupled.first()) {
        // below one change in ten, changing together is chance, not a hint
        if c.share >= 0.1 {
            let how = match c.share {
                s if s >= 0.5 => "Usually",
                s if s >= 0.25 => "Often",
                _ => "Sometimes",
            };
            nested.push(vec![
                text(format!("{how} changes with ")),
                Inline::Code(c.name.clone()),
                text(format!(" ({:.0}% of its changes)", c.share * 100.0)),
            ]);
        }
    }
    if let Some(l) = used_by_line(m, true) {
        nested.push(l);
    }
    let files: Vec<(usize, &String)> = m
        .top_files
        .iter()
        .enumerate()
        .take(opts.files_per_module)
        .collect();
    if !files.is_empty() {
        let mut l = vec![text("Key files: ")];
        for (i, (j, f)) in files.iter().enumerate() {
            if i > 0 {
                l.push(text(", "));
            }
            l.push(Inline::Code(file_name(f).to_string()));
            if let Some(Some(h)) = m.top_files_history.get(*j) {
                l.push(text(format!(
                    " ({}, last {})",
                    activity(h.commits, h.fixes, h.window_days),
                    date(h.last_change_ms)
                )));
            }
        }
        nested.push(l);
    }
    (line, nested)
}

/// A module's history in lines: activity and dates, who knows it, whose knowledge is gone.
fn history_lines(h: &ModuleHistory) -> Vec<Vec<Inline>> {
    let mut nested = Vec::new();
    let mut l = format!("History: {}", activity(h.commits, h.fixes, h.window_days));
    if h.commits > 0 {
        l += &format!(", by {}", plural(h.authors, "person", "people"));
    }
    l += &format!("; last changed {}", date(h.last_change_ms));
    match h.last_fix_ms {
        Some(t) => l += &format!(", last fix {}", date(t)),
        None => l += ", no fix on record",
    }
    if h.older_than_history {
        let year: String = date(h.history_start_ms).chars().take(4).collect();
        l += &format!("; older than the history ({year})");
    } else {
        l += &format!("; in the code since {}", date(h.first_change_ms));
    }
    nested.push(vec![text(l)]);
    let (active, gone): (Vec<_>, Vec<_>) = h.experts.iter().partition(|x| !x.at_risk);
    if !active.is_empty() {
        let names: Vec<String> = active
            .iter()
            .map(|x| format!("{} ({:.0}% of recent changes)", x.name, x.share * 100.0))
            .collect();
        nested.push(vec![text(format!("Who knows it: {}", names.join(", ")))]);
    }
    if !gone.is_empty() {
        let names: Vec<String> = gone
            .iter()
            .map(|x| {
                format!(
                    "{} made {:.0}% of its changes, none since {}",
                    x.name,
                    x.share * 100.0,
                    date(x.last_commit_ms)
                )
            })
            .collect();
        nested.push(vec![text(format!(
            "Knowledge at risk: {}",
            names.join("; ")
        ))]);
    }
    nested
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// "48 changes and 16 fixes in 6 months", or "quiet for 6 months".
fn activity(commits: u32, fixes: u32, window_days: i64) -> String {
    let span = period(window_days);
    if commits == 0 {
        return format!("quiet for {span}");
    }
    format!(
        "{} and {} in {span}",
        plural(commits, "change", "changes"),
        plural(fixes, "fix", "fixes")
    )
}

fn plural(n: u32, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// `180` → "6 months"; `365` → "12 months"; `30` → "30 days".
fn period(days: i64) -> String {
    if days >= 60 {
        format!("{} months", (days as f64 / 30.4).round())
    } else {
        format!("{days} days")
    }
}

fn duplicate_line(d: &DuplicateCandidate) -> Vec<Inline> {
    let key = match &d.url {
        Some(url) => Inline::Link {
            text: d.key.clone(),
            url: url.clone(),
        },
        None => Inline::Strong(d.key.clone()),
    };
    let mut line = vec![
        key,
        text(format!(
            " {} — {:.0}% similar",
            d.title,
            d.similarity * 100.0
        )),
    ];
    if let Some(status) = &d.status {
        line.push(text(format!(", {status}")));
    }
    if !d.shared_terms.is_empty() {
        let terms: Vec<&str> = d.shared_terms.iter().take(4).map(String::as_str).collect();
        line.push(text(format!(" (shared: {})", terms.join(", "))));
    }
    line
}

/// "`catalina/session` is used by 14 modules (120 files); changes here reach `catalina/ha`,
/// `catalina/manager` and `catalina/core`." (without the reach when `reach` is false), from
/// the code's own imports; `None` unless enough modules use it to be worth saying.
pub fn used_by_line(m: &ModuleHit, reach: bool) -> Option<Vec<Inline>> {
    let d = m
        .dependents
        .as_ref()
        .filter(|d| d.used_by >= Dependents::WORTH_SAYING)?;
    let mut l = vec![
        Inline::Code(m.name.clone()),
        text(format!(
            " is used by {} modules ({} files)",
            d.used_by, d.files
        )),
    ];
    if reach && !d.reach.is_empty() {
        l.push(text("; changes here reach "));
        for (i, r) in d.reach.iter().enumerate() {
            if i > 0 {
                l.push(text(if i + 1 == d.reach.len() {
                    " and "
                } else {
                    ", "
                }));
            }
            l.push(Inline::Code(r.clone()));
        }
    }
    l.push(text("."));
    Some(l)
}
