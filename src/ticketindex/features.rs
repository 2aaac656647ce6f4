//! Query–candidate evidence as numbers in [0, 1]: TF-IDF cosines over text and titles,
//! the cross title/text match, shared code evidence, and the first-stage BM25 share.

use super::text::{analyze, term_counts, with_identifier_parts};
// Fx hashing: these maps are probed tens of thousands of times per search.
use rustc_hash::FxHashMap as HashMap;
use tantivy::tokenizer::TextAnalyzer;

/// Number of features.
pub const N_FEATURES: usize = 7;
/// Feature names, in vector order (for reports and fitted models).
pub const FEATURE_NAMES: [&str; N_FEATURES] = [
    "cos_text",
    "cos_title",
    "cos_cross",
    "code_overlap",
    "bm25_share",
    "title_bigrams",
    "recency",
];

/// The evidence for one query–candidate pair.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Features(pub [f32; N_FEATURES]);

/// A ticket's text as the features read it.
pub struct Analyzed {
    pub title: HashMap<String, f32>,
    pub text: HashMap<String, f32>,
    pub code: Vec<String>,
    pub title_bigrams: Vec<(String, String)>,
}

impl Analyzed {
    /// Roughly the heap bytes this holds (strings, map and vector slots), for reports.
    pub fn heap_bytes(&self) -> usize {
        let s = std::mem::size_of::<String>();
        let bag = |m: &HashMap<String, f32>| {
            m.capacity() * (s + 4 + 1) + m.keys().map(String::capacity).sum::<usize>()
        };
        bag(&self.title)
            + bag(&self.text)
            + self.code.iter().map(|c| s + c.capacity()).sum::<usize>()
            + self
                .title_bigrams
                .iter()
                .map(|(a, b)| 2 * s + a.capacity() + b.capacity())
                .sum::<usize>()
    }

    /// Analyzes a title and a boilerplate-free body.
    pub fn new(
        analyzer: &mut TextAnalyzer,
        title: &str,
        clean_body: &str,
        code: Vec<String>,
    ) -> Self {
        let title_terms = analyze(analyzer, &with_identifier_parts(title));
        let text_terms = analyze(
            analyzer,
            &with_identifier_parts(&format!("{title}\n{clean_body}")),
        );
        let title_bigrams = analyze(analyzer, title)
            .windows(2)
            .map(|w| (w[0].clone(), w[1].clone()))
            .collect();
        Analyzed {
            title: term_counts(&title_terms),
            text: term_counts(&text_terms),
            code,
            title_bigrams,
        }
    }
}

/// Inverse document frequencies, looked up once per term and query. One `Idf` serves one
/// query: it also keeps that query's vector norms.
pub struct Idf<'a> {
    lookup: Box<dyn FnMut(&str) -> u64 + 'a>,
    n: f32,
    memo: HashMap<String, f32>,
    query_norms: Option<(f32, f32)>,
}

impl<'a> Idf<'a> {
    pub fn new(n: u64, lookup: impl FnMut(&str) -> u64 + 'a) -> Self {
        Idf {
            lookup: Box::new(lookup),
            n: n.max(1) as f32,
            memo: HashMap::default(),
            query_norms: None,
        }
    }

    /// BM25's IDF, never negative; unknown terms weigh as if seen once.
    pub fn get(&mut self, term: &str) -> f32 {
        if let Some(v) = self.memo.get(term) {
            return *v;
        }
        let df = ((self.lookup)(term) as f32).max(1.0);
        let v = (1.0 + (self.n - df + 0.5) / (df + 0.5)).ln();
        self.memo.insert(term.to_string(), v);
        v
    }

    /// The norms of the query's text and title vectors, computed once.
    fn query_norms(&mut self, q: &Analyzed) -> (f32, f32) {
        if let Some(n) = self.query_norms {
            return n;
        }
        let n = (norm(&q.text, self), norm(&q.title, self));
        self.query_norms = Some(n);
        n
    }
}

fn weight(tf: f32, idf: f32) -> f32 {
    (1.0 + tf.ln()) * idf
}

/// The length of a bag of terms as a log-TF × IDF vector.
fn norm(a: &HashMap<String, f32>, idf: &mut Idf) -> f32 {
    a.iter()
        .map(|(t, tf)| weight(*tf, idf.get(t)).powi(2))
        .sum::<f32>()
        .sqrt()
}

/// The dot product of two bags as log-TF × IDF vectors (walks the smaller one).
fn dot(a: &HashMap<String, f32>, b: &HashMap<String, f32>, idf: &mut Idf) -> f32 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut d = 0.0;
    for (t, ts) in small {
        if let Some(tl) = large.get(t) {
            let i = idf.get(t);
            d += weight(*ts, i) * weight(*tl, i);
        }
    }
    d
}

fn cos(dot: f32, na: f32, nb: f32) -> f32 {
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        (dot / (na * nb)).clamp(0.0, 1.0)
    }
}

/// Log-TF × IDF cosine of two bags of terms.
#[cfg(test)]
pub fn cosine(a: &HashMap<String, f32>, b: &HashMap<String, f32>, idf: &mut Idf) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let d = dot(a, b, idf);
    cos(d, norm(a, idf), norm(b, idf))
}

/// Computes the features of a candidate for a query. `bm25_share` is the candidate's
/// first-stage score over the best first-stage score of the query; `days_apart` the time
/// between their creation, when both are known.
pub fn features(
    q: &Analyzed,
    c: &Analyzed,
    bm25_share: f32,
    days_apart: Option<f32>,
    idf: &mut Idf,
    code_idf: &mut Idf,
) -> Features {
    // each vector's norm once: the query's once per query, the candidate's once per call
    let (q_text, q_title) = idf.query_norms(q);
    let (c_text, c_title) = (norm(&c.text, idf), norm(&c.title, idf));
    let cos_text = cos(dot(&q.text, &c.text, idf), q_text, c_text);
    let cos_title = cos(dot(&q.title, &c.title, idf), q_title, c_title);
    let cross = cos(dot(&q.title, &c.text, idf), q_title, c_text).max(cos(
        dot(&c.title, &q.text, idf),
        c_title,
        q_text,
    ));
    let code = code_overlap(&q.code, &c.code, code_idf);
    let bigrams = if q.title_bigrams.is_empty() {
        0.0
    } else {
        let theirs: rustc_hash::FxHashSet<&(String, String)> = c.title_bigrams.iter().collect();
        let shared = q
            .title_bigrams
            .iter()
            .filter(|b| theirs.contains(b))
            .count();
        shared as f32 / q.title_bigrams.len().min(c.title_bigrams.len()).max(1) as f32
    };
    Features([
        cos_text,
        cos_title,
        cross,
        code,
        bm25_share.clamp(0.0, 1.0),
        bigrams.clamp(0.0, 1.0),
        // duplicates tend to be filed close together; a month apart halves it
        days_apart.map_or(0.0, |d| 1.0 / (1.0 + d.abs() / 30.0)),
    ])
}

/// IDF-weighted share of the smaller side's code evidence found on the other side.
fn code_overlap(a: &[String], b: &[String], idf: &mut Idf) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mass = |v: &[String], idf: &mut Idf| v.iter().map(|t| idf.get(t)).sum::<f32>();
    let theirs: rustc_hash::FxHashSet<&String> = b.iter().collect();
    let shared: f32 = a
        .iter()
        .filter(|t| theirs.contains(t))
        .map(|t| idf.get(t))
        .sum();
    let smaller = mass(a, idf).min(mass(b, idf));
    if smaller <= 0.0 {
        0.0
    } else {
        (shared / smaller).clamp(0.0, 1.0)
    }
}

/// Maps each stem of a text back to the first word that produced it, for explanations.
pub fn surface_forms(analyzer: &mut TextAnalyzer, text: &str) -> HashMap<String, String> {
    let mut map = HashMap::default();
    let mut seen = std::collections::HashSet::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
    {
        let lower = word.to_lowercase();
        if !seen.insert(lower.clone()) {
            continue;
        }
        for stem in analyze(analyzer, &lower) {
            map.entry(stem).or_insert_with(|| lower.clone());
        }
    }
    map
}

/// The query's terms shared with a candidate, strongest first, as the query wrote them.
pub fn shared_terms(
    q: &Analyzed,
    c: &Analyzed,
    idf: &mut Idf,
    surface: &HashMap<String, String>,
    max: usize,
) -> Vec<String> {
    let mut shared: Vec<(f32, &String)> = q
        .text
        .keys()
        .filter(|t| {
            c.text.contains_key(*t) && t.len() > 2 && !t.chars().all(|c| c.is_ascii_digit())
        })
        .map(|t| (idf.get(t), t))
        .collect();
    shared.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let mut out: Vec<String> = q
        .code
        .iter()
        .filter(|t| c.code.contains(t))
        .take(2)
        .cloned()
        .collect();
    for (_, t) in shared {
        if out.len() >= max {
            break;
        }
        let word = surface.get(t).unwrap_or(t);
        if !out.iter().any(|o| o == word || o.contains(word.as_str())) {
            out.push(word.clone());
        }
    }
    out.truncate(max);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bag(words: &[&str]) -> HashMap<String, f32> {
        term_counts(&words.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn cosine_is_one_for_the_same_bag_and_zero_for_disjoint_ones() {
        let mut idf = Idf::new(100, |_| 3);
        let a = bag(&["namenod", "crash", "crash"]);
        assert!((cosine(&a, &a, &mut idf) - 1.0).abs() < 1e-5);
        assert_eq!(cosine(&a, &bag(&["yarn"]), &mut idf), 0.0);
    }

    #[test]
    fn rare_shared_terms_weigh_more_than_common_ones() {
        let mut idf = Idf::new(1000, |t| if t == "rare" { 2 } else { 500 });
        let q = bag(&["rare", "common"]);
        let with_rare = cosine(&q, &bag(&["rare", "other"]), &mut idf);
        let with_common = cosine(&q, &bag(&["common", "other"]), &mut idf);
        assert!(with_rare > with_common, "{with_rare} {with_common}");
    }
}
