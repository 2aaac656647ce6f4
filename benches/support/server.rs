//! Settings of a benchmark's own server: port 0, an SQLite file and an index in `dir`, one
//! repository, a Jira webhook secret, quiet logs.

use std::path::Path;
use ticketlens::config::{RepositorySettings, Secret, Settings};

/// The settings, and the database URL (for a second connection to the same file).
pub fn settings(
    dir: &Path,
    name: &str,
    repo: &str,
    secret: &str,
) -> anyhow::Result<(Settings, String)> {
    let db = format!("sqlite://{}", dir.join("bench.db").display());
    let mut s = Settings::from_toml("")?;
    s.server.listen = "127.0.0.1:0".parse()?;
    s.database.url = Secret::new(&db);
    s.jira.webhook_secret = Some(Secret::new(secret));
    s.log.level = "error".into();
    s.codeindex.index_dir = dir.join("index");
    s.repositories = vec![RepositorySettings {
        name: name.into(),
        path: Some(repo.into()),
        ..Default::default()
    }];
    Ok((s, db))
}
