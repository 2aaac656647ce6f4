//! Ticket ↔ commit links through mining and the store, on SQLite and PostgreSQL: the keys a
//! commit names are stored with it, added as new commits are mined, and dropped with the
//! commits a force-push rewrote.

use crate::helpers::{spawn_app, Backend};
use crate::history::{mine, Repo};

async fn mined_commits_link_the_tickets_they_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut repo = Repo::new();
    repo.commit(
        "alice",
        10,
        "Initial import",
        &[("src/a.rs", "a\n"), ("src/b.rs", "b\n")],
    );
    repo.commit(
        "bob",
        9,
        "TOM-1: fix host config (closes #12)",
        &[("src/a.rs", "A\n"), ("src/b.rs", "B\nB\n")],
    );
    let before_rewrite = repo.tip;
    mine(&app, &repo).await;
    let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let links = app
        .store
        .linked_commits(&keys(&["TOM-1", "#12", "NOPE-1"]))
        .await
        .unwrap();
    let linked: Vec<&str> = links.iter().map(|l| l.ticket_key.as_str()).collect();
    assert_eq!(linked, ["#12", "TOM-1"]);
    assert_eq!(links[0].sha, links[1].sha);
    assert_eq!(
        links[1].files,
        [
            ("src/a.rs".to_string(), 1, 1),
            ("src/b.rs".to_string(), 2, 1)
        ]
    );

    // new commits are linked as they are mined
    repo.commit("carol", 8, "ENG-5 tidy up", &[("src/a.rs", "AA\n")]);
    mine(&app, &repo).await;
    assert_eq!(
        app.store
            .linked_commits(&keys(&["ENG-5"]))
            .await
            .unwrap()
            .len(),
        1
    );

    // a force-push that rewrites ENG-5's commit away takes its link with it
    repo.tip = before_rewrite;
    repo.commit("dave", 7, "Other work", &[("src/b.rs", "x\n")]);
    let rewritten = mine(&app, &repo).await;
    assert_eq!(rewritten.dropped_commits, 1);
    assert!(app
        .store
        .linked_commits(&keys(&["ENG-5"]))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        app.store
            .linked_commits(&keys(&["TOM-1"]))
            .await
            .unwrap()
            .len(),
        1
    );
    app.stop().await;
}

crate::both_backends!(mined_commits_link_the_tickets_they_name);
