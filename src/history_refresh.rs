//! Keeps one repository's history current in the store: mine what is new (re-mining after a
//! force-push), save it with the ticket keys its messages name, recompute the metrics and fragility of every module and file, and
//! save those. git2 work runs on a blocking thread.

use crate::codeindex::RefreshReport;
use crate::config::{HistorySettings, Settings};
use crate::domain::{CommitLink, MinedCommit};
use crate::history::{self, Classifier, EntityMetrics, MineRequest, Params, Scored};
use crate::modules::{ModuleCut, ModuleRules};
use crate::store::{now_ms, CommitKindRow, HistoryBatch, ScoreRow, Store};
use anyhow::Context;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

/// What one refresh did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RefreshSummary {
    pub repository: String,
    pub tip: String,
    pub new_commits: usize,
    pub dropped_commits: usize,
    /// Every mined commit was linked again: the link patterns changed since the last mine.
    pub relinked: bool,
    /// Tickets whose fix this mine linked, judged against their earlier analysis.
    pub measured: usize,
    pub force_pushed: bool,
    pub missing_objects: u64,
    pub modules: usize,
    pub files: usize,
    pub mine_ms: u128,
    pub save_ms: u128,
    pub score_ms: u128,
}

/// What to mine: a repository's git directory, its branch, and optionally the revision to
/// mine up to (the commit the code index holds) instead of the branch head.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub repository: &'a str,
    pub path: PathBuf,
    pub branch: &'a str,
    pub at: Option<&'a str>,
}

/// Each repository's mined history as stored, kept in memory between refreshes so a
/// rescore after a few new commits does not read the whole history back from the store
/// (about half a second on apache/tomcat). An entry is used only while the store's tip is
/// the one it was taken at (another process mining the same repository invalidates it).
#[derive(Default)]
pub struct HistoryCache(std::sync::Mutex<HashMap<String, Cached>>);

/// One repository's history as stored at `tip`, and when it was last scored.
struct Cached {
    tip: String,
    commits: Vec<MinedCommit>,
    scored: Instant,
}

/// Scores describe a window ending now: with no new commits they are still recomputed this
/// often, so a quiet module's recent activity fades as the days pass.
const RESCORE_EVERY: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

impl HistoryCache {
    fn take(&self, repository: &str, stored_tip: Option<&str>) -> Option<Vec<MinedCommit>> {
        let mut map = self.0.lock().ok()?;
        let c = map.remove(repository)?;
        (Some(c.tip.as_str()) == stored_tip).then_some(c.commits)
    }

    fn put(&self, repository: &str, tip: &str, commits: Vec<MinedCommit>) {
        if let Ok(mut map) = self.0.lock() {
            let scored = Instant::now();
            let tip = tip.to_string();
            map.insert(
                repository.to_string(),
                Cached {
                    tip,
                    commits,
                    scored,
                },
            );
        }
    }

    /// True when this process scored the repository at `tip` recently.
    fn fresh(&self, repository: &str, tip: &str) -> bool {
        self.0.lock().ok().is_some_and(|map| {
            map.get(repository)
                .is_some_and(|c| c.tip == tip && c.scored.elapsed() < RESCORE_EVERY)
        })
    }
}

/// Mines `target` into the store and rescores it, with modules cut from the tree at the
/// mined tip by `rules`; `cache` (serve's) spares reading the history back.
pub async fn refresh(
    store: &Store,
    settings: &HistorySettings,
    rules: &ModuleRules,
    target: Target<'_>,
    cache: Option<&HistoryCache>,
) -> anyhow::Result<RefreshSummary> {
    let Target {
        repository,
        path,
        branch,
        at,
    } = target;
    let state = store.history_state(repository).await?;
    let cached = cache.and_then(|c| c.take(repository, state.as_ref().map(|s| s.tip.as_str())));
    let req = MineRequest {
        path,
        branch: at.unwrap_or(branch).to_string(),
        // Another branch than last time is another history: start over.
        known_tip: state
            .as_ref()
            .filter(|s| s.branch == branch)
            .map(|s| s.tip.clone()),
        next_seq: state.as_ref().map_or(0, |s| s.next_seq),
        threads: settings.threads,
    };
    let reset_branch = state.as_ref().is_some_and(|s| s.branch != branch);
    let t = Instant::now();
    let rules = rules.clone();
    let (out, cut) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let out = history::mine(&req)?;
        let paths = history::tree_paths(&req.path, &out.tip)?;
        let cut = ModuleCut::build(paths.iter().map(String::as_str), &rules);
        Ok((out, cut))
    })
    .await
    .context("mining thread failed")??;
    let mine_ms = t.elapsed().as_millis();
    let t = Instant::now();
    let now = now_ms();
    let links = commit_links(settings, &out.commits)?;
    store
        .save_history(&HistoryBatch {
            repository,
            branch,
            tip: &out.tip,
            reset: out.reset || reset_branch,
            dropped: &out.dropped,
            commits: &out.commits,
            links: &links,
            missing_objects: out.missing_objects,
            now_ms: now,
        })
        .await
        .context("failed to save mined history")?;
    let save_ms = t.elapsed().as_millis();
    let t = Instant::now();
    // the stored history is the cached one plus what was just saved, unless it was rewritten
    let known = match cached {
        Some(mut commits) if !(out.reset || reset_branch) && out.dropped.is_empty() => {
            commits.extend(out.commits.iter().cloned());
            commits
        }
        _ => store.load_history(repository).await?,
    };
    let first_mine = state.is_none() || out.reset || reset_branch;
    let relinked = sync_links(store, repository, settings, &known, first_mine).await?;
    let measured = measure(store, repository, &cut, now).await?;
    let (modules, files, commits) =
        rescore_commits(store, settings, cut, repository, now, known).await?;
    if let Some(c) = cache {
        c.put(repository, &out.tip, commits);
    }
    Ok(RefreshSummary {
        repository: repository.to_string(),
        tip: out.tip.clone(),
        new_commits: out.commits.len(),
        dropped_commits: out.dropped.len(),
        relinked,
        measured,
        force_pushed: out.force_pushed() || reset_branch,
        missing_objects: out.missing_objects,
        modules,
        files,
        mine_ms,
        save_ms,
        score_ms: t.elapsed().as_millis(),
    })
}

/// The ticket keys each commit's message names: built-in tracker shapes (a bare `#123` as
/// the forge project's, when known) and the link patterns.
pub fn commit_links(
    settings: &HistorySettings,
    commits: &[MinedCommit],
) -> anyhow::Result<Vec<CommitLink>> {
    let linker = history::Linker::new(&settings.link_patterns)
        .context("invalid history.link_patterns")?
        .with_forge_project(settings.forge_project.as_deref());
    Ok(commits
        .iter()
        .flat_map(|c| {
            linker.keys(&c.message).into_iter().map(|key| CommitLink {
                sha: c.sha.clone(),
                key,
            })
        })
        .collect())
}

/// Hands the code index the stored tickets that `repository`'s mined commits name, with
/// the files those commits changed, as words for those files (the most recently fixed
/// `MAX_PAST_TICKETS`; a bare `#12` counts only for the forge project the repository is).
/// A pass reads them again only when the mined tip, the links or any ticket changed since
/// the `read` marker (`Store::past_tickets_marker`; none: always), so a ticket stored or
/// edited after its fix was mined is taken in without reading every ticket's text on every
/// pass; the index rebuilds only when they changed. Returns how many it indexed, `None`
/// when nothing changed.
pub async fn load_past_tickets(
    store: &Store,
    code: &std::sync::Arc<crate::codeindex::CodeIndex>,
    repository: &str,
    read: Option<&mut HashMap<String, String>>,
) -> anyhow::Result<Option<usize>> {
    if let Some(read) = read {
        let marker = store.past_tickets_marker(repository).await?;
        if read.get(repository) == Some(&marker) {
            return Ok(None);
        }
        read.insert(repository.to_string(), marker);
    }
    let rows = store
        .past_tickets(repository, 2 * crate::codeindex::MAX_PAST_TICKETS)
        .await
        .context("failed to read the past tickets")?;
    let mut seen = std::collections::HashSet::new();
    let tickets: Vec<crate::domain::PastTicket> = rows
        .into_iter()
        .filter(|(link, t)| {
            let bare = link != &t.key;
            let project = t.key.rsplit_once('#').map_or("", |(p, _)| p);
            !bare || code.is_forge_project(repository, project)
        })
        .filter(|(_, t)| seen.insert((t.tracker, t.key.clone())))
        .map(|(_, t)| t)
        .take(crate::codeindex::MAX_PAST_TICKETS)
        .collect();
    let (code, repository) = (code.clone(), repository.to_string());
    let indexed = tokio::task::spawn_blocking(move || code.set_past_tickets(&repository, &tickets))
        .await
        .context("past tickets thread failed")?;
    Ok(indexed)
}

/// Stores the module graph of the commit the code index holds, unless the store already
/// has that commit's (another replica, or an earlier refresh, stored it).
pub async fn store_dependencies(
    store: &Store,
    repository: &str,
    indexed: &RefreshReport,
) -> anyhow::Result<()> {
    let Some(graph) = &indexed.dependencies else {
        return Ok(());
    };
    if store.dependencies_commit(repository).await?.as_deref() == Some(graph.commit.as_str()) {
        return Ok(());
    }
    store
        .save_dependencies(repository, graph, now_ms())
        .await
        .context("failed to save the dependency graph")?;
    tracing::info!(
        %repository, commit = %graph.commit, modules = graph.modules.len(),
        read = indexed.deps.read, reused = indexed.deps.reused, deps_ms = indexed.deps.ms,
        "dependency graph stored"
    );
    Ok(())
}

/// Live accuracy: judges the stored analysis of every ticket that a commit of `repository`
/// made after that analysis names (its fix), against the fix's files, with modules cut as at
/// the mined tip. Each ticket is judged once.
async fn measure(
    store: &Store,
    repository: &str,
    cut: &ModuleCut,
    now: i64,
) -> anyhow::Result<usize> {
    use crate::modules::ModuleMap;
    let pending = store.unmeasured_fixes(repository).await?;
    for u in &pending {
        let fix: Vec<crate::domain::FixFile> = u
            .files
            .iter()
            .map(|(path, created)| crate::domain::FixFile {
                module: cut.module_of(path),
                path: path.clone(),
                created: *created,
            })
            .collect();
        let judged = crate::domain::judge(&u.predicted, repository, &fix);
        store
            .save_outcome(u, repository, judged, now)
            .await
            .context("failed to save an outcome")?;
        tracing::info!(
            %repository, ticket = %u.ticket_key, fix = %u.fix_sha, ?judged,
            "a fix landed: its ticket's analysis measured"
        );
    }
    Ok(pending.len())
}

/// Links every mined commit of `repository` (`known`) again when the link patterns (or the
/// forge project of bare `#123`) differ from those its stored links were read with (a key
/// template added after the first mine), and records their fingerprint. After a first mine
/// the new links are already the patterns'. True when it linked again.
async fn sync_links(
    store: &Store,
    repository: &str,
    settings: &HistorySettings,
    known: &[MinedCommit],
    first_mine: bool,
) -> anyhow::Result<bool> {
    use sha2::{Digest, Sha256};
    let patterns = &settings.link_patterns;
    // without a forge project the fingerprint is the patterns' alone, as before it existed
    let fingerprint = hex::encode(Sha256::digest(match &settings.forge_project {
        None => serde_json::to_vec(patterns)?,
        Some(project) => serde_json::to_vec(&(patterns, project))?,
    }));
    let stored = store.links_fingerprint(repository).await?;
    if stored.as_deref() == Some(fingerprint.as_str()) {
        return Ok(false);
    }
    if first_mine {
        store.replace_links(repository, None, &fingerprint).await?;
        return Ok(false);
    }
    let links = commit_links(settings, known)?;
    store
        .replace_links(repository, Some(&links), &fingerprint)
        .await
        .context("failed to save the commits' links")?;
    tracing::info!(%repository, links = links.len(), "link patterns changed: every mined commit linked again");
    Ok(true)
}

/// Mines a configured repository up to the commit its code index holds, when the stored
/// history is not already there (`serve` calls it after every code index refresh).
pub async fn follow_index(
    store: &Store,
    settings: &Settings,
    repository: &str,
    indexed: &RefreshReport,
    cache: Option<&HistoryCache>,
) -> anyhow::Result<()> {
    let state = store.history_state(repository).await?;
    let mined = state.as_ref().is_some_and(|s| s.tip == indexed.commit);
    // already mined there: rescored only when this process has not done so lately (after a
    // start, and every few hours so the window moves on)
    let scored = cache.is_some_and(|c| c.fresh(repository, &indexed.commit));
    if mined && (scored || cache.is_none()) {
        return Ok(());
    }
    let branch = settings
        .repositories
        .iter()
        .find(|r| r.name == repository)
        .map_or("HEAD", |r| r.branch_or_head());
    let target = Target {
        repository,
        path: indexed.git_dir.clone(),
        branch,
        at: Some(&indexed.commit),
    };
    let rules = settings.module_rules(repository);
    let s = refresh(
        store,
        &settings.history_of(repository),
        &rules,
        target,
        cache,
    )
    .await?;
    let keys = store.key_match(Some(repository)).await?;
    tracing::info!(
        %repository, tip = %s.tip, new_commits = s.new_commits, modules = s.modules,
        files = s.files, mine_ms = s.mine_ms as u64, score_ms = s.score_ms as u64,
        keys_mined = keys.keys_mined, keys_matched = keys.keys_matched,
        "history mined"
    );
    if let Some(problem) = keys.problem() {
        tracing::warn!(%repository, "{problem}");
    }
    Ok(())
}

/// Recomputes and stores the scores of every module and file of a repository from its
/// history `commits`; hands the commits back (for the cache) with the module and file counts.
async fn rescore_commits(
    store: &Store,
    settings: &HistorySettings,
    cut: ModuleCut,
    repository: &str,
    now: i64,
    commits: Vec<MinedCommit>,
) -> anyhow::Result<(usize, usize, Vec<MinedCommit>)> {
    let types = store.ticket_types_for(repository).await?;
    let classifier = Classifier::new(&settings.classifier_rules(), types)
        .context("invalid [history] fix_patterns, housekeeping_patterns or bugfix_pattern")?;
    let commits = store_kinds(store, repository, &classifier, commits).await?;
    let away_days = settings.away_days;
    let params = Params {
        now_ms: now,
        window_days: settings.window_days,
        mass_change_files: settings.mass_change_files,
    };
    let t = Instant::now();
    let rows = tokio::task::spawn_blocking(move || {
        let metrics = history::compute(&commits, &cut, &classifier, &params);
        let (files, modules) = history::score_all(&metrics);
        let mut rows = Vec::with_capacity(files.len() + modules.len());
        let window = params.window_days;
        let name_of = |id: &str| cut.name_of(id).to_string();
        // a module's hottest files: the most fragile level first (a file changed recently
        // and often), then the score; a high score with no recent change is not "hot"
        let level_rank = |l: &str| match l {
            "high" => 2,
            "medium" => 1,
            _ => 0,
        };
        let mut by_module: HashMap<&str, Vec<&Scored>> = HashMap::new();
        for f in &files {
            by_module
                .entry(f.metrics.module.as_str())
                .or_default()
                .push(f);
        }
        for list in by_module.values_mut() {
            list.sort_by(|a, b| {
                level_rank(&b.fragility.level)
                    .cmp(&level_rank(&a.fragility.level))
                    .then(b.fragility.score.total_cmp(&a.fragility.score))
                    .then_with(|| a.metrics.name.cmp(&b.metrics.name))
            });
            list.truncate(5);
        }
        for m in &modules {
            let hottest: Vec<&Scored> = by_module
                .get(m.metrics.name.as_str())
                .cloned()
                .unwrap_or_default();
            let facts =
                history::facts::module_history(&m.metrics, window, now, away_days, &name_of);
            let info = cut.get(&m.metrics.name);
            let extra = serde_json::json!({
                "display_name": info.map_or(m.metrics.name.as_str(), |i| i.name.as_str()),
                "source_files": info.map_or(0, |i| i.files),
                "history": facts,
            });
            rows.push(row("module", m, &hottest, extra));
        }
        rows.extend(files.iter().map(|f| {
            let extra = serde_json::json!({ "history": history::facts::file_history(f, window) });
            row("file", f, &[], extra)
        }));
        rows.push(activity_row(&metrics));
        (rows, modules.len(), files.len(), commits)
    })
    .await
    .context("scoring thread failed")?;
    let compute_ms = t.elapsed().as_millis() as u64;
    let t = Instant::now();
    store
        .replace_scores(repository, &rows.0, now)
        .await
        .context("failed to save scores")?;
    tracing::debug!(
        %repository, compute_ms, save_ms = t.elapsed().as_millis() as u64,
        "rescored"
    );
    Ok((rows.1, rows.2, rows.3))
}

/// Stores what the classifier makes of the commits: all of them when the rules or the named
/// tickets' types changed since the stored kinds were made (no re-mine needed), else those
/// without a stored kind. Hands the commits back.
async fn store_kinds(
    store: &Store,
    repository: &str,
    classifier: &Classifier,
    commits: Vec<MinedCommit>,
) -> anyhow::Result<Vec<MinedCommit>> {
    let fingerprint = format!("{:016x}", classifier.fingerprint());
    let stored = store.commit_kinds_fingerprint(repository).await?;
    let all = stored.as_deref() != Some(fingerprint.as_str());
    let known: std::collections::HashSet<String> = if all {
        Default::default()
    } else {
        store.classified_shas(repository).await?
    };
    let classifier = classifier.clone();
    let (rows, commits) = tokio::task::spawn_blocking(move || {
        let rows: Vec<CommitKindRow> = commits
            .iter()
            .filter(|c| !c.is_merge && !known.contains(&c.sha))
            .map(|c| {
                let k = classifier.classify_mined(c);
                CommitKindRow {
                    sha: c.sha.clone(),
                    kind: k.kind.as_str().to_string(),
                    sweep: k.sweep,
                    bot: k.bot,
                    rule: k.rule,
                }
            })
            .collect();
        (rows, commits)
    })
    .await
    .context("classifying thread failed")?;
    if all || !rows.is_empty() {
        store
            .save_commit_kinds(repository, &rows, &fingerprint)
            .await
            .context("failed to save commit kinds")?;
        tracing::debug!(%repository, rows = rows.len(), reclassified = all, "commit kinds stored");
    }
    Ok(commits)
}

/// The repository's own activity (kind `repository`, named after nothing: one per
/// repository): commits and fixes per month and of the last days, for the overview page.
fn activity_row(m: &history::HistoryMetrics) -> ScoreRow {
    ScoreRow {
        id: String::new(),
        repository: String::new(),
        kind: "repository".to_string(),
        name: String::new(),
        module: String::new(),
        score: 0.0,
        level: String::new(),
        commits: i64::from(m.recent.commits),
        fixes: i64::from(m.recent.fixes),
        churn: m.recent.churn as i64,
        authors: 0,
        last_change_ms: 0,
        size_lines: 0,
        detail: serde_json::json!({ "monthly": m.monthly, "recent": m.recent }).to_string(),
    }
}

/// The stored shape of a score; `detail` is what `GET /api/v1/modules/{id}` shows.
fn row(kind: &str, s: &Scored, hottest: &[&Scored], extra: serde_json::Value) -> ScoreRow {
    let m: &EntityMetrics = &s.metrics;
    let hottest: Vec<serde_json::Value> = hottest
        .iter()
        .map(|f| {
            serde_json::json!({
                "path": f.metrics.name,
                "score": f.fragility.score,
                "level": f.fragility.level,
                "commits": f.metrics.window.commits,
                "fixes": f.metrics.window.fixes,
            })
        })
        .collect();
    let mut detail = serde_json::json!({
        "fragility": s.fragility,
        "metrics": m,
        "hottest_files": hottest,
    });
    if let (Some(d), serde_json::Value::Object(extra)) = (detail.as_object_mut(), extra) {
        d.extend(extra);
    }
    ScoreRow {
        id: String::new(),
        repository: String::new(),
        kind: kind.to_string(),
        name: m.name.clone(),
        module: m.module.clone(),
        score: (f64::from(s.fragility.score) * 10.0).round() / 10.0,
        level: s.fragility.level.clone(),
        commits: i64::from(m.window.commits),
        fixes: i64::from(m.window.fixes),
        churn: m.window.churn as i64,
        authors: i64::from(m.window.authors),
        last_change_ms: m.last_change_ms,
        size_lines: m.size_lines,
        detail: detail.to_string(),
    }
}
