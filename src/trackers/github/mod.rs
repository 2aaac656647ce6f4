//! GitHub Issues: `X-Hub-Signature-256` check, parsing of `issues` events, the REST client
//! for comments and back-fill.

pub mod api;
pub mod comments;
pub mod links;
pub mod parse;

use super::signature::verify_hex_hmac;
use super::VerifyError;
use crate::config::GithubSettings;

pub use parse::parse;

/// Checks a GitHub webhook: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`,
/// compared in constant time. The legacy `X-Hub-Signature: sha1=…` GitHub also sends is
/// never enough on its own: SHA-1 signatures are refused, whatever they say.
pub fn verify<'a>(
    settings: &GithubSettings,
    header: impl Fn(&str) -> Option<&'a str>,
    body: &[u8],
) -> Result<(), VerifyError> {
    let Some(secret) = &settings.webhook_secret else {
        return Err(VerifyError::NotConfigured);
    };
    let sig = header("x-hub-signature-256")
        .ok_or(VerifyError::MissingSignature("X-Hub-Signature-256"))?;
    let hex = sig
        .trim()
        .strip_prefix("sha256=")
        .ok_or(VerifyError::BadSignature)?;
    if verify_hex_hmac(secret.expose().as_bytes(), body, hex) {
        Ok(())
    } else {
        Err(VerifyError::BadSignature)
    }
}

/// GitHub's adapter (`trackers::adapter`).
pub struct Github;

impl super::adapter::TrackerAdapter for Github {
    fn tracker(&self) -> crate::domain::Tracker {
        crate::domain::Tracker::Github
    }
    fn verify(
        &self,
        s: &crate::config::Settings,
        header: super::adapter::Header<'_, '_>,
        body: &[u8],
        _now_ms: i64,
    ) -> Result<(), VerifyError> {
        verify(&s.github, header, body)
    }
    fn parse(
        &self,
        _s: &crate::config::Settings,
        header: super::adapter::Header<'_, '_>,
        body: &[u8],
    ) -> Result<crate::domain::Parsed, crate::domain::ParseError> {
        parse(header("x-github-event"), body)
    }
    fn delivery_headers(&self) -> &'static [&'static str] {
        &["x-github-delivery"]
    }
    fn duplicate_links(
        &self,
        header: super::adapter::Header<'_, '_>,
        body: &[u8],
    ) -> Option<crate::domain::LinkNotice> {
        links::webhook_links(header("x-github-event"), body)
    }
    fn sink(
        &self,
        s: &crate::config::Settings,
        client: super::client::TrackerClient,
    ) -> Option<Result<std::sync::Arc<dyn super::sink::CommentSink>, String>> {
        let _ = s.github.token.as_ref()?;
        Some(super::adapter::boxed(api::GithubApi::new(
            &s.github, client,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use crate::trackers::signature::hex_hmac;
    use proptest::prelude::*;

    fn settings() -> GithubSettings {
        GithubSettings {
            webhook_secret: Some(Secret::new("k")),
            ..GithubSettings::default()
        }
    }

    #[test]
    fn the_sha256_signature_is_checked_over_the_raw_body() {
        let sig = format!("sha256={}", hex_hmac(b"k", b"{}"));
        let h = |n: &str| (n == "x-hub-signature-256").then_some(sig.as_str());
        assert_eq!(verify(&settings(), h, b"{}"), Ok(()));
        assert_eq!(
            verify(&settings(), h, b"{ }"),
            Err(VerifyError::BadSignature)
        );
        let bare = hex_hmac(b"k", b"{}");
        let h = |n: &str| (n == "x-hub-signature-256").then_some(bare.as_str());
        assert_eq!(
            verify(&settings(), h, b"{}"),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn a_legacy_sha1_signature_alone_is_refused() {
        // the shape GitHub sends (40 hex digits); whether it is right is never looked at
        let sha1 = format!("sha1={}", "0123456789abcdef0123456789abcdef01234567");
        let h = |n: &str| (n == "x-hub-signature").then_some(sha1.as_str());
        assert_eq!(
            verify(&settings(), h, b"{}"),
            Err(VerifyError::MissingSignature("X-Hub-Signature-256"))
        );
        let h = |n: &str| (n == "x-hub-signature-256").then_some(sha1.as_str());
        assert_eq!(
            verify(&settings(), h, b"{}"),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn no_secret_means_every_webhook_is_refused() {
        let s = GithubSettings::default();
        let sig = format!("sha256={}", hex_hmac(b"", b"{}"));
        let h = |n: &str| (n == "x-hub-signature-256").then_some(sig.as_str());
        assert_eq!(verify(&s, h, b"{}"), Err(VerifyError::NotConfigured));
    }

    proptest! {
        #[test]
        fn only_the_exact_signature_of_the_exact_body_verifies(
            body in prop::collection::vec(any::<u8>(), 0..256),
            idx in any::<prop::sample::Index>(),
            mask in 1u8..=255,
            in_body in any::<bool>(),
        ) {
            let mut sig = format!("sha256={}", hex_hmac(b"k", &body));
            let mut sent = body.clone();
            if in_body && !sent.is_empty() {
                let i = idx.index(sent.len());
                sent[i] ^= mask;
            } else {
                let i = "sha256=".len() + idx.index(64);
                let mut bytes = sig.into_bytes();
                bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
                sig = String::from_utf8(bytes).unwrap();
            }
            let h = |n: &str| (n == "x-hub-signature-256").then_some(sig.as_str());
            prop_assert_eq!(verify(&settings(), h, &sent), Err(VerifyError::BadSignature));
        }
    }
}
