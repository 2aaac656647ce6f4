//! How an analysis did once the ticket's fix landed: what it showed (`Predicted`), the
//! fix's files, and the questions asked of every fixed ticket — was the first module named
//! right, any module shown, any file shown, and did the similar past work it named touch
//! what the fix touched — with their shares over many tickets.

use serde::{Deserialize, Serialize};

/// What an analysis showed, strongest first: modules and files, each with its repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Predicted {
    /// `(repository, module id)`.
    pub modules: Vec<(String, String)>,
    /// `(repository, path)`.
    pub files: Vec<(String, String)>,
    /// The similar past work the comment named, with the files its fix changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub precedents: Vec<ShownPrecedent>,
}

/// A precedent as the comment named it: its key and the files its fix changed (at most
/// `ShownPrecedent::MAX_FILES`, most changed lines first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownPrecedent {
    pub key: String,
    pub repository: String,
    pub files: Vec<String>,
}

impl ShownPrecedent {
    /// Files kept per precedent: a fix wider than this is no evidence about any one file.
    pub const MAX_FILES: usize = 50;
}

/// A file the fix changed, and whether the fix created it (an analysis made before the fix
/// could not name a file that did not exist, so a created file is not counted against it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixFile {
    pub path: String,
    pub module: String,
    pub created: bool,
}

/// One fixed ticket's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Judged {
    pub first_module_right: bool,
    pub any_module_right: bool,
    pub any_file_right: bool,
    /// Whether a precedent the comment named had its fix change a file this fix changed;
    /// `None` when no precedent was named.
    pub precedent_right: Option<bool>,
}

/// Judges what was shown against a fix in `repository`. `None` when the fix only created
/// files: there was nothing an earlier analysis could have named.
pub fn judge(predicted: &Predicted, repository: &str, fix: &[FixFile]) -> Option<Judged> {
    let existing: Vec<&FixFile> = fix.iter().filter(|f| !f.created).collect();
    if existing.is_empty() {
        return None;
    }
    let module_right =
        |(r, m): &(String, String)| r == repository && existing.iter().any(|f| &f.module == m);
    Some(Judged {
        first_module_right: predicted.modules.first().is_some_and(module_right),
        any_module_right: predicted.modules.iter().any(module_right),
        any_file_right: predicted
            .files
            .iter()
            .any(|(r, p)| r == repository && existing.iter().any(|f| &f.path == p)),
        precedent_right: (!predicted.precedents.is_empty()).then(|| {
            predicted.precedents.iter().any(|p| {
                p.repository == repository
                    && p.files
                        .iter()
                        .any(|x| existing.iter().any(|f| &f.path == x))
            })
        }),
    })
}

/// How often the similar past work a comment named touched what the fix touched, over the
/// fixed tickets that were shown some.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct PrecedentAccuracy {
    /// Fixed tickets measured whose comment named similar past work.
    pub tickets: i64,
    /// Of them, the share where a named precedent's fix changed a file the fix changed.
    pub fix_overlap: Option<f64>,
}

impl PrecedentAccuracy {
    pub fn of(tickets: i64, right: i64) -> PrecedentAccuracy {
        PrecedentAccuracy {
            tickets,
            fix_overlap: (tickets > 0).then(|| right as f64 / tickets as f64),
        }
    }

    /// "On the 38 fixed tickets shown similar past work, a named precedent's fix had changed
    /// a file the ticket's fix changed 45% of the time"; counts below `min` tickets.
    pub fn sentence(&self, min: i64) -> Option<String> {
        let n = self.tickets;
        let right = (self.fix_overlap.unwrap_or(0.0) * n as f64).round() as i64;
        let tickets = if n == 1 { "ticket" } else { "tickets" };
        match n {
            0 => None,
            n if n < min => Some(format!(
                "{n} fixed {tickets} shown similar past work so far, too few for a share: on \
                 {right} of them a named precedent's fix had changed a file the ticket's fix \
                 changed"
            )),
            n => Some(format!(
                "On the {n} fixed {tickets} shown similar past work, a named precedent's fix \
                 had changed a file the ticket's fix changed {:.0}% of the time",
                self.fix_overlap.unwrap_or(0.0) * 100.0
            )),
        }
    }
}

/// What became of the likely duplicates suggested in one tracker project: later linked as
/// duplicates or confirmed by a triager, refused by a triager, or neither yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DuplicateAccuracy {
    pub project: String,
    pub suggested: i64,
    pub confirmed: i64,
    pub refused: i64,
    pub undecided: i64,
    /// `confirmed` and `refused` over `suggested`; `None` while none is suggested.
    pub confirmed_share: Option<f64>,
    pub refused_share: Option<f64>,
}

impl DuplicateAccuracy {
    pub fn of(project: String, suggested: i64, confirmed: i64, refused: i64) -> Self {
        let share = |n: i64| (suggested > 0).then(|| n as f64 / suggested as f64);
        DuplicateAccuracy {
            project,
            suggested,
            confirmed,
            refused,
            undecided: suggested - confirmed - refused,
            confirmed_share: share(confirmed),
            refused_share: share(refused),
        }
    }

    /// "Project SHOP: of 40 likely duplicates suggested, 12 were later linked or confirmed,
    /// 5 refused, 23 not decided yet".
    pub fn sentence(&self) -> String {
        let project = if self.project.is_empty() {
            "(no project)"
        } else {
            &self.project
        };
        format!(
            "Project {project}: of {} likely {} suggested, {} later linked or confirmed, {} \
             refused, {} not decided yet",
            self.suggested,
            if self.suggested == 1 {
                "duplicate"
            } else {
                "duplicates"
            },
            self.confirmed,
            self.refused,
            self.undecided
        )
    }
}

/// Shares over a number of fixed tickets; the shares are `None` while no ticket is measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Accuracy {
    /// Fixed tickets measured.
    pub tickets: i64,
    pub first_module_right: Option<f64>,
    pub any_module_right: Option<f64>,
    pub any_file_right: Option<f64>,
}

impl Accuracy {
    /// From counts: tickets, and of them how many had each right.
    pub fn of(tickets: i64, first: i64, any_module: i64, any_file: i64) -> Accuracy {
        let share = |n: i64| (tickets > 0).then(|| n as f64 / tickets as f64);
        Accuracy {
            tickets,
            first_module_right: share(first),
            any_module_right: share(any_module),
            any_file_right: share(any_file),
        }
    }

    /// "On the last 120 fixed tickets, the first module named was right 74% of the time",
    /// when any ticket is measured; `scope` is "the last 120 fixed tickets" or the like.
    pub fn sentence(&self, scope: &str) -> Option<String> {
        let pct = |s: Option<f64>| format!("{:.0}%", s.unwrap_or(0.0) * 100.0);
        (self.tickets > 0).then(|| {
            format!(
                "On {scope}, the first module named was right {} of the time, one of the \
                 modules shown {}, one of the files shown {}",
                pct(self.first_module_right),
                pct(self.any_module_right),
                pct(self.any_file_right),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(path: &str, module: &str, created: bool) -> FixFile {
        FixFile {
            path: path.into(),
            module: module.into(),
            created,
        }
    }

    fn shown(modules: &[&str], files: &[&str]) -> Predicted {
        Predicted {
            modules: modules
                .iter()
                .map(|m| ("app".into(), m.to_string()))
                .collect(),
            files: files
                .iter()
                .map(|f| ("app".into(), f.to_string()))
                .collect(),
            precedents: Vec::new(),
        }
    }

    #[test]
    fn the_first_module_any_module_and_any_file_are_judged_apart() {
        let p = shown(&["billing", "auth"], &["auth/login.rs"]);
        let j = judge(&p, "app", &[fix("auth/session.rs", "auth", false)]).unwrap();
        assert_eq!(
            (j.first_module_right, j.any_module_right, j.any_file_right),
            (false, true, false)
        );
        let j = judge(&p, "app", &[fix("auth/login.rs", "auth", false)]).unwrap();
        assert!(j.any_file_right);
        let j = judge(&p, "other", &[fix("auth/login.rs", "auth", false)]).unwrap();
        assert!(
            !j.any_module_right && !j.any_file_right,
            "another repository's auth"
        );
    }

    #[test]
    fn files_the_fix_created_do_not_count_against_the_analysis() {
        let p = shown(&["auth"], &["auth/login.rs"]);
        let j = judge(
            &p,
            "app",
            &[
                fix("auth/login.rs", "auth", false),
                fix("billing/new.rs", "billing", true),
            ],
        )
        .unwrap();
        assert!(j.first_module_right && j.any_file_right);
        assert_eq!(judge(&p, "app", &[fix("new/x.rs", "new", true)]), None);
    }

    #[test]
    fn a_precedent_is_right_when_its_fix_changed_a_file_this_fix_changed() {
        let past = |repository: &str, files: &[&str]| ShownPrecedent {
            key: "APP-1".into(),
            repository: repository.into(),
            files: files.iter().map(|f| f.to_string()).collect(),
        };
        let fixed = [
            fix("auth/login.rs", "auth", false),
            fix("auth/new.rs", "auth", true),
        ];
        let mut p = shown(&["auth"], &[]);
        assert_eq!(judge(&p, "app", &fixed).unwrap().precedent_right, None);
        p.precedents = vec![past("app", &["billing/pay.rs"])];
        assert_eq!(
            judge(&p, "app", &fixed).unwrap().precedent_right,
            Some(false)
        );
        p.precedents.push(past("app", &["auth/login.rs"]));
        assert_eq!(
            judge(&p, "app", &fixed).unwrap().precedent_right,
            Some(true)
        );
        p.precedents = vec![
            past("app", &["auth/new.rs"]),
            past("web", &["auth/login.rs"]),
        ];
        assert_eq!(
            judge(&p, "app", &fixed).unwrap().precedent_right,
            Some(false),
            "a file the fix created, or another repository's file, is not a match"
        );
    }

    #[test]
    fn the_precedent_sentence_gives_counts_until_there_are_enough() {
        assert_eq!(PrecedentAccuracy::of(0, 0).sentence(10), None);
        assert_eq!(
            PrecedentAccuracy::of(3, 1).sentence(10).unwrap(),
            "3 fixed tickets shown similar past work so far, too few for a share: on 1 of \
             them a named precedent's fix had changed a file the ticket's fix changed"
        );
        assert_eq!(
            PrecedentAccuracy::of(20, 9).sentence(10).unwrap(),
            "On the 20 fixed tickets shown similar past work, a named precedent's fix had \
             changed a file the ticket's fix changed 45% of the time"
        );
    }

    #[test]
    fn shares_exist_only_with_measured_tickets() {
        assert_eq!(Accuracy::of(0, 0, 0, 0).first_module_right, None);
        assert_eq!(Accuracy::of(0, 0, 0, 0).sentence("all"), None);
        let a = Accuracy::of(4, 3, 4, 1);
        assert_eq!(a.first_module_right, Some(0.75));
        assert_eq!(
            a.sentence("the last 4 fixed tickets").unwrap(),
            "On the last 4 fixed tickets, the first module named was right 75% of the time, \
             one of the modules shown 100%, one of the files shown 25%"
        );
    }
}
