//! How an analysis did once the ticket's fix landed: what it showed (`Predicted`), the
//! fix's files, and the three questions asked of every fixed ticket — was the first module
//! named right, any module shown, any file shown — with their shares over many tickets.

use serde::{Deserialize, Serialize};

/// What an analysis showed, strongest first: modules and files, each with its repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Predicted {
    /// `(repository, module id)`.
    pub modules: Vec<(String, String)>,
    /// `(repository, path)`.
    pub files: Vec<(String, String)>,
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
    })
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
