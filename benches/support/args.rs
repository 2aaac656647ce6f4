//! The benchmarks' command line: `--name value` pairs after `cargo bench --bench X --`.

/// The value after `name` on the command line, else `default`.
pub fn arg(name: &str, default: &str) -> String {
    let argv: Vec<String> = std::env::args().collect();
    argv.iter()
        .position(|a| a == name)
        .and_then(|i| argv.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}
