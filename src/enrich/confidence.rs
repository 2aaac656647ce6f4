//! How sure an analysis is: the probability that its first module is one the work will
//! touch, from the evidence the ranking used — the ticket names a path, a class or a stack
//! frame there; only words matched; similar earlier tickets were fixed there; how far the
//! first module is ahead of the next — mapped by a small logistic model whose coefficients
//! were fitted on part of the shared localization datasets (see `COEFFICIENTS`).

use crate::domain::{Confidence, ConfidenceLevel, Enrichment, FileHit, ModuleHit};

/// Names of the features, in model order (the intercept first).
pub const FEATURES: [&str; 9] = [
    "intercept",
    "named_here",
    "name_like_here",
    "named_elsewhere",
    "precedents_agree",
    "margin",
    "dominance",
    "similar_commit_here",
    "module_size",
];

/// The fitted model, in `FEATURES` order. Produced by (dumps of the localization
/// evaluation, `eval localization --dump`, over the AspectJ and LSST pipe_tasks records):
///
/// ```sh
/// ticketlens eval confidence /tmp/conf/aspectj.jsonl /tmp/conf/lsst-pipe_tasks.jsonl --fit
/// ```
///
/// alloy, spring-xd, evergreen and SWE-bench Lite are never seen by the fit: the mapping is
/// reported on them.
pub const COEFFICIENTS: [f32; 9] = [
    -0.858, 0.527, 1.075, -1.995, 2.008, 2.189, 0.583, 0.424, -1.131,
];

/// At or above: `likely`. The fit's threshold: the lowest probability above which the first
/// module was right at least 88% of the time on the fitted records (0.732).
pub const LIKELY: f32 = 0.73;
/// At or above (and below `LIKELY`): `possible`; below it, a `guess` — the quiet floor.
pub const POSSIBLE: f32 = 0.4;

/// What the ranking's evidence says of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Evidence {
    /// The ticket wrote the path, a qualified class or a stack frame of this file.
    Named(String),
    /// The file is named like an identifier of the ticket.
    NameLike(String),
    /// A similar earlier ticket was fixed in it.
    Precedent(String),
    SimilarCommit,
    Other,
}

/// Reads one of the ranker's reasons (`codeindex::rank`, `codeindex::precedent`).
fn evidence(reason: &str) -> Evidence {
    let quoted = || {
        reason
            .split('`')
            .nth(1)
            .map(|s| s.to_string())
            .unwrap_or_default()
    };
    if reason.starts_with("path `") && reason.ends_with("named in the ticket") {
        let q = quoted();
        Evidence::Named(q.rsplit('/').next().unwrap_or(&q).to_string())
    } else if reason.starts_with('`') && reason.ends_with("named in the ticket") {
        let q = quoted();
        Evidence::Named(q.rsplit('.').next().unwrap_or(&q).to_string())
    } else if reason.starts_with("in the stack trace") {
        Evidence::Named(String::new())
    } else if reason.starts_with("file named like `") {
        Evidence::NameLike(quoted())
    } else if let Some(rest) = reason.strip_prefix("fixed for ") {
        Evidence::Precedent(rest.split(',').next().unwrap_or(rest).to_string())
    } else if reason.starts_with("changed by a similar commit") {
        Evidence::SimilarCommit
    } else {
        Evidence::Other
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn in_module<'a>(e: &'a Enrichment, m: &'a ModuleHit) -> impl Iterator<Item = &'a FileHit> {
    e.files
        .iter()
        .filter(move |f| f.module == m.module && f.repository == m.repository)
}

/// The features of an analysis, in `FEATURES` order; `None` when it found no module.
pub fn features(e: &Enrichment) -> Option<[f32; 9]> {
    let top = e.modules.first()?;
    let here: Vec<Evidence> = in_module(e, top)
        .flat_map(|f| f.reasons.iter().map(|r| evidence(r)))
        .collect();
    let named_here = here.iter().any(|x| matches!(x, Evidence::Named(_)));
    let name_like = here.iter().any(|x| matches!(x, Evidence::NameLike(_)));
    let named_elsewhere = !named_here
        && e.files.iter().any(|f| {
            f.module != top.module
                && f.reasons
                    .iter()
                    .any(|r| matches!(evidence(r), Evidence::Named(_)))
        });
    let similar_commit = here.iter().any(|x| matches!(x, Evidence::SimilarCommit));
    let (mut agree, mut total) = (0.0f32, 0.0f32);
    for p in e.precedents.iter().take(10) {
        let s = p.similarity.max(0.0);
        total += s;
        if p.modules.contains(&top.module) {
            agree += s;
        }
    }
    let precedents = if total > 0.0 { agree / total } else { 0.0 };
    let s1 = top.score.max(1e-6);
    let s2 = e.modules.get(1).map_or(0.0, |m| m.score);
    let margin = ((s1 - s2) / s1).clamp(0.0, 1.0);
    let sum: f32 = e.modules.iter().map(|m| m.score.max(0.0)).sum();
    let dominance = (s1 / sum.max(1e-6)).clamp(0.0, 1.0);
    let size = (1.0 + top.files as f32).ln() / 5.0;
    let b = |x: bool| f32::from(u8::from(x));
    Some([
        1.0,
        b(named_here),
        b(name_like && !named_here),
        b(named_elsewhere),
        precedents,
        margin,
        dominance,
        b(similar_commit),
        size,
    ])
}

/// The model's probability for a feature vector.
pub fn probability(x: &[f32; 9], w: &[f32; 9]) -> f32 {
    let z: f32 = x.iter().zip(w).map(|(a, b)| a * b).sum();
    1.0 / (1.0 + (-z).exp())
}

pub fn level_of(p: f32) -> ConfidenceLevel {
    if p >= LIKELY {
        ConfidenceLevel::Likely
    } else if p >= POSSIBLE {
        ConfidenceLevel::Possible
    } else {
        ConfidenceLevel::Guess
    }
}

/// The analysis' confidence with its reason in one line.
pub fn assess(e: &Enrichment) -> Confidence {
    let Some(x) = features(e) else {
        return Confidence {
            level: ConfidenceLevel::Guess,
            probability: 0.0,
            reason: "nothing in the code matched the ticket".into(),
        };
    };
    let probability = probability(&x, &COEFFICIENTS);
    Confidence {
        level: level_of(probability),
        probability,
        reason: reason(e, &x),
    }
}

/// The strongest evidence for the first module, in words.
fn reason(e: &Enrichment, x: &[f32; 9]) -> String {
    let top = &e.modules[0];
    let files: Vec<&FileHit> = in_module(e, top).collect();
    let find = |want: fn(&Evidence) -> Option<String>| {
        files
            .iter()
            .flat_map(|f| f.reasons.iter().map(move |r| (f, evidence(r))))
            .find_map(|(f, ev)| want(&ev).map(|s| (f.path.clone(), s)))
    };
    if let Some((path, named)) = find(|ev| match ev {
        Evidence::Named(n) => Some(n.clone()),
        _ => None,
    }) {
        let named = if named.is_empty() {
            return format!(
                "the ticket's stack trace runs through `{}`",
                file_name(&path)
            );
        } else {
            named
        };
        return format!("the ticket names `{named}`");
    }
    if let Some((path, ident)) = find(|ev| match ev {
        Evidence::NameLike(n) => Some(n.clone()),
        _ => None,
    }) {
        return format!(
            "the ticket's `{ident}` matches the file `{}`",
            file_name(&path)
        );
    }
    if x[4] >= 0.5 {
        let keys: Vec<&str> = e
            .precedents
            .iter()
            .filter(|p| p.modules.contains(&top.module))
            .take(2)
            .map(|p| p.key.as_str())
            .collect();
        return format!("similar past tickets ({}) were fixed here", keys.join(", "));
    }
    let words: Vec<String> = top
        .matched_terms
        .iter()
        .take(3)
        .map(|t| format!("`{t}`"))
        .collect();
    let mut r = if words.is_empty() {
        "no code is named; only the team's history points here".to_string()
    } else {
        format!("no code is named; only words match ({})", words.join(", "))
    };
    if x[3] > 0.0 {
        r += "; the code the ticket names is elsewhere";
    } else if x[5] < 0.2 && e.modules.len() > 1 {
        r += "; the next module is close behind";
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Precedent;

    fn module(name: &str, score: f32) -> ModuleHit {
        ModuleHit {
            repository: "r".into(),
            module: name.into(),
            name: name.into(),
            files: 20,
            score,
            matched_terms: vec!["session".into(), "cookie".into()],
            ..ModuleHit::default()
        }
    }

    fn file(module: &str, path: &str, reasons: &[&str]) -> FileHit {
        FileHit {
            repository: "r".into(),
            path: path.into(),
            module: module.into(),
            score: 1.0,
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
            ..FileHit::default()
        }
    }

    #[test]
    fn a_ticket_naming_a_class_is_surer_than_one_matching_words() {
        let named = Enrichment {
            modules: vec![module("jasper/runtime", 2.0), module("catalina/core", 0.5)],
            files: vec![file(
                "jasper/runtime",
                "java/org/apache/jasper/runtime/PageContextImpl.java",
                &["`org.apache.jasper.runtime.PageContextImpl` named in the ticket"],
            )],
            ..Enrichment::default()
        };
        let words = Enrichment {
            modules: vec![module("catalina/core", 1.0), module("coyote", 0.95)],
            files: vec![file("catalina/core", "java/a/B.java", &[])],
            ..Enrichment::default()
        };
        let (a, b) = (assess(&named), assess(&words));
        assert!(a.probability > b.probability, "{a:?} {b:?}");
        assert_eq!(a.reason, "the ticket names `PageContextImpl`");
        assert!(b.reason.starts_with("no code is named"), "{}", b.reason);
        assert!(b.reason.ends_with("the next module is close behind"));
        assert_eq!(b.level, ConfidenceLevel::Guess);
    }

    #[test]
    fn precedents_fixed_in_the_first_module_raise_it_and_are_named() {
        let mut e = Enrichment {
            modules: vec![module("m", 1.0), module("n", 0.9)],
            files: vec![file("m", "m/a.rs", &[])],
            ..Enrichment::default()
        };
        let before = assess(&e);
        e.precedents = vec![Precedent {
            key: "T-1".into(),
            similarity: 0.6,
            modules: vec!["m".into()],
            ..Precedent::default()
        }];
        let after = assess(&e);
        assert!(after.probability > before.probability);
        assert_eq!(after.reason, "similar past tickets (T-1) were fixed here");
    }

    #[test]
    fn no_module_is_a_guess_at_zero() {
        let c = assess(&Enrichment::default());
        assert_eq!((c.level, c.probability), (ConfidenceLevel::Guess, 0.0));
    }
}
