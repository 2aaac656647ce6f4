//! `TICKETLENS_SECTION__KEY` environment overrides, checked against the settings' own keys:
//! a variable that names no key stops the start with the closest key named (a typo such as
//! `TICKETLENS_DATABASE_URL` would otherwise leave the service quietly on its defaults), and
//! a key that takes a string gets the variable's raw text (`0123` stays `0123`).

use super::{ConfigError, Settings};
use figment::error::Kind;
use figment::providers::Serialized;
use figment::value::{Dict, Value};
use figment::Figment;

const PREFIX: &str = "TICKETLENS_";
/// A field name no settings struct has: asking for it makes serde list the real ones.
const PROBE: &str = "zz_probe_field";

/// The overrides of these variables (name, raw value) as one figment provider, or the first
/// variable that names no setting.
pub fn overrides(vars: impl IntoIterator<Item = (String, String)>) -> Result<Figment, ConfigError> {
    let mut figment = Figment::new();
    let mut known: Option<Vec<Vec<String>>> = None;
    for (name, raw) in vars {
        let Some(key) = name.strip_prefix(PREFIX) else {
            continue;
        };
        if is_not_a_setting(&name) {
            continue;
        }
        let path: Vec<String> = key.split("__").map(|p| p.to_ascii_lowercase()).collect();
        let keys = known.get_or_insert_with(|| leaf_keys(&mut Vec::new()));
        // a key that exists, or a path inside a leaf (a map's entry): figment judges the value
        let exists = keys
            .iter()
            .any(|k| k == &path || (k.len() < path.len() && path.starts_with(k)));
        if !key.contains("__") || !exists {
            return Err(ConfigError(format!(
                "environment variable {name} matches no setting; did you mean {}?",
                closest(key, keys)
            )));
        }
        let value = if accepts(&path, Value::from("probe")) {
            Value::from(raw)
        } else if accepts(&path, Value::from(vec![Value::from("probe")])) {
            Value::from(raw_list(&raw))
        } else {
            raw.parse::<Value>().expect("infallible")
        };
        figment = figment.merge(Serialized::defaults(nest(&path, value)));
    }
    Ok(figment)
}

/// Variables of our prefix that are not settings: the command line's `TICKETLENS_CONFIG`,
/// the benchmarks' `TICKETLENS_DATASETS` (they start `ticketlens serve` with it set), and the
/// service links Kubernetes injects for a Service named `ticketlens…`
/// (`TICKETLENS_SERVICE_HOST`, `TICKETLENS_PORT_8080_TCP_ADDR`, …).
fn is_not_a_setting(name: &str) -> bool {
    static LINKS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let links = LINKS.get_or_init(|| {
        regex::Regex::new(
            r"^TICKETLENS_([A-Z0-9]+_)*?(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_[0-9]+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$",
        )
        .expect("valid pattern")
    });
    matches!(name, "TICKETLENS_CONFIG" | "TICKETLENS_DATASETS")
        || (!name.contains("__") && links.is_match(name))
}

/// Every leaf key of the settings as a path (`["database", "url"]`), found by asking serde:
/// an unknown field under a struct makes `deny_unknown_fields` list the struct's fields, so
/// this never drifts from the structs.
fn leaf_keys(prefix: &mut Vec<String>) -> Vec<Vec<String>> {
    let Some(fields) = fields_under(prefix) else {
        return vec![prefix.clone()];
    };
    let mut out = Vec::new();
    for f in fields {
        prefix.push(f.to_string());
        // settings nest two or three levels deep; deeper is a map or a list
        if prefix.len() < 4 {
            out.extend(leaf_keys(prefix));
        } else {
            out.push(prefix.clone());
        }
        prefix.pop();
    }
    out
}

/// The fields of the struct at `path`, or `None` when it is no struct.
fn fields_under(path: &[String]) -> Option<&'static [&'static str]> {
    let mut probe = path.to_vec();
    probe.push(PROBE.into());
    let err = extraction_error(&probe, Value::from(0))?;
    err.into_iter().find_map(|e| match e.kind {
        Kind::UnknownField(f, expected) if f == PROBE => Some(expected),
        _ => None,
    })
}

/// Tells whether the key at `path` takes this value.
fn accepts(path: &[String], value: Value) -> bool {
    extraction_error(path, value).is_none()
}

/// What reading settings with only this value set says against it, if anything.
fn extraction_error(path: &[String], value: Value) -> Option<figment::Error> {
    Figment::from(Serialized::defaults(nest(path, value)))
        .extract::<Settings>()
        .err()
}

fn nest(path: &[String], value: Value) -> Dict {
    let mut v = value;
    for p in path.iter().rev() {
        let mut d = Dict::new();
        d.insert(p.clone(), v);
        v = Value::from(d);
    }
    match v {
        Value::Dict(_, d) => d,
        _ => Dict::new(),
    }
}

/// `[a, b]` or `a,b` or `a` as a list of raw strings (tokens keep leading zeros too).
fn raw_list(raw: &str) -> Vec<Value> {
    let inner = raw.trim();
    let inner = inner
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(inner);
    inner
        .split(',')
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| !s.is_empty())
        .map(Value::from)
        .collect()
}

/// The known key whose variable name is nearest `key` (edit distance).
fn closest(key: &str, keys: &[Vec<String>]) -> String {
    keys.iter()
        .map(|k| {
            let name = k.join("__").to_ascii_uppercase();
            (distance(key, &name), name)
        })
        .min()
        .map(|(_, name)| format!("{PREFIX}{name}"))
        .unwrap_or_else(|| format!("{PREFIX}SECTION__KEY"))
}

/// Levenshtein distance (names are short: a few dozen characters).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let env = overrides(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))?;
        Figment::new()
            .merge(env)
            .extract::<Settings>()
            .map_err(|e| ConfigError(e.to_string()))
    }

    #[test]
    fn a_misspelt_variable_stops_the_start_naming_the_closest_key() {
        let e = load(&[("TICKETLENS_DATABASE_URL", "postgres://x")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("TICKETLENS_DATABASE_URL") && e.contains("TICKETLENS_DATABASE__URL"),
            "{e}"
        );
        let e = load(&[("TICKETLENS_SERVER__LISTN", "0.0.0.0:1")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("TICKETLENS_SERVER__LISTEN"), "{e}");
        let e = load(&[("TICKETLENS_JIRA__WEBHOOK_SECRT", "x")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("TICKETLENS_JIRA__WEBHOOK_SECRET"), "{e}");
    }

    #[test]
    fn real_keys_apply_and_kubernetes_service_links_are_left_alone() {
        let s = load(&[
            ("TICKETLENS_DATABASE__URL", "postgres://db/x"),
            ("TICKETLENS_SERVER__MAX_BODY_BYTES", "2048"),
            ("TICKETLENS_QUEUE__WORKERS", "2"),
            ("TICKETLENS_PORT", "tcp://10.0.0.1:8080"),
            ("TICKETLENS_PORT_8080_TCP_ADDR", "10.0.0.1"),
            ("TICKETLENS_SERVICE_HOST", "10.0.0.1"),
            ("TICKETLENS_METRICS_SERVICE_PORT_HTTP", "9090"),
            ("TICKETLENS_CONFIG", "/etc/ticketlens.toml"),
            ("TICKETLENS_DATASETS", "/data/sets"),
            ("OTHER_THING", "x"),
        ])
        .unwrap();
        assert_eq!(s.database.url.expose(), "postgres://db/x");
        assert_eq!(s.server.max_body_bytes, 2048);
        assert_eq!(s.queue.workers, 2);
    }

    #[test]
    fn secrets_and_strings_are_read_as_raw_text() {
        let s = load(&[
            ("TICKETLENS_JIRA__WEBHOOK_SECRET", "0123"),
            ("TICKETLENS_LINEAR__API_KEY", "1e3"),
            ("TICKETLENS_JIRA__OWN_ACCOUNT", "007"),
            ("TICKETLENS_API__READ_TOKENS", "[0012, abc]"),
            ("TICKETLENS_API__OPERATOR_TOKENS", "0099"),
        ])
        .unwrap();
        assert_eq!(s.jira.webhook_secret.unwrap().expose(), "0123");
        assert_eq!(s.linear.api_key.unwrap().expose(), "1e3");
        assert_eq!(s.jira.own_account.as_deref(), Some("007"));
        let read: Vec<&str> = s.api.read_tokens.iter().map(|t| t.expose()).collect();
        assert_eq!(read, ["0012", "abc"]);
        assert_eq!(s.api.operator_tokens[0].expose(), "0099");
    }

    #[test]
    fn the_known_keys_come_from_the_structs() {
        let keys = leaf_keys(&mut Vec::new());
        let has = |k: &str| keys.iter().any(|p| p.join(".") == k);
        assert!(has("database.url") && has("server.listen") && has("jira.webhook_secret"));
        assert!(has("duplicates.commit_interval_ms"), "{keys:?}");
        assert!(!has("database"));
    }
}
