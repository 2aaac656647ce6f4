//! What `eval localization` knows of each record's fix for precedents: its commit time and
//! files (the precedent pool's input), and whether the commit message names the report the
//! way the linker reads keys (its recall on the dataset: are the simulated links realistic?).

use crate::codeindex::Corpus;
use crate::eval::precedents::PastFix;
use crate::history::Linker;
use serde::Serialize;

/// The linker's recall over a dataset's fix commits.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinkerRecall {
    /// Records whose fix commit resolves in git.
    pub fix_commits: usize,
    /// Of those, the ones whose message names the report (its id's number).
    pub linked: usize,
    /// Records without a fix commit in the dataset (no link can be simulated).
    pub no_fix_commit: usize,
}

impl LinkerRecall {
    pub fn recall(&self) -> f64 {
        self.linked as f64 / self.fix_commits.max(1) as f64
    }

    pub fn line(&self) -> String {
        format!(
            "linker recall: {} of {} fix commits name their report ({:.3}); {} records have no fix commit",
            self.linked,
            self.fix_commits,
            self.recall(),
            self.no_fix_commit
        )
    }
}

/// The number a record id ends with (`aspectj-423257` → `423257`): its report's id in the
/// tracker.
fn report_number(id: &str) -> &str {
    id.rsplit(['-', '_']).next().unwrap_or(id)
}

/// Tells whether `keys` read from a fix commit name the report numbered `number`, in any of
/// the key shapes (`423257`, `#423257`, `owner/repo#423257`, `PROJ-423257`).
pub fn names_report(keys: &[String], number: &str) -> bool {
    keys.iter()
        .any(|k| k == number || k.rsplit(['#', '-']).next() == Some(number))
}

/// The past fixes of a repository's records, `(id, title, body, reported ms, fix commit,
/// files)`, with each fix's committer time read from git; counts the linker's recall.
pub fn past_fixes<'a>(
    corpus: &Corpus,
    repository: &str,
    records: impl Iterator<
        Item = (
            &'a str,
            &'a str,
            &'a str,
            i64,
            Option<&'a str>,
            &'a [String],
        ),
    >,
    linker: &Linker,
    recall: &mut LinkerRecall,
) -> Vec<PastFix> {
    let mut out = Vec::new();
    for (id, title, body, reported_ms, fix, files) in records {
        let Some((fix_ms, message)) = fix.and_then(|f| corpus.commit_facts(f)) else {
            recall.no_fix_commit += 1;
            continue;
        };
        recall.fix_commits += 1;
        if names_report(&linker.keys(&message), report_number(id)) {
            recall.linked += 1;
        }
        if reported_ms == 0 {
            continue;
        }
        out.push(PastFix {
            id: id.to_string(),
            repository: repository.to_string(),
            title: title.to_string(),
            body: body.to_string(),
            reported_ms,
            fix_ms,
            fix_commit: fix.unwrap_or_default().to_string(),
            files: files.to_vec(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fix_names_its_report_in_any_key_shape() {
        assert_eq!(report_number("aspectj-423257"), "423257");
        assert_eq!(report_number("psf__requests-2317"), "2317");
        let l = Linker::new(&[r"(?i)\b(?:bug|pr)\s*(\d{4,7})\b".into()]).unwrap();
        assert!(names_report(&l.keys("Fix for bug 423257"), "423257"));
        assert!(names_report(&l.keys("Closes #2317"), "2317"));
        assert!(!names_report(&l.keys("Fix for 4232570"), "423257"));
        assert!(!names_report(&l.keys("update docs"), "423257"));
    }
}
