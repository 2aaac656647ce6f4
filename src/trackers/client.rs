//! One HTTP client for tracker APIs: timeouts, exponential backoff with jitter on 5xx and
//! network errors, rate limits honoured (see `ratelimit`: 429, GitHub's 403 limits), no
//! retry on other 4xx. Errors carry the tracker's own message, never a secret.

use super::ratelimit::{is_rate_limited, rate_limit_wait, unsaid_wait};
use crate::config::Secret;
use rand::Rng;
use reqwest::header::{HeaderMap, AUTHORIZATION};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    /// HTTP basic (Jira Cloud: email + API token).
    Basic {
        user: String,
        password: Secret,
    },
    /// `Authorization: Bearer <token>` (Jira Data Center PAT, Linear OAuth).
    Bearer(Secret),
    /// `Authorization: <key>` as is (Linear personal API keys).
    Raw(Secret),
}

impl Auth {
    fn secrets(&self) -> Vec<&str> {
        match self {
            Auth::None => vec![],
            Auth::Basic { password, .. } => vec![password.expose()],
            Auth::Bearer(s) | Auth::Raw(s) => vec![s.expose()],
        }
    }
}

/// Retry and timeout policy.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub timeout: Duration,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    pub backoff_base: Duration,
    /// Longest single wait, for backoff and for rate limits alike.
    pub max_wait: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(30),
            max_attempts: 6,
            backoff_base: Duration::from_millis(500),
            max_wait: Duration::from_secs(120),
        }
    }
}

impl ClientOptions {
    /// The retry policy of the client used for write-back, from `[comments]`.
    pub fn for_writeback(c: &crate::config::CommentSettings) -> Self {
        ClientOptions {
            timeout: Duration::from_secs(c.http_timeout_secs.max(1)),
            max_attempts: c.http_attempts.max(1),
            backoff_base: Duration::from_millis(c.http_backoff_ms),
            ..Default::default()
        }
    }
}

/// What one answer of a tracker comes to, when it is not an error.
enum Answer {
    Done((Value, HeaderMap)),
    Retry(Duration),
}

/// Why a tracker request failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// A 4xx other than 429, or a 5xx/429 that outlasted the retries: the tracker's message.
    #[error("tracker answered {status}: {message}")]
    Status {
        status: u16,
        message: String,
        /// The GraphQL error code (`extensions.code`, else `extensions.type`), upper-cased.
        code: Option<String>,
    },
    #[error("tracker unreachable after {attempts} attempts: {message}")]
    Network { attempts: u32, message: String },
    #[error("tracker sent an unreadable body: {0}")]
    Decode(String),
}

/// A tracker call's failure as write-back sees it: 401/403 are credentials (retried with
/// backoff until an operator fixes them), 404 is "not there", another 4xx other than 429
/// will not get better by retrying; the rest (5xx, 429, network, timeouts) is transient.
impl From<ClientError> for crate::trackers::sink::SinkError {
    fn from(e: ClientError) -> Self {
        use crate::trackers::sink::Failure;
        let failure = match &e {
            ClientError::Status {
                status: 401 | 403, ..
            } => Failure::Auth,
            ClientError::Status { status: 404, .. } => Failure::NotFound,
            ClientError::Status { status, .. } if *status < 500 && *status != 429 => {
                Failure::Permanent
            }
            _ => Failure::Transient,
        };
        crate::trackers::sink::SinkError::new(failure, e.to_string())
    }
}

/// Whether a request may be sent again when its outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// Reads and updates: sending twice does no harm.
    Safe,
    /// A create: sent again only when the tracker certainly did not process it (the
    /// connection was never made, or it answered "rate limited"). After a 5xx or a timeout
    /// it may have landed, and the caller must look before it creates again.
    Once,
}

/// The first GraphQL error code of an answer (`errors[].extensions.code`, else `.type`),
/// upper-cased: Linear says `RATELIMITED` this way, whatever the HTTP status.
pub fn graphql_code(v: &Value) -> Option<String> {
    v.get("errors")?.as_array()?.iter().find_map(|e| {
        let ext = e.get("extensions")?;
        ext.get("code")
            .or_else(|| ext.get("type"))
            .and_then(Value::as_str)
            .map(str::to_uppercase)
    })
}

/// A reusable client; cheap to clone.
#[derive(Debug, Clone)]
pub struct TrackerClient {
    http: reqwest::Client,
    options: ClientOptions,
    /// Sent with every request (GitHub's `Accept` and API version).
    headers: HeaderMap,
    /// Per host: no request before this instant (the host said its quota is used up).
    quiet_until: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Instant>>>,
}

impl TrackerClient {
    pub fn new(options: ClientOptions) -> Result<TrackerClient, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("ticketlens/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Network {
                attempts: 0,
                message: e.to_string(),
            })?;
        Ok(TrackerClient {
            http,
            options,
            headers: HeaderMap::new(),
            quiet_until: Default::default(),
        })
    }

    /// The same client, sending these headers with every request as well.
    pub fn with_headers(mut self, headers: HeaderMap) -> TrackerClient {
        self.headers.extend(headers);
        self
    }

    /// Sends a request with an optional JSON body and returns the JSON answer (`null` for
    /// an empty body), retrying as the policy says. Only for requests that may be repeated.
    pub async fn send_json(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        auth: &Auth,
    ) -> Result<Value, ClientError> {
        self.send(method, url, body, auth, Repeat::Safe)
            .await
            .map(|(v, _)| v)
    }

    /// A GET that may be repeated, answered with the response headers too (the forges'
    /// pagination is in `Link` and `X-Next-Page`).
    pub async fn get_json_with_headers(
        &self,
        url: &str,
        auth: &Auth,
    ) -> Result<(Value, HeaderMap), ClientError> {
        self.send(Method::GET, url, None, auth, Repeat::Safe).await
    }

    /// [`Self::send_json`] for a create: never sent a second time once the tracker may
    /// have processed it (a 5xx, a timeout); rate limits and refused connections are still
    /// waited out and retried.
    pub async fn send_json_once(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        auth: &Auth,
    ) -> Result<Value, ClientError> {
        self.send(method, url, body, auth, Repeat::Once)
            .await
            .map(|(v, _)| v)
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        auth: &Auth,
        repeat: Repeat,
    ) -> Result<(Value, HeaderMap), ClientError> {
        let (url, from_url) = split_userinfo(url);
        let url = url.as_str();
        // one `Authorization` header: the configured credentials, else the URL's own
        let auth = match (auth, &from_url) {
            (Auth::None, Some(basic)) => basic,
            _ => auth,
        };
        // a tracker's words are stored (`last_error`) and logged: its own secrets and anything
        // shaped like a credential (an echoed header, `Basic …`, a URL's userinfo) go
        let mut secrets = auth.secrets();
        secrets.extend(from_url.iter().flat_map(Auth::secrets));
        let redact = |m: &str| crate::domain::redact::redact_text(m, &secrets);
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.wait_for_quota(&host).await;
            let last = attempt >= self.options.max_attempts;
            let wait = match self.request(&method, url, auth, body).send().await {
                Err(e) => {
                    let message = redact(&without_url(&e));
                    // a create that may have reached the tracker is not sent again
                    let unsent = e.is_connect() || e.is_builder();
                    if last || (repeat == Repeat::Once && !unsent) {
                        return Err(ClientError::Network {
                            attempts: attempt,
                            message,
                        });
                    }
                    tracing::warn!(attempt, error = %message, "tracker request failed; retrying");
                    self.backoff(attempt)
                }
                Ok(resp) => match self
                    .answer(resp, &host, attempt, last, repeat, &redact)
                    .await?
                {
                    Answer::Done(done) => return Ok(done),
                    Answer::Retry(wait) => wait,
                },
            };
            tokio::time::sleep(wait.min(self.options.max_wait)).await;
        }
    }

    /// One request as the client sends it: its headers, credentials and JSON body.
    fn request(
        &self,
        method: &Method,
        url: &str,
        auth: &Auth,
        body: Option<&Value>,
    ) -> reqwest::RequestBuilder {
        let req = self
            .http
            .request(method.clone(), url)
            .headers(self.headers.clone());
        let req = match auth {
            Auth::None => req,
            Auth::Basic { user, password } => req.basic_auth(user, Some(password.expose())),
            Auth::Bearer(t) => req.bearer_auth(t.expose()),
            Auth::Raw(k) => req.header(AUTHORIZATION, k.expose()),
        };
        match body {
            Some(b) => req.json(b),
            None => req,
        }
    }

    /// What a tracker's answer means: the result, a wait before the next attempt, or an
    /// error (not retryable, or the last attempt). Rate limits are read from the status,
    /// GraphQL's error code and the headers.
    async fn answer(
        &self,
        resp: reqwest::Response,
        host: &str,
        attempt: u32,
        last: bool,
        repeat: Repeat,
        redact: &(dyn Fn(&str) -> String + Sync),
    ) -> Result<Answer, ClientError> {
        let status = resp.status();
        let headers = resp.headers().clone();
        self.note_quota(host, &headers);
        let text = resp.text().await.unwrap_or_default();
        let json: Option<Value> = serde_json::from_str(&text).ok();
        let code = json.as_ref().and_then(graphql_code);
        let rate_limited = status == StatusCode::TOO_MANY_REQUESTS
            || code.as_deref() == Some("RATELIMITED")
            || is_rate_limited(status.as_u16(), &headers, &text);
        if status.is_success() && !rate_limited {
            if text.trim().is_empty() {
                return Ok(Answer::Done((Value::Null, headers)));
            }
            return json.map(|v| Answer::Done((v, headers))).ok_or_else(|| {
                ClientError::Decode(
                    serde_json::from_str::<Value>(&text)
                        .err()
                        .map(|e| e.to_string())
                        .unwrap_or_default(),
                )
            });
        }
        // a rate-limited request was not processed: even a create may go again
        let retryable = rate_limited || (status.is_server_error() && repeat == Repeat::Safe);
        if !retryable || last {
            return Err(ClientError::Status {
                // GitHub's rate-limit 403 is no credentials problem
                status: if rate_limited && (status.is_success() || status == StatusCode::FORBIDDEN)
                {
                    429
                } else {
                    status.as_u16()
                },
                message: redact(&tracker_message(&text)),
                code,
            });
        }
        let wait = if rate_limited {
            rate_limit_wait(&headers, time::OffsetDateTime::now_utc())
                .or_else(|| unsaid_wait(status.as_u16()))
                .unwrap_or_else(|| self.backoff(attempt))
        } else {
            self.backoff(attempt)
        };
        tracing::warn!(
            attempt,
            status = status.as_u16(),
            wait_ms = wait.as_millis() as u64,
            "tracker asked to retry"
        );
        Ok(Answer::Retry(wait))
    }

    /// Waits while the host has said its quota is used up (bounded by `max_wait`).
    async fn wait_for_quota(&self, host: &str) {
        let until = self
            .quiet_until
            .lock()
            .ok()
            .and_then(|m| m.get(host).copied());
        if let Some(wait) = until.and_then(|u| u.checked_duration_since(Instant::now())) {
            tracing::info!(
                host,
                wait_ms = wait.as_millis() as u64,
                "tracker quota used up; waiting"
            );
            tokio::time::sleep(wait.min(self.options.max_wait)).await;
        }
    }

    /// Remembers a host's "no requests left until reset" (`x-ratelimit-remaining: 0` on
    /// GitHub, `RateLimit-Remaining: 0` on GitLab), even on a successful answer, so the next
    /// request waits instead of being refused.
    fn note_quota(&self, host: &str, headers: &HeaderMap) {
        let remaining = ["x-ratelimit-remaining", "ratelimit-remaining"]
            .iter()
            .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
            .map(str::trim);
        let Ok(mut map) = self.quiet_until.lock() else {
            return;
        };
        match remaining {
            Some("0") => {
                if let Some(wait) = rate_limit_wait(headers, time::OffsetDateTime::now_utc()) {
                    let wait = wait.min(self.options.max_wait);
                    map.insert(host.to_string(), Instant::now() + wait);
                }
            }
            Some(_) => {
                map.remove(host);
            }
            None => {}
        }
    }

    /// Exponential backoff with jitter: base · 2^(attempt-1) · [0.5, 1.0).
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .options
            .backoff_base
            .saturating_mul(1u32 << (attempt - 1).min(16));
        exp.mul_f64(rand::thread_rng().gen_range(0.5..1.0))
            .min(self.options.max_wait)
    }
}

/// The tracker's own error text: Jira's `errorMessages`/`errors`, GraphQL `errors[].message`,
/// else the body cut short.
pub fn tracker_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        let mut parts: Vec<String> = Vec::new();
        if let Some(a) = v.get("errorMessages").and_then(Value::as_array) {
            parts.extend(a.iter().filter_map(Value::as_str).map(str::to_string));
        }
        match v.get("errors") {
            Some(Value::Object(m)) => parts.extend(
                m.iter()
                    .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or_default())),
            ),
            Some(Value::Array(a)) => parts.extend(
                a.iter()
                    .filter_map(|e| e.get("message").and_then(Value::as_str))
                    .map(str::to_string),
            ),
            _ => {}
        }
        if let Some(m) = v.get("message").and_then(Value::as_str) {
            parts.push(m.to_string());
        }
        if !parts.is_empty() {
            return parts.join("; ");
        }
    }
    body.chars().take(300).collect()
}

/// The URL without `user:password@`, and those credentials as HTTP basic. reqwest would
/// turn them into an `Authorization` header of its own, beside the configured one.
fn split_userinfo(url: &str) -> (String, Option<Auth>) {
    let Ok(mut u) = url::Url::parse(url) else {
        return (url.to_string(), None);
    };
    if u.username().is_empty() && u.password().is_none() {
        return (url.to_string(), None);
    }
    let (user, password) = crate::config::url_userinfo(&u);
    let password = password.unwrap_or_default();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    let auth = Auth::Basic {
        user,
        password: Secret::new(password),
    };
    (u.to_string(), Some(auth))
}

/// reqwest errors name the URL, which may carry a query token.
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "<url>");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn tracker_messages_come_from_their_error_fields() {
        assert_eq!(
            tracker_message(r#"{"errorMessages":["JQL is invalid"],"errors":{}}"#),
            "JQL is invalid"
        );
        assert_eq!(
            tracker_message(r#"{"errors":[{"message":"team not found"}]}"#),
            "team not found"
        );
        assert_eq!(tracker_message("plain"), "plain");
    }

    #[test]
    fn secrets_are_redacted_from_messages() {
        let auth = Auth::Bearer(Secret::new("tok-12345"));
        let shown = crate::domain::redact::redact_text("bad token tok-12345", &auth.secrets());
        assert_eq!(shown, "bad token [redacted]");
    }

    #[test]
    fn credentials_in_a_url_become_basic_auth_and_leave_the_url() {
        let (url, auth) = split_userinfo("https://bot%40x.com:p%2Bss+w@j.example.com/rest?a=1");
        assert_eq!(url, "https://j.example.com/rest?a=1");
        match auth {
            Some(Auth::Basic { user, password }) => {
                assert_eq!(user, "bot@x.com");
                assert_eq!(password.expose(), "p+ss+w");
            }
            other => panic!("{other:?}"),
        }
        assert!(split_userinfo("https://j.example.com/x").1.is_none());
    }
}
