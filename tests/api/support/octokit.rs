//! GitHub's published REST description (`@octokit/openapi`), webhook payload schemas
//! (`@octokit/openapi-webhooks`) and GraphQL schema (`@octokit/graphql-schema`), fetched by
//! the tests themselves: `npm ci` from the
//! committed `tests/octokit/package.json` and `package-lock.json` (exact versions and
//! integrity hashes) into cargo's test scratch directory, once per lock file. Never
//! committed. Without npm or the registry the tests that need it fail, saying why.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// `npm ci` may take this long (the two packages are about 35 MB packed).
const NPM_TIMEOUT: Duration = Duration::from_secs(600);

fn manifest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/octokit")
}

/// The install directory, named by the lock file's hash so a new pin installs afresh.
fn install_dir() -> PathBuf {
    use sha2::{Digest, Sha256};
    let lock = std::fs::read(manifest_dir().join("package-lock.json")).expect("lock file");
    let hash = hex::encode(&Sha256::digest(&lock)[..8]);
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("octokit-{hash}"))
}

/// Installs the packages unless already installed; the path of `node_modules/@octokit`.
fn installed() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = install_dir();
        let done = dir.join("node_modules/@octokit");
        if dir.join(".complete").exists() {
            return done;
        }
        let staging = dir.with_extension(format!("tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).expect("staging directory");
        for f in ["package.json", "package-lock.json"] {
            std::fs::copy(manifest_dir().join(f), staging.join(f)).expect("copy manifest");
        }
        if let Err(panic) = std::panic::catch_unwind(|| run_npm_ci(&staging)) {
            // nothing half-installed stays behind to be mistaken for an install
            let _ = std::fs::remove_dir_all(&staging);
            std::panic::resume_unwind(panic);
        }
        std::fs::write(staging.join(".complete"), b"").expect("marker");
        // another test process may have finished first: theirs is as good as ours
        if std::fs::rename(&staging, &dir).is_err() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        assert!(dir.join(".complete").exists(), "octokit install at {dir:?}");
        done
    })
}

fn run_npm_ci(dir: &Path) {
    let mut child = Command::new("npm")
        .args([
            "ci",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "the GitHub write-back tests check requests against GitHub's published REST \
                 description, which they install with npm (`npm ci` in tests/octokit); npm \
                 could not be started: {e}. Install Node.js/npm and run the tests again."
            )
        });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("npm status") {
            break status;
        }
        if started.elapsed() > NPM_TIMEOUT {
            let _ = child.kill();
            panic!("`npm ci` for @octokit/openapi took longer than {NPM_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        panic!(
            "`npm ci` in tests/octokit failed ({status}); the registry must be reachable to \
             fetch @octokit/openapi and @octokit/openapi-webhooks:\n{err}"
        );
    }
}

/// GitHub's REST description for github.com (`api.github.com.json`), parsed once.
pub fn rest_description() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = installed().join("openapi/generated/api.github.com.json");
        serde_json::from_slice(&std::fs::read(&path).expect("api.github.com.json"))
            .expect("the REST description parses")
    })
}

/// GitHub's webhook descriptions for github.com, parsed once.
pub fn webhook_description() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = installed().join("openapi-webhooks/generated/api.github.com.json");
        serde_json::from_slice(&std::fs::read(&path).expect("webhooks json"))
            .expect("the webhook description parses")
    })
}

/// GitHub's public GraphQL schema, parsed once.
pub fn graphql_schema() -> &'static apollo_compiler::validation::Valid<apollo_compiler::Schema> {
    static SCHEMA: OnceLock<apollo_compiler::validation::Valid<apollo_compiler::Schema>> =
        OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = installed().join("graphql-schema/schema.graphql");
        let text = std::fs::read_to_string(&path).expect("schema.graphql");
        // GitHub's published schema repeats a field of `EnterpriseOwnerInfo`, which strict
        // validation refuses; it is taken as published (the parser keeps what it can) and
        // our queries are validated against it
        let schema = match apollo_compiler::Schema::parse(text, "github.graphql") {
            Ok(schema) => schema,
            Err(with_errors) => with_errors.partial,
        };
        assert!(
            schema.types.contains_key("MarkedAsDuplicateEvent"),
            "GitHub's GraphQL schema lost its types"
        );
        apollo_compiler::validation::Valid::assume_valid(schema)
    })
}

/// A validator for a schema of a description, with its components in reach of `$ref`.
pub fn validator(spec: &Value, schema: &Value) -> jsonschema::Validator {
    let mut root = schema.clone();
    if let Value::Object(m) = &mut root {
        m.insert("components".into(), spec["components"].clone());
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&root)
        .expect("schema compiles")
}

/// One operation of the REST description: its path template, its declared parameters
/// (`$ref`s resolved) and request body schema.
pub struct Operation {
    pub id: String,
    pub query: Vec<String>,
    pub body: Option<jsonschema::Validator>,
    pub body_required: bool,
}

/// The operation of GitHub's REST description that a request (method, path) is, if any.
pub fn operation(method: &str, path: &str) -> Option<Operation> {
    let spec = rest_description();
    let paths = spec["paths"].as_object()?;
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    // the template that matches with the most literal segments (`issues/comments/{id}`
    // before `issues/{issue_number}/{...}`)
    let (_, item) = paths
        .iter()
        .filter(|(template, item)| {
            let t: Vec<&str> = template.split('/').collect();
            item.get(method.to_lowercase()).is_some()
                && t.len() == segments.len()
                && t.iter().zip(&segments).all(|(t, s)| {
                    (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s
                })
        })
        .max_by_key(|(template, _)| template.split('/').filter(|t| !t.starts_with('{')).count())?;
    let op = item.get(method.to_lowercase())?;
    let resolve = |p: &Value| -> Value {
        match p.get("$ref").and_then(Value::as_str) {
            Some(r) => spec
                .pointer(r.trim_start_matches('#'))
                .cloned()
                .unwrap_or(Value::Null),
            None => p.clone(),
        }
    };
    let query = op["parameters"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(resolve)
                .filter(|p| p["in"] == "query")
                .filter_map(|p| p["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let body_schema = op.pointer("/requestBody/content/application~1json/schema");
    Some(Operation {
        id: op["operationId"].as_str().unwrap_or_default().to_string(),
        query,
        body: body_schema.map(|s| validator(spec, s)),
        body_required: op.pointer("/requestBody/required") == Some(&Value::Bool(true)),
    })
}
