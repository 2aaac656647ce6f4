//! Sign-in sessions and CSRF tokens of the web page.
//!
//! A session is a signed cookie, not a row: `v1.<role>.<expires ms>.<nonce>.<mac>`, the MAC
//! an HMAC-SHA256 keyed by the very token that signed in. So any replica can check it with
//! the configuration alone, the cookie never holds the token, and removing a token from the
//! configuration ends every session it opened. Sign-out revokes the session's nonce in the
//! store (`revoked_sessions`, shared by the replicas), so a replayed cookie is refused.
//!
//! CSRF: every page sets a random `tl_csrf` cookie (SameSite=Strict, HttpOnly) and puts the
//! same value in its forms; a POST must bring both, equal (the double-submit pattern), and
//! must not come from another site by `Origin`/`Sec-Fetch-Site`.

use crate::app::auth::Role;
use crate::config::{Secret, Settings};
use crate::trackers::signature::{constant_time_eq, hex_hmac};
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use rand::RngCore;

pub const SESSION_COOKIE: &str = "tl_session";
pub const CSRF_COOKIE: &str = "tl_csrf";
const DOMAIN: &str = "ticketlens web session v1";

fn role_tag(role: Role) -> &'static str {
    match role {
        Role::Read => "r",
        Role::Operator => "o",
    }
}

fn tokens_of<'a>(settings: &'a Settings, tag: &str) -> &'a [Secret] {
    match tag {
        "o" => &settings.api.operator_tokens,
        _ => &settings.api.read_tokens,
    }
}

fn mac(token: &Secret, tag: &str, expires_ms: i64, nonce: &str) -> String {
    let msg = format!("{DOMAIN}|{tag}|{expires_ms}|{nonce}");
    hex_hmac(token.expose().as_bytes(), msg.as_bytes())
}

/// A random hex string of 16 bytes.
pub fn random_hex() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// The role a presented token grants, comparing against every token (timing tells nothing).
pub fn role_of_token(settings: &Settings, presented: &str) -> Option<(Role, Secret)> {
    let mut found: Option<(Role, Secret)> = None;
    for (role, list) in [
        (Role::Operator, &settings.api.operator_tokens),
        (Role::Read, &settings.api.read_tokens),
    ] {
        for t in list {
            if constant_time_eq(t.expose().as_bytes(), presented.as_bytes()) && found.is_none() {
                found = Some((role, t.clone()));
            }
        }
    }
    found
}

/// A session cookie value for `role`, signed with `token`, valid until `expires_ms`.
pub fn issue(token: &Secret, role: Role, expires_ms: i64) -> String {
    let tag = role_tag(role);
    let nonce = random_hex();
    let mac = mac(token, tag, expires_ms, &nonce);
    format!("v1.{tag}.{expires_ms}.{nonce}.{mac}")
}

/// A valid, unexpired session: its role, its id (the cookie's nonce, what sign-out
/// revokes) and when it expires (epoch ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub role: Role,
    pub id: String,
    pub expires_ms: i64,
}

/// The session of a valid, unexpired session cookie value (whether it was signed out is the
/// store's to say: `Store::is_session_revoked`).
pub fn session_of(settings: &Settings, value: &str, now_ms: i64) -> Option<Session> {
    let mut parts = value.split('.');
    let (Some("v1"), Some(tag), Some(expires), Some(nonce), Some(presented), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let role = match tag {
        "r" => Role::Read,
        "o" => Role::Operator,
        _ => return None,
    };
    let expires: i64 = expires.parse().ok()?;
    if expires <= now_ms || nonce.len() > 64 || presented.len() != 64 {
        return None;
    }
    let valid = tokens_of(settings, tag).iter().fold(false, |hit, t| {
        constant_time_eq(mac(t, tag, expires, nonce).as_bytes(), presented.as_bytes()) | hit
    });
    valid.then(|| Session {
        role,
        id: nonce.to_string(),
        expires_ms: expires,
    })
}

/// The session cookie holding `value` for `hours`.
pub fn session_cookie(value: String, hours: u64, secure: bool) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        // Lax: a link from the tracker to a page arrives signed in; a cross-site POST does not.
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::hours(hours.min(24 * 365) as i64))
        .finish()
}

/// The cookie that ends the session.
pub fn cleared_session(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie(String::new(), 0, secure);
    c.set_max_age(CookieDuration::ZERO);
    c
}

/// The CSRF cookie holding `value`.
pub fn csrf_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(CSRF_COOKIE, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

/// Whether a form's CSRF field matches the request's CSRF cookie.
pub fn csrf_matches(cookie: Option<&str>, field: &str) -> bool {
    match cookie {
        Some(c) if !c.is_empty() => constant_time_eq(c.as_bytes(), field.as_bytes()),
        _ => false,
    }
}

/// A `next` target after signing in: a path on this site only (never `//host` or a URL).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && n.len() <= 2_000 =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify(settings: &Settings, value: &str, now_ms: i64) -> Option<Role> {
        session_of(settings, value, now_ms).map(|s| s.role)
    }

    fn settings() -> Settings {
        let mut s = Settings::from_toml("").unwrap();
        s.api.read_tokens = vec![Secret::new("read-token-1")];
        s.api.operator_tokens = vec![Secret::new("operator-token-1")];
        s
    }

    #[test]
    fn a_session_signed_with_a_configured_token_is_valid_until_it_expires() {
        let s = settings();
        let (role, token) = role_of_token(&s, "read-token-1").unwrap();
        assert_eq!(role, Role::Read);
        let v = issue(&token, role, 2_000);
        assert!(
            !v.contains("read-token-1"),
            "the cookie never holds the token"
        );
        assert_eq!(verify(&s, &v, 1_999), Some(Role::Read));
        assert_eq!(verify(&s, &v, 2_000), None);
    }

    #[test]
    fn a_session_whose_token_was_removed_or_whose_role_was_raised_is_refused() {
        let mut s = settings();
        let (role, token) = role_of_token(&s, "read-token-1").unwrap();
        let v = issue(&token, role, i64::MAX);
        let raised = v.replacen("v1.r.", "v1.o.", 1);
        assert_eq!(verify(&s, &raised, 0), None);
        s.api.read_tokens = vec![Secret::new("read-token-2")];
        assert_eq!(verify(&s, &v, 0), None);
    }

    #[test]
    fn unknown_tokens_and_garbled_cookies_are_refused() {
        let s = settings();
        assert!(role_of_token(&s, "nope").is_none());
        assert_eq!(
            role_of_token(&s, "operator-token-1").map(|r| r.0),
            Some(Role::Operator)
        );
        for v in [
            "",
            "v1",
            "v1.r.1.x.y",
            "v2.r.99999999999999.ab.cd",
            "v1.r.x.ab.cd.ef",
        ] {
            assert_eq!(verify(&s, v, 0), None, "{v}");
        }
    }

    #[test]
    fn csrf_needs_the_cookie_and_an_equal_field() {
        assert!(csrf_matches(Some("abc"), "abc"));
        assert!(!csrf_matches(Some("abc"), "abd"));
        assert!(!csrf_matches(None, ""));
        assert!(!csrf_matches(Some(""), ""));
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/modules/ab?x=1")), "/modules/ab?x=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "evil",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
