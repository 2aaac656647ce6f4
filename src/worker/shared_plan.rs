//! The comment's line for the engineer about the plan: other open tickets of the same sprint
//! (else the same release) landing in one of this ticket's modules, by their latest analysis.

use crate::domain::{ModuleHit, SharedPlan, TicketEvent};
use crate::store::{PlanFilter, Store};

/// Other tickets named at most.
const KEYS: i64 = 5;

/// The sprint's (else the release's) module with the most other tickets landing in it;
/// `None` when the ticket has neither or no other ticket shares a module.
pub(super) async fn shared_plan(
    store: &Store,
    ticket: &TicketEvent,
    modules: &[ModuleHit],
) -> Result<Option<SharedPlan>, sqlx::Error> {
    let scopes = [
        ticket
            .plan
            .sprint
            .clone()
            .map(|s| (s.clone(), PlanFilter::Sprint(s))),
        ticket
            .plan
            .release
            .clone()
            .map(|r| (format!("release {r}"), PlanFilter::Release(r))),
    ];
    for (scope, filter) in scopes.into_iter().flatten() {
        let mut best: Option<SharedPlan> = None;
        for m in modules.iter().take(crate::store::LANDS_IN) {
            let keys = store
                .plan_peers(
                    &filter,
                    ticket.tracker.as_str(),
                    &ticket.id,
                    (&m.repository, &m.module),
                    KEYS,
                )
                .await?;
            if keys.len() > best.as_ref().map_or(0, |b| b.keys.len()) {
                best = Some(SharedPlan {
                    scope: scope.clone(),
                    module: if m.name.is_empty() {
                        m.module.clone()
                    } else {
                        m.name.clone()
                    },
                    keys,
                });
            }
        }
        if best.is_some() {
            return Ok(best);
        }
    }
    Ok(None)
}
