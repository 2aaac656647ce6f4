//! One period's delivery: a POST with a timeout, tried again on 5xx, 429 and timeouts with
//! a doubling wait, at most `max_attempts` calls. Errors never carry the address (it is a
//! secret).

use crate::config::Secret;
use serde_json::Value;
use std::time::Duration;

/// How one delivery went.
#[derive(Debug)]
pub struct Delivery {
    /// Calls made.
    pub attempts: u32,
    /// Why the last call failed, when the delivery failed.
    pub error: Option<String>,
}

/// Why one call failed, and whether another call may succeed.
fn failure(r: Result<reqwest::Response, reqwest::Error>) -> Option<(String, bool)> {
    match r {
        Ok(resp) if resp.status().is_success() => None,
        Ok(resp) => {
            let s = resp.status();
            let again = s.is_server_error() || s == reqwest::StatusCode::TOO_MANY_REQUESTS;
            Some((format!("the webhook answered {}", s.as_u16()), again))
        }
        // reqwest's errors name the URL; the URL is a secret
        Err(e) if e.is_timeout() => Some(("the webhook did not answer in time".into(), true)),
        Err(e) if e.is_connect() => Some(("the webhook could not be reached".into(), true)),
        Err(e) => Some((format!("{}", e.without_url()), false)),
    }
}

/// Posts `body` to `url`; `on_retry` is called before each call after the first.
pub async fn deliver(
    client: &reqwest::Client,
    url: &Secret,
    body: &Value,
    max_attempts: u32,
    backoff: Duration,
    on_retry: impl Fn(),
) -> Delivery {
    let max_attempts = max_attempts.clamp(1, 10);
    let mut wait = backoff;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let r = client.post(url.expose()).json(body).send().await;
        match failure(r) {
            None => {
                return Delivery {
                    attempts,
                    error: None,
                }
            }
            Some((why, again)) if !again || attempts >= max_attempts => {
                return Delivery {
                    attempts,
                    error: Some(why),
                }
            }
            Some((why, _)) => {
                tracing::warn!(attempt = attempts, error = %why, "digest delivery failed; trying again");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(300));
                on_retry();
            }
        }
    }
}
