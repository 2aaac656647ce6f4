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

#[cfg(test)]
mod tests {
    use crate::config::Settings;

    #[test]
    fn forge_settings_default_to_the_public_sites_and_hide_their_secrets() {
        let s = Settings::from_toml("").unwrap();
        assert_eq!(s.github.api_url, "https://api.github.com");
        assert_eq!(s.gitlab.base_url, "https://gitlab.com");
        assert!(!s.gitlab.confidential_issues);
        let s = Settings::from_toml(
            "[github]\nwebhook_secret = \"gh-hunter2\"\ntoken = \"ghp_s3cret\"\n\
             api_url = \"https://ghe.example.com/api/v3\"\n\
             [gitlab]\nwebhook_token = \"gl-hunter2\"\ntoken = \"glpat-s3cret\"\n\
             base_url = \"https://git.example.com\"\nconfidential_issues = true",
        )
        .unwrap();
        assert_eq!(s.github.api_url, "https://ghe.example.com/api/v3");
        assert!(s.gitlab.confidential_issues);
        let shown = format!("{s:?}");
        for secret in ["gh-hunter2", "ghp_s3cret", "gl-hunter2", "glpat-s3cret"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(Settings::from_toml("[github]\nsecret = \"x\"").is_err());
        assert!(Settings::from_toml("[gitlab]\nwebhook_secret = \"x\"").is_err());
    }
}
