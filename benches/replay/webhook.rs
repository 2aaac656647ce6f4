//! Dataset tickets as signed Jira Cloud `jira:issue_created` webhooks, and a sender that
//! behaves like Jira: it retries a delivery (same identifier) until it is acknowledged.

use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// One line of `hadoop-tickets.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct Ticket {
    pub id: String,
    pub title: String,
    pub body: String,
    pub priority: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub affects_versions: Vec<String>,
}

pub const SECRET: &str = "replay-webhook-secret";

/// The fixture every body is shaped after (a real Jira `issue_created` delivery; the
/// repository's copy, see `tests/data/README.md`).
const TEMPLATE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/fixtures/webhooks/jira/zulip-issue_created.json"
);

pub struct Webhooks {
    template: Value,
    jira_base: String,
}

impl Webhooks {
    pub fn new(jira_base: &str) -> Webhooks {
        let text = std::fs::read_to_string(TEMPLATE).unwrap_or_else(|e| panic!("{TEMPLATE}: {e}"));
        Webhooks {
            template: serde_json::from_str(&text).expect("fixture is JSON"),
            jira_base: jira_base.to_string(),
        }
    }

    /// The webhook body for a ticket: the fixture with the ticket's own id, key, summary,
    /// wiki-markup description (as it is), priority, affected versions and creation time.
    pub fn body(&self, t: &Ticket, key: &str) -> Vec<u8> {
        let mut v = self.template.clone();
        let created = format!("{}.000+0000", t.created_at);
        v["timestamp"] = json!(epoch_ms(&t.created_at));
        let issue = &mut v["issue"];
        issue["id"] = json!(t.id);
        issue["key"] = json!(key);
        issue["self"] = json!(format!("{}/rest/api/2/issue/{}", self.jira_base, t.id));
        let f = &mut issue["fields"];
        f["summary"] = json!(t.title);
        f["description"] = if t.body.is_empty() {
            Value::Null
        } else {
            json!(t.body)
        };
        f["created"] = json!(created);
        f["updated"] = json!(created);
        f["priority"]["name"] = json!(t.priority.as_deref().unwrap_or("Major"));
        f["versions"] = json!(t
            .affects_versions
            .iter()
            .map(|name| json!({ "name": name, "archived": false, "released": true }))
            .collect::<Vec<_>>());
        f["project"]["key"] = json!("HADOOP");
        f["project"]["name"] = json!("Hadoop Common");
        f["project"]["self"] = json!(format!("{}/rest/api/2/project/HADOOP", self.jira_base));
        serde_json::to_vec(&v).expect("serialise")
    }
}

impl Webhooks {
    /// The `k`-th edit of a ticket (`jira:issue_updated`): its summary changed, `k` seconds
    /// after its creation by the tracker's clock, with the changelog Jira sends.
    pub fn edit_body(&self, t: &Ticket, key: &str, k: usize) -> Vec<u8> {
        let mut v: Value = serde_json::from_slice(&self.body(t, key)).expect("own body");
        let at = epoch_ms(&t.created_at) + 1000 * k as i64;
        let updated = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
            .ok()
            .and_then(|d| {
                d.format(time::macros::format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000"
                ))
                .ok()
            })
            .unwrap_or_default();
        v["webhookEvent"] = json!("jira:issue_updated");
        v["issue_event_type_name"] = json!("issue_updated");
        v["timestamp"] = json!(at);
        let title = format!("{} (edit {k})", t.title);
        v["changelog"] = json!({ "id": format!("{}{k}", t.id), "items": [{
            "field": "summary", "fieldtype": "jira", "from": null,
            "fromString": t.title, "to": null, "toString": title,
        }]});
        v["issue"]["fields"]["summary"] = json!(title);
        v["issue"]["fields"]["updated"] = json!(updated);
        serde_json::to_vec(&v).expect("serialise")
    }
}

/// Milliseconds since the epoch of a dataset timestamp (`YYYY-MM-DDTHH:MM:SS`, UTC assumed).
fn epoch_ms(created_at: &str) -> i64 {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(created_at, &fmt)
        .map(|t| t.assume_utc().unix_timestamp() * 1000)
        .unwrap_or(0)
}

/// What one delivery took.
pub struct Sent {
    pub attempts: u32,
}

/// Sends one delivery to whichever service is up, retrying (like Jira) until a 2xx.
pub async fn deliver(
    client: &reqwest::Client,
    targets: &[String],
    body: Vec<u8>,
    delivery: &str,
    first: usize,
) -> Sent {
    let sig = ticketlens::trackers::signature::hex_hmac(SECRET.as_bytes(), &body);
    let mut attempts = 0;
    loop {
        let base = &targets[(first + attempts as usize) % targets.len()];
        attempts += 1;
        let answer = client
            .post(format!("{base}/webhooks/jira"))
            .header("content-type", "application/json")
            .header("X-Hub-Signature", format!("sha256={sig}"))
            .header("X-Atlassian-Webhook-Identifier", delivery)
            .body(body.clone())
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        match answer {
            Ok(r) if r.status().is_success() => return Sent { attempts },
            Ok(r) if r.status().is_client_error() && r.status().as_u16() != 429 => {
                panic!("delivery {delivery} refused: {}", r.status())
            }
            _ => tokio::time::sleep(Duration::from_millis(50 * u64::from(attempts.min(10)))).await,
        }
    }
}
