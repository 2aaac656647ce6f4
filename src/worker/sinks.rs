//! The trackers' comment APIs the worker writes to: one per tracker whose credentials are
//! configured; the others run dry (comments rendered and stored, never sent).

use crate::config::Settings;
use crate::domain::Tracker;
use crate::trackers::client::TrackerClient;
use crate::writeback::CommentSink;
use std::sync::Arc;

type Sink = Arc<dyn CommentSink>;

/// One optional sink per tracker.
#[derive(Clone, Default)]
pub struct Sinks {
    pub jira: Option<Sink>,
    pub linear: Option<Sink>,
    pub github: Option<Sink>,
    pub gitlab: Option<Sink>,
}

impl Sinks {
    /// The sink of a tracker, `None` when it runs dry.
    pub fn of(&self, tracker: Tracker) -> Option<&dyn CommentSink> {
        match tracker {
            Tracker::Jira => self.jira.as_deref(),
            Tracker::Linear => self.linear.as_deref(),
            Tracker::Github => self.github.as_deref(),
            Tracker::Gitlab => self.gitlab.as_deref(),
        }
    }

    /// The sinks the settings give credentials for; a tracker whose settings are
    /// incomplete runs dry with a warning naming what is missing.
    pub fn from_settings(settings: &Settings) -> Sinks {
        use crate::trackers::{github, gitlab, jira, linear};
        if settings.comments.mode == crate::config::CommentMode::Shadow {
            tracing::info!("[comments] mode = \"shadow\": tickets are analysed and measured, nothing is written to a tracker");
            return Sinks::default();
        }
        let client = match TrackerClient::new(
            crate::trackers::client::ClientOptions::for_writeback(&settings.comments),
        ) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "no HTTP client for tracker APIs; write-back runs dry");
                return Sinks::default();
            }
        };
        fn live<T: CommentSink + 'static>(name: &str, api: Result<T, String>) -> Option<Sink> {
            match api {
                Ok(api) => Some(Arc::new(api)),
                Err(why) => {
                    tracing::warn!(tracker = name, why, "write-back runs dry");
                    None
                }
            }
        }
        let linear_configured =
            settings.linear.api_key.is_some() || settings.linear.oauth_token.is_some();
        let c = || client.clone();
        let sinks =
            Sinks {
                jira: settings
                    .jira
                    .base_url
                    .as_ref()
                    .and_then(|_| live("jira", jira::api::JiraApi::new(&settings.jira, c()))),
                linear: linear_configured
                    .then(|| live("linear", linear::api::LinearApi::new(&settings.linear, c())))
                    .flatten(),
                github: settings.github.token.as_ref().and_then(|_| {
                    live("github", github::api::GithubApi::new(&settings.github, c()))
                }),
                gitlab: settings.gitlab.token.as_ref().and_then(|_| {
                    live("gitlab", gitlab::api::GitlabApi::new(&settings.gitlab, c()))
                }),
            };
        let mode = |s: &Option<Sink>| if s.is_some() { "live" } else { "dry-run" };
        tracing::info!(
            jira = mode(&sinks.jira),
            linear = mode(&sinks.linear),
            github = mode(&sinks.github),
            gitlab = mode(&sinks.gitlab),
            "comment write-back"
        );
        sinks
    }
}
