//! Linear: `Linear-Signature` HMAC check with the replay window, and parsing.

pub mod api;
pub mod comments;
pub mod parse;
pub mod plan;

use super::signature::verify_hex_hmac;
use super::VerifyError;
use crate::config::LinearSettings;

pub use parse::parse;

/// Checks a Linear webhook: the bare-hex HMAC-SHA256 of the raw body, then the signed body's
/// `webhookTimestamp` (milliseconds) within the configured window of `now_ms`. The
/// `Linear-Timestamp` header is used only when the body has no timestamp, as Linear's SDK
/// does (the signed value wins, so a fresh header cannot replay an old body). A signed
/// timestamp that is there but unusable (not a number, or given twice) is refused: reading
/// the unsigned header then would let a fresh header replay an old body.
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
    let ts = match body_timestamp(body) {
        BodyStamp::Millis(ts) => ts,
        BodyStamp::Unusable => return Err(VerifyError::BadTimestamp),
        BodyStamp::Absent => header("linear-timestamp")
            .and_then(|t| t.trim().parse().ok())
            .ok_or(VerifyError::MissingTimestamp)?,
    };
    let skew_secs = (now_ms - ts).abs() / 1000;
    if (now_ms - ts).abs() > settings.timestamp_tolerance_secs.saturating_mul(1000) {
        return Err(VerifyError::StaleTimestamp(skew_secs));
    }
    Ok(())
}

/// What the signed body says of its own time.
#[derive(Debug, PartialEq)]
enum BodyStamp {
    /// No `webhookTimestamp` key (or a body that is no JSON object: the parser refuses it).
    Absent,
    Millis(i64),
    /// Present but not a number (an object, `null`, a string), or present twice.
    Unusable,
}

/// Reads the top-level `webhookTimestamp` of a body, counting its occurrences (a JSON map
/// would silently keep the last of two).
fn body_timestamp(body: &[u8]) -> BodyStamp {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Stamp;
    impl<'de> Visitor<'de> for Stamp {
        type Value = BodyStamp;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BodyStamp, A::Error> {
            let mut found = BodyStamp::Absent;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key != "webhookTimestamp" {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                let value: serde_json::Value = map.next_value()?;
                found = match (found, value) {
                    (BodyStamp::Absent, serde_json::Value::Number(n)) => n
                        .as_i64()
                        .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
                        .map_or(BodyStamp::Unusable, BodyStamp::Millis),
                    _ => BodyStamp::Unusable,
                };
            }
            Ok(found)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    de.deserialize_map(Stamp).unwrap_or(BodyStamp::Absent)
}

/// Linear's adapter (`trackers::adapter`). Its Issue webhook carries no relations
/// (`IssueWebhookPayload` in its schema has none), so its links come from the back-fill only.
pub struct Linear;

impl super::adapter::TrackerAdapter for Linear {
    fn tracker(&self) -> crate::domain::Tracker {
        crate::domain::Tracker::Linear
    }
    fn verify(
        &self,
        s: &crate::config::Settings,
        header: super::adapter::Header<'_, '_>,
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), VerifyError> {
        verify(&s.linear, header, body, now_ms)
    }
    fn parse(
        &self,
        s: &crate::config::Settings,
        _header: super::adapter::Header<'_, '_>,
        body: &[u8],
    ) -> Result<crate::domain::Parsed, crate::domain::ParseError> {
        parse(body, s.linear.own_user.as_deref())
    }
    fn delivery_headers(&self) -> &'static [&'static str] {
        &["linear-delivery"]
    }
    fn sink(
        &self,
        s: &crate::config::Settings,
        client: super::client::TrackerClient,
    ) -> Option<Result<std::sync::Arc<dyn super::sink::CommentSink>, String>> {
        let configured = s.linear.api_key.is_some() || s.linear.oauth_token.is_some();
        configured.then(|| super::adapter::boxed(api::LinearApi::new(&s.linear, client)))
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
    fn a_signed_timestamp_that_is_not_a_number_is_refused_whatever_the_header_says() {
        for body in [
            r#"{"type":"Issue","webhookTimestamp":{"ms":1700000000000}}"#,
            r#"{"type":"Issue","webhookTimestamp":null}"#,
            r#"{"type":"Issue","webhookTimestamp":"1700000000000"}"#,
            r#"{"type":"Issue","webhookTimestamp":[1700000000000]}"#,
            r#"{"webhookTimestamp":1700000000000,"type":"Issue","webhookTimestamp":1000}"#,
            r#"{"webhookTimestamp":1000,"webhookTimestamp":1700000000000}"#,
        ] {
            let sig = hex_hmac(b"k", body.as_bytes());
            let h = |n: &str| match n {
                "linear-signature" => Some(sig.as_str()),
                "linear-timestamp" => Some("1700000000000"),
                _ => None,
            };
            assert_eq!(
                verify(&settings(), h, body.as_bytes(), 1_700_000_000_000),
                Err(VerifyError::BadTimestamp),
                "{body}"
            );
        }
    }

    #[test]
    fn only_a_body_without_the_key_reads_the_header() {
        let body = br#"{"type":"Issue","nested":{"webhookTimestamp":"x"}}"#;
        let sig = hex_hmac(b"k", body);
        let h = |n: &str| match n {
            "linear-signature" => Some(sig.as_str()),
            "linear-timestamp" => Some("1700000000000"),
            _ => None,
        };
        assert_eq!(verify(&settings(), h, body, 1_700_000_000_000), Ok(()));
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
