//! Which paths are source code, from the path alone: a source extension, not vendored, not
//! a lock file, not minified. The same test everywhere, so every room's modules hold the same
//! files.

const SOURCE_EXTENSIONS: &[&str] = &[
    "aj", "bash", "c", "cc", "cjs", "clj", "cls", "cmake", "cpp", "cs", "cxx", "dart", "el", "erl",
    "ex", "exs", "fs", "go", "gradle", "groovy", "h", "hh", "hpp", "hs", "java", "jl", "js", "jsx",
    "kt", "kts", "lua", "m", "mjs", "ml", "mm", "php", "pl", "pm", "proto", "ps1", "py", "pyi",
    "pyx", "r", "rb", "rs", "scala", "sh", "sql", "svelte", "swift", "tf", "ts", "tsx", "vb",
    "vue", "zig",
];

const VENDORED_DIRS: &[&str] = &[
    "vendor",
    "vendors",
    "node_modules",
    "third_party",
    "thirdparty",
    "bower_components",
    ".git",
    "__pycache__",
    ".venv",
    "site-packages",
];

const LOCK_FILES: &[&str] = &[
    "cargo.lock",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "poetry.lock",
    "pipfile.lock",
    "gemfile.lock",
    "composer.lock",
    "go.sum",
    "uv.lock",
];

/// Decides from the path alone: source extension, not vendored, not a lock file, not minified.
pub fn is_source_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if LOCK_FILES.contains(&name) || name.contains(".min.") || name.ends_with(".pb.go") {
        return false;
    }
    if lower.split('/').any(|d| VENDORED_DIRS.contains(&d)) {
        return false;
    }
    has_source_extension(name)
}

/// True when the file name ends in a source-code extension.
pub fn has_source_extension(name: &str) -> bool {
    match name.rsplit_once('.') {
        Some((_, ext)) => SOURCE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()),
        None => false,
    }
}
