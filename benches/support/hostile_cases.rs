//! The pathological ticket texts of issue 16, shared by the hostile-input test suite
//! (`tests/api/hostile.rs`) and its benchmark (`benches/hostile.rs`): each fills most of
//! the webhook body limit with one shape of text that once made some step quadratic.

use serde_json::{json, Value};

/// One pathological ticket.
pub struct Case {
    pub name: &'static str,
    pub title: String,
    /// The description as plain text (what the analyze API gets).
    pub text: String,
    /// The description as Jira sends it: the same text, or an ADF document.
    pub description: Value,
}

impl Case {
    fn plain(name: &'static str, text: String) -> Case {
        Case {
            name,
            title: format!("hostile {name}"),
            description: Value::String(text.clone()),
            text,
        }
    }

    /// A Jira `issue_created` webhook carrying this case as ticket `id`.
    pub fn webhook(&self, id: u64) -> Vec<u8> {
        jira_webhook(id, &self.title, self.description.clone())
    }
}

/// A Jira `jira:issue_created` body for ticket `PROJ-{id}`.
pub fn jira_webhook(id: u64, title: &str, description: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "webhookEvent": "jira:issue_created",
        "timestamp": 1_700_000_000_000u64 + id,
        "user": { "accountId": "someone" },
        "issue": {
            "id": id.to_string(),
            "key": format!("PROJ-{id}"),
            "self": format!("https://acme.atlassian.net/rest/api/2/issue/{id}"),
            "fields": {
                "summary": title,
                "description": description,
                "labels": [], "components": [],
                "project": { "key": "PROJ" },
                "status": { "name": "Open" },
                "created": "2024-01-01T10:00:00.000+0000",
                "updated": "2024-01-01T10:00:00.000+0000",
            }
        }
    }))
    .expect("json")
}

/// A one-line ticket, filed beside each case: it must still finish at once.
pub fn one_line(id: u64) -> Vec<u8> {
    jira_webhook(
        id,
        "Session expires right after login",
        Value::String("the session cookie expiry is wrong".into()),
    )
}

/// Repeats `unit(i)` while the text stays under `budget` bytes.
fn fill(budget: usize, mut unit: impl FnMut(usize) -> String) -> String {
    let mut out = String::with_capacity(budget);
    for i in 0.. {
        let u = unit(i);
        if out.len() + u.len() > budget {
            break;
        }
        out.push_str(&u);
    }
    out
}

/// The text of each case, in bytes (the 900 KB).
pub const TEXT_BYTES: usize = 900 * 1024;

/// Every case with at most `text_bytes` of text (the fixed counts — 9,000 frames, 100,000
/// lines — stay), each fitting a webhook under `body_limit` bytes.
pub fn sized(body_limit: usize, text_bytes: usize) -> Vec<Case> {
    // room for the JSON envelope and escaping
    let budget = body_limit.saturating_sub(4 * 1024).min(text_bytes);
    let mut ids = 0usize;
    vec![
        Case::plain("one-token", fill(budget, |_| "overflow ".into())),
        Case::plain(
            "identifiers",
            fill(budget, |i| format!("fetch{i}Item "))
                .chars()
                .take(budget)
                .collect(),
        ),
        Case::plain(
            "stack-trace",
            format!(
                "java.lang.IllegalStateException: boom\n{}",
                (0..9_000)
                    .map(|i| format!("\tat org.acme.p{}.Cls{i}.run{i}(Cls{i}.java:{i})\n", i % 97))
                    .collect::<String>()
            ),
        ),
        Case::plain("lines", {
            let s: String = (0..100_000).map(|i| format!("r{i}\n")).collect();
            s
        }),
        Case::plain("dotted", fill(budget, |_| "a.b.".into())),
        Case::plain("camel-case", fill(budget, |_| "aB".into())),
        Case {
            name: "nested-adf",
            title: "hostile nested-adf".into(),
            text: String::new(),
            description: nested_adf(budget, &mut ids),
        },
    ]
    .into_iter()
    .map(|mut c| {
        if c.text.is_empty() {
            c.text = adf_text(&c.description);
        }
        c
    })
    .collect()
}

/// An ADF document of many blockquote/list chains nested as deep as serde_json's recursion
/// limit lets a webhook through, each holding a text leaf, up to `budget` bytes of JSON.
fn nested_adf(budget: usize, ids: &mut usize) -> Value {
    const DEPTH: usize = 50;
    let mut chains = Vec::new();
    let mut size = 0;
    while size < budget {
        *ids += 1;
        let mut node = json!({ "type": "text", "text": format!("leaf{} deep text", ids) });
        for d in 0..DEPTH {
            let ty = if d % 2 == 0 { "blockquote" } else { "listItem" };
            node = json!({ "type": ty, "content": [node] });
        }
        size += serde_json::to_vec(&node).expect("json").len();
        chains.push(node);
    }
    chains.pop();
    json!({ "type": "doc", "version": 1, "content": chains })
}

/// The leaves of an ADF document, space separated (what the analyze API is given for it).
fn adf_text(v: &Value) -> String {
    let mut out = String::new();
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(o) => {
                if let Some(t) = o.get("text").and_then(Value::as_str) {
                    out.push_str(t);
                    out.push('\n');
                }
                if let Some(c) = o.get("content") {
                    walk(c, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}
