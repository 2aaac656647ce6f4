//! The comment's "Similar past work": the closest precedents (what each took, what its fix
//! touched) and the footprint of their fixes as ranges — never a point estimate of days.

use super::doc::{date, Block, Inline};
use crate::domain::{Enrichment, Footprint, Precedent};

/// Precedents shown in the comment.
pub const SHOWN: usize = 3;
/// Files named per precedent.
const FILES_NAMED: usize = 3;

/// The section's blocks: the precedents, else why there are none (when the analysis says),
/// else nothing.
pub fn blocks(e: &Enrichment) -> Vec<Block> {
    if e.precedents.is_empty() {
        return e
            .no_precedents
            .iter()
            .map(|why| {
                Block::Paragraph(vec![
                    Inline::Strong("Similar past work".into()),
                    Inline::Text(format!(": none shown, because {why}.")),
                ])
            })
            .collect();
    }
    let mut out = vec![Block::Paragraph(vec![Inline::Strong(
        "Similar past work".into(),
    )])];
    out.push(Block::List(
        e.precedents
            .iter()
            .take(SHOWN)
            .map(|p| (line(p), vec![]))
            .collect(),
    ));
    if let Some(f) = &e.footprint {
        out.push(Block::Paragraph(vec![Inline::Text(footprint(f))]));
    }
    out
}

/// "TOM-123 Host config ignored — fixed in 4 days, touched `HostConfig.java`, `ContextConfig.java`"
fn line(p: &Precedent) -> Vec<Inline> {
    let key = match &p.url {
        Some(url) => Inline::Link {
            text: p.key.clone(),
            url: url.clone(),
        },
        None => Inline::Strong(p.key.clone()),
    };
    let mut l = vec![key, Inline::Text(format!(" {}", p.title))];
    let took = match p.days {
        Some(d) if d < 1.0 => " — fixed within a day".to_string(),
        Some(d) => format!(" — fixed in {}", days(d)),
        None => format!(" — fixed {}", date(p.fixed_ms)),
    };
    l.push(Inline::Text(took));
    if !p.files.is_empty() {
        l.push(Inline::Text(", touched ".into()));
        for (i, f) in p.files.iter().take(FILES_NAMED).enumerate() {
            if i > 0 {
                l.push(Inline::Text(", ".into()));
            }
            l.push(Inline::Code(f.rsplit('/').next().unwrap_or(f).to_string()));
        }
        if p.files.len() > FILES_NAMED {
            l.push(Inline::Text(format!(
                " and {} more",
                p.files.len() - FILES_NAMED
            )));
        }
    }
    l
}

fn days(d: f32) -> String {
    match d.round() as i64 {
        1 => "1 day".into(),
        n => format!("{n} days"),
    }
}

fn range(min: u32, max: u32, one: &str, many: &str) -> String {
    let unit = if max == 1 { one } else { many };
    if min == max {
        format!("{min} {unit}")
    } else {
        format!("{min}–{max} {unit}")
    }
}

/// "Similar fixes touched 2–5 files in 1–2 modules."
pub fn footprint(f: &Footprint) -> String {
    let who = if f.precedents == 1 {
        "The similar fix"
    } else {
        "Similar fixes"
    };
    format!(
        "{who} touched {} in {}.",
        range(f.files_min, f.files_max, "file", "files"),
        range(f.modules_min, f.modules_max, "module", "modules")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::markdown;

    #[test]
    fn past_work_names_what_each_fix_took_and_touched_and_the_size_as_a_range() {
        let p = |key: &str, days: f32, files: &[&str], modules: &[&str]| Precedent {
            key: key.into(),
            title: "Host config ignored".into(),
            similarity: 0.87,
            days: Some(days),
            files: files.iter().map(|s| s.to_string()).collect(),
            modules: modules.iter().map(|s| s.to_string()).collect(),
            ..Precedent::default()
        };
        let precedents = vec![
            p(
                "TOM-123",
                4.2,
                &["startup/HostConfig.java", "startup/ContextConfig.java"],
                &["startup"],
            ),
            p(
                "TOM-77",
                30.0,
                &["a/A.java", "a/B.java", "b/C.java", "b/D.java", "c/E.java"],
                &["a", "b"],
            ),
        ];
        let e = Enrichment {
            footprint: Footprint::of(&precedents),
            precedents,
            ..Enrichment::default()
        };
        let md = markdown::render(&blocks(&e));
        assert!(
            md.contains("**TOM-123** Host config ignored — fixed in 4 days, touched `HostConfig.java`, `ContextConfig.java`"),
            "{md}"
        );
        assert!(
            md.contains("touched `A.java`, `B.java`, `C.java` and 2 more"),
            "{md}"
        );
        assert!(
            md.contains("Similar fixes touched 2–5 files in 1–2 modules."),
            "{md}"
        );
        assert!(blocks(&Enrichment::default()).is_empty());
    }
}
