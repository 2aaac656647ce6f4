//! History signals from commit messages and the files each commit changed: files fixed by
//! commits whose messages resemble the ticket (BugLocator's similar-report score),
//! recently changed files (Ye et al.'s fix recency) and files changed together.

use super::gitsrc::CommitInfo;
use super::tokens::parts;
use crate::history::classify::{Classifier, CommitView, Kind, Rules, SWEEP_FILES};
use std::collections::HashMap;

/// Similar commits considered for the similarity signal.
const TOP_SIMILAR: usize = 30;
/// Recency half-life in days.
const HALF_LIFE_DAYS: f32 = 90.0;
/// A file's latest commits read for its change partners.
const COUPLING_COMMITS: usize = 200;
/// Commits changing more files than this (reformatting, moves) say nothing of coupling.
const COUPLING_MAX_FILES: usize = 30;
/// A file needs this many commits for its partners to mean anything.
const COUPLING_MIN_COMMITS: usize = 3;
/// Partners returned per file.
const COUPLING_PARTNERS: usize = 10;
/// A text added with `extend_texts` is cut to this many bytes (a commit message is cut at
/// 2 KiB by the reader): past it a ticket's body is a pasted log.
const MAX_TEXT_BYTES: usize = 4096;

#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub(super) time: i64,
    pub(super) subject: String,
    pub(super) files: Vec<u32>,
    pub(super) len: u32,
    /// Its words describe its files: not a bot's, housekeeping, a revert or a sweep (the
    /// commit classifier's verdict), so they count as the files' vocabulary.
    pub(super) telling: bool,
}

/// Commit messages indexed for BM25, and the files each commit changed.
#[derive(Debug, Default, Clone)]
pub struct History {
    pub(super) commits: Vec<Entry>,
    ids: HashMap<git2::Oid, u32>,
    pub(super) postings: HashMap<String, Vec<(u32, u16)>>,
    pub(super) paths: Vec<String>,
    path_ids: HashMap<String, u32>,
    /// The commits that changed each path (by path id).
    touches: Vec<Vec<u32>>,
    total_len: u64,
}

/// A history hit for evidence: a similar commit's subject.
pub type Subject = String;

impl History {
    /// Indexes commits (any order).
    pub fn build(commits: Vec<CommitInfo>) -> History {
        let mut h = History::default();
        h.extend(commits);
        h
    }

    /// Adds commits not indexed yet, each classified (built-in rules) to tell whether its
    /// words describe its files.
    pub fn extend(&mut self, commits: Vec<CommitInfo>) {
        let classifier = Classifier::new(&Rules::default(), std::iter::empty())
            .expect("the built-in rules compile");
        for c in commits {
            let telling = telling(&classifier, &c);
            self.push(c, telling);
        }
    }

    /// Adds texts that describe files, such as past tickets with the files their fixes
    /// changed: `(key, time in seconds, text, files)`; the text's first line (a ticket's
    /// title) and the key name it in evidence.
    pub fn extend_texts(
        &mut self,
        texts: impl IntoIterator<Item = (String, i64, String, Vec<String>)>,
    ) {
        for (key, time, text, files) in texts {
            let id = git2::Oid::hash_object(git2::ObjectType::Blob, key.as_bytes())
                .expect("hashing needs no repository");
            let info = CommitInfo {
                id,
                time,
                message: format!("{key}: {}", crate::domain::text::cut(&text, MAX_TEXT_BYTES)),
                files,
                author: Default::default(),
            };
            self.push(info, true);
        }
    }

    fn push(&mut self, c: CommitInfo, telling: bool) {
        if self.ids.contains_key(&c.id) {
            return;
        }
        let idx = self.commits.len() as u32;
        let mut terms = Vec::new();
        parts(&c.message, &mut terms);
        let mut tf: HashMap<String, u16> = HashMap::new();
        for t in &terms {
            *tf.entry(t.clone()).or_default() += 1;
        }
        for (t, n) in tf {
            self.postings.entry(t).or_default().push((idx, n));
        }
        let files: Vec<u32> = c.files.iter().map(|p| self.path_id(p)).collect();
        for &f in &files {
            self.touches[f as usize].push(idx);
        }
        self.total_len += terms.len() as u64;
        self.commits.push(Entry {
            time: c.time,
            subject: c.message.lines().next().unwrap_or("").trim().to_string(),
            files,
            len: terms.len() as u32,
            telling,
        });
        self.ids.insert(c.id, idx);
    }

    fn path_id(&mut self, p: &str) -> u32 {
        if let Some(&id) = self.path_ids.get(p) {
            return id;
        }
        let id = self.paths.len() as u32;
        self.paths.push(p.to_string());
        self.touches.push(Vec::new());
        self.path_ids.insert(p.to_string(), id);
        id
    }

    pub fn contains(&self, id: &git2::Oid) -> bool {
        self.ids.contains_key(id)
    }

    /// A mask of the indexed commits that are in `ancestors` (history up to a commit).
    pub fn mask(&self, ancestors: &[git2::Oid]) -> Vec<bool> {
        let mut m = vec![false; self.commits.len()];
        for a in ancestors {
            if let Some(&i) = self.ids.get(a) {
                m[i as usize] = true;
            }
        }
        m
    }

    /// Hides from `mask` every entry later than `time` (seconds): the time rule of an
    /// evaluation, where nothing after the ticket's time may reach its ranking.
    pub fn hide_after(&self, mask: &mut [bool], time: i64) {
        for (m, c) in mask.iter_mut().zip(&self.commits) {
            *m &= c.time <= time;
        }
    }

    /// A mask of the entries strictly older than `time`; none without a time.
    pub fn before(&self, time: Option<i64>) -> Vec<bool> {
        self.commits
            .iter()
            .map(|c| time.is_some_and(|t| c.time < t))
            .collect()
    }

    /// Recency of change per path: sum over commits touching it of 2^(-age / half-life),
    /// ages measured from `now`.
    pub fn recency(&self, mask: Option<&[bool]>, now: i64) -> HashMap<String, f32> {
        let mut out: HashMap<String, f32> = HashMap::new();
        for (i, c) in self.commits.iter().enumerate() {
            if mask.is_some_and(|m| !m[i]) || c.time > now {
                continue;
            }
            let age_days = (now - c.time) as f32 / 86_400.0;
            let w = (-age_days / HALF_LIFE_DAYS).exp2();
            if w < 1e-3 {
                continue;
            }
            for &f in &c.files {
                *out.entry(self.paths[f as usize].clone()).or_default() += w;
            }
        }
        out
    }

    /// The files that change together with `path`: for each, the share of `path`'s latest
    /// commits (visible under `mask`, mass changes left out) that also change it, strongest
    /// first; nothing for a file with fewer than `COUPLING_MIN_COMMITS` such commits.
    pub fn coupled(&self, path: &str, mask: Option<&[bool]>) -> Vec<(String, f32)> {
        let Some(&id) = self.path_ids.get(path) else {
            return Vec::new();
        };
        let mut commits: Vec<&Entry> = self.touches[id as usize]
            .iter()
            .filter(|&&c| !mask.is_some_and(|m| !m[c as usize]))
            .map(|&c| &self.commits[c as usize])
            .filter(|e| e.files.len() <= COUPLING_MAX_FILES)
            .collect();
        if commits.len() < COUPLING_MIN_COMMITS {
            return Vec::new();
        }
        commits.sort_by_key(|e| std::cmp::Reverse(e.time));
        commits.truncate(COUPLING_COMMITS);
        let mut together: HashMap<u32, u32> = HashMap::new();
        for e in &commits {
            for &f in &e.files {
                if f != id {
                    *together.entry(f).or_default() += 1;
                }
            }
        }
        let n = commits.len() as f32;
        let mut out: Vec<(u32, u32)> = together.into_iter().filter(|(_, k)| *k >= 2).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(COUPLING_PARTNERS);
        out.into_iter()
            .map(|(f, k)| (self.paths[f as usize].clone(), k as f32 / n))
            .collect()
    }

    /// Files changed by the commits whose messages best match `terms` (BM25), each scored
    /// by Σ similarity / √(files in the commit); with the best matching subject per file.
    pub fn similar_files(
        &self,
        terms: &[(String, f32)],
        mask: Option<&[bool]>,
    ) -> HashMap<String, (f32, Subject)> {
        let n = self.commits.len() as f32;
        if n == 0.0 {
            return HashMap::new();
        }
        let avg = (self.total_len as f32 / n).max(1.0);
        let mut scores: HashMap<u32, f32> = HashMap::new();
        for (t, w) in terms {
            let Some(post) = self.postings.get(t) else {
                continue;
            };
            let df = post.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for &(c, tf) in post {
                if mask.is_some_and(|m| !m[c as usize]) {
                    continue;
                }
                let len = self.commits[c as usize].len as f32;
                let tf = f32::from(tf);
                let s = idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len / avg));
                *scores.entry(c).or_default() += w * s;
            }
        }
        let mut ranked: Vec<(u32, f32)> = scores.into_iter().collect();
        // ties broken by commit, not by the map's order: the same text ranks the same way
        // on every call (an evaluation's rows compare calls)
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(TOP_SIMILAR);
        let mut out: HashMap<String, (f32, Subject)> = HashMap::new();
        for (c, s) in ranked {
            let e = &self.commits[c as usize];
            if e.files.is_empty() {
                continue;
            }
            let share = s / (e.files.len() as f32).sqrt();
            for &f in &e.files {
                let slot = out
                    .entry(self.paths[f as usize].clone())
                    .or_insert_with(|| (0.0, e.subject.clone()));
                slot.0 += share;
            }
        }
        out
    }
}

/// Whether a commit's words describe the files it changed: not a bot's, not housekeeping
/// or a revert, not a sweep. Line counts are not read here, so a sweep is told by its file
/// count alone (more than the classifier's `SWEEP_FILES`).
fn telling(classifier: &Classifier, c: &CommitInfo) -> bool {
    let files: Vec<(&str, u32, u32)> = c.files.iter().map(|f| (f.as_str(), 1, 1)).collect();
    let class = classifier.classify(&CommitView {
        message: &c.message,
        author_name: &c.author.0,
        author_email: &c.author.1,
        files: &files,
    });
    !class.bot
        && !matches!(class.kind, Kind::Housekeeping | Kind::Revert)
        && c.files.len() <= SWEEP_FILES
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(n: u8, time: i64, msg: &str, files: &[&str]) -> CommitInfo {
        CommitInfo {
            id: git2::Oid::from_bytes(&[n; 20]).unwrap(),
            time,
            message: msg.into(),
            files: files.iter().map(|s| s.to_string()).collect(),
            author: ("dev".into(), "dev@example.com".into()),
        }
    }

    #[test]
    fn files_of_commits_with_similar_messages_score_and_masks_hide_later_commits() {
        let h = History::build(vec![
            commit(1, 0, "fix session cookie expiry", &["auth/session.rs"]),
            commit(2, 10, "speed up billing export", &["billing/export.rs"]),
            commit(3, 20, "session cookie path fix", &["auth/cookie.rs"]),
        ]);
        let q = vec![("cookie".to_string(), 1.0), ("session".to_string(), 1.0)];
        let all = h.similar_files(&q, None);
        assert!(all.contains_key("auth/session.rs") && all.contains_key("auth/cookie.rs"));
        assert!(!all.contains_key("billing/export.rs"));
        let ids: Vec<git2::Oid> = [1u8, 2]
            .iter()
            .map(|n| git2::Oid::from_bytes(&[*n; 20]).unwrap())
            .collect();
        let early = h.similar_files(&q, Some(&h.mask(&ids)));
        assert!(!early.contains_key("auth/cookie.rs"));
    }

    #[test]
    fn partners_are_the_files_changed_in_the_same_commits_and_masks_hide_later_ones() {
        let h = History::build(vec![
            commit(1, 0, "a", &["Host.java", "HostConfig.java"]),
            commit(2, 1, "b", &["Host.java", "HostConfig.java", "Readme.java"]),
            commit(3, 2, "c", &["Host.java"]),
            commit(4, 3, "d", &["Host.java", "HostConfig.java"]),
            commit(5, 4, "e", &["Other.java"]),
        ]);
        let c = h.coupled("Host.java", None);
        assert_eq!(c, vec![("HostConfig.java".to_string(), 0.75)]);
        let early: Vec<git2::Oid> = [1u8, 2]
            .iter()
            .map(|n| git2::Oid::from_bytes(&[*n; 20]).unwrap())
            .collect();
        // two visible commits are too few to say anything
        assert!(h.coupled("Host.java", Some(&h.mask(&early))).is_empty());
        assert!(h.coupled("Nope.java", None).is_empty());
    }

    #[test]
    fn recent_changes_weigh_more_than_old_ones() {
        let day = 86_400;
        let h = History::build(vec![
            commit(1, 0, "a", &["old.rs"]),
            commit(2, 400 * day, "b", &["new.rs"]),
        ]);
        let r = h.recency(None, 401 * day);
        assert!(r["new.rs"] > 0.9 && r.get("old.rs").copied().unwrap_or(0.0) < 0.1);
    }
}
