//! Settings of the management API (`/api/`): who may call it.

use super::Secret;
use serde::Deserialize;

/// Bearer tokens for `/api/`. Read tokens may call every read route and `analyze`; operator
/// tokens may also act on jobs (retry). With no token configured, `/api/` is open only to
/// callers on this machine (a laptop trial): a loopback peer address and a loopback `Host`
/// header, and no cross-site state-changing request; every other caller is refused, and
/// `serve` warns at start when it listens on a public address without tokens.
///
/// Failed authentications (a wrong bearer token, a wrong sign-in token) are counted per
/// caller address (IPv6 by /64): past `max_auth_failures` within `auth_failure_window_secs`,
/// that address gets 429 for the rest of the window, whatever it sends. 0 turns it off.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiSettings {
    pub read_tokens: Vec<Secret>,
    pub operator_tokens: Vec<Secret>,
    pub max_auth_failures: u32,
    pub auth_failure_window_secs: u64,
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings {
            read_tokens: Vec::new(),
            operator_tokens: Vec::new(),
            max_auth_failures: 10,
            auth_failure_window_secs: 60,
        }
    }
}

impl ApiSettings {
    pub fn has_tokens(&self) -> bool {
        !self.read_tokens.is_empty() || !self.operator_tokens.is_empty()
    }
}

/// The web page (`/`, `/modules/…`, `/tickets/…`, `/analyze`). Who may see it follows
/// `[api]`: with no token configured, callers on this machine only; with tokens, a sign-in
/// page takes a read (or operator) token and keeps a session in a cookie.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebSettings {
    /// Serve the pages at all.
    pub enabled: bool,
    /// How long a sign-in lasts.
    pub session_hours: u64,
    /// Mark the session cookie `Secure` (browsers then send it over HTTPS, and to
    /// `localhost`, only). Turn off only behind a plain-HTTP proxy you trust.
    pub secure_cookies: bool,
    /// The address people reach the pages at (`https://ticketlens.example.com`); when set,
    /// every comment links to its ticket's page.
    pub public_url: Option<String>,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            enabled: true,
            session_hours: 12,
            secure_cookies: true,
            public_url: None,
        }
    }
}
