//! Recording the duplicate links a webhook told of, in the job that processes it: by key as
//! sent, by id through the store (GitLab), or by asking GitHub which issue one was closed
//! as a duplicate of (one bounded GraphQL query, the back-fill's). Idempotent: a link
//! already recorded keeps the time it first became known, so a redelivery teaches nothing.

use super::JobError;
use crate::domain::{LinkNotice, LinkedTicket, TicketKey, Tracker, MAX_LINKS_PER_EVENT};
use crate::store::Store;
use crate::trackers::client::ClientError;
use crate::trackers::github::api::GithubApi;
use std::sync::Arc;

/// The tracker APIs a link may need: GitHub's, for issues closed as duplicates.
#[derive(Clone, Default)]
pub struct LinkLookups {
    pub github: Option<Arc<GithubApi>>,
}

impl LinkLookups {
    /// The lookups the settings give credentials for (GitHub with a token).
    pub fn from_settings(settings: &crate::config::Settings) -> LinkLookups {
        let github = settings.github.token.as_ref().and_then(|_| {
            let client = crate::trackers::client::TrackerClient::new(
                crate::trackers::client::ClientOptions::for_writeback(&settings.comments),
            )
            .ok()?;
            GithubApi::new(&settings.github, client).ok().map(Arc::new)
        });
        LinkLookups { github }
    }
}

/// Records `notice`'s links; returns how many were new. A ticket named by an id the store
/// does not hold, or a lookup without credentials, is skipped (the back-fill can bring it).
pub async fn record(
    store: &Store,
    lookups: &LinkLookups,
    notice: &LinkNotice,
) -> Result<usize, JobError> {
    let store_err = |e: sqlx::Error| JobError::retryable(format!("store: {e}"));
    let mut keys: Vec<String> = Vec::new();
    for link in notice.links.iter().take(MAX_LINKS_PER_EVENT) {
        match link {
            LinkedTicket::Key(k) => keys.push(k.clone()),
            LinkedTicket::Id(id) => {
                match store
                    .ticket_doc(notice.tracker, id)
                    .await
                    .map_err(store_err)?
                {
                    Some(doc) => keys.push(doc.key),
                    None => tracing::debug!(ticket = %notice.key, other = %id,
                        "duplicate of a ticket not stored; link left to the back-fill"),
                }
            }
            LinkedTicket::Lookup => keys.extend(lookup(lookups, notice).await?),
        }
    }
    keys.retain(|k| TicketKey::parse(k).is_ok() && *k != notice.key);
    keys.sort();
    keys.dedup();
    let mut new = 0;
    for k in &keys {
        let added = store
            .add_duplicate_link(notice.tracker.as_str(), &notice.ticket_id, k)
            .await
            .map_err(store_err)?;
        new += usize::from(added);
    }
    if new > 0 {
        tracing::info!(ticket = %notice.key, links = new, "duplicate links recorded");
    }
    Ok(new)
}

/// Which issues GitHub says this one was closed as a duplicate of. Rate limits are waited
/// out by the client (bounded); what outlasts them retries the job with its backoff.
async fn lookup(lookups: &LinkLookups, notice: &LinkNotice) -> Result<Vec<String>, JobError> {
    let api = match (notice.tracker, &lookups.github) {
        (Tracker::Github, Some(api)) => api,
        _ => {
            tracing::debug!(ticket = %notice.key, "no tracker API to look up the duplicate");
            return Ok(Vec::new());
        }
    };
    let Some((repo, number)) = TicketKey::parse(&notice.key)
        .ok()
        .and_then(|k| k.forge_parts().map(|(r, n)| (r.to_string(), n)))
    else {
        return Ok(Vec::new());
    };
    api.duplicates_of(&repo, number).await.map_err(|e| {
        let message = format!("duplicate lookup: {e}");
        match e {
            ClientError::Status {
                status: 401 | 403, ..
            } => JobError {
                auth: true,
                ..JobError::retryable(message)
            },
            ClientError::Status { status, .. } if (400..500).contains(&status) && status != 429 => {
                JobError::permanent(message)
            }
            _ => JobError::retryable(message),
        }
    })
}
