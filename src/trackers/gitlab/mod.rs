//! GitLab Issues: `X-Gitlab-Token` check, parsing of issue (and work item) hooks, the REST
//! client for notes and back-fill.

pub mod api;
pub mod comments;
pub mod links;
pub mod parse;

use super::VerifyError;
use crate::config::GitlabSettings;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use parse::parse;

/// Checks a GitLab webhook: `X-Gitlab-Token` is the configured secret itself (GitLab does
/// not sign bodies). Both are hashed before the constant-time comparison, so neither the
/// content nor the length of the secret leaks through timing.
pub fn verify<'a>(
    settings: &GitlabSettings,
    header: impl Fn(&str) -> Option<&'a str>,
) -> Result<(), VerifyError> {
    let Some(secret) = &settings.webhook_token else {
        return Err(VerifyError::NotConfigured);
    };
    let given = header("x-gitlab-token").ok_or(VerifyError::MissingSignature("X-Gitlab-Token"))?;
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(secret.expose().as_bytes());
    if bool::from(a.ct_eq(&b)) {
        Ok(())
    } else {
        Err(VerifyError::BadToken)
    }
}

/// GitLab's adapter (`trackers::adapter`).
pub struct Gitlab;

impl super::adapter::TrackerAdapter for Gitlab {
    fn tracker(&self) -> crate::domain::Tracker {
        crate::domain::Tracker::Gitlab
    }
    fn verify(
        &self,
        s: &crate::config::Settings,
        header: super::adapter::Header<'_, '_>,
        _body: &[u8],
        _now_ms: i64,
    ) -> Result<(), VerifyError> {
        verify(&s.gitlab, header)
    }
    fn parse(
        &self,
        s: &crate::config::Settings,
        header: super::adapter::Header<'_, '_>,
        body: &[u8],
    ) -> Result<crate::domain::Parsed, crate::domain::ParseError> {
        parse(header("x-gitlab-event"), body, s.gitlab.confidential_issues)
    }
    /// GitLab keeps `Idempotency-Key` across retries (17.4+); older versions send only the
    /// per-event `X-Gitlab-Event-UUID`.
    fn delivery_headers(&self) -> &'static [&'static str] {
        &["idempotency-key", "x-gitlab-event-uuid"]
    }
    fn duplicate_links(
        &self,
        header: super::adapter::Header<'_, '_>,
        body: &[u8],
    ) -> Option<crate::domain::LinkNotice> {
        links::webhook_links(header("x-gitlab-event"), body)
    }
    /// A confidential issue that is not accepted leaves no text behind.
    fn withheld(
        &self,
        s: &crate::config::Settings,
        header: super::adapter::Header<'_, '_>,
        body: &[u8],
    ) -> bool {
        parse::is_withheld(header("x-gitlab-event"), body, s.gitlab.confidential_issues)
    }
    fn sink(
        &self,
        s: &crate::config::Settings,
        client: super::client::TrackerClient,
    ) -> Option<Result<std::sync::Arc<dyn super::sink::CommentSink>, String>> {
        let _ = s.gitlab.token.as_ref()?;
        Some(super::adapter::boxed(api::GitlabApi::new(
            &s.gitlab, client,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use proptest::prelude::*;

    fn settings() -> GitlabSettings {
        GitlabSettings {
            webhook_token: Some(Secret::new("gl-token-1")),
            ..GitlabSettings::default()
        }
    }

    #[test]
    fn the_token_must_be_the_configured_one() {
        let h = |n: &str| (n == "x-gitlab-token").then_some("gl-token-1");
        assert_eq!(verify(&settings(), h), Ok(()));
        let h = |n: &str| (n == "x-gitlab-token").then_some("gl-token-2");
        assert_eq!(verify(&settings(), h), Err(VerifyError::BadToken));
        assert_eq!(
            verify(&settings(), |_| None),
            Err(VerifyError::MissingSignature("X-Gitlab-Token"))
        );
        let h = |n: &str| (n == "x-gitlab-token").then_some("gl-token-1");
        assert_eq!(
            verify(&GitlabSettings::default(), h),
            Err(VerifyError::NotConfigured)
        );
    }

    proptest! {
        #[test]
        fn any_other_token_is_refused(token in ".{0,40}") {
            prop_assume!(token != "gl-token-1");
            let h = |n: &str| (n == "x-gitlab-token").then_some(token.as_str());
            prop_assert_eq!(verify(&settings(), h), Err(VerifyError::BadToken));
        }
    }
}
