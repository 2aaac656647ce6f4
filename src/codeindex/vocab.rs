//! The team's own words for its files: every file gets a document made of the messages of
//! the commits that changed it (or of the past tickets whose fixes changed it), each
//! weighted by its age, and a ticket's terms are scored against those documents with BM25.
//! A word written on few files' changes (a feature's name, a product term) weighs; one
//! written on every change ("add", "update") does not. Commits whose words say nothing about
//! their files (bots, housekeeping, reverts, sweeps; see `History::extend`) are left out.

use super::history::History;

/// Age at which an entry's words count half: a team's vocabulary outlives a hot spot, so
/// this is four times the recency signal's half-life.
const HALF_LIFE_DAYS: f32 = 365.0;
/// BM25's saturation and length normalisation (the usual values).
const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Terms of the ticket scored, by weight × idf (as for the code).
const MAX_TERMS: usize = 40;
/// Words named in a file's evidence.
const EVIDENCE_WORDS: usize = 3;

/// Per-file document lengths of the visible, telling entries of a history at one time.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    /// Time-weighted length of each path's document (by path id).
    lengths: Vec<f32>,
    /// Each entry's age weight, 0 for an entry that says nothing or is later than `now`
    /// (computed once here, not for every posting of every query).
    weights: Vec<f32>,
    /// Paths with a non-empty document.
    docs: f32,
    avg: f32,
    /// Ages are measured from here (seconds).
    now: i64,
}

/// Why a file matched: its score, the words that gave most (strongest first), and the entry
/// (a commit's or a ticket's first line) that gave most; borrowed from the history and the
/// query, since a common word reaches thousands of files and most are never shown.
#[derive(Debug, Clone, Copy)]
pub struct WordMatch<'h> {
    pub path: &'h str,
    pub score: f32,
    words: [(&'h str, f32); EVIDENCE_WORDS],
    kept: u8,
    pub subject: &'h str,
}

impl<'h> WordMatch<'h> {
    /// The words that gave most, strongest first, with their gains.
    pub fn words(&self) -> &[(&'h str, f32)] {
        &self.words[..usize::from(self.kept)]
    }
}

fn weight(now: i64, time: i64) -> f32 {
    let age_days = (now - time).max(0) as f32 / 86_400.0;
    (-age_days / HALF_LIFE_DAYS).exp2()
}

fn visible(mask: Option<&[bool]>, i: usize) -> bool {
    mask.map_or(true, |m| m[i])
}

/// A file's match while a query is scored, by path id: the terms that gave most (by term
/// index, strongest first) and the best entry by id, so nothing is copied until the end (a
/// common word reaches thousands of files).
#[derive(Clone, Copy, Default)]
struct Acc {
    score: f32,
    words: [(u32, f32); EVIDENCE_WORDS],
    kept: u8,
    best: f32,
    entry: Option<u32>,
}

impl Acc {
    /// Keeps term `t`'s gain `s` if it is among the strongest; terms come in index order, so
    /// an equal gain stays behind the earlier term.
    fn keep_word(&mut self, t: u32, s: f32) {
        let n = usize::from(self.kept);
        let at = self.words[..n].iter().position(|w| s > w.1).unwrap_or(n);
        if at == EVIDENCE_WORDS {
            return;
        }
        let last = n.min(EVIDENCE_WORDS - 1);
        self.words.copy_within(at..last, at + 1);
        self.words[at] = (t, s);
        self.kept = (n + 1).min(EVIDENCE_WORDS) as u8;
    }
}

/// A query term the history knows, with its weight and its entries (with frequencies).
struct Picked<'h> {
    term: &'h str,
    weight: f32,
    postings: &'h [(u32, u16)],
}

/// One term's reach, by path id: the time-weighted frequency, the entry that gave most with
/// its weight, and the paths reached (so only they are read and reset).
struct Reach {
    tf: Vec<f32>,
    best: Vec<(f32, u32)>,
    touched: Vec<u32>,
}

impl Vocabulary {
    /// The documents of `history`'s entries visible under `mask` and not later than `now`.
    pub fn of(history: &History, mask: Option<&[bool]>, now: i64) -> Vocabulary {
        let weights: Vec<f32> = history
            .commits
            .iter()
            .map(|c| {
                if c.telling && c.time <= now {
                    weight(now, c.time)
                } else {
                    0.0
                }
            })
            .collect();
        let mut lengths = vec![0.0f32; history.paths.len()];
        for (i, c) in history.commits.iter().enumerate() {
            if weights[i] == 0.0 || !visible(mask, i) {
                continue;
            }
            let w = weights[i] * c.len as f32;
            for &f in &c.files {
                lengths[f as usize] += w;
            }
        }
        let nonzero: Vec<f32> = lengths.iter().copied().filter(|l| *l > 0.0).collect();
        let docs = nonzero.len() as f32;
        let avg = (nonzero.iter().sum::<f32>() / docs.max(1.0)).max(1e-6);
        Vocabulary {
            lengths,
            weights,
            docs,
            avg,
            now,
        }
    }

    /// Entry `c`'s age weight (0 when it says nothing or is later than the vocabulary's time);
    /// an entry added to the history after this vocabulary was taken is weighed here.
    fn weight_of(&self, history: &History, c: usize) -> f32 {
        match self.weights.get(c) {
            Some(&w) => w,
            None => {
                let e = &history.commits[c];
                if e.telling && e.time <= self.now {
                    weight(self.now, e.time)
                } else {
                    0.0
                }
            }
        }
    }

    /// The files whose documents match `terms` (lowercase terms with weights), BM25-scored,
    /// with the words and the entry that gave most, in no particular order.
    pub fn files<'h>(
        &self,
        history: &'h History,
        terms: &'h [(String, f32)],
        mask: Option<&[bool]>,
    ) -> Vec<WordMatch<'h>> {
        if self.docs == 0.0 {
            return Vec::new();
        }
        let picked = self.strongest_terms(history, terms);
        let n = history.paths.len();
        let mut reach = Reach {
            tf: vec![0.0; n],
            best: vec![(0.0, 0); n],
            touched: Vec::new(),
        };
        let mut acc = vec![Acc::default(); n];
        let mut reached: Vec<u32> = Vec::new();
        for (t, term) in picked.iter().enumerate() {
            self.reach(history, term.postings, mask, &mut reach);
            let df = reach.touched.len() as f32;
            let idf = (1.0 + (self.docs - df + 0.5) / (df + 0.5)).ln();
            for &f in &reach.touched {
                let f = f as usize;
                let (tf, (best, entry)) = (reach.tf[f], reach.best[f]);
                (reach.tf[f], reach.best[f]) = (0.0, (0.0, 0));
                // a path added to the history after this vocabulary was taken counts as average
                let len = self.lengths.get(f).copied().unwrap_or(self.avg);
                let norm = K1 * (1.0 - B + B * len / self.avg);
                let s = term.weight * idf * tf * (K1 + 1.0) / (tf + norm);
                let m = &mut acc[f];
                if m.kept == 0 {
                    reached.push(f as u32);
                }
                m.score += s;
                m.keep_word(t as u32, s);
                if best * s > m.best {
                    (m.best, m.entry) = (best * s, Some(entry));
                }
            }
            reach.touched.clear();
        }
        reached
            .into_iter()
            .map(|f| {
                let m = &acc[f as usize];
                let mut words = [("", 0.0); EVIDENCE_WORDS];
                for (slot, &(t, s)) in words.iter_mut().zip(&m.words[..usize::from(m.kept)]) {
                    *slot = (picked[t as usize].term, s);
                }
                WordMatch {
                    path: &history.paths[f as usize],
                    score: m.score,
                    words,
                    kept: m.kept,
                    subject: m
                        .entry
                        .map_or("", |e| history.commits[e as usize].subject.as_str()),
                }
            })
            .collect()
    }

    /// The strongest `MAX_TERMS` terms the history knows (weight × idf over entries).
    fn strongest_terms<'h>(
        &self,
        history: &'h History,
        terms: &'h [(String, f32)],
    ) -> Vec<Picked<'h>> {
        let n = history.commits.len() as f32;
        let mut picked: Vec<(Picked, f32)> = terms
            .iter()
            .filter_map(|(term, weight)| {
                let postings = history.postings.get(term)?;
                let df = postings.len() as f32;
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                let p = Picked {
                    term,
                    weight: *weight,
                    postings,
                };
                Some((p, weight * idf))
            })
            .collect();
        picked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.term.cmp(b.0.term)));
        picked.truncate(MAX_TERMS);
        picked.into_iter().map(|(p, _)| p).collect()
    }

    /// Fills `reach` with one term's postings: per path, the time-weighted term frequency and
    /// the entry that gave most with its weight.
    fn reach(
        &self,
        history: &History,
        post: &[(u32, u16)],
        mask: Option<&[bool]>,
        reach: &mut Reach,
    ) {
        for &(c, tf) in post {
            let weight = self.weight_of(history, c as usize);
            if weight == 0.0 || !visible(mask, c as usize) {
                continue;
            }
            let x = f32::from(tf) * weight;
            for &f in &history.commits[c as usize].files {
                let f = f as usize;
                if reach.tf[f] == 0.0 {
                    reach.touched.push(f as u32);
                    reach.best[f] = (0.0, c);
                }
                reach.tf[f] += x;
                if x > reach.best[f].0 {
                    reach.best[f] = (x, c);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codeindex::gitsrc::CommitInfo;

    fn commit(n: u8, day: i64, msg: &str, files: &[&str]) -> CommitInfo {
        CommitInfo {
            id: git2::Oid::from_bytes(&[n; 20]).unwrap(),
            time: day * 86_400,
            message: msg.into(),
            files: files.iter().map(|s| s.to_string()).collect(),
            author: ("dev".into(), "dev@example.com".into()),
        }
    }

    fn terms(words: &[&str]) -> Vec<(String, f32)> {
        words.iter().map(|w| (w.to_string(), 1.0)).collect()
    }

    #[test]
    fn a_files_evidence_keeps_the_three_strongest_words_the_earlier_first_on_a_tie() {
        let mut m = Acc::default();
        for (t, s) in [(0, 1.0), (1, 3.0), (2, 1.0), (3, 2.0), (4, 0.5), (5, 3.0)] {
            m.keep_word(t, s);
        }
        assert_eq!(
            m.words[..usize::from(m.kept)],
            [(1, 3.0), (5, 3.0), (3, 2.0)]
        );
    }

    #[test]
    fn a_rare_word_of_a_files_commits_weighs_and_a_common_one_does_not() {
        let h = History::build(vec![
            commit(
                1,
                1,
                "Add iframe cookie support for partner embeds",
                &["web/Cookies.java"],
            ),
            commit(2, 2, "Add export button", &["ui/Export.java"]),
            commit(3, 3, "Add export paging", &["ui/Export.java"]),
            commit(4, 4, "Add session pool", &["db/Pool.java"]),
        ]);
        let v = Vocabulary::of(&h, None, 10 * 86_400);
        let q = terms(&["add", "iframe"]);
        let found = v.files(&h, &q, None);
        let best = found
            .iter()
            .max_by(|a, b| a.score.total_cmp(&b.score))
            .unwrap();
        assert_eq!(best.path, "web/Cookies.java");
        assert_eq!(best.words()[0].0, "iframe");
        assert!(best.subject.starts_with("Add iframe"));
        // "add" is on every file's changes: it tells the files apart barely at all
        let (add, iframe) = (terms(&["add"]), terms(&["iframe"]));
        let score = |q, path| {
            v.files(&h, q, None)
                .iter()
                .find(|m| m.path == path)
                .map(|m| m.score)
                .unwrap()
        };
        assert!(score(&add, "ui/Export.java") < 0.25 * score(&iframe, "web/Cookies.java"));
    }

    #[test]
    fn housekeeping_and_bot_commits_and_later_or_hidden_commits_say_nothing() {
        let bot = CommitInfo {
            author: ("dependabot[bot]".into(), "bot@github.com".into()),
            ..commit(
                3,
                3,
                "Bump iframe-resizer from 1.0 to 1.1",
                &["web/Embed.java"],
            )
        };
        let h = History::build(vec![
            commit(1, 1, "Fix typo in iframe javadoc", &["web/Frame.java"]),
            commit(2, 2, "Support iframe embedding", &["web/Cookies.java"]),
            bot,
            commit(4, 9, "iframe sandbox flags", &["web/Sandbox.java"]),
        ]);
        let q = terms(&["iframe"]);
        let v = Vocabulary::of(&h, None, 5 * 86_400);
        let found = v.files(&h, &q, None);
        let mut paths: Vec<&str> = found.iter().map(|m| m.path).collect();
        paths.sort();
        assert_eq!(paths, ["web/Cookies.java"], "{found:#?}");
        let hidden = h.mask(&[git2::Oid::from_bytes(&[1; 20]).unwrap()]);
        let v = Vocabulary::of(&h, Some(&hidden), 5 * 86_400);
        assert!(v.files(&h, &q, Some(&hidden)).is_empty());
    }
}
