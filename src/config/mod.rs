//! Typed settings: defaults, then a TOML file, then `TICKETLENS_SECTION__KEY` environment
//! variables. Unknown keys are an error; secrets are wrapped so they never print.

mod api;
mod comments;
mod digest;
mod duplicates;
mod env;
mod forges;
mod queue;
mod secret;
mod trackers;

pub use api::{ApiSettings, WebSettings};
pub use comments::{CommentMode, CommentSettings};
pub use digest::{ClockOffset, DigestSettings, DigestTarget};
pub use duplicates::DuplicateSettings;
pub use forges::{GithubSettings, GitlabSettings};
pub use queue::{QueueSettings, RetentionSettings};
pub use secret::{url_userinfo, Secret};
pub use trackers::{JiraFlavor, JiraSettings, LinearSettings};

use figment::providers::{Format, Toml};
use figment::Figment;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Every setting of the service. See `ticketlens.example.toml` for documentation.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub queue: QueueSettings,
    pub retention: RetentionSettings,
    /// The plan digest (`[digest]`), off until configured.
    pub digest: DigestSettings,
    pub log: LogSettings,
    pub api: ApiSettings,
    pub web: WebSettings,
    pub comments: CommentSettings,
    pub jira: JiraSettings,
    pub linear: LinearSettings,
    pub github: GithubSettings,
    pub gitlab: GitlabSettings,
    pub history: HistorySettings,
    pub duplicates: DuplicateSettings,
    pub codeindex: CodeIndexSettings,
    pub accuracy: AccuracySettings,
    /// How every repository is cut into modules (`[modules]`).
    pub modules: crate::modules::ModuleRules,
    /// The code repositories tickets are analysed against (`[[repositories]]`).
    pub repositories: Vec<RepositorySettings>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CodeIndexSettings {
    /// Where file indexes (and clones of repositories given by URL) are kept.
    pub index_dir: PathBuf,
    /// How often `serve` fetches and re-indexes changed files; 0 disables refreshing.
    pub refresh_interval_secs: u64,
    /// Commits of history read for the history signals.
    pub history_depth: usize,
    /// Analyses running at once; more wait their turn.
    pub max_concurrent_searches: usize,
}

impl Default for CodeIndexSettings {
    fn default() -> Self {
        CodeIndexSettings {
            index_dir: PathBuf::from("ticketlens-index"),
            refresh_interval_secs: 300,
            history_depth: 5_000,
            max_concurrent_searches: 4,
        }
    }
}

/// Live accuracy and the backtest (`[accuracy]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccuracySettings {
    /// The overview's headline counts over this many most recently fixed tickets.
    pub recent_tickets: i64,
    /// `ticketlens eval self` replays at most this many linked past tickets, the most
    /// recent (`--sample` overrides it).
    pub backtest_sample: usize,
}

impl Default for AccuracySettings {
    fn default() -> Self {
        AccuracySettings {
            recent_tickets: 120,
            backtest_sample: 200,
        }
    }
}

/// One code repository: a local clone (`path`) or a clone URL (`url`, which may carry
/// credentials: `Debug` shows it without them).
#[derive(Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RepositorySettings {
    pub name: String,
    pub path: Option<PathBuf>,
    pub url: Option<String>,
    /// Branch (or any revision) to index; `HEAD` when empty.
    pub branch: String,
    /// Module overrides: glob → module name; the longest matching glob wins.
    pub modules: BTreeMap<String, String>,
    /// This repository's link patterns, used besides `[history] link_patterns` (a
    /// repository whose commits say `bug 123` for Jira's `BZ-123`).
    pub link_patterns: Vec<crate::history::LinkPattern>,
    /// The GitHub `owner/repo` or GitLab `group/project` whose issues this repository's
    /// commits mean by a bare `#123`; the project path of `url` when not set.
    pub forge_project: Option<String>,
}

impl std::fmt::Debug for RepositorySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RepositorySettings")
            .field("name", &self.name)
            .field("path", &self.path)
            .field(
                "url",
                &self
                    .url
                    .as_deref()
                    .map(crate::domain::redact::url_without_credentials),
            )
            .field("branch", &self.branch)
            .field("modules", &self.modules)
            .field("link_patterns", &self.link_patterns)
            .field("forge_project", &self.forge_project)
            .finish()
    }
}

/// The project path of a clone URL: `https://host/acme/app.git` and `git@host:acme/app.git`
/// give `acme/app`; `None` when there is no path.
pub fn url_project_path(url: &str) -> Option<&str> {
    let rest = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/')?.1,
        // scp-like `user@host:path`
        None => url.split_once(':')?.1,
    };
    let path = rest.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    (!path.is_empty()).then_some(path)
}

impl RepositorySettings {
    /// The forge project a bare `#123` in this repository's commits belongs to: the
    /// configured one, else the project path of its clone URL (`https://host/acme/app.git`
    /// or `git@host:acme/app.git`: `acme/app`; not a `file:` URL).
    pub fn forge_project(&self) -> Option<String> {
        if let Some(p) = self
            .forge_project
            .as_deref()
            .filter(|p| !p.trim().is_empty())
        {
            return Some(p.trim().to_string());
        }
        let url = self.url.as_deref().filter(|u| !u.starts_with("file:"))?;
        url_project_path(url)
            .filter(|p| p.contains('/'))
            .map(str::to_string)
    }

    /// The branch to index and mine: `HEAD` (the repository's own default) when empty.
    pub fn branch_or_head(&self) -> &str {
        if self.branch.is_empty() {
            "HEAD"
        } else {
            &self.branch
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    /// Also serve `/metrics` on this address (e.g. a port only the cluster's Prometheus
    /// reaches); it stays on `listen` too.
    pub metrics_listen: Option<SocketAddr>,
    /// Largest webhook or API body accepted, in bytes; larger bodies get 413.
    pub max_body_bytes: usize,
    /// How long shutdown waits for in-flight jobs before releasing their leases.
    pub shutdown_grace_secs: u64,
    /// Webhooks waiting for their durable write, beyond which new ones get 503.
    pub ingest_queue_capacity: usize,
    /// Largest number of webhooks committed in one transaction (group commit).
    pub ingest_batch_max: usize,
    /// Answer deadline for a webhook; Linear gives up after 5 s.
    pub ingest_timeout_ms: u64,
    /// An idle keep-alive connection is closed after this long.
    pub keep_alive_secs: u64,
    /// A client must send its whole request head (line and headers) within this long.
    pub request_head_timeout_ms: u64,
    /// A client must send its whole body within this long, else 408 (a body trickled at a
    /// byte a second would otherwise hold a connection and a buffer for days).
    pub body_timeout_ms: u64,
    /// Open connections, all listeners' workers together; more wait in the accept backlog.
    pub max_connections: usize,
    /// Open connections from one address (IPv6 by /64); more are closed at once, so one
    /// peer cannot hold every connection. 0 turns the cap off. Behind a proxy every
    /// connection comes from the proxy: raise it to `max_connections` there.
    pub max_connections_per_peer: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            listen: "127.0.0.1:8080".parse().expect("valid default address"),
            metrics_listen: None,
            max_body_bytes: 1024 * 1024,
            shutdown_grace_secs: 20,
            ingest_queue_capacity: 10_000,
            ingest_batch_max: 512,
            ingest_timeout_ms: 4_000,
            keep_alive_secs: 15,
            request_head_timeout_ms: 5_000,
            body_timeout_ms: 10_000,
            max_connections: 1_024,
            max_connections_per_peer: 256,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` (embedded default) or `postgres://…` (scale-out). May hold a password.
    pub url: Secret,
    pub max_connections: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: Secret::new("sqlite://ticketlens.db"),
            max_connections: 8,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// `pretty`, `json`, or `auto` (pretty in a terminal, JSON otherwise).
    pub format: String,
    /// A `tracing` filter such as `info` or `ticketlens=debug,info`.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            format: "auto".into(),
            level: "info".into(),
        }
    }
}

/// History mining and fragility (`[history]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistorySettings {
    /// The recent period the metrics and the score look at.
    pub window_days: i64,
    /// Commits touching more files than this count for churn but not for change coupling.
    pub mass_change_files: usize,
    /// A team's regex over commit messages marking bug fixes, besides the built-in rules
    /// (`history::classify`); empty by default. Kept for older configurations: prefer
    /// `fix_patterns`.
    pub bugfix_pattern: String,
    /// A team's regexes over whole commit messages that make a bug fix.
    pub fix_patterns: Vec<String>,
    /// A team's regexes over whole commit messages that make housekeeping (checked before
    /// any fix rule).
    pub housekeeping_patterns: Vec<String>,
    /// Author names or emails (case-insensitive substrings) of automated authors, besides
    /// `[bot]`, dependabot, renovate, pre-commit-ci and github-actions.
    pub bot_authors: Vec<String>,
    /// A top author with no commit anywhere in the repository for this long is "knowledge
    /// at risk".
    pub away_days: i64,
    /// Regexes reading ticket keys from commit messages besides the built-in tracker shapes
    /// (`ABC-123`, `#123`, `owner/repo#123`): the `key` group, else group 1, is the key; or
    /// `{ pattern = "…", key = "BZ-{1}" }`, the key template the captures fill in.
    pub link_patterns: Vec<crate::history::LinkPattern>,
    /// Threads diffing commits; 0 means one per core.
    pub threads: usize,
    /// The forge project bare `#123` references belong to (`history_of` sets it from the
    /// repository's `forge_project`); bare references stay `#123` without one.
    #[serde(skip)]
    pub forge_project: Option<String>,
    /// Replaced by `[[repositories]]`; present only to be refused with a message naming it.
    #[serde(rename = "repositories")]
    pub legacy_repositories: Option<serde::de::IgnoredAny>,
}

impl HistorySettings {
    /// The team's additions to the commit classifier.
    pub fn classifier_rules(&self) -> crate::history::classify::Rules {
        let mut fix_patterns = self.fix_patterns.clone();
        if !self.bugfix_pattern.trim().is_empty() {
            fix_patterns.push(self.bugfix_pattern.clone());
        }
        crate::history::classify::Rules {
            fix_patterns,
            housekeeping_patterns: self.housekeeping_patterns.clone(),
            bot_authors: self.bot_authors.clone(),
        }
    }
}

impl Default for HistorySettings {
    fn default() -> Self {
        HistorySettings {
            window_days: 180,
            mass_change_files: 50,
            bugfix_pattern: String::new(),
            fix_patterns: Vec::new(),
            housekeeping_patterns: Vec::new(),
            bot_authors: Vec::new(),
            away_days: 180,
            link_patterns: Vec::new(),
            threads: 0,
            forge_project: None,
            legacy_repositories: None,
        }
    }
}

impl Settings {
    /// The history settings a repository is mined with: `[history]`, its link patterns
    /// followed by the repository's own, and the forge project of its bare `#123`.
    pub fn history_of(&self, repository: &str) -> HistorySettings {
        let mut h = self.history.clone();
        if let Some(r) = self.repositories.iter().find(|r| r.name == repository) {
            h.link_patterns.extend(r.link_patterns.iter().cloned());
            h.forge_project = r.forge_project();
        }
        h
    }

    /// The module rules of a repository: `[modules]` with the overrides of the
    /// `[[repositories]]` entry of that name.
    pub fn module_rules(&self, repository: &str) -> crate::modules::ModuleRules {
        let overrides = self
            .repositories
            .iter()
            .find(|r| r.name == repository)
            .map(|r| {
                r.modules
                    .iter()
                    .map(|(g, m)| (g.clone(), m.clone()))
                    .collect()
            })
            .unwrap_or_default();
        crate::modules::ModuleRules {
            overrides,
            ..self.modules.clone()
        }
    }
}

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Loads defaults, then the optional TOML file, then `TICKETLENS_*` environment overrides.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut figment = Figment::new();
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file(path));
        }
        // every TICKETLENS_* variable must name a key (Kubernetes service links excepted)
        figment = figment.merge(env::overrides(std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }))?);
        // figment's messages name the key and its source, never the value
        figment
            .extract::<Settings>()
            .map_err(|e| ConfigError(e.to_string()))?
            .validated()
    }

    /// Refuses settings that parse but cannot be right.
    fn validated(self) -> Result<Settings, ConfigError> {
        self.check_secrets()?;
        self.digest.validate()?;
        if let Err(e) = crate::history::Linker::new(&self.history.link_patterns) {
            return Err(ConfigError(format!("history.link_patterns: {e}")));
        }
        for r in &self.repositories {
            if let Err(e) = crate::history::Linker::new(&r.link_patterns) {
                return Err(ConfigError(format!(
                    "repositories `{}` link_patterns: {e}",
                    r.name
                )));
            }
        }
        if self.history.legacy_repositories.is_some() {
            return Err(ConfigError(
                "[[history.repositories]] is no longer read: list each repository once under \
                 [[repositories]] (name, path or url, branch, modules); `serve` indexes its code \
                 and mines its history"
                    .into(),
            ));
        }
        if let Some(u) = &self.web.public_url {
            let ok = url::Url::parse(u).is_ok_and(|p| {
                matches!(p.scheme(), "http" | "https")
                    && p.host_str().is_some()
                    && p.username().is_empty()
                    && p.password().is_none()
                    && p.query().is_none()
            });
            if !ok {
                return Err(ConfigError(format!(
                    "[web] public_url must be an http(s) address without credentials or query, \
                     such as https://ticketlens.example.com, not `{u}`"
                )));
            }
        }
        Ok(self)
    }

    /// Refuses an empty or whitespace-only token or secret, naming its key: an empty API
    /// token would let an empty sign-in through (and sign sessions with an empty key), an
    /// empty webhook secret would make every signature forgeable. A variable set but left
    /// empty (a Kubernetes Secret without the key) is the usual cause. `Application::build`
    /// checks it again, for settings built in code.
    pub fn check_secrets(&self) -> Result<(), ConfigError> {
        let lists = [
            ("api.read_tokens", &self.api.read_tokens),
            ("api.operator_tokens", &self.api.operator_tokens),
        ];
        for (key, list) in lists {
            if let Some(i) = list.iter().position(|t| t.expose().trim().is_empty()) {
                return Err(ConfigError(format!(
                    "{key}[{i}] is empty; remove it or set a real token"
                )));
            }
        }
        let single = [
            ("jira.webhook_secret", &self.jira.webhook_secret),
            ("jira.shared_token", &self.jira.shared_token),
            ("jira.api_token", &self.jira.api_token),
            ("jira.pat", &self.jira.pat),
            ("linear.webhook_secret", &self.linear.webhook_secret),
            ("linear.api_key", &self.linear.api_key),
            ("linear.oauth_token", &self.linear.oauth_token),
            ("github.webhook_secret", &self.github.webhook_secret),
            ("github.token", &self.github.token),
            ("gitlab.webhook_token", &self.gitlab.webhook_token),
            ("gitlab.token", &self.gitlab.token),
            ("digest.url", &self.digest.url),
        ];
        for (key, secret) in single {
            if secret
                .as_ref()
                .is_some_and(|s| s.expose().trim().is_empty())
            {
                return Err(ConfigError(format!(
                    "{key} is empty; remove it or set a real value"
                )));
            }
        }
        Ok(())
    }

    /// Loads settings from a TOML string only (tests and the example-file check).
    pub fn from_toml(s: &str) -> Result<Settings, ConfigError> {
        Figment::new()
            .merge(Toml::string(s))
            .extract::<Settings>()
            .map_err(|e| ConfigError(e.to_string()))?
            .validated()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_for_the_pages_must_be_a_plain_http_address() {
        let ok = Settings::from_toml("[web]\npublic_url = \"https://tl.example.com/\"").unwrap();
        assert_eq!(
            ok.web.public_url.as_deref(),
            Some("https://tl.example.com/")
        );
        for bad in [
            "ftp://x",
            "tl.example.com",
            "https://u:p@tl.example.com",
            "https://x/?a=1",
        ] {
            let toml = format!("[web]\npublic_url = \"{bad}\"");
            assert!(Settings::from_toml(&toml).is_err(), "{bad}");
        }
    }

    #[test]
    fn empty_configuration_gives_the_embedded_default() {
        let s = Settings::from_toml("").unwrap();
        assert_eq!(s.database.url.expose(), "sqlite://ticketlens.db");
        assert_eq!(s.server.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.server.max_body_bytes, 1024 * 1024);
    }

    #[test]
    fn unknown_keys_are_an_error() {
        let err = Settings::from_toml("[server]\nlisten_on = \"0.0.0.0:1\"").unwrap_err();
        assert!(err.to_string().contains("listen_on"), "{err}");
        assert!(Settings::from_toml("[nope]\nx = 1").is_err());
    }

    #[test]
    fn the_committed_example_parses() {
        let text = include_str!("../../ticketlens.example.toml");
        let s = Settings::from_toml(text).unwrap();
        assert_eq!(
            s.history.away_days, 180,
            "the example documents the default absence for knowledge at risk"
        );
        assert!(
            s.history.bugfix_pattern.is_empty() && s.history.fix_patterns.is_empty(),
            "the example adds no team fix pattern: the built-in rules decide"
        );
    }

    #[test]
    fn history_settings_default_to_six_months_and_the_old_repository_list_is_refused() {
        let s = Settings::from_toml("").unwrap();
        assert_eq!(s.history.window_days, 180);
        assert_eq!(s.history.mass_change_files, 50);
        assert_eq!(s.modules.max_files, 150);
        let e = Settings::from_toml("[[history.repositories]]\nname = \"app\"\npath = \"/r\"")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("[[repositories]]") && e.contains("[[history.repositories]]"),
            "{e}"
        );
    }

    #[test]
    fn a_clone_url_names_its_project_path() {
        assert_eq!(
            url_project_path("https://github.com/acme/app.git"),
            Some("acme/app")
        );
        assert_eq!(
            url_project_path("https://u:p@gitlab.example/g/sub/p/"),
            Some("g/sub/p")
        );
        assert_eq!(
            url_project_path("git@github.com:acme/app.git"),
            Some("acme/app")
        );
        assert_eq!(url_project_path("https://github.com"), None);
    }

    #[test]
    fn a_repositorys_forge_project_is_configured_or_read_off_its_clone_url() {
        let repo = |url: &str, project: Option<&str>| RepositorySettings {
            name: "app".into(),
            url: Some(url.into()),
            forge_project: project.map(str::to_string),
            ..Default::default()
        };
        let of = |url: &str| repo(url, None).forge_project();
        assert_eq!(
            of("https://x:tok@github.com/octo/shop.git").as_deref(),
            Some("octo/shop")
        );
        assert_eq!(
            of("git@gitlab.com:group/sub/proj.git").as_deref(),
            Some("group/sub/proj")
        );
        assert_eq!(
            of("https://git.example.com/octo/shop.git").as_deref(),
            Some("octo/shop"),
            "a self-hosted GitLab"
        );
        assert_eq!(of("https://github.com/octo"), None, "no repository part");
        assert_eq!(
            of("file:///srv/git/shop"),
            None,
            "a local path is no project"
        );
        assert_eq!(
            repo("https://github.com/a/b", Some("octo/shop"))
                .forge_project()
                .as_deref(),
            Some("octo/shop"),
            "the configured project wins"
        );
        let s = Settings::from_toml(
            "[[repositories]]\nname = 'app'\npath = '/r'\nforge_project = 'octo/shop'",
        )
        .unwrap();
        assert_eq!(
            s.history_of("app").forge_project.as_deref(),
            Some("octo/shop")
        );
        assert_eq!(s.history_of("other").forge_project, None);
    }

    #[test]
    fn link_patterns_parse_and_a_broken_one_is_refused_by_name() {
        let s = Settings::from_toml("[history]\nlink_patterns = ['(?i)\\bbug\\s*(\\d+)']").unwrap();
        assert_eq!(s.history.link_patterns.len(), 1);
        let e = Settings::from_toml("[history]\nlink_patterns = ['(']")
            .unwrap_err()
            .to_string();
        assert!(e.contains("history.link_patterns"), "{e}");
    }

    #[test]
    fn a_link_pattern_may_carry_a_key_template_and_a_repository_its_own() {
        let s = Settings::from_toml(
            "[history]\nlink_patterns = ['x(\\d+)', { pattern = '(?i)bug (\\d+)', key = 'BZ-{1}' }]\n\
             [[repositories]]\nname = 'app'\npath = '/r'\n\
             link_patterns = [{ pattern = 'pr(\\d+)', key = 'AJ-{1}' }]",
        )
        .unwrap();
        assert_eq!(s.history.link_patterns.len(), 2);
        assert_eq!(s.history.link_patterns[1].template(), Some("BZ-{1}"));
        let app = s.history_of("app");
        assert_eq!(app.link_patterns.len(), 3);
        let keys = crate::history::Linker::new(&app.link_patterns)
            .unwrap()
            .keys("fix bug 7 and pr8");
        assert_eq!(keys, ["BZ-7", "AJ-8"]);
        let e = Settings::from_toml(
            "[[repositories]]\nname = 'app'\npath = '/r'\n\
             link_patterns = [{ pattern = 'pr(\\d+)', key = 'AJ-{3}' }]",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("repositories `app` link_patterns") && e.contains("AJ-{3}"),
            "{e}"
        );
    }

    #[test]
    fn repositories_and_code_index_settings_parse() {
        let s = Settings::from_toml(
            "[modules]\nmax_files = 80\n[[repositories]]\nname = \"app\"\npath = \"/src/app\"\nbranch = \"main\"\nmodules = { \"src/auth/**\" = \"auth\" }\n",
        )
        .unwrap();
        assert_eq!(s.modules.max_files, 80);
        assert_eq!(
            s.module_rules("app").overrides,
            vec![("src/auth/**".to_string(), "auth".to_string())]
        );
        assert_eq!(s.repositories[0].name, "app");
        assert_eq!(s.repositories[0].modules["src/auth/**"], "auth");
        assert!(Settings::from_toml("[[repositories]]\nname = \"a\"\nbrnch = \"x\"").is_err());
    }

    #[test]
    fn empty_or_blank_tokens_refuse_the_start_by_key() {
        for (toml, key) in [
            ("[api]\nread_tokens = [\"\"]", "api.read_tokens[0]"),
            (
                "[api]\nread_tokens = [\"ok-token\", \"  \\t\"]",
                "api.read_tokens[1]",
            ),
            ("[api]\noperator_tokens = [\" \"]", "api.operator_tokens[0]"),
            ("[jira]\nwebhook_secret = \"\"", "jira.webhook_secret"),
            ("[gitlab]\nwebhook_token = \"  \"", "gitlab.webhook_token"),
        ] {
            let e = Settings::from_toml(toml).unwrap_err().to_string();
            assert!(e.contains(key), "{toml}: {e}");
        }
        assert!(Settings::from_toml("[api]\nread_tokens = [\"r-1\"]").is_ok());
    }

    #[test]
    fn a_bad_value_never_echoes_a_secret() {
        let err = Settings::from_toml("[jira]\nwebhook_secret = [\"hunter2\"]").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn tracker_api_settings_parse_with_their_defaults() {
        let s = Settings::from_toml(
            "[jira]\nbase_url = \"https://j\"\nflavor = \"datacenter\"\npat = \"p\"\n\
             [linear]\napi_key = \"k\"",
        )
        .unwrap();
        assert_eq!(s.jira.flavor, JiraFlavor::Datacenter);
        assert_eq!(s.linear.api_url, "https://api.linear.app/graphql");
        assert!(Settings::from_toml("[jira]\nflavor = \"server\"").is_err());
    }

    #[test]
    fn settings_debug_output_hides_secrets() {
        let s = Settings::from_toml(
            "[jira]\nwebhook_secret = \"hunter2\"\n[[repositories]]\nname = \"a\"\n\
             url = \"https://bot:tok3n@git.example.com/a.git\"",
        )
        .unwrap();
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("tok3n"),
            "{shown}"
        );
        assert!(shown.contains("git.example.com/a.git"), "{shown}");
    }
}
