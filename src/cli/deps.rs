//! `ticketlens deps`: the module graph from the code's own imports, as stored by `serve`
//! (the same JSON as `GET /api/v1/modules/{id}/dependencies`), or built straight from a
//! clone with `--path` (with timings, how the numbers in `docs/dependencies.md` were
//! measured).

use crate::codeindex::dependencies_of_clone;
use crate::config::Settings;
use crate::moduleview::{dependencies_json, repository_dependencies};
use crate::store::Store;
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct DepsArgs {
    /// The repository (needed when several have graphs).
    #[arg(long)]
    pub repository: Option<String>,
    /// Only this module (its id or display name).
    #[arg(long)]
    pub module: Option<String>,
    /// Builds the graph from this clone (bare or not) instead of reading the store.
    #[arg(long)]
    pub path: Option<PathBuf>,
    /// With --path: the revision to build at.
    #[arg(long, default_value = "HEAD")]
    pub at: String,
    /// With --path: builds at this revision first, so the build at --at is incremental.
    #[arg(long)]
    pub since: Option<String>,
    /// Prints JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(settings: &Settings, args: &DepsArgs) -> anyhow::Result<()> {
    let view = match &args.path {
        Some(path) => {
            let (path, since, at) = (path.clone(), args.since.clone(), args.at.clone());
            let rules = settings.modules.clone();
            let built = tokio::task::spawn_blocking(move || {
                dependencies_of_clone(&path, since.as_deref(), &at, &rules)
            })
            .await??;
            let name = args.repository.as_deref().unwrap_or("clone");
            let mut view = dependencies_json(name, &built.graph, args.module.as_deref())
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "no module `{}` in the graph",
                        args.module.as_deref().unwrap_or("")
                    )
                })?;
            view["build"] = serde_json::json!({ "first": built.first, "last": built.last });
            view
        }
        None => {
            let store = Store::connect(settings.database.url.expose(), 1).await?;
            store.migrate().await?;
            let view =
                repository_dependencies(&store, args.repository.as_deref(), args.module.as_deref())
                    .await;
            store.close().await;
            view?
        }
    };
    if args.json {
        println!("{view}");
    } else {
        print_text(&view);
    }
    Ok(())
}

fn print_text(v: &Value) {
    let i = &v["imports"];
    println!(
        "{} at {}: {} import statements resolved inside, {} inside but unresolved, {} external",
        v["repository"].as_str().unwrap_or(""),
        v["commit"].as_str().unwrap_or("").get(..12).unwrap_or(""),
        i["internal_resolved"],
        i["internal_unresolved"],
        i["external"]
    );
    if let Some(b) = v.get("build") {
        println!("build: {b}");
    }
    for m in v["modules"].as_array().into_iter().flatten() {
        let list = |k: &str| -> String {
            m[k].as_array()
                .into_iter()
                .flatten()
                .take(8)
                .map(|e| format!("{} ({})", e["module"].as_str().unwrap_or(""), e["imports"]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "{}: used by {} modules, {} files ({} files in two steps)",
            m["name"].as_str().unwrap_or(""),
            m["used_by"].as_array().map_or(0, Vec::len),
            m["blast_radius"]["files"],
            m["blast_radius"]["files_two_steps"]
        );
        println!("    depends on: {}", list("depends_on"));
        println!("    used by:    {}", list("used_by"));
    }
    for c in v["cycles"].as_array().into_iter().flatten() {
        println!("cycle: {c}");
    }
    for u in v["unresolved"].as_array().into_iter().flatten() {
        println!("unresolved: {}", u.as_str().unwrap_or(""));
    }
}
