//! A secret string that never prints: `Debug` and `Display` show `[redacted]`.

use secrecy::{ExposeSecret, SecretString};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

/// A configuration secret (webhook secret, API token, database URL with a password).
///
/// Accepts any scalar in a configuration file (`webhook_secret = 12345`); environment
/// variables arrive as their raw text (see `config::env`), so `0123` stays `0123`.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(SecretString::from(s.into()))
    }

    /// Returns the secret value; call only where it is used, never to log it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl Visitor<'_> for ScalarVisitor {
            type Value = Secret;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Secret, E> {
                Ok(Secret::new(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Secret, E> {
                Ok(Secret::new(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Secret, E> {
                Ok(Secret::new(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Secret, E> {
                Ok(Secret::new(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Secret, E> {
                Ok(Secret::new(v.to_string()))
            }
        }
        d.deserialize_any(ScalarVisitor)
    }
}

/// A URL without its credentials (`https://user:token@host/x` → `https://host/x`), for logs
/// and answers; scp-like `user@host:path` keeps `host:path`.
pub fn url_without_credentials(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => url
            .rsplit_once('@')
            .map_or(url, |(_, rest)| rest)
            .to_string(),
    }
}

/// The user name and password of a URL, percent-decoded (`bot%40x.com` → `bot@x.com`): the
/// one reading of URL credentials, for the tracker client and the git cloner, which both
/// take them out of the URL and send them another way.
pub fn url_userinfo(u: &url::Url) -> (String, Option<String>) {
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    (decode(u.username()), u.password().map(decode))
}

/// Text that may carry credentials (a tracker's error body, git's stderr) made safe to
/// store or log: URLs lose their `user:password@`, `Authorization`-like header values and
/// `Basic`/`Bearer`/`token` credentials become `[redacted]`, as do token query parameters
/// and every one of `secrets` (exact values of four characters or more). The one redaction of
/// free text; URLs alone go through [`url_without_credentials`].
pub fn redact_text(text: &str, secrets: &[&str]) -> String {
    use std::sync::OnceLock;
    static PATTERNS: OnceLock<[(regex::Regex, &'static str); 4]> = OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        let re = |p: &str| regex::Regex::new(p).expect("valid redaction pattern");
        [
            // scheme://user:secret@host → scheme://host
            (re(r"([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s'\x22<>]+@"), "$1"),
            // a header echoed back: `Authorization: …`, `"x-api-key": "…"`, `PRIVATE-TOKEN=…`
            (
                re(r#"(?i)((?:proxy-)?authorization|x-api-key|private-token|cookie|x-gitlab-token|x-hub-signature(?:-256)?|linear-signature)(["']?\s*[:=]\s*["']?)[^"'\r\n,;}]*"#),
                "$1$2[redacted]",
            ),
            // a credential scheme anywhere: `Basic dXNlcjpw…`, `Bearer eyJ…`
            (
                re(r"(?i)\b(basic|bearer)(\s+)[A-Za-z0-9._~+/=:-]{4,}"),
                "$1$2[redacted]",
            ),
            // a token in a query string
            (
                re(r"(?i)([?&](?:access_token|private_token|token|api_key|apikey|key|password)=)[^&\s'\x22]*"),
                "$1[redacted]",
            ),
        ]
    });
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s, "[redacted]");
    }
    for (re, with) in patterns.iter() {
        out = re.replace_all(&out, *with).into_owned();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_credentials_are_redacted_from_free_text() {
        let cases = [
            (
                "proxy said: Authorization: Basic Ym90Omh1bnRlcjI= denied",
                "Ym90Omh1bnRlcjI",
            ),
            (
                r#"{"headers":{"authorization":"Bearer eyJhbGciOi.x.y"}}"#,
                "eyJhbGciOi",
            ),
            (
                "fatal: unable to access 'https://bot:hunter2@git.example.com/a/': 403",
                "hunter2",
            ),
            ("GET /x?private_token=glpat-abcdef&x=1", "glpat-abcdef"),
            (
                "auth failed for bearer ghp_0123456789abcdef",
                "ghp_0123456789",
            ),
            ("the key sekrit-value was refused", "sekrit-value"),
            ("PRIVATE-TOKEN: glpat-zzzz", "glpat-zzzz"),
        ];
        for (text, secret) in cases {
            let shown = redact_text(text, &["sekrit-value"]);
            assert!(!shown.contains(secret), "{text} → {shown}");
        }
        assert_eq!(
            redact_text("fatal: unable to access 'https://bot:tok@h/x/': 403", &[]),
            "fatal: unable to access 'https://h/x/': 403"
        );
        assert_eq!(
            redact_text("issue does not exist", &[]),
            "issue does not exist"
        );
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "[redacted] [redacted]");
        assert_eq!(s.expose(), "hunter2");
    }
}
