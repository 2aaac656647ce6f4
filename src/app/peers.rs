//! A cap on the open connections of one peer address, so one client (thousands of
//! connections that send their request head a byte at a time) cannot hold every connection
//! `[server] max_connections` allows and starve the others, `/healthz` included.
//!
//! actix has only a global cap, so the count is kept here: actix calls [`PeerConnections::
//! on_connect`] with each new connection before reading from it; one over its peer's cap is
//! shut down at once (the client sees it closed), the others carry a [`Held`] in the
//! connection's data, whose drop, when actix drops the connection, gives the place back.

use std::any::Any;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// At most one "connections refused" line this often.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// Open connections per peer address (IPv6 by /64), shared by every worker of a server.
#[derive(Debug)]
pub struct PeerConnections {
    cap: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
    refused: AtomicU64,
    last_log: Mutex<Option<Instant>>,
}

/// One admitted connection's place; dropping it gives the place back.
#[derive(Debug)]
pub struct Held {
    table: Arc<PeerConnections>,
    peer: IpAddr,
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.peer) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.peer);
            }
        }
    }
}

impl PeerConnections {
    /// At most `cap` open connections per peer; 0 means no cap.
    pub fn new(cap: usize) -> Arc<PeerConnections> {
        Arc::new(PeerConnections {
            cap,
            open: Mutex::new(HashMap::new()),
            refused: AtomicU64::new(0),
            last_log: Mutex::new(None),
        })
    }

    /// A place for one more connection of `peer`, or `None` when it holds its cap (0: no
    /// cap, every connection gets one).
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<Held> {
        let peer = key(peer);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(peer).or_insert(0);
        if self.cap > 0 && *n >= self.cap {
            return None;
        }
        *n += 1;
        Some(Held {
            table: self.clone(),
            peer,
        })
    }

    /// Open connections of `peer` now.
    #[cfg(test)]
    pub fn open_of(&self, peer: IpAddr) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(&key(peer)).copied().unwrap_or(0)
    }

    /// actix's `on_connect`: admits the connection or shuts it down.
    pub fn on_connect(self: &Arc<Self>, conn: &dyn Any, data: &mut actix_web::dev::Extensions) {
        if self.cap == 0 {
            return;
        }
        let Some(stream) = conn.downcast_ref::<actix_web::rt::net::TcpStream>() else {
            return;
        };
        let Ok(peer) = stream.peer_addr() else {
            return;
        };
        match self.admit(peer.ip()) {
            Some(held) => {
                data.insert(held);
            }
            None => {
                let _ = socket2::SockRef::from(stream).shutdown(std::net::Shutdown::Both);
                self.refused(peer.ip());
            }
        }
    }

    /// Counts a refusal and says so in the log, at most once per [`LOG_EVERY`].
    fn refused(&self, peer: IpAddr) {
        let n = self.refused.fetch_add(1, Ordering::Relaxed) + 1;
        let mut last = self.last_log.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if last.is_some_and(|l| now.duration_since(l) < LOG_EVERY) {
            return;
        }
        *last = Some(now);
        self.refused.store(0, Ordering::Relaxed);
        tracing::warn!(
            refused = n,
            cap = self.cap,
            last_peer = %key(peer),
            every_secs = LOG_EVERY.as_secs(),
            "connections closed: their address already holds max_connections_per_peer"
        );
    }
}

/// The address a peer is counted by: IPv4 (and IPv4-mapped IPv6) as is, IPv6 by /64.
pub fn key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_holds_at_most_its_cap_and_a_closed_connection_frees_a_place() {
        let t = PeerConnections::new(2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = t.admit(a).unwrap();
        let _second = t.admit(a).unwrap();
        assert!(t.admit(a).is_none());
        assert!(t.admit(b).is_some(), "another peer is not held up");
        drop(first);
        assert_eq!(t.open_of(a), 1);
        assert!(t.admit(a).is_some());
    }

    #[test]
    fn zero_means_no_cap() {
        let t = PeerConnections::new(0);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let held: Vec<Held> = (0..1000).map(|_| t.admit(a).unwrap()).collect();
        assert_eq!(held.len(), 1000);
    }
}
