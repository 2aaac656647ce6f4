//! The trackers' comment APIs the worker writes to: one per tracker whose credentials are
//! configured; the others run dry (comments rendered and stored, never sent).

use crate::config::Settings;
use crate::domain::Tracker;
use crate::trackers::client::TrackerClient;
use crate::trackers::sink::CommentSink;
use std::sync::Arc;

type Sink = Arc<dyn CommentSink>;

/// One optional sink per tracker, by `Tracker::ALL`'s order.
#[derive(Clone, Default)]
pub struct Sinks(Vec<(Tracker, Sink)>);

impl Sinks {
    /// The sink of a tracker, `None` when it runs dry.
    pub fn of(&self, tracker: Tracker) -> Option<&dyn CommentSink> {
        self.0
            .iter()
            .find(|(t, _)| *t == tracker)
            .map(|(_, s)| s.as_ref())
    }

    /// The sinks the settings give credentials for (each tracker's adapter decides); a
    /// tracker whose settings are incomplete runs dry with a warning naming what is missing.
    pub fn from_settings(settings: &Settings) -> Sinks {
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
        let mut sinks = Vec::new();
        for tracker in Tracker::ALL {
            let name = tracker.as_str();
            match crate::trackers::adapter(tracker).sink(settings, client.clone()) {
                Some(Ok(sink)) => {
                    tracing::info!(tracker = name, "comment write-back live");
                    sinks.push((tracker, sink));
                }
                Some(Err(why)) => tracing::warn!(tracker = name, why, "write-back runs dry"),
                None => tracing::info!(tracker = name, "comment write-back runs dry"),
            }
        }
        Sinks(sinks)
    }
}
