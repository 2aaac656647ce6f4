//! The plan: for a sprint, a release or every open ticket, the modules the tickets land in
//! (each ticket's latest analysis), each with the tickets there and their priority, the
//! module's fragility, who knows it and whose knowledge is at risk; collisions (two or more
//! tickets on one fragile module); the riskiest tickets with their reasons in words; and the
//! precedents' footprints. The page, the API and the digest all show this one value.
//!
//! "Fragile" is the history room's **high** level (measured in `docs/signals.md`: high
//! modules get a real fix within 90 days about twice as often as the rest); "knowledge at
//! risk" is its flag for a top author gone from the whole repository. Nothing else is
//! claimed about a module here.

use crate::domain::{ConfidenceLevel, Enrichment, Footprint, Planning, Priority};
use crate::store::{score_id, PlanChoice, PlanFilter, PlanTicket, Store};
use anyhow::Context;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Riskiest tickets a plan lists.
const RISKIEST: usize = 5;

/// What a plan is about, as the page and the API name it.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    /// `sprint`, `release` or `open`.
    pub kind: &'static str,
    pub name: Option<String>,
}

/// The plan for one scope.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub scope: Scope,
    pub sprints: Vec<PlanChoice>,
    pub releases: Vec<PlanChoice>,
    pub tickets: Vec<TicketLine>,
    /// Modules the tickets land in: collisions first, then by the most urgent ticket.
    pub modules: Vec<ModuleLine>,
    pub riskiest: Vec<Risk>,
}

/// One open ticket of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct TicketLine {
    pub tracker: String,
    pub key: String,
    pub title: String,
    pub url: Option<String>,
    pub status: Option<String>,
    /// The tracker's own word for the priority.
    pub priority_word: Option<String>,
    #[serde(flatten)]
    pub plan: Planning,
    /// How sure its latest analysis is of where it lands; `None`: not analysed yet.
    pub confidence: Option<ConfidenceLevel>,
    /// Ids of the modules it lands in, best first.
    pub modules: Vec<String>,
    /// The size of its precedents' fixes, when it has some.
    pub footprint: Option<Footprint>,
}

/// A ticket as a module lists it.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleTicketRef {
    pub tracker: String,
    pub key: String,
    pub priority: Option<Priority>,
}

/// A person whose knowledge of a module is at risk.
#[derive(Debug, Clone, Serialize)]
pub struct AtRisk {
    pub name: String,
    /// Their last commit anywhere in the repository.
    pub last_commit_anywhere_ms: Option<i64>,
}

/// One module the plan lands in.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleLine {
    pub id: String,
    pub repository: String,
    pub module: String,
    pub name: String,
    /// The stored `{score, level, reasons}`; `None` before the repository is mined.
    pub fragility: Option<Value>,
    pub fragile: bool,
    /// Who knows it (its top authors).
    pub owners: Vec<String>,
    pub knowledge_at_risk: Vec<AtRisk>,
    pub tickets: Vec<ModuleTicketRef>,
    /// Two or more of the plan's tickets land on this fragile module.
    pub collision: bool,
}

/// A high-priority ticket on risky ground, with why in words.
#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    pub tracker: String,
    pub key: String,
    pub title: String,
    pub priority: Option<Priority>,
    pub reasons: Vec<String>,
}

/// The query of the page and the API: `sprint=…`, `release=…` or `open=true`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PlanQuery {
    pub sprint: Option<String>,
    pub release: Option<String>,
    pub open: Option<bool>,
}

impl PlanQuery {
    /// The scope asked for (an empty name is no name): the sprint, else the release, else
    /// every open ticket. The page's forms send one; a caller sending several gets the
    /// first in that order, as the answer's `scope` says.
    pub fn filter(&self) -> PlanFilter {
        let named = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        match (named(&self.sprint), named(&self.release)) {
            (Some(s), _) => PlanFilter::Sprint(s),
            (None, Some(r)) => PlanFilter::Release(r),
            (None, None) => PlanFilter::Open,
        }
    }
}

/// Builds the plan for `filter` from the store.
pub async fn plan(store: &Store, filter: &PlanFilter) -> anyhow::Result<Plan> {
    let (sprints, releases) = store
        .plan_choices()
        .await
        .context("failed to list sprints and releases")?;
    let rows = store
        .plan_tickets(filter)
        .await
        .context("failed to read the plan's tickets")?;
    let tickets: Vec<TicketLine> = rows.iter().map(ticket_line).collect();
    let modules = module_lines(store, &rows).await?;
    let riskiest = riskiest(&tickets, &modules);
    let scope = match filter {
        PlanFilter::Sprint(s) => Scope {
            kind: "sprint",
            name: Some(s.clone()),
        },
        PlanFilter::Release(r) => Scope {
            kind: "release",
            name: Some(r.clone()),
        },
        PlanFilter::Open => Scope {
            kind: "open",
            name: None,
        },
    };
    Ok(Plan {
        scope,
        sprints,
        releases,
        tickets,
        modules,
        riskiest,
    })
}

fn ticket_line(t: &PlanTicket) -> TicketLine {
    let analysis: Option<Enrichment> = t
        .analysis
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok());
    TicketLine {
        tracker: t.tracker.clone(),
        key: t.key.clone(),
        title: t.title.clone(),
        url: t.url.clone(),
        status: t.status.clone(),
        priority_word: t.priority_word.clone(),
        plan: t.plan.clone(),
        confidence: analysis.as_ref().map(|a| a.confidence.level),
        modules: t
            .modules
            .iter()
            .map(|(repo, m)| score_id(repo, "module", m))
            .collect(),
        footprint: analysis.and_then(|a| a.footprint),
    }
}

/// The modules the tickets land in, with the module's stored fragility and people.
async fn module_lines(store: &Store, rows: &[PlanTicket]) -> anyhow::Result<Vec<ModuleLine>> {
    let mut by_module: BTreeMap<(String, String), Vec<ModuleTicketRef>> = BTreeMap::new();
    for t in rows {
        for (repo, module) in &t.modules {
            by_module
                .entry((repo.clone(), module.clone()))
                .or_default()
                .push(ModuleTicketRef {
                    tracker: t.tracker.clone(),
                    key: t.key.clone(),
                    priority: t.plan.priority,
                });
        }
    }
    let mut out = Vec::with_capacity(by_module.len());
    for ((repository, module), tickets) in by_module {
        let id = score_id(&repository, "module", &module);
        let row = store
            .score_by_id(&id)
            .await
            .context("failed to read a module's score")?;
        let detail: Value = row
            .as_ref()
            .and_then(|r| serde_json::from_str(&r.detail).ok())
            .unwrap_or(Value::Null);
        let experts = detail["history"]["experts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let fragility = detail.get("fragility").filter(|f| f.is_object()).cloned();
        let fragile = fragility.as_ref().and_then(|f| f["level"].as_str()) == Some("high");
        out.push(ModuleLine {
            name: detail["display_name"]
                .as_str()
                .unwrap_or(&module)
                .to_string(),
            owners: experts
                .iter()
                .filter_map(|x| x["name"].as_str().map(str::to_string))
                .collect(),
            knowledge_at_risk: experts
                .iter()
                .filter(|x| x["at_risk"].as_bool() == Some(true))
                .filter_map(|x| {
                    Some(AtRisk {
                        name: x["name"].as_str()?.to_string(),
                        last_commit_anywhere_ms: x["last_commit_anywhere_ms"].as_i64(),
                    })
                })
                .collect(),
            collision: fragile && tickets.len() >= 2,
            fragility,
            fragile,
            tickets,
            id,
            repository,
            module,
        });
    }
    out.sort_by_key(|m| {
        let top = m.tickets.iter().filter_map(|t| t.priority).min();
        (
            !m.collision,
            top.map_or(9, Priority::rank),
            std::cmp::Reverse(m.tickets.len()),
        )
    });
    Ok(out)
}

/// Urgent and high tickets that land on fragile code or on knowledge at risk, with their
/// reasons; most urgent and most reasons first.
fn riskiest(tickets: &[TicketLine], modules: &[ModuleLine]) -> Vec<Risk> {
    let mut out: Vec<Risk> = tickets
        .iter()
        .filter(|t| matches!(t.plan.priority, Some(Priority::Urgent | Priority::High)))
        .filter_map(|t| {
            let mine: Vec<&ModuleLine> = modules
                .iter()
                .filter(|m| t.modules.contains(&m.id))
                .collect();
            let mut reasons = Vec::new();
            for m in mine.iter().filter(|m| m.fragile) {
                reasons.push(format!(
                    "lands in {}, one of the most fragile modules",
                    m.name
                ));
            }
            for m in &mine {
                for p in &m.knowledge_at_risk {
                    reasons.push(format!(
                        "{} knows {} but has made no commit to the repository since {}",
                        p.name,
                        m.name,
                        day(p.last_commit_anywhere_ms)
                    ));
                }
            }
            if reasons.is_empty() {
                return None;
            }
            if t.confidence == Some(ConfidenceLevel::Guess) {
                reasons.push("where it lands is only a guess".into());
            }
            Some(Risk {
                tracker: t.tracker.clone(),
                key: t.key.clone(),
                title: t.title.clone(),
                priority: t.plan.priority,
                reasons,
            })
        })
        .collect();
    out.sort_by_key(|r| {
        (
            r.priority.map_or(9, Priority::rank),
            std::cmp::Reverse(r.reasons.len()),
        )
    });
    out.truncate(RISKIEST);
    out
}

/// `2024-03-01` of a time in ms, `an unknown date` without one.
fn day(ms: Option<i64>) -> String {
    ms.and_then(|ms| time::OffsetDateTime::from_unix_timestamp(ms / 1000).ok())
        .map_or_else(|| "an unknown date".into(), |t| t.date().to_string())
}
