//! The plan page in a real headless Chromium and the plan API: three tickets of one
//! release, two of them landing on the same fragile module, are a collision shown with
//! their priority and the module's fragility, and the API answers the same.

use crate::browser::Browser;
use crate::helpers::{spawn_app, Backend, TestApp};
use serde_json::{json, Value};
use ticketlens::domain::{ModuleHit, Parsed, Priority, TicketEvent, TicketKey};
use ticketlens::store::{score_id, PlanFilter, ScoreRow, Store};

/// A real Jira webhook (its fix versions `version1`, `version2`: release `version1`).
const FIXTURE: &str =
    "tests/data/fixtures/webhooks/jira/mattermost-webhook-cloud-issue-created-many-fields.json";

/// The fixture as ticket `key` with another title and priority word.
fn ticket(n: u32, title: &str, word: &str) -> TicketEvent {
    let body = std::fs::read(FIXTURE).unwrap();
    let Parsed::Event(e) = ticketlens::trackers::jira::parse(&body, None).unwrap() else {
        panic!("the fixture is an event")
    };
    let mut e = *e;
    e.id = format!("9{n}");
    e.key = TicketKey::parse(&format!("TES-{n}")).unwrap();
    e.title = title.into();
    e.priority = Some(word.into());
    e.plan.priority = Priority::from_word(word);
    e
}

fn module_row(module: &str, level: &str, score: f64, experts: Value) -> ScoreRow {
    let detail = json!({
        "display_name": module.rsplit('/').take(2).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("/"),
        "fragility": {"score": score, "level": level, "reasons": ["fixed often lately"], "coupled_with": []},
        "history": {"experts": experts},
    });
    ScoreRow {
        id: score_id("app", "module", module),
        repository: "app".into(),
        kind: "module".into(),
        name: module.into(),
        module: module.into(),
        score,
        level: level.into(),
        commits: 40,
        fixes: 9,
        churn: 900,
        authors: 3,
        last_change_ms: 1_700_000_000_000,
        size_lines: 5000,
        detail: detail.to_string(),
    }
}

fn hit(module: &str) -> ModuleHit {
    ModuleHit {
        repository: "app".into(),
        module: module.into(),
        name: module.into(),
        ..ModuleHit::default()
    }
}

const CONNECTOR: &str = "java/org/apache/catalina/connector";
const UTIL: &str = "java/org/apache/tomcat/util";

async fn seed(app: &TestApp) {
    seed_store(&app.store).await
}

/// Three tickets in release `version1`: TES-1 (Highest) and TES-2 (High) on the fragile
/// connector, TES-3 (Low) on util. The digest's tests seed a store before the app starts.
pub(crate) async fn seed_store(s: &Store) {
    let experts = json!([
        {"name": "Ann", "share": 0.7, "commits": 28, "last_commit_ms": 1_650_000_000_000i64,
         "last_commit_anywhere_ms": 1_650_000_000_000i64, "at_risk": true},
        {"name": "Bo", "share": 0.2, "commits": 8, "last_commit_ms": 1_700_000_000_000i64,
         "last_commit_anywhere_ms": 1_700_000_000_000i64, "at_risk": false}]);
    s.replace_scores(
        "app",
        &[
            module_row(CONNECTOR, "high", 81.0, experts),
            module_row(UTIL, "low", 12.0, json!([])),
        ],
        s.now(),
    )
    .await
    .unwrap();
    for (n, title, word, module) in [
        (
            1,
            "Connector drops keep-alive requests",
            "Highest",
            CONNECTOR,
        ),
        (2, "Async timeout leaks a processor", "High", CONNECTOR),
        (3, "Typo in a util log message", "Low", UTIL),
    ] {
        let e = ticket(n, title, word);
        s.apply_ticket_event(&e, s.now()).await.unwrap();
        s.set_ticket_modules("jira", &e.id, &[hit(module)], s.now())
            .await
            .unwrap();
    }
}

crate::both_backends!(
    the_other_tickets_of_a_sprint_or_release_on_a_module_are_found_most_urgent_first
);

async fn the_other_tickets_of_a_sprint_or_release_on_a_module_are_found_most_urgent_first(
    backend: Backend,
) {
    let app = crate::helpers::spawn_app(backend).await;
    seed(&app).await;
    let peers = |filter: PlanFilter, id: &'static str| {
        let store = app.store.clone();
        async move {
            store
                .plan_peers(&filter, "jira", id, ("app", CONNECTOR), 5)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        peers(PlanFilter::Release("version1".into()), "93").await,
        ["TES-1", "TES-2"]
    );
    assert_eq!(
        peers(PlanFilter::Sprint("SCRUM1 Sprint 1".into()), "92").await,
        ["TES-1"]
    );
    assert!(peers(PlanFilter::Release("version2".into()), "93")
        .await
        .is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_release_with_two_tickets_on_one_fragile_module_shows_a_collision_on_the_page_and_in_the_api(
) {
    let app = spawn_app(Backend::Sqlite).await;
    seed(&app).await;

    let r = app.api().plan("?release=version1").await;
    assert_eq!(r.status(), 200);
    let plan: Value = r.json().await.unwrap();
    let spec: Value =
        serde_yaml::from_str(&std::fs::read_to_string("openapi/ticketlens.yaml").unwrap()).unwrap();
    let schema = json!({"$ref": "#/components/schemas/Plan", "components": spec["components"]});
    let valid = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = valid.iter_errors(&plan).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "the answer is not as openapi says: {errors:?}"
    );
    let keys = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        keys(&plan["tickets"]),
        ["TES-1", "TES-2", "TES-3"],
        "most urgent first"
    );
    assert_eq!(plan["tickets"][0]["priority"], "urgent");
    assert_eq!(plan["tickets"][0]["priority_word"], "Highest");
    let first = &plan["modules"][0];
    assert_eq!(first["module"], CONNECTOR);
    assert_eq!(first["collision"], true);
    assert_eq!(first["fragility"]["level"], "high");
    assert_eq!(keys(&first["tickets"]), ["TES-1", "TES-2"]);
    assert_eq!(first["knowledge_at_risk"][0]["name"], "Ann");
    assert_eq!(
        plan["modules"][1]["collision"], false,
        "one ticket on a low module"
    );
    assert_eq!(keys(&plan["riskiest"]), ["TES-1", "TES-2"]);
    // several scopes: the sprint wins, and the answer says which scope it is
    let other: Value = app
        .api()
        .plan("?release=version1&sprint=x")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&other["scope"]["kind"], &other["scope"]["name"]),
        (&json!("sprint"), &json!("x"))
    );
    assert_eq!(other["tickets"], json!([]));

    let browser = Browser::launch().await;
    let mut tab = browser.tab().await;
    tab.goto(&format!("{}/plan?release=version1", app.address))
        .await;
    let rows = tab
        .eval("[...document.querySelectorAll('section[aria-labelledby=mod-h] tbody tr')].map(tr => tr.innerText)")
        .await;
    let collision = rows[0].as_str().unwrap();
    let name = first["name"].as_str().unwrap();
    for want in [
        name,
        "collision: 2 tickets",
        "high",
        "TES-1",
        "urgent",
        "TES-2",
        "Ann",
        "knowledge at risk",
    ] {
        assert!(collision.contains(want), "{want} missing from {collision}");
    }
    assert!(!rows[1].as_str().unwrap().contains("collision"), "{rows}");
    let chosen = tab.eval("document.getElementById('release').value").await;
    assert_eq!(chosen, json!("version1"));
    let risky = tab
        .eval("[...document.querySelectorAll('section[aria-labelledby=risk-h] li a')].map(a => a.textContent)")
        .await;
    assert_eq!(risky, json!(keys(&plan["riskiest"])));
    assert_eq!(tab.accessibility_problems().await, json!([]));
    tab.screenshot("plan", 1280, false).await;

    module_page_shows_the_open_demand(&mut tab, &app, first["id"].as_str().unwrap()).await;
    app.stop().await;
}

/// The module page: the open demand on it, by priority and release, as its API lists it.
async fn module_page_shows_the_open_demand(tab: &mut crate::browser::Tab, app: &TestApp, id: &str) {
    let module: Value = app
        .api()
        .get(&format!("/api/v1/modules/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(module["open_tickets"].as_array().unwrap().len(), 2);
    tab.goto(&format!("{}/modules/{id}", app.address)).await;
    let groups = tab
        .eval("[...document.querySelectorAll('dl.demand dt')].map(dt => dt.textContent)")
        .await;
    assert_eq!(
        groups,
        json!([
            "urgent · release version1 (1)",
            "high · release version1 (1)"
        ])
    );
    let listed = tab
        .eval("[...document.querySelectorAll('section[aria-labelledby=tickets-h] li a')].map(a => a.textContent)")
        .await;
    assert_eq!(listed, json!(["TES-1", "TES-2"]));
    assert_eq!(tab.accessibility_problems().await, json!([]));
}
