//! One `Enrichment`, three renderings: Markdown (Linear; GitHub/GitLab later), Atlassian
//! Document Format (Jira Cloud, REST v3) and wiki markup (Jira Data Center, REST v2).
//!
//! Rendering goes through a small document model (`Doc`), so the three formats say the same
//! thing in the same order and only the syntax differs.

mod adf;
mod brief;
mod doc;
#[cfg(test)]
mod hostile_tests;
mod inert;
mod markdown;
mod model;
mod precedents;
mod wiki;

pub use brief::{count_words, shown, MAX_WORDS};
pub use doc::{date, Block, Doc, Inline};
pub use precedents::footprint;

use crate::domain::Enrichment;

/// Builds the comment in the configured detail (brief by default); `None` when it should
/// stay silent (`WhenQuiet::Skip`).
pub fn build(e: &Enrichment, opts: &RenderOptions) -> Option<Doc> {
    match opts.detail {
        Detail::Brief => brief::build(e, opts),
        Detail::Full => model::build_full(e, opts),
    }
}

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

/// How much the comment says: `brief` (the default: the first module, how sure, why, and a
/// few lines; the rest on the page or in a collapsed section) or `full` (every module with
/// its history, people, coupling and files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Detail {
    #[default]
    Brief,
    Full,
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
    pub detail: Detail,
    /// Markdown read by a tracker that renders HTML `<details>` (GitHub, GitLab; set by
    /// `for_ticket`). Linear's Markdown has no collapsed section the API takes.
    pub html_details: bool,
    /// Whether the brief comment carries the rest in a collapsed section (set by `render`
    /// from the format: always in ADF, never in wiki markup, in Markdown per `html_details`).
    pub collapse: bool,
}

impl RenderOptions {
    /// These options for one ticket: with a page base, the link to the ticket's page.
    pub fn for_ticket(&self, tracker: &str, key: &str) -> RenderOptions {
        let mut o = self.clone();
        o.details_url = self.page_base.as_ref().map(|base| {
            let key: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
            format!("{}/tickets/{tracker}/{key}", base.trim_end_matches('/'))
        });
        o.html_details = matches!(tracker, "github" | "gitlab");
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
            detail: Detail::Brief,
            html_details: false,
            collapse: false,
        }
    }
}

/// The footer every comment carries; also how a reader knows the comment is advisory.
pub const FOOTER: &str =
    "TicketLens: advisory analysis from code and history. It never closes, labels or moves tickets.";

/// Renders the enrichment in a tracker's format; `None` when there is nothing to say and
/// the options say to stay silent. ADF is returned as its JSON text.
pub fn render(e: &Enrichment, format: Format, opts: &RenderOptions) -> Option<String> {
    let mut opts = opts.clone();
    opts.collapse = match format {
        Format::Adf => true,
        Format::Wiki => false,
        Format::Markdown => opts.html_details,
    };
    let doc = build(e, &opts)?;
    Some(match format {
        Format::Markdown => markdown::render(&doc),
        Format::Wiki => wiki::render(&doc),
        Format::Adf => adf::render(&doc).to_string(),
    })
}

/// Words of the brief Markdown comment as a reader without a collapsed section sees it
/// (Linear), footer left out: what `eval localization` reports as `comment_words`.
pub fn comment_words(e: &Enrichment) -> usize {
    let Some(doc) = build(e, &RenderOptions::default()) else {
        return 0;
    };
    let body: Vec<Block> = doc
        .into_iter()
        .filter(|b| !matches!(b, Block::Footer(_)))
        .collect();
    count_words(&markdown::render(&body))
}
