//! What the digest says: the plan's findings for the sprint and the release, in a few
//! short lines, and the body each target takes. Built from `planview::plan`, the value the
//! plan page shows; nothing here judges a module or a ticket again.

use crate::config::{DigestSettings, DigestTarget};
use crate::planview::{self, ModuleLine, Plan, Risk, Scope};
use crate::store::{PlanChoice, PlanFilter, Store};
use serde::Serialize;
use serde_json::{json, Value};

/// Lines of each kind the digest shows at most; the page has the rest.
const SHOWN: usize = 3;

/// A module as the digest names it.
#[derive(Debug, Clone, Serialize)]
pub struct Loaded {
    pub module: String,
    pub fragile: bool,
    /// Keys of the scope's tickets that land there.
    pub tickets: Vec<String>,
}

/// One scope's findings.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeFindings {
    pub scope: Scope,
    pub open_tickets: usize,
    /// Two or more tickets on one fragile module.
    pub collisions: Vec<Loaded>,
    pub riskiest: Vec<Risk>,
    /// The modules with the most of the scope's tickets.
    pub most_loaded: Vec<Loaded>,
    /// The plan page for this scope, when `[web] public_url` is set.
    pub link: Option<String>,
}

/// One period's digest.
#[derive(Debug, Clone, Serialize)]
pub struct Findings {
    /// Start of the period (epoch ms).
    pub period_start: i64,
    pub scopes: Vec<ScopeFindings>,
}

/// The configured sprint, else the one most open tickets carry (the later name on a tie).
fn busiest(configured: &Option<String>, choices: &[PlanChoice]) -> Option<String> {
    configured.clone().or_else(|| {
        choices
            .iter()
            .max_by(|a, b| (a.open_tickets, &a.name).cmp(&(b.open_tickets, &b.name)))
            .map(|c| c.name.clone())
    })
}

/// Reads the plans of the digest's sprint and release (every open ticket when the store
/// knows neither) and keeps their findings.
pub async fn findings(
    store: &Store,
    settings: &DigestSettings,
    public_url: Option<&str>,
    period_start: i64,
) -> anyhow::Result<Findings> {
    let (sprints, releases) = store.plan_choices().await?;
    let mut filters = Vec::new();
    if let Some(s) = busiest(&settings.sprint, &sprints) {
        filters.push(PlanFilter::Sprint(s));
    }
    if let Some(r) = busiest(&settings.release, &releases) {
        filters.push(PlanFilter::Release(r));
    }
    if filters.is_empty() {
        filters.push(PlanFilter::Open);
    }
    let mut scopes = Vec::with_capacity(filters.len());
    for f in &filters {
        let plan = planview::plan(store, f).await?;
        scopes.push(scope_findings(&plan, public_url));
    }
    Ok(Findings {
        period_start,
        scopes,
    })
}

fn loaded(m: &ModuleLine) -> Loaded {
    Loaded {
        module: m.name.clone(),
        fragile: m.fragile,
        tickets: m.tickets.iter().map(|t| t.key.clone()).collect(),
    }
}

fn scope_findings(plan: &Plan, public_url: Option<&str>) -> ScopeFindings {
    let mut by_load: Vec<&ModuleLine> = plan.modules.iter().collect();
    by_load.sort_by_key(|m| std::cmp::Reverse(m.tickets.len()));
    let link = public_url.map(|base| {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        match (&plan.scope.kind, &plan.scope.name) {
            (&"sprint", Some(n)) => q.append_pair("sprint", n),
            (&"release", Some(n)) => q.append_pair("release", n),
            _ => q.append_pair("open", "true"),
        };
        format!("{}/plan?{}", base.trim_end_matches('/'), q.finish())
    });
    ScopeFindings {
        scope: plan.scope.clone(),
        open_tickets: plan.tickets.len(),
        collisions: plan
            .modules
            .iter()
            .filter(|m| m.collision)
            .take(SHOWN)
            .map(loaded)
            .collect(),
        riskiest: plan.riskiest.iter().take(SHOWN).cloned().collect(),
        most_loaded: by_load.into_iter().take(SHOWN).map(loaded).collect(),
        link,
    }
}

impl Findings {
    /// The digest in a few short lines, for people.
    pub fn text(&self) -> String {
        let day = time::OffsetDateTime::from_unix_timestamp(self.period_start / 1000)
            .map_or_else(|_| String::new(), |t| t.date().to_string());
        let mut out = vec![format!("TicketLens plan digest, {day}")];
        for s in &self.scopes {
            out.extend(scope_lines(s));
        }
        out.join("\n")
    }

    /// The request body `target` takes.
    pub fn body(&self, target: DigestTarget) -> Value {
        match target {
            DigestTarget::Slack => json!({ "text": slack_escape(&self.text()) }),
            DigestTarget::Teams => json!({
                "type": "message",
                "attachments": [{
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": self.text().lines().map(|l| json!({
                            "type": "TextBlock", "text": l, "wrap": true
                        })).collect::<Vec<_>>(),
                    }
                }]
            }),
            DigestTarget::Json => json!({ "text": self.text(), "digest": self }),
        }
    }
}

fn scope_lines(s: &ScopeFindings) -> Vec<String> {
    let title = match (s.scope.kind, &s.scope.name) {
        // a Jira sprint is named "TES Sprint 4" already
        ("sprint", Some(n)) if n.to_lowercase().contains("sprint") => n.clone(),
        ("sprint", Some(n)) => format!("Sprint {n}"),
        ("release", Some(n)) => format!("Release {n}"),
        _ => "Every open ticket".into(),
    };
    let modules = s.most_loaded.len();
    let mut out = vec![format!(
        "{title}: {} open ticket{}",
        s.open_tickets,
        if s.open_tickets == 1 { "" } else { "s" }
    )];
    if modules == 0 && s.open_tickets > 0 {
        out[0].push_str(", none placed in a module yet");
    }
    for c in &s.collisions {
        out.push(format!(
            "- Collision: {} land in {}, one of the most fragile modules",
            c.tickets.join(", "),
            c.module
        ));
    }
    for r in &s.riskiest {
        let priority = r.priority.map_or("", |p| p.as_str());
        out.push(format!(
            "- Risky: {} ({priority}): {}",
            r.key,
            r.reasons.join("; ")
        ));
    }
    let load: Vec<String> = s
        .most_loaded
        .iter()
        .map(|m| format!("{} ({})", m.module, m.tickets.len()))
        .collect();
    if !load.is_empty() {
        out.push(format!("- Most tickets: {}", load.join(", ")));
    }
    if let Some(link) = &s.link {
        out.push(format!("- Plan: {link}"));
    }
    out
}

/// Slack's mrkdwn treats `&`, `<` and `>` as markup; text from trackers is escaped.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings() -> Findings {
        Findings {
            period_start: 1_796_634_000_000,
            scopes: vec![ScopeFindings {
                scope: Scope {
                    kind: "sprint",
                    name: Some("TES Sprint 4".into()),
                },
                open_tickets: 2,
                collisions: vec![Loaded {
                    module: "a<b>&c".into(),
                    fragile: true,
                    tickets: vec!["TES-1".into(), "TES-2".into()],
                }],
                riskiest: vec![],
                most_loaded: vec![],
                link: None,
            }],
        }
    }

    #[test]
    fn each_target_gets_its_own_body_with_the_same_lines() {
        let f = findings();
        let text = f.text();
        assert_eq!(
            text,
            "TicketLens plan digest, 2026-12-07\nTES Sprint 4: 2 open tickets, none placed in a \
             module yet\n- Collision: TES-1, TES-2 land in a<b>&c, one of the most fragile modules"
        );
        let slack = f.body(DigestTarget::Slack);
        assert!(slack["text"].as_str().unwrap().contains("a&lt;b&gt;&amp;c"));
        let teams = f.body(DigestTarget::Teams);
        let card = &teams["attachments"][0];
        assert_eq!(
            card["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(card["content"]["body"].as_array().unwrap().len(), 3);
        let json = f.body(DigestTarget::Json);
        assert_eq!(json["text"], text);
        assert_eq!(
            json["digest"]["scopes"][0]["collisions"][0]["tickets"][1],
            "TES-2"
        );
    }
}
