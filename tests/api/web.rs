//! The web page in a real headless Chromium: each page shows what the API answers for the
//! same thing, nothing is fetched from another host, sign-in keeps a session, and a page
//! without one is refused. Screenshots go to `<target>/screenshots/` for a person to look at.

use crate::analyze::{build_repository, comment_on_a_session_ticket, wait_until_ready};
use crate::browser::{Browser, Tab};
use crate::helpers::{spawn_app_with, Backend, TestApp};
use serde_json::{json, Value};
use std::path::Path;
use ticketlens::config::Secret;

const READ: &str = "web-read-token-5d1e";

/// The server over the test repository, with the given read tokens.
async fn spawn_site(repo: &Path, index: &Path, tokens: &[&str]) -> TestApp {
    let (repo, index) = (repo.to_path_buf(), index.to_path_buf());
    let tokens: Vec<Secret> = tokens.iter().map(|t| Secret::new(*t)).collect();
    let set_repo = crate::accuracy::over_repository(&repo, &index, vec![]);
    spawn_app_with(
        Backend::Sqlite,
        move |s| {
            set_repo(s);
            s.api.read_tokens = tokens;
        },
        None,
    )
    .await
}

async fn api(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let mut r = app.client.get(format!("{}{path}", app.address));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

/// Waits until the repository's modules are scored (history mined).
async fn wait_scored(app: &TestApp, token: Option<&str>) -> Value {
    crate::helpers::wait_for(|| async {
        let r = match token {
            Some(t) => app.api_as(t).overview("app").await,
            None => app.api().overview("app").await,
        };
        let v: Value = r.json().await.ok()?;
        (v["modules"].as_array()?.len() >= 2).then_some(v)
    })
    .await
}

/// Every request the tab made went to the app itself.
fn assert_stayed_home(tab: &Tab, app: &TestApp) {
    assert!(!tab.requests.is_empty());
    for u in &tab.requests {
        assert!(
            u.starts_with(&app.address) || u.starts_with("data:") || u == "about:blank",
            "a page asked another host for {u}"
        );
    }
}

#[tokio::test]
async fn each_page_shows_what_the_api_answers_and_nothing_leaves_the_host() {
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    build_repository(repo_dir.path());
    let app = spawn_site(repo_dir.path(), index_dir.path(), &[]).await;
    wait_until_ready(&app).await;
    let overview = wait_scored(&app, None).await;
    comment_on_a_session_ticket(&app, "web-1").await;
    let browser = Browser::launch().await;
    let mut tab = browser.tab().await;

    // The overview: the hotspot list names the API's modules in its order, and the map
    // has a tile per module.
    tab.goto(&format!("{}/", app.address)).await;
    let hotspots = tab
        .eval("[...document.querySelectorAll('ol.hotspots li > a')].map(a => a.textContent)")
        .await;
    let api_names: Vec<Value> = overview["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].clone())
        .collect();
    assert_eq!(
        hotspots,
        json!(api_names),
        "hotspots follow the API's order"
    );
    assert_eq!(tab.accessibility_problems().await, json!([]));
    // the keyboard reaches the skip link first, then the navigation
    tab.press_tab().await;
    assert_eq!(
        tab.eval("document.activeElement.textContent").await,
        json!("Skip to content")
    );
    tab.press_tab().await;
    assert_eq!(
        tab.eval("document.activeElement.textContent").await,
        json!("TicketLens")
    );
    let tiles = tab
        .eval("document.querySelectorAll('svg.treemap a').length")
        .await;
    assert_eq!(tiles, json!(api_names.len()));
    assert!(tab.text().await.contains("Activity"));
    // the repository's activity: 24 months, this one holding the test repository's commits
    assert_eq!(overview["monthly"].as_array().unwrap().len(), 24);
    assert_eq!(
        overview["monthly"][23]["commits"], 2,
        "{:#}",
        overview["monthly"]
    );
    assert_eq!(overview["recent"]["commits"], 2);
    tab.screenshot("overview", 1280, false).await;
    tab.screenshot("overview-phone", 390, true).await;

    // A module: the API's top expert is named, and the chart is drawn.
    let top = &overview["modules"][0];
    let module = api(
        &app,
        &format!("/api/v1/modules/{}", top["id"].as_str().unwrap()),
        None,
    )
    .await;
    let expert = module["experts"][0]["author"].as_str().unwrap().to_string();
    tab.navigate_by("document.querySelector('ol.hotspots li > a').click()")
        .await;
    let text = tab.text().await;
    assert!(text.contains(module["name"].as_str().unwrap()), "{text}");
    assert!(
        text.contains(&expert),
        "the module page names {expert}: {text}"
    );
    assert_eq!(
        tab.eval("document.querySelectorAll('svg.bars').length")
            .await,
        json!(1)
    );
    assert_eq!(tab.accessibility_problems().await, json!([]));
    tab.screenshot("module", 1280, false).await;

    // A ticket: the modules of the analysis behind its comment.
    let ticket = api(&app, "/api/v1/tickets/jira/TES-41", None).await;
    let analysed = ticket["analysis"]["modules"][0]["name"]
        .as_str()
        .expect("an analysed module")
        .to_string();
    tab.goto(&format!("{}/tickets/jira/TES-41", app.address))
        .await;
    let cells = tab
        .eval("[...document.querySelectorAll('table.modules tbody tr td:first-child')].map(td => td.innerText)")
        .await;
    assert!(
        cells[0].as_str().unwrap().starts_with(&analysed),
        "{cells} should start with {analysed}"
    );
    assert_eq!(tab.accessibility_problems().await, json!([]));
    tab.screenshot("ticket", 1280, false).await;

    // Its module lists it among the open tickets that land there, as the API does.
    tab.navigate_by("document.querySelector('table.modules tbody tr td a').click()")
        .await;
    let module_id = tab.eval("location.pathname.split('/').pop()").await;
    let landed = api(
        &app,
        &format!("/api/v1/modules/{}", module_id.as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(landed["open_tickets"][0]["key"], "TES-41", "{landed:#}");
    let listed = tab
        .eval("[...document.querySelectorAll('section[aria-labelledby=tickets-h] li a')].map(a => a.textContent)")
        .await;
    assert_eq!(listed, json!(["TES-41"]));

    // Ad-hoc text, typed into the form and submitted (a POST with its CSRF field): the
    // API's top module for the same text comes first, and the share link answers the same.
    let (title, body) = (
        "Invoice PDF rendering is wrong",
        "InvoiceRenderer::render_pdf drops the total",
    );
    let answer: Value = app
        .api()
        .analyze(&json!({ "title": title, "body": body }))
        .await
        .json()
        .await
        .unwrap();
    let api_top = answer["modules"][0]["name"].as_str().unwrap().to_string();
    tab.goto(&format!("{}/analyze", app.address)).await;
    tab.navigate_by(&format!(
        "document.getElementById('title').value = {}; document.getElementById('body').value = {}; \
         document.querySelector('form.stack button').click()",
        json!(title),
        json!(body)
    ))
    .await;
    let first = tab
        .eval("document.querySelector('table.modules tbody tr td').innerText")
        .await;
    assert!(
        first.as_str().unwrap().starts_with(&api_top),
        "{first} vs {api_top}"
    );
    assert_eq!(tab.accessibility_problems().await, json!([]));
    tab.screenshot("analyze", 1280, false).await;
    let link = tab
        .eval("document.querySelector('a[href^=\"/analyze?\"]').getAttribute('href')")
        .await;
    tab.goto(&format!("{}{}", app.address, link.as_str().unwrap()))
        .await;
    let shared = tab
        .eval("document.querySelector('table.modules tbody tr td').innerText")
        .await;
    assert_eq!(shared, first, "the shared link shows the same analysis");

    assert_stayed_home(&tab, &app);
    app.stop().await;
}

#[tokio::test]
async fn with_tokens_a_page_needs_a_session_from_the_sign_in_page() {
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    build_repository(repo_dir.path());
    let app = spawn_site(repo_dir.path(), index_dir.path(), &[READ]).await;
    wait_until_ready(&app).await;
    let overview = wait_scored(&app, Some(READ)).await;
    let id = overview["modules"][0]["id"].as_str().unwrap().to_string();

    let browser = Browser::launch().await;
    let mut tab = browser.tab().await;
    // Without a session the module page is refused: the browser lands on the sign-in page.
    tab.goto(&format!("{}/modules/{id}", app.address)).await;
    assert_eq!(tab.eval("location.pathname").await, json!("/signin"));
    assert!(!tab.text().await.contains("Who knows it"));
    assert_eq!(tab.accessibility_problems().await, json!([]));
    tab.screenshot("signin", 1280, false).await;

    // A wrong token is refused, the right one opens the page asked for.
    let fill = |token: &str| {
        format!(
            "document.getElementById('token').value = {}; document.querySelector('form.stack button').click()",
            json!(token)
        )
    };
    tab.navigate_by(&fill("not-the-token")).await;
    assert!(tab.text().await.contains("That token is not valid"));
    tab.navigate_by(&fill(READ)).await;
    assert_eq!(
        tab.eval("location.pathname").await,
        json!(format!("/modules/{id}"))
    );
    assert!(tab.text().await.contains("Who knows it"));
    // The session lives in an HttpOnly cookie: the page's script cannot read it.
    let visible = tab.eval("document.cookie").await;
    assert!(
        !visible.as_str().unwrap().contains("tl_session"),
        "{visible}"
    );

    // Signing out ends it.
    tab.navigate_by("document.querySelector('form.signout button').click()")
        .await;
    assert_eq!(tab.eval("location.pathname").await, json!("/signin"));
    tab.goto(&format!("{}/", app.address)).await;
    assert_eq!(tab.eval("location.pathname").await, json!("/signin"));
    assert_stayed_home(&tab, &app);
    app.stop().await;
}

/// A ticket from the created fixture with another id, key, text and creation time.
async fn send_like_fixture(app: &TestApp, n: u64, title: &str, description: &str) {
    let mut ticket: Value = serde_json::from_slice(
        &std::fs::read(
            crate::helpers::fixtures_dir().join("jira/mattermost-webhook-issue-created.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let issue = &mut ticket["issue"];
    issue["id"] = json!(format!("{}", 10000 + n));
    issue["key"] = json!(format!("TES-{n}"));
    issue["fields"]["summary"] = json!(title);
    issue["fields"]["description"] = json!(description);
    issue["fields"]["created"] = json!(format!("2030-01-01T10:{n:02}:00.000+0000"));
    let body = serde_json::to_vec(&ticket).unwrap();
    let headers = crate::helpers::jira_headers(&body, &format!("web-verdict-{n}"));
    assert_eq!(app.post_webhook("jira", body, &headers).await.status(), 202);
}

/// The similarity a ticket view answers for one candidate, when it lists it.
fn similarity_to(view: &Value, key: &str) -> Option<f64> {
    view["duplicates"]
        .as_array()?
        .iter()
        .find(|d| d["key"] == key)?["similarity"]
        .as_f64()
}

/// The ticket page's line saying which model ranked its candidates.
async fn model_line(tab: &mut Tab, app: &TestApp, page: &str) -> String {
    tab.goto(&format!("{}{page}", app.address)).await;
    let line = tab
        .eval("document.querySelector('section[aria-labelledby=dups-h] p.model').innerText")
        .await;
    line.as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_triager_marks_a_suggestion_on_the_ticket_page_and_the_project_model_learns_it() {
    let repo_dir = tempfile::tempdir().unwrap();
    let index_dir = tempfile::tempdir().unwrap();
    build_repository(repo_dir.path());
    let app = spawn_site(repo_dir.path(), index_dir.path(), &[]).await;
    wait_until_ready(&app).await;
    comment_on_a_session_ticket(&app, "web-verdict-1").await;
    // unrelated tickets first, so term weights mean something, then a look-alike of TES-41
    for (n, title, text) in [
        (
            43,
            "Invoice PDF totals are wrong",
            "InvoiceRenderer drops the total line",
        ),
        (
            44,
            "Dark mode colours on the settings page",
            "The toggle is unreadable",
        ),
        (
            45,
            "Search results paginate twice",
            "Page two repeats page one",
        ),
    ] {
        send_like_fixture(&app, n, title, text).await;
    }
    send_like_fixture(
        &app,
        46,
        "Session token refresh expires the cookie too early",
        "SessionStore::refresh_session_token returns false for short tokens, again",
    )
    .await;
    // once TES-46 is analysed (so the index holds every ticket), TES-41 is its candidate
    let view = crate::helpers::wait_for(|| async {
        let v: Value = app.api().ticket("jira", "TES-46").await.json().await.ok()?;
        v["comment"]["body"].as_str()?;
        similarity_to(&v, "TES-41").map(|_| v)
    })
    .await;
    let project = view["ticket"]["project"].as_str().unwrap().to_string();
    let browser = Browser::launch().await;
    let mut tab = browser.tab().await;
    let line = model_line(&mut tab, &app, "/tickets/jira/TES-46").await;
    assert!(line.starts_with("Ranked by the shipped model"), "{line}");
    let buttons = tab
        .eval("[...document.querySelectorAll('table.duplicates form.verdict button')].map(b => b.getAttribute('aria-label'))")
        .await;
    assert!(
        buttons
            .as_array()
            .unwrap()
            .contains(&json!("Not a duplicate: TES-41")),
        "{buttons}"
    );
    assert_eq!(tab.accessibility_problems().await, json!([]));
    tab.screenshot("ticket-verdicts", 1280, false).await;

    // The button posts the page's own form (CSRF field and cookie) and lands back on the page.
    tab.navigate_by(
        "document.querySelector('table.duplicates form.verdict button[aria-label=\"Not a duplicate: TES-41\"]').click()",
    )
    .await;
    assert_eq!(
        tab.eval("location.search").await,
        json!("?verdict=distinct")
    );
    let notice = tab
        .eval("document.querySelector('p.notice').innerText")
        .await;
    assert!(
        notice
            .as_str()
            .unwrap()
            .starts_with("Recorded: not a duplicate"),
        "{notice}"
    );

    // The learner learns the verdict: the project's model moves off the shipped one, and
    // the page says which model ranks its candidates now.
    let learned =
        crate::learning::model_until(&app, &project, |p| p["feedback_learned"] == 1).await;
    assert_eq!(learned["source"], "learned", "{learned}");
    // ...and "not a duplicate" weighs against the pair from now on
    let before = similarity_to(&view, "TES-41").unwrap();
    let now = api(&app, "/api/v1/tickets/jira/TES-46", None).await;
    let after = similarity_to(&now, "TES-41").unwrap_or(0.0);
    assert!(after < before, "{after} vs {before}");
    let line = model_line(&mut tab, &app, "/tickets/jira/TES-46").await;
    assert!(
        line.contains("learned from 0 duplicate links and 1 verdict"),
        "{line}"
    );
    assert_stayed_home(&tab, &app);
    app.stop().await;
}
