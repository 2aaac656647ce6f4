//! One module per tracker: signature verification, webhook parsing into `domain` events,
//! API clients (comments, back-fill) and text flattening of each tracker's markup; each
//! implements `adapter::TrackerAdapter`, which `adapter(tracker)` returns.

pub mod adapter;
pub mod client;
pub mod forge;
pub mod forge_lookup;
pub mod forge_plan;
pub mod github;
pub mod gitlab;
pub mod ids;
pub mod jira;
pub mod linear;
pub mod page;
pub mod ratelimit;
pub mod signature;
pub mod sink;
pub mod text;

/// The tracker's adapter: everything the rest of the service asks of it.
pub fn adapter(tracker: crate::domain::Tracker) -> &'static dyn adapter::TrackerAdapter {
    use crate::domain::Tracker;
    match tracker {
        Tracker::Jira => &jira::Jira,
        Tracker::Linear => &linear::Linear,
        Tracker::Github => &github::Github,
        Tracker::Gitlab => &gitlab::Gitlab,
    }
}

/// Why a webhook's authenticity check failed. The message is safe to return to the sender: it
/// never contains the secret or the expected signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("no webhook secret is configured for this tracker")]
    NotConfigured,
    #[error("missing signature header `{0}`")]
    MissingSignature(&'static str),
    #[error("signature does not match the body")]
    BadSignature,
    #[error("webhook timestamp is missing")]
    MissingTimestamp,
    #[error("the signed webhookTimestamp is not a single number")]
    BadTimestamp,
    #[error("webhook timestamp is {0} s away from now, outside the allowed window")]
    StaleTimestamp(i64),
    #[error("shared token does not match")]
    BadToken,
}
