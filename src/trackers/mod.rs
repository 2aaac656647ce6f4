//! One module per tracker: signature verification, webhook parsing into `domain` events,
//! API clients (comments, back-fill) and text flattening of each tracker's markup.

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

/// The duplicate links a webhook body tells of, for the trackers whose webhooks carry them:
/// Jira (`issuelinks`), GitHub (closed as a duplicate: a lookup), GitLab
/// (`duplicated_to_id`). Linear's Issue webhook carries no relations (`IssueWebhookPayload`
/// in its schema has none), so its links come from the back-fill only.
pub fn duplicate_links<'a>(
    tracker: crate::domain::Tracker,
    header: impl Fn(&str) -> Option<&'a str>,
    body: &[u8],
) -> Option<crate::domain::LinkNotice> {
    use crate::domain::Tracker;
    match tracker {
        Tracker::Jira => jira::links::webhook_links(body),
        Tracker::Linear => None,
        Tracker::Github => github::links::webhook_links(header("x-github-event"), body),
        Tracker::Gitlab => gitlab::links::webhook_links(header("x-gitlab-event"), body),
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
