//! Liveness, readiness and Prometheus metrics.

use crate::app::AppState;
use crate::store::{DigestState, PLAN_DIGEST};
use actix_web::{web, HttpResponse};
use serde_json::json;

/// The process is alive and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database answers, every migration is applied and (after a failed write, such as a
/// full disk) a write goes through again: the process can take webhooks.
/// Code indexing never holds readiness (webhooks are stored whatever the index does; jobs
/// wait for it without spending attempts): `checks.code_index` says `building` until every
/// configured repository has been indexed once, `ok` after, `degraded` while one fails.
/// Neither does the plan digest: `checks.digest` is `off`, `ok`, `sending` or `failed` (the
/// latest period's delivery failed).
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (database, why) = match state.store.ready().await {
        Ok(()) => match state.store.probe_write().await {
            Ok(()) => (true, "ok"),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "database cannot be written");
                (false, "write_failing")
            }
        },
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "database not ready");
            (false, "unavailable")
        }
    };
    let code_index = state.code_index.status();
    // Credentials a tracker refuses never hold readiness (webhooks are still stored, and
    // the jobs wait without spending attempts), but operators see it here and in metrics.
    let credentials = |tracker: &str| {
        let rejected = state
            .metrics
            .tracker_credentials_rejected
            .with_label_values(&[tracker])
            .get();
        if rejected > 0 {
            "rejected"
        } else {
            "ok"
        }
    };
    let digest = digest_check(&state).await;
    let body = json!({
        "status": if database { "ready" } else { "not_ready" },
        "checks": {
            "database": why,
            "code_index": code_index,
            "jira_credentials": credentials("jira"),
            "linear_credentials": credentials("linear"),
            "github_credentials": credentials("github"),
            "gitlab_credentials": credentials("gitlab"),
            "digest": digest,
        }
    });
    if database {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// The latest period's digest delivery, as readiness reports it (never holding it).
async fn digest_check(state: &AppState) -> &'static str {
    if state.settings.digest.enabled().is_none() {
        return "off";
    }
    match state.store.digest_deliveries(PLAN_DIGEST, 1).await {
        Ok(rows) => match rows.first().map(|d| d.state) {
            None | Some(DigestState::Sent) => "ok",
            Some(DigestState::Sending) => "sending",
            Some(DigestState::Failed) => "failed",
        },
        Err(e) => {
            tracing::warn!(error = %e, "failed to read the digest's deliveries");
            "unknown"
        }
    }
}

/// Prometheus text format; the counts of queued, running and dead jobs are read from the
/// store at scrape time (through the state index; done jobs are never counted here).
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    match state.store.active_job_counts().await {
        Ok(counts) => {
            for (s, n) in counts {
                state.metrics.jobs.with_label_values(&[s.as_str()]).set(n);
            }
        }
        Err(e) => tracing::warn!(error = %e, "failed to count jobs for metrics"),
    }
    accuracy_gauges(&state).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}

/// Sets the live accuracy gauges of every configured repository, and the duplicate
/// suggestions' outcomes of every project, from the store.
async fn accuracy_gauges(state: &AppState) {
    let recent = state.settings.accuracy.recent_tickets;
    for s in state.code_index.statuses() {
        let a = match crate::accuracy::of_repository(&state.store, &s.name, recent).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "failed to read accuracy for metrics");
                break;
            }
        };
        let backtest = a.backtest.map(|b| ("backtest", b.accuracy));
        for (scope, acc) in [("all", a.all), ("recent", a.recent)]
            .into_iter()
            .chain(backtest)
        {
            let m = &state.metrics;
            m.accuracy_tickets
                .with_label_values(&[&s.name, scope])
                .set(acc.tickets);
            for (measure, share) in [
                ("first_module_right", acc.first_module_right),
                ("any_module_right", acc.any_module_right),
                ("any_file_right", acc.any_file_right),
            ] {
                if let Some(v) = share {
                    m.accuracy_share
                        .with_label_values(&[&s.name, scope, measure])
                        .set(v);
                }
            }
        }
        if let Some(v) = a.precedents.fix_overlap {
            state
                .metrics
                .accuracy_share
                .with_label_values(&[&s.name, "all", "precedent_fix_overlap"])
                .set(v);
        }
    }
    match crate::accuracy::of_duplicates(&state.store).await {
        Ok(projects) => {
            for d in projects {
                for (outcome, n) in [
                    ("suggested", d.suggested),
                    ("confirmed", d.confirmed),
                    ("refused", d.refused),
                    ("undecided", d.undecided),
                ] {
                    state
                        .metrics
                        .duplicate_suggestions
                        .with_label_values(&[&d.project, outcome])
                        .set(n);
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "failed to read duplicate outcomes for metrics")
        }
    }
}
