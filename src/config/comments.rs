//! Settings of the comment TicketLens writes back (`[comments]`).

use crate::render::{Detail, RenderOptions, WhenQuiet};
use serde::Deserialize;

/// Whether comments are written to the tracker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CommentMode {
    /// Write the one comment per ticket (the default; without credentials it runs dry).
    #[default]
    Comment,
    /// Analyse and measure every ticket, write nothing to any tracker: a team reads the
    /// accuracy before turning comments on.
    Shadow,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommentSettings {
    /// `comment` (default) or `shadow`: analyse and measure, write nothing to the tracker.
    pub mode: CommentMode,
    /// When the analysis is only a guess (below the confidence floor) or found nothing:
    /// `minimal` (one line saying so, naming at most two areas) or `skip` (no comment).
    pub when_quiet: WhenQuiet,
    /// `brief` (default: a short comment, the rest on the page or collapsed) or `full`
    /// (every module with its history, people, coupling and files).
    pub detail: Detail,
    /// Modules listed, strongest first.
    pub max_modules: usize,
    /// Files listed per module.
    pub files_per_module: usize,
    /// Duplicate candidates listed per tier.
    pub max_duplicates: usize,
    /// Tries per tracker API call (429 and 5xx are retried with backoff).
    pub http_attempts: u32,
    /// First retry delay of a tracker API call; doubles each try, with jitter.
    pub http_backoff_ms: u64,
    pub http_timeout_secs: u64,
}

impl Default for CommentSettings {
    fn default() -> Self {
        let o = RenderOptions::default();
        CommentSettings {
            mode: CommentMode::Comment,
            when_quiet: o.when_quiet,
            detail: o.detail,
            max_modules: o.max_modules,
            files_per_module: o.files_per_module,
            max_duplicates: o.max_duplicates,
            http_attempts: 4,
            http_backoff_ms: 500,
            http_timeout_secs: 30,
        }
    }
}

impl CommentSettings {
    pub fn render_options(&self) -> RenderOptions {
        RenderOptions {
            max_modules: self.max_modules.clamp(1, 10),
            files_per_module: self.files_per_module,
            max_duplicates: self.max_duplicates,
            when_quiet: self.when_quiet,
            detail: self.detail,
            ..RenderOptions::default()
        }
    }
}
