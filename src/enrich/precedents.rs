//! Precedents: the earlier tickets most like this one that commits name as their work, with
//! what those commits touched (files, modules, lines) and how long each ticket took. The
//! ticket index finds the tickets whose text is most alike (TF-IDF cosine) among those the
//! ticket's audience may see (`[duplicates] audience`); the mined ticket ↔ commit links give
//! the fixes.

use crate::codeindex::CodeIndex;
use crate::domain::{Audience, DuplicateCandidate, Precedent, SimilarQuery};
use crate::store::{LinkedCommit, Store};
use crate::ticketindex::TicketIndex;
use std::collections::HashMap;
use std::sync::Arc;

/// Similar tickets searched for linked fixes.
pub const SEARCHED: usize = 30;
/// Precedents kept as evidence (the comment shows the first few).
pub const KEPT: usize = 10;

/// Why a ticket got no precedent, in words: the mined keys meet no stored ticket's (the
/// store's counts say so), else no earlier ticket was alike (`similar` is 0), else none of
/// the `similar` alike tickets is named by a mined commit.
pub async fn why_none(store: &Store, similar: usize) -> anyhow::Result<String> {
    if let Some(problem) = store.key_match(None).await?.problem() {
        return Ok(problem);
    }
    Ok(match similar {
        0 => "no earlier ticket is alike enough to this one".to_string(),
        1 => "the one earlier ticket alike is named by no mined commit".to_string(),
        n => format!("none of the {n} earlier tickets most alike is named by a mined commit"),
    })
}

/// The precedents of a text: similar tickets (never `exclude_id`, the ticket itself; only
/// those `audience` may see, when given) that mined commits name, most similar first, at
/// most `KEPT`; with how many similar tickets were searched for fixes. Blocking work (the
/// ticket search) runs on the blocking pool.
pub async fn find(
    store: &Store,
    tickets: Arc<TicketIndex>,
    code: &CodeIndex,
    title: &str,
    body: &str,
    exclude_id: Option<&str>,
    audience: Option<Audience>,
) -> anyhow::Result<(Vec<Precedent>, usize)> {
    let query = SimilarQuery {
        title: title.to_string(),
        body: body.to_string(),
        exclude_ids: exclude_id.map(str::to_string).into_iter().collect(),
        audience,
        ..SimilarQuery::default()
    };
    let found = tokio::task::spawn_blocking(move || tickets.alike(&query, SEARCHED)).await??;
    // a forge ticket `owner/repo#12` is also named `#12` by its own repository's commits
    let mut keys: Vec<String> = found.iter().map(|c| c.key.clone()).collect();
    keys.extend(found.iter().filter_map(|c| bare_reference(&c.key)));
    let commits = store.linked_commits(&keys).await?;
    let mut by_key: HashMap<&str, Vec<&LinkedCommit>> = HashMap::new();
    for c in &commits {
        by_key.entry(c.ticket_key.as_str()).or_default().push(c);
    }
    let module_of = |repo: &str, path: &str| code.module_of(repo, path);
    let is_project = |repo: &str, path: &str| code.is_forge_project(repo, path);
    let mut out = Vec::new();
    for cand in &found {
        if out.len() >= KEPT {
            break;
        }
        let linked = fixes_of(&cand.key, &by_key, &is_project);
        if linked.is_empty() {
            continue;
        }
        let created = store
            .ticket_by_key(cand.tracker.as_str(), &cand.key)
            .await?
            .and_then(|t| t.created_at);
        let created_ms = Some(TicketIndex::order_of(created.as_deref(), "").created_ms);
        out.extend(assemble(cand, created_ms, &linked, &module_of));
    }
    Ok((out, found.len()))
}

/// The commits that name `key`: by its full key, else (a forge key) by its bare `#12` in
/// commits of its own repository only — another repository's `#12` is another issue.
/// `is_project(repository, forge path)` tells which repository is which project.
fn fixes_of<'a>(
    key: &str,
    by_key: &HashMap<&str, Vec<&'a LinkedCommit>>,
    is_project: &dyn Fn(&str, &str) -> bool,
) -> Vec<&'a LinkedCommit> {
    if let Some(named) = by_key.get(key) {
        return named.clone();
    }
    let (Some(bare), Some((path, _))) = (bare_reference(key), key.rsplit_once('#')) else {
        return Vec::new();
    };
    by_key
        .get(bare.as_str())
        .map(|cs| {
            cs.iter()
                .copied()
                .filter(|c| is_project(&c.repository, path))
                .collect()
        })
        .unwrap_or_default()
}

/// `#12` for a forge key `owner/repo#12` (how a repository's own commits name its issues);
/// `None` for other keys. Which repository's `#12` it is, `fixes_of` decides.
fn bare_reference(key: &str) -> Option<String> {
    let (path, number) = key.rsplit_once('#')?;
    (!path.is_empty() && !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("#{number}"))
}

/// A precedent from a similar ticket and the commits linked to it (at least one), with
/// `module_of(repository, path)` naming modules and `created_ms` the ticket's creation.
pub fn assemble(
    candidate: &DuplicateCandidate,
    created_ms: Option<i64>,
    commits: &[&LinkedCommit],
    module_of: &dyn Fn(&str, &str) -> Option<String>,
) -> Option<Precedent> {
    let first = commits.first()?;
    let mut lines: HashMap<&str, u32> = HashMap::new();
    let (mut added, mut deleted) = (0u32, 0u32);
    for c in commits.iter().filter(|c| c.repository == first.repository) {
        for (path, a, d) in &c.files {
            *lines.entry(path.as_str()).or_default() += a + d;
            added = added.saturating_add(*a);
            deleted = deleted.saturating_add(*d);
        }
    }
    let mut files: Vec<(&str, u32)> = lines.into_iter().collect();
    files.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let files: Vec<String> = files.into_iter().map(|(p, _)| p.to_string()).collect();
    let fixed_ms = commits.iter().map(|c| c.time_ms).max().unwrap_or(0);
    Some(Precedent {
        tracker: Some(candidate.tracker),
        key: candidate.key.clone(),
        title: candidate.title.clone(),
        url: candidate.url.clone(),
        similarity: candidate.similarity,
        days: created_ms
            .filter(|c| *c > 0 && *c <= fixed_ms)
            .map(|c| (fixed_ms - c) as f32 / 86_400_000.0),
        fixed_ms,
        commits: commits.iter().map(|c| c.sha.clone()).collect(),
        modules: modules_of(&first.repository, &files, module_of),
        repository: first.repository.clone(),
        files,
        lines_added: added,
        lines_deleted: deleted,
    })
}

/// The modules of `files`, most files first.
pub fn modules_of(
    repository: &str,
    files: &[String],
    module_of: &dyn Fn(&str, &str) -> Option<String>,
) -> Vec<String> {
    let mut count: Vec<(String, usize)> = Vec::new();
    for f in files {
        let Some(m) = module_of(repository, f) else {
            continue;
        };
        match count.iter_mut().find(|c| c.0 == m) {
            Some(c) => c.1 += 1,
            None => count.push((m, 1)),
        }
    }
    count.sort_by_key(|c| std::cmp::Reverse(c.1));
    count.into_iter().map(|c| c.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{DuplicateTier, Tracker};

    #[test]
    fn a_forge_key_is_also_looked_up_by_its_bare_issue_number() {
        assert_eq!(bare_reference("acme/app#12").as_deref(), Some("#12"));
        assert_eq!(bare_reference("group/sub/project#7").as_deref(), Some("#7"));
        assert_eq!(bare_reference("TOM-12"), None);
        assert_eq!(bare_reference("#12"), None);
        assert_eq!(bare_reference("acme/app#x"), None);
    }

    #[test]
    fn a_bare_reference_counts_only_in_its_own_repository() {
        let c = |key: &str, repo: &str, sha: &str| LinkedCommit {
            ticket_key: key.into(),
            repository: repo.into(),
            sha: sha.into(),
            time_ms: 1,
            files: vec![],
        };
        let commits = [
            c("#2", "app", "a"),
            c("#2", "other", "b"),
            c("acme/lib#2", "lib", "c"),
        ];
        let mut by_key: HashMap<&str, Vec<&LinkedCommit>> = HashMap::new();
        for c in &commits {
            by_key.entry(c.ticket_key.as_str()).or_default().push(c);
        }
        let is_project = |repo: &str, path: &str| path.ends_with(&format!("/{repo}"));
        let shas = |key: &str| -> Vec<String> {
            fixes_of(key, &by_key, &is_project)
                .iter()
                .map(|c| c.sha.clone())
                .collect()
        };
        assert_eq!(shas("acme/app#2"), ["a"]);
        assert_eq!(shas("acme/other#2"), ["b"]);
        assert!(shas("acme/unmined#2").is_empty());
        assert_eq!(
            shas("acme/lib#2"),
            ["c"],
            "a full key counts wherever it is named"
        );
        assert!(shas("TOM-2").is_empty());
    }

    #[test]
    fn a_precedent_sums_its_commits_and_takes_the_last_one_as_its_fix() {
        let cand = DuplicateCandidate {
            tracker: Tracker::Jira,
            id: "1".into(),
            key: "TOM-123".into(),
            title: "Host config ignored".into(),
            status: None,
            url: None,
            similarity: 0.87,
            tier: DuplicateTier::Related,
            shared_terms: vec![],
            shared_modules: vec![],
        };
        let day = 86_400_000;
        let c = |sha: &str, t: i64, files: &[(&str, u32)]| LinkedCommit {
            ticket_key: "TOM-123".into(),
            repository: "tomcat".into(),
            sha: sha.into(),
            time_ms: t,
            files: files.iter().map(|(p, n)| (p.to_string(), *n, 0)).collect(),
        };
        let a = c("a", 3 * day, &[("startup/HostConfig.java", 10)]);
        let b = c(
            "b",
            4 * day,
            &[
                ("startup/ContextConfig.java", 40),
                ("startup/HostConfig.java", 5),
            ],
        );
        let module_of = |_: &str, p: &str| p.split_once('/').map(|(m, _)| m.to_string());
        let p = assemble(&cand, Some(day), &[&a, &b], &module_of).unwrap();
        assert_eq!(
            p.files,
            ["startup/ContextConfig.java", "startup/HostConfig.java"]
        );
        assert_eq!(p.modules, ["startup"]);
        assert_eq!(p.days, Some(3.0));
        assert_eq!((p.lines_added, p.commits.len()), (55, 2));
        assert!(assemble(&cand, None, &[], &module_of).is_none());
    }
}
