//! Settings of the Jira and Linear integrations (`[jira]`, `[linear]`): how their webhooks
//! are verified and how their APIs are reached for write-back and back-fill.

use super::Secret;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct JiraSettings {
    /// Secret the Jira webhook was registered with (`X-Hub-Signature: sha256=…`).
    pub webhook_secret: Option<Secret>,
    /// Data Center alternative: a token sent as `Authorization: Bearer`, basic-auth password
    /// or `X-TicketLens-Token`.
    pub shared_token: Option<Secret>,
    /// Accept unsigned webhooks. Logs a loud warning at start; for trials only.
    pub allow_unsigned: bool,
    /// TicketLens' own Jira account (accountId or user name): its edits are ignored.
    pub own_account: Option<String>,
    /// Site for API calls (back-fill), e.g. `https://acme.atlassian.net`.
    pub base_url: Option<String>,
    /// `cloud` (REST v3, `search/jql` with `nextPageToken`) or `datacenter` (REST v2, `startAt`).
    pub flavor: JiraFlavor,
    /// Cloud: the account email of the API token (basic auth `email:api_token`).
    pub email: Option<String>,
    pub api_token: Option<Secret>,
    /// Data Center: a personal access token sent as `Authorization: Bearer`.
    pub pat: Option<Secret>,
}

/// Which Jira the API settings talk to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JiraFlavor {
    #[default]
    Cloud,
    Datacenter,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinearSettings {
    /// The webhook's signing secret (`Linear-Signature`).
    pub webhook_secret: Option<Secret>,
    pub allow_unsigned: bool,
    /// Largest allowed distance between `webhookTimestamp` and now.
    pub timestamp_tolerance_secs: i64,
    /// TicketLens' own Linear user id: its edits are ignored.
    pub own_user: Option<String>,
    /// GraphQL endpoint for API calls (back-fill).
    pub api_url: String,
    /// A personal API key, sent as `Authorization: <key>` (no `Bearer`).
    pub api_key: Option<Secret>,
    /// An OAuth access token, sent as `Authorization: Bearer <token>`.
    pub oauth_token: Option<Secret>,
}

impl Default for LinearSettings {
    fn default() -> Self {
        LinearSettings {
            webhook_secret: None,
            allow_unsigned: false,
            timestamp_tolerance_secs: 60,
            own_user: None,
            api_url: "https://api.linear.app/graphql".into(),
            api_key: None,
            oauth_token: None,
        }
    }
}
