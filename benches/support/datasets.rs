//! Where the benchmarks find the shared datasets, which are not in the repository: the
//! directory `TICKETLENS_DATASETS` names, else `../shared/datasets` beside the checkout.

use std::path::PathBuf;

/// The environment variable naming the datasets directory.
pub const ENV: &str = "TICKETLENS_DATASETS";

/// `$TICKETLENS_DATASETS/<relative>`, or `<manifest>/../shared/datasets/<relative>`.
pub fn default_path(relative: &str) -> PathBuf {
    std::env::var_os(ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets"))
        .join(relative)
}

/// `path` when it is a file; otherwise exits with a message naming it and where to get it.
/// `flag` is the command-line option that overrides the path, if the benchmark has one.
pub fn require(path: PathBuf, flag: Option<&str>) -> PathBuf {
    if path.is_file() {
        return path;
    }
    let or_flag = flag.map_or(String::new(), |f| format!(" or pass {f} <file>"));
    eprintln!(
        "dataset file {} not found; set {ENV} to the datasets directory{or_flag}; \
         the datasets live in the shared folder's datasets/ (see its README.md), \
         by default ../shared/datasets beside the checkout",
        path.display()
    );
    std::process::exit(2);
}
