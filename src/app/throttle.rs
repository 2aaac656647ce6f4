//! Failed authentication, throttled per peer, and one log line for many failures.
//!
//! Each caller address (IPv6 by its /64, which one host usually holds whole) has a window of
//! `[api] auth_failure_window_secs`; past `max_auth_failures` failures in it, every request of
//! that address that presents a credential is refused (429) until the window ends, whatever
//! token it carries, so a guess that happens to be right tells nothing either. Success does
//! not reset the count: a caller holding a read token could otherwise guess operator tokens
//! between its reads. The count lives in this process (each replica throttles what reaches
//! it). Failures are logged as a summary at most every [`LOG_EVERY`], never one line each.

use super::peers::key;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Addresses tracked at most; past it, expired windows go first, then the oldest.
const MAX_PEERS: usize = 10_000;
/// At most one summary line this often.
pub const LOG_EVERY: Duration = Duration::from_secs(10);

/// Where a failure happened, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// A bearer token under `/api/`.
    Api,
    /// The sign-in form of the pages.
    SignIn,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

#[derive(Debug, Default)]
struct Summary {
    last: Option<Instant>,
    api: u64,
    sign_in: u64,
    refused: u64,
}

/// The per-peer failure counts of this process.
#[derive(Debug)]
pub struct AuthThrottle {
    max_failures: u32,
    window: Duration,
    peers: Mutex<HashMap<IpAddr, Window>>,
    summary: Mutex<Summary>,
}

impl AuthThrottle {
    /// `max_failures` per `window`; 0 failures turns throttling off.
    pub fn new(max_failures: u32, window: Duration) -> AuthThrottle {
        AuthThrottle {
            max_failures,
            window: window.max(Duration::from_secs(1)),
            peers: Mutex::new(HashMap::new()),
            summary: Mutex::new(Summary::default()),
        }
    }

    pub fn from_settings(api: &crate::config::ApiSettings) -> AuthThrottle {
        AuthThrottle::new(
            api.max_auth_failures,
            Duration::from_secs(api.auth_failure_window_secs),
        )
    }

    /// `Err(wait)` when `peer` used up its failures: refuse it, and say how long to wait.
    pub fn check(&self, peer: Option<IpAddr>) -> Result<(), Duration> {
        let (Some(peer), true) = (peer, self.max_failures > 0) else {
            return Ok(());
        };
        let now = Instant::now();
        let locked = {
            let peers = self.peers.lock().unwrap_or_else(|e| e.into_inner());
            peers.get(&key(peer)).and_then(|w| {
                let left = self.window.checked_sub(now.duration_since(w.started))?;
                (w.failures >= self.max_failures && !left.is_zero()).then_some(left)
            })
        };
        match locked {
            Some(left) => {
                self.note(now, |s| s.refused += 1);
                Err(left)
            }
            None => Ok(()),
        }
    }

    /// Counts a failed authentication of `peer`.
    pub fn failed(&self, peer: Option<IpAddr>, surface: Surface) {
        let now = Instant::now();
        if let (Some(peer), true) = (peer, self.max_failures > 0) {
            let mut peers = self.peers.lock().unwrap_or_else(|e| e.into_inner());
            if peers.len() >= MAX_PEERS && !peers.contains_key(&key(peer)) {
                self.make_room(&mut peers, now);
            }
            let w = peers.entry(key(peer)).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.duration_since(w.started) >= self.window {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures = w.failures.saturating_add(1);
        }
        self.note(now, |s| match surface {
            Surface::Api => s.api += 1,
            Surface::SignIn => s.sign_in += 1,
        });
    }

    /// Drops expired windows, else the oldest one.
    fn make_room(&self, peers: &mut HashMap<IpAddr, Window>, now: Instant) {
        peers.retain(|_, w| now.duration_since(w.started) < self.window);
        if peers.len() >= MAX_PEERS {
            if let Some(oldest) = peers.iter().min_by_key(|(_, w)| w.started).map(|(k, _)| *k) {
                peers.remove(&oldest);
            }
        }
    }

    /// Counts an event, and writes the summary when the last one is old enough.
    fn note(&self, now: Instant, count: impl FnOnce(&mut Summary)) {
        let mut s = self.summary.lock().unwrap_or_else(|e| e.into_inner());
        count(&mut s);
        if s.last.is_some_and(|l| now.duration_since(l) < LOG_EVERY) {
            return;
        }
        let locked_out = {
            let peers = self.peers.lock().unwrap_or_else(|e| e.into_inner());
            peers
                .values()
                .filter(|w| {
                    w.failures >= self.max_failures && now.duration_since(w.started) < self.window
                })
                .count()
        };
        tracing::warn!(
            api_failures = s.api,
            sign_in_failures = s.sign_in,
            refused_while_throttled = s.refused,
            addresses_throttled = locked_out,
            every_secs = LOG_EVERY.as_secs(),
            "failed authentications since the last summary"
        );
        *s = Summary {
            last: Some(now),
            ..Summary::default()
        };
    }
}

/// The 429 of a throttled caller, with `Retry-After` in whole seconds.
pub fn too_many_failures(wait: Duration) -> actix_web::HttpResponse {
    let err = super::error::ApiError::new(
        super::error::ErrorCode::TooManyRequests,
        "too many failed authentications from this address; wait before trying again",
    );
    let mut res = actix_web::ResponseError::error_response(&err);
    res.headers_mut().insert(
        actix_web::http::header::RETRY_AFTER,
        retry_after_secs(wait).into(),
    );
    res
}

/// A wait in whole seconds, rounded up, at least 1.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn a_peer_past_its_failures_is_refused_and_others_are_not() {
        let t = AuthThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(t.check(ip("10.0.0.1")).is_ok());
            t.failed(ip("10.0.0.1"), Surface::Api);
        }
        let wait = t.check(ip("10.0.0.1")).unwrap_err();
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(50));
        assert!(t.check(ip("10.0.0.2")).is_ok());
        assert!(t.check(None).is_ok(), "no address, nothing to count by");
    }

    #[test]
    fn an_ipv6_host_is_counted_by_its_64_and_mapped_v4_as_v4() {
        let t = AuthThrottle::new(2, Duration::from_secs(60));
        t.failed(ip("2001:db8:1:2::1"), Surface::SignIn);
        t.failed(ip("2001:db8:1:2::ffff"), Surface::SignIn);
        assert!(t.check(ip("2001:db8:1:2:abcd::9")).is_err());
        assert!(t.check(ip("2001:db8:1:3::1")).is_ok());
        t.failed(ip("::ffff:10.1.1.1"), Surface::Api);
        t.failed(ip("10.1.1.1"), Surface::Api);
        assert!(t.check(ip("10.1.1.1")).is_err());
    }

    #[test]
    fn a_window_that_ended_starts_over_and_zero_turns_it_off() {
        let t = AuthThrottle::new(1, Duration::from_secs(1));
        t.failed(ip("10.0.0.1"), Surface::Api);
        assert!(t.check(ip("10.0.0.1")).is_err());
        t.peers
            .lock()
            .unwrap()
            .get_mut(&key("10.0.0.1".parse().unwrap()))
            .unwrap()
            .started -= Duration::from_secs(2);
        assert!(t.check(ip("10.0.0.1")).is_ok());
        let off = AuthThrottle::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            off.failed(ip("10.0.0.1"), Surface::Api);
        }
        assert!(off.check(ip("10.0.0.1")).is_ok());
    }

    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn thousands_of_failures_make_one_summary_line_not_one_each() {
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || sink.clone())
            .with_max_level(tracing::Level::INFO)
            .finish();
        let t = AuthThrottle::new(10, Duration::from_secs(60));
        tracing::subscriber::with_default(subscriber, || {
            for i in 0..5_000u32 {
                let peer = Some(IpAddr::V4((i % 50).into()));
                let _ = t.check(peer);
                t.failed(peer, Surface::Api);
            }
        });
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(log.lines().count(), 1, "{log}");
        assert!(log.contains("failed authentications"), "{log}");
    }

    #[test]
    fn the_peer_table_stays_bounded() {
        let t = AuthThrottle::new(5, Duration::from_secs(60));
        for i in 0..(MAX_PEERS as u32 + 50) {
            t.failed(Some(IpAddr::V4(i.into())), Surface::Api);
        }
        assert!(t.peers.lock().unwrap().len() <= MAX_PEERS);
    }
}
