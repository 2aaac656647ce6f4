//! Redaction, defined once: what may carry credentials (a URL, a tracker's error body,
//! git's stderr) made safe to log, store or answer with.

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
    fn a_database_url_loses_its_password() {
        let r = url_without_credentials("postgres://u:hunter2@db:5432/x");
        assert!(!r.contains("hunter2"), "{r}");
        assert!(r.contains("db:5432/x"), "{r}");
    }
}
