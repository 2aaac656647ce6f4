//! Linear: `Linear-Signature` HMAC check with the replay window, and parsing.

pub mod api;
pub mod comments;
pub mod parse;

use super::signature::verify_hex_hmac;
use super::VerifyError;
use crate::config::LinearSettings;

pub use parse::parse;

/// Checks a Linear webhook: the bare-hex HMAC-SHA256 of the raw body, then the signed body's
/// `webhookTimestamp` (milliseconds) within the configured window of `now_ms`. The
/// `Linear-Timestamp` header is used only when the body has no timestamp, as Linear's SDK
/// does (the signed value wins, so a fresh header cannot replay an old body).
pub fn verify<'a>(
    settings: &LinearSettings,
    header: impl Fn(&str) -> Option<&'a str>,
    body: &[u8],
    now_ms: i64,
) -> Result<(), VerifyError> {
    let Some(secret) = &settings.webhook_secret else {
        return if settings.allow_unsigned {
            Ok(())
        } else {
            Err(VerifyError::NotConfigured)
        };
    };
    let sig =
        header("linear-signature").ok_or(VerifyError::MissingSignature("Linear-Signature"))?;
    if !verify_hex_hmac(secret.expose().as_bytes(), body, sig) {
        return Err(VerifyError::BadSignature);
    }
    let ts = body_timestamp(body)
        .or_else(|| header("linear-timestamp").and_then(|t| t.trim().parse().ok()))
        .ok_or(VerifyError::MissingTimestamp)?;
    let skew_secs = (now_ms - ts).abs() / 1000;
    if (now_ms - ts).abs() > settings.timestamp_tolerance_secs.saturating_mul(1000) {
        return Err(VerifyError::StaleTimestamp(skew_secs));
    }
    Ok(())
}

fn body_timestamp(body: &[u8]) -> Option<i64> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Stamp {
        webhook_timestamp: Option<serde_json::Value>,
    }
    let stamp: Stamp = serde_json::from_slice(body).ok()?;
    match stamp.webhook_timestamp? {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use crate::trackers::signature::hex_hmac;

    fn settings() -> LinearSettings {
        LinearSettings {
            webhook_secret: Some(Secret::new("k")),
            ..LinearSettings::default()
        }
    }

    #[test]
    fn a_fresh_signed_body_verifies_and_a_stale_one_does_not() {
        let body = br#"{"type":"Issue","webhookTimestamp":1700000000000}"#;
        let sig = hex_hmac(b"k", body);
        let h = |n: &str| (n == "linear-signature").then_some(sig.as_str());
        assert_eq!(verify(&settings(), h, body, 1_700_000_030_000), Ok(()));
        assert_eq!(
            verify(&settings(), h, body, 1_700_000_061_000),
            Err(VerifyError::StaleTimestamp(61))
        );
    }

    #[test]
    fn a_fresh_header_cannot_replay_an_old_signed_body() {
        let body = br#"{"type":"Issue","webhookTimestamp":1000}"#;
        let sig = hex_hmac(b"k", body);
        let h = |n: &str| match n {
            "linear-signature" => Some(sig.as_str()),
            "linear-timestamp" => Some("1700000000000"),
            _ => None,
        };
        assert!(verify(&settings(), h, body, 1_700_000_000_000).is_err());
    }

    #[test]
    fn a_body_without_any_timestamp_is_refused() {
        let body = br#"{"type":"Reaction"}"#;
        let sig = hex_hmac(b"k", body);
        let h = |n: &str| (n == "linear-signature").then_some(sig.as_str());
        assert_eq!(
            verify(&settings(), h, body, 5),
            Err(VerifyError::MissingTimestamp)
        );
    }
}
