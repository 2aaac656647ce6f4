//! GitHub (`[github]`) and GitLab (`[gitlab]`) settings: webhook secrets, API locations and
//! tokens, all secrets wrapped.

use super::Secret;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GithubSettings {
    /// Secret the webhook was registered with (`X-Hub-Signature-256: sha256=…`).
    pub webhook_secret: Option<Secret>,
    /// REST API root: `https://api.github.com`, or `https://HOST/api/v3` for GitHub
    /// Enterprise Server.
    pub api_url: String,
    /// A token (fine-grained or classic PAT, or a GitHub App installation token) with
    /// issues read and write, sent as `Authorization: Bearer`. Without it write-back runs dry.
    pub token: Option<Secret>,
}

impl Default for GithubSettings {
    fn default() -> Self {
        GithubSettings {
            webhook_secret: None,
            api_url: "https://api.github.com".into(),
            token: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GitlabSettings {
    /// The webhook's secret token, sent back by GitLab as `X-Gitlab-Token`.
    pub webhook_token: Option<Secret>,
    /// The instance: `https://gitlab.com` or a self-managed host (`/api/v4` is added).
    pub base_url: String,
    /// A personal, project or group access token with `api` scope, sent as
    /// `PRIVATE-TOKEN`. Without it write-back runs dry.
    pub token: Option<Secret>,
    /// Accept `Confidential Issue Hook` events (and issues marked confidential). Off by
    /// default: a confidential issue's text would enter the ticket index and could then be
    /// named as a duplicate candidate in a comment on a public issue.
    pub confidential_issues: bool,
}

impl Default for GitlabSettings {
    fn default() -> Self {
        GitlabSettings {
            webhook_token: None,
            base_url: "https://gitlab.com".into(),
            token: None,
            confidential_issues: false,
        }
    }
}
