//! Jira (Cloud and Data Center): webhook signature or shared-token check, and parsing.

pub mod api;
pub mod comments;
pub mod links;
pub mod parse;
pub mod plan;

use super::signature::{constant_time_eq, verify_hex_hmac};
use super::VerifyError;
use crate::config::JiraSettings;
use base64::Engine;

pub use parse::parse;

/// Checks a Jira webhook's authenticity over the raw body.
///
/// Cloud signs with `X-Hub-Signature: sha256=<hex>` when the webhook has a secret. Data Center
/// may instead carry a shared token: `Authorization: Bearer <token>`, basic auth whose
/// password is the token (a `https://user:token@host/...` webhook URL), or
/// `X-TicketLens-Token`.
pub fn verify<'a>(
    settings: &JiraSettings,
    header: impl Fn(&str) -> Option<&'a str>,
    body: &[u8],
) -> Result<(), VerifyError> {
    if let Some(secret) = &settings.webhook_secret {
        if let Some(sig) = header("x-hub-signature") {
            let hex = sig
                .trim()
                .strip_prefix("sha256=")
                .ok_or(VerifyError::BadSignature)?;
            return if verify_hex_hmac(secret.expose().as_bytes(), body, hex) {
                Ok(())
            } else {
                Err(VerifyError::BadSignature)
            };
        }
        if settings.shared_token.is_none() {
            return Err(VerifyError::MissingSignature("X-Hub-Signature"));
        }
    }
    if let Some(token) = &settings.shared_token {
        let given = presented_token(&header).ok_or(VerifyError::BadToken)?;
        return if constant_time_eq(given.as_bytes(), token.expose().as_bytes()) {
            Ok(())
        } else {
            Err(VerifyError::BadToken)
        };
    }
    if settings.allow_unsigned {
        Ok(())
    } else {
        Err(VerifyError::NotConfigured)
    }
}

fn presented_token<'a>(header: &impl Fn(&str) -> Option<&'a str>) -> Option<String> {
    if let Some(t) = header("x-ticketlens-token") {
        return Some(t.trim().to_string());
    }
    let auth = header("authorization")?.trim();
    if let Some(t) = auth.strip_prefix("Bearer ") {
        return Some(t.trim().to_string());
    }
    let b64 = auth.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    text.split_once(':').map(|(_, pass)| pass.to_string())
}

/// Jira's adapter (`trackers::adapter`).
pub struct Jira;

impl super::adapter::TrackerAdapter for Jira {
    fn tracker(&self) -> crate::domain::Tracker {
        crate::domain::Tracker::Jira
    }
    fn verify(
        &self,
        s: &crate::config::Settings,
        header: super::adapter::Header<'_, '_>,
        body: &[u8],
        _now_ms: i64,
    ) -> Result<(), VerifyError> {
        verify(&s.jira, header, body)
    }
    fn parse(
        &self,
        s: &crate::config::Settings,
        _header: super::adapter::Header<'_, '_>,
        body: &[u8],
    ) -> Result<crate::domain::Parsed, crate::domain::ParseError> {
        parse(body, s.jira.own_account.as_deref())
    }
    fn delivery_headers(&self) -> &'static [&'static str] {
        &["x-atlassian-webhook-identifier"]
    }
    fn duplicate_links(
        &self,
        _header: super::adapter::Header<'_, '_>,
        body: &[u8],
    ) -> Option<crate::domain::LinkNotice> {
        links::webhook_links(body)
    }
    fn comment_format(&self) -> crate::domain::Format {
        crate::domain::Format::Adf
    }
    fn sink(
        &self,
        s: &crate::config::Settings,
        client: super::client::TrackerClient,
    ) -> Option<Result<std::sync::Arc<dyn super::sink::CommentSink>, String>> {
        let _ = s.jira.base_url.as_ref()?;
        Some(super::adapter::boxed(api::JiraApi::new(&s.jira, client)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use crate::trackers::signature::hex_hmac;

    fn settings(secret: Option<&str>, token: Option<&str>) -> JiraSettings {
        JiraSettings {
            webhook_secret: secret.map(Secret::new),
            shared_token: token.map(Secret::new),
            ..JiraSettings::default()
        }
    }

    #[test]
    fn cloud_signature_is_checked_over_the_raw_body() {
        let s = settings(Some("k"), None);
        let sig = format!("sha256={}", hex_hmac(b"k", b"{}"));
        let h = |n: &str| (n == "x-hub-signature").then_some(sig.as_str());
        assert_eq!(verify(&s, h, b"{}"), Ok(()));
        assert_eq!(verify(&s, h, b"{ }"), Err(VerifyError::BadSignature));
        let sha1 = |n: &str| (n == "x-hub-signature").then_some("sha1=abcd");
        assert_eq!(verify(&s, sha1, b"{}"), Err(VerifyError::BadSignature));
        assert_eq!(
            verify(&s, |_| None, b"{}"),
            Err(VerifyError::MissingSignature("X-Hub-Signature"))
        );
    }

    #[test]
    fn data_center_token_is_accepted_as_bearer_or_basic_auth() {
        let s = settings(None, Some("tok"));
        let bearer = |n: &str| (n == "authorization").then_some("Bearer tok");
        assert_eq!(verify(&s, bearer, b"{}"), Ok(()));
        let basic = base64::engine::general_purpose::STANDARD.encode("jira:tok");
        let basic = format!("Basic {basic}");
        let h = |n: &str| (n == "authorization").then_some(basic.as_str());
        assert_eq!(verify(&s, h, b"{}"), Ok(()));
        let wrong = |n: &str| (n == "authorization").then_some("Bearer nope");
        assert_eq!(verify(&s, wrong, b"{}"), Err(VerifyError::BadToken));
    }

    #[test]
    fn no_secret_means_refused_unless_unsigned_is_allowed() {
        let mut s = settings(None, None);
        assert_eq!(verify(&s, |_| None, b"{}"), Err(VerifyError::NotConfigured));
        s.allow_unsigned = true;
        assert_eq!(verify(&s, |_| None, b"{}"), Ok(()));
    }
}
