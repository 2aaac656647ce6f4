//! What ranking a ticket's files works with, shared by the lexical ranking (`rank`) and
//! the team's-past evidence (`precedent`): the weights of the signals, the history a
//! snapshot may see, and a candidate file with its evidence. Its own file so the two do not
//! import each other.

use super::fileindex::{FieldBoosts, RawHit};
use super::history::History;
use super::vocab::Vocabulary;
use std::collections::HashMap;

/// Weights of the signals. Generic defaults, the same for every repository.
#[derive(Debug, Clone)]
pub struct Params {
    /// BM25 multipliers of `name, dirs, defs, idents, comments, body, docs` (`docs`: the
    /// words of the README or package doc beside the file, `nearbydocs`).
    pub boosts: FieldBoosts,
    /// Query terms kept, by weight × idf.
    pub max_terms: usize,
    /// Lexical hits considered.
    pub candidates: usize,
    /// Exponent of the length prior (0 disables it).
    pub length: f32,
    pub history: f32,
    pub recency: f32,
    pub path: f32,
    pub frame: f32,
    pub qualified: f32,
    pub name: f32,
    /// Files fixed for similar earlier tickets (precedents).
    pub precedent: f32,
    /// Files that usually change with the strongest candidates.
    pub coupling: f32,
    /// Words of the commit messages that changed a file (`vocab`).
    pub commit_words: f32,
    /// Words of the past tickets whose fixes changed a file (`vocab`).
    pub ticket_words: f32,
    /// Multiplier of test files' scores (tickets describe behaviour; fixes land in code).
    pub test: f32,
    /// How far a word the repository only uses in prose (comments) is discounted: its
    /// weight × (1 − prose × (1 − its code share)); 0 disables. Learned per repository from
    /// the index, not from a word list.
    pub prose: f32,
    /// Files that import or are imported by the strongest candidates (structural
    /// neighbours, `neighbours.rs`); 0 (the default) leaves them out.
    pub neighbours: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            boosts: [2.0, 0.5, 1.5, 1.0, 0.5, 1.0, 0.0],
            max_terms: 40,
            candidates: 300,
            length: 1.0,
            history: 0.3,
            recency: 0.15,
            path: 1.0,
            frame: 0.8,
            qualified: 0.6,
            name: 0.4,
            precedent: 0.3,
            coupling: 0.15,
            commit_words: 0.5,
            ticket_words: 0.5,
            test: 0.7,
            prose: 0.0,
            neighbours: 0.0,
        }
    }
}

impl Params {
    /// Where `boosts` weighs the docs beside a file.
    pub const DOCS: usize = super::fileindex::DOCS_FIELD;

    /// Sets one weight by name (`history=0.5`, `boost.name=3`): for experiments.
    pub fn set(&mut self, assignment: &str) -> anyhow::Result<()> {
        let (k, v) = assignment
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("expected key=value, got {assignment}"))?;
        let v: f32 = v.trim().parse()?;
        let fields = super::fileindex::TEXT_FIELDS;
        match k.trim() {
            "max_terms" => self.max_terms = v as usize,
            "candidates" => self.candidates = v as usize,
            "length" => self.length = v,
            "history" => self.history = v,
            "recency" => self.recency = v,
            "path" => self.path = v,
            "frame" => self.frame = v,
            "qualified" => self.qualified = v,
            "name" => self.name = v,
            "precedent" => self.precedent = v,
            "coupling" => self.coupling = v,
            "commit_words" => self.commit_words = v,
            "ticket_words" => self.ticket_words = v,
            "test" => self.test = v,
            "prose" => self.prose = v,
            "neighbours" => self.neighbours = v,
            other => match other
                .strip_prefix("boost.")
                .and_then(|f| fields.iter().position(|x| *x == f))
            {
                Some(i) => self.boosts[i] = v,
                None => anyhow::bail!("unknown parameter {other}"),
            },
        }
        Ok(())
    }

    /// Plain BM25 over file contents: the published baseline.
    pub fn baseline() -> Params {
        Params {
            boosts: [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],
            max_terms: usize::MAX,
            length: 0.0,
            history: 0.0,
            recency: 0.0,
            path: 0.0,
            frame: 0.0,
            qualified: 0.0,
            name: 0.0,
            precedent: 0.0,
            coupling: 0.0,
            commit_words: 0.0,
            ticket_words: 0.0,
            test: 1.0,
            prose: 0.0,
            ..Params::default()
        }
    }
}

/// History restricted to what a snapshot may see.
pub struct HistoryView<'a> {
    pub history: &'a History,
    pub mask: Option<&'a [bool]>,
    /// Recency per path, precomputed for the snapshot.
    pub recency: &'a HashMap<String, f32>,
    /// The commit messages' words per file, for the snapshot's time.
    pub words: &'a Vocabulary,
    /// Past tickets with the files their fixes changed, when there are any.
    pub tickets: Option<TeamTexts<'a>>,
}

/// Texts that describe files (past tickets), restricted to what a ticket may see.
pub struct TeamTexts<'a> {
    pub history: &'a History,
    pub mask: &'a [bool],
    pub words: &'a Vocabulary,
}

/// A file being ranked: its lexical score, the evidence added to it, and why.
#[derive(Default)]
pub struct Cand {
    pub lex: f32,
    pub bonus: f32,
    pub(super) hit: Option<RawHit>,
    pub reasons: Vec<String>,
}

/// The `n` strongest candidates by `score` (ties by path) and the best score; `None` when
/// none scores above 0. The seeds that coupling and structural neighbours spread from.
pub fn seeds<'a>(
    cands: &HashMap<&'a str, Cand>,
    score: impl Fn(&str, &Cand) -> f32,
    n: usize,
) -> Option<(Vec<(&'a str, f32)>, f32)> {
    let mut seeds: Vec<(&'a str, f32)> = cands.iter().map(|(k, c)| (*k, score(k, c))).collect();
    seeds.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    seeds.truncate(n);
    let best = seeds.first().map(|s| s.1).filter(|b| *b > 0.0)?;
    Some((seeds, best))
}

/// Adds each `(path, gain, reason)` to its candidate; the reason is shown from
/// `min_for_reason` on, once.
pub fn add_gains<'a>(
    cands: &mut HashMap<&'a str, Cand>,
    gains: Vec<(&'a str, f32, String)>,
    min_for_reason: f32,
) {
    for (path, gain, reason) in gains {
        let c = cands.entry(path).or_default();
        c.bonus += gain;
        if gain >= min_for_reason && !c.reasons.contains(&reason) {
            c.reasons.push(reason);
        }
    }
}
