//! Precedents: earlier tickets like this one whose fixes are known from commits that name
//! them, and the footprint their fixes had.

use super::Tracker;
use serde::{Deserialize, Serialize};

/// An earlier, similar ticket with the commits that fixed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Precedent {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracker: Option<Tracker>,
    pub key: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// How alike the two tickets' texts are, 0–1 (the TF-IDF cosine of their texts).
    pub similarity: f32,
    /// Days from the ticket's creation to its last linked commit, when both are known: what
    /// it took, shown per precedent and never averaged into an estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<f32>,
    /// When its last linked commit landed (epoch ms).
    pub fixed_ms: i64,
    /// The linked commits (ids).
    pub commits: Vec<String>,
    /// Repository of the fix (the first linked commit's).
    pub repository: String,
    /// Files the commits changed, most changed lines first.
    pub files: Vec<String>,
    /// Modules of those files (module ids), most files first.
    pub modules: Vec<String>,
    /// Lines added and deleted by the commits.
    pub lines_added: u32,
    pub lines_deleted: u32,
}

/// A stored ticket that mined commits name, with what its fixes changed: its words describe
/// those files (the code index's ticket words). Who may read it travels with it, so an
/// analysis quotes it only to an audience it admits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PastTicket {
    pub tracker: Tracker,
    pub key: String,
    pub project: Option<String>,
    pub visibility: super::Visibility,
    /// Its title and body (the title first: it names the ticket in evidence).
    pub text: String,
    /// When its words became linked to files: its last linked commit (epoch ms).
    pub fixed_ms: i64,
    /// The files its linked commits changed, by path.
    pub files: Vec<String>,
}

/// The likely size of the work, as ranges over the precedents' fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Footprint {
    /// Precedents the ranges are taken over.
    pub precedents: u32,
    pub files_min: u32,
    pub files_max: u32,
    pub modules_min: u32,
    pub modules_max: u32,
}

impl Footprint {
    /// The ranges over `precedents` with at least one file; `None` when there is none.
    pub fn of(precedents: &[Precedent]) -> Option<Footprint> {
        let sized: Vec<&Precedent> = precedents.iter().filter(|p| !p.files.is_empty()).collect();
        let files = sized.iter().map(|p| p.files.len() as u32);
        let modules = sized.iter().map(|p| p.modules.len().max(1) as u32);
        Some(Footprint {
            precedents: sized.len() as u32,
            files_min: files.clone().min()?,
            files_max: files.max()?,
            modules_min: modules.clone().min()?,
            modules_max: modules.max()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_footprint_is_the_range_of_the_precedents_fixes() {
        let p = |files: &[&str], modules: &[&str]| Precedent {
            files: files.iter().map(|s| s.to_string()).collect(),
            modules: modules.iter().map(|s| s.to_string()).collect(),
            ..Precedent::default()
        };
        assert_eq!(Footprint::of(&[]), None);
        assert_eq!(Footprint::of(&[p(&[], &[])]), None);
        let f = Footprint::of(&[
            p(&["a", "b"], &["m"]),
            p(&["a", "b", "c", "d", "e"], &["m", "n"]),
            p(&[], &[]),
        ])
        .unwrap();
        assert_eq!(
            (
                f.precedents,
                f.files_min,
                f.files_max,
                f.modules_min,
                f.modules_max
            ),
            (2, 2, 5, 1, 2)
        );
    }
}
