//! One `Enrichment`, three renderings: Markdown (Linear; GitHub/GitLab later), Atlassian
//! Document Format (Jira Cloud, REST v3) and wiki markup (Jira Data Center, REST v2).
//!
//! Rendering goes through a small document model (`Doc`), so the three formats say the same
//! thing in the same order and only the syntax differs.

mod adf;
#[cfg(test)]
mod hostile_tests;
mod inert;
mod markdown;
mod model;
mod precedents;
mod wiki;

pub use model::{build, date, Block, Doc, Inline};
pub use precedents::footprint;

use crate::domain::Enrichment;

/// The comment formats trackers accept (a domain type: the store keeps it with the comment).
pub use crate::domain::Format;

/// What to do when nothing clears the confidence thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WhenQuiet {
    /// A one-line note saying TicketLens found nothing it is confident about.
    #[default]
    Minimal,
    /// No comment at all.
    Skip,
}

/// Knobs of the comment's content.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Modules shown, strongest first (the issue asks for 3–5).
    pub max_modules: usize,
    /// Files shown per module.
    pub files_per_module: usize,
    pub max_duplicates: usize,
    pub when_quiet: WhenQuiet,
    /// Where people reach the web page (`[web] public_url`); with it, each comment links
    /// to its ticket's page.
    pub page_base: Option<String>,
    /// The link the comment carries (set per ticket by `for_ticket`).
    pub details_url: Option<String>,
}

impl RenderOptions {
    /// These options for one ticket: with a page base, the link to the ticket's page.
    pub fn for_ticket(&self, tracker: &str, key: &str) -> RenderOptions {
        let mut o = self.clone();
        o.details_url = self.page_base.as_ref().map(|base| {
            let key: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
            format!("{}/tickets/{tracker}/{key}", base.trim_end_matches('/'))
        });
        o
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            max_modules: 4,
            files_per_module: 3,
            max_duplicates: 5,
            when_quiet: WhenQuiet::Minimal,
            page_base: None,
            details_url: None,
        }
    }
}

/// The footer every comment carries; also how a reader knows the comment is advisory.
pub const FOOTER: &str =
    "TicketLens: advisory analysis from code and history. It never closes, labels or moves tickets.";

/// Renders the enrichment in a tracker's format; `None` when there is nothing to say and
/// the options say to stay silent. ADF is returned as its JSON text.
pub fn render(e: &Enrichment, format: Format, opts: &RenderOptions) -> Option<String> {
    let doc = build(e, opts)?;
    Some(match format {
        Format::Markdown => markdown::render(&doc),
        Format::Wiki => wiki::render(&doc),
        Format::Adf => adf::render(&doc).to_string(),
    })
}
