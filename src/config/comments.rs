//! Settings of the comment TicketLens writes back (`[comments]`).

use crate::render::{RenderOptions, WhenQuiet};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommentSettings {
    /// When nothing clears the confidence thresholds: `minimal` (a one-line note) or `skip`.
    pub when_quiet: WhenQuiet,
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
            when_quiet: o.when_quiet,
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
            page_base: None,
            details_url: None,
        }
    }
}
