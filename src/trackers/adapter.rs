//! What the rest of the service needs of a tracker, as one trait each tracker's module
//! implements (`trackers::jira::Jira`, …), reached through `trackers::adapter`: its
//! webhooks (verify, parse, the delivery id's header, the duplicate links they carry, what
//! is withheld), the comment format it takes, and its comment sink. A fifth tracker is a
//! new module with one more implementation, and one more `Tracker` variant.

use super::client::TrackerClient;
use super::sink::CommentSink;
use super::VerifyError;
use crate::config::Settings;
use crate::domain::Format;
use crate::domain::{LinkNotice, ParseError, Parsed, Tracker};
use std::sync::Arc;

/// A request header by its lower-case name.
pub type Header<'h, 'a> = &'h dyn Fn(&str) -> Option<&'a str>;

/// One tracker, as ingest, the worker and write-back see it.
pub trait TrackerAdapter: Send + Sync {
    fn tracker(&self) -> Tracker;

    /// Checks the webhook's authenticity over the raw body (`now_ms` for replay windows).
    fn verify(
        &self,
        settings: &Settings,
        header: Header<'_, '_>,
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), VerifyError>;

    /// Parses a verified webhook body into an event (or a reason to ignore it).
    fn parse(
        &self,
        settings: &Settings,
        header: Header<'_, '_>,
        body: &[u8],
    ) -> Result<Parsed, ParseError>;

    /// The headers naming the delivery, in order of preference; the first present one
    /// makes redeliveries of one event one delivery.
    fn delivery_headers(&self) -> &'static [&'static str];

    /// The duplicate links the webhook body tells of, when this tracker's webhooks carry any.
    fn duplicate_links(&self, _header: Header<'_, '_>, _body: &[u8]) -> Option<LinkNotice> {
        None
    }

    /// True when the body must not be kept, not even in the delivery log.
    fn withheld(&self, _settings: &Settings, _header: Header<'_, '_>, _body: &[u8]) -> bool {
        false
    }

    /// The markup its comments are written in when no sink decides (a dry run).
    fn comment_format(&self) -> Format {
        Format::Markdown
    }

    /// Its comment sink: `None` when the settings give no credentials, `Some(Err(why))`
    /// when they are incomplete.
    fn sink(
        &self,
        settings: &Settings,
        client: TrackerClient,
    ) -> Option<Result<Arc<dyn CommentSink>, String>>;
}

/// A sink built from an API client, boxed for the worker.
pub(super) fn boxed<T: CommentSink + 'static>(
    api: Result<T, String>,
) -> Result<Arc<dyn CommentSink>, String> {
    api.map(|a| Arc::new(a) as Arc<dyn CommentSink>)
}
