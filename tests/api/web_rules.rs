//! The web page's rules over plain HTTP: who may see a page, CSRF on every POST, the
//! cookie's attributes, and the headers that keep a page to its own host.

use crate::helpers::{spawn_app, spawn_app_with, Backend};
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use ticketlens::config::Secret;

const READ: &str = "rules-read-token-0b7c";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` of a Set-Cookie, and the whole header.
fn set_cookie(headers: &HeaderMap, name: &str) -> Option<(String, String)> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| (v.split(';').next().unwrap().to_string(), v.to_string()))
}

#[tokio::test]
async fn pages_forbid_other_hosts_and_caching_and_answer_only_this_machine_without_tokens() {
    let app = spawn_app(Backend::Sqlite).await;
    let r = client()
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("style-src 'self'"),
        "{csp}"
    );
    assert_eq!(h["cache-control"], "no-store");
    assert!(h["server-timing"].to_str().unwrap().starts_with("app;dur="));
    let (_, csrf) = set_cookie(&h, "tl_csrf").expect("a CSRF cookie");
    assert!(
        csrf.contains("HttpOnly") && csrf.contains("SameSite=Strict"),
        "{csrf}"
    );
    let css = client()
        .get(format!("{}/assets/style.css", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        !css.text().await.unwrap().contains("http"),
        "the sheet loads nothing else"
    );

    // a browser page on another name pointed at this machine is refused
    let r = client()
        .get(format!("{}/", app.address))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Host header"));
    app.stop().await;
}

#[tokio::test]
async fn a_form_post_without_its_csrf_value_or_from_another_site_is_refused() {
    let app = spawn_app(Backend::Sqlite).await;
    let c = client();
    let page = c
        .get(format!("{}/analyze", app.address))
        .send()
        .await
        .unwrap();
    let (cookie, _) = set_cookie(page.headers(), "tl_csrf").unwrap();
    let value = cookie.split_once('=').unwrap().1.to_string();
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("name=\"csrf\" value=\"{value}\"")),
        "the form carries it"
    );
    let post =
        |fields: Vec<(&'static str, String)>, cookie: Option<String>, origin: Option<&str>| {
            let mut r = c.post(format!("{}/analyze", app.address)).form(&fields);
            if let Some(k) = cookie {
                r = r.header(COOKIE, k);
            }
            if let Some(o) = origin {
                r = r.header("origin", o);
            }
            r.send()
        };
    let title = ("title", "Session expires".to_string());
    let no_field = post(vec![title.clone()], Some(cookie.clone()), None)
        .await
        .unwrap();
    assert_eq!(no_field.status(), 403);
    let no_cookie = post(vec![title.clone(), ("csrf", value.clone())], None, None)
        .await
        .unwrap();
    assert_eq!(no_cookie.status(), 403);
    let wrong = post(
        vec![title.clone(), ("csrf", "0".repeat(32))],
        Some(cookie.clone()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(wrong.status(), 403);
    let other_site = post(
        vec![title.clone(), ("csrf", value.clone())],
        Some(cookie.clone()),
        Some("http://evil.example"),
    )
    .await
    .unwrap();
    assert_eq!(other_site.status(), 403);
    let ok = post(
        vec![title, ("csrf", value)],
        Some(cookie),
        Some(&app.address),
    )
    .await
    .unwrap();
    assert_ne!(ok.status(), 403, "the page's own form is accepted");
    app.stop().await;
}

#[tokio::test]
async fn a_sign_in_answers_an_http_only_secure_lax_session_and_pages_need_it() {
    let app = spawn_app_with(
        Backend::Sqlite,
        |s| s.api.read_tokens = vec![Secret::new(READ)],
        None,
    )
    .await;
    let c = client();
    // no session: a page redirects to sign in (keeping where it was going), a POST is 401
    let r = c
        .get(format!("{}/modules/abc?x=1", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()[LOCATION],
        "/signin?next=%2Fmodules%2Fabc%3Fx%3D1"
    );
    let r = c
        .post(format!("{}/analyze", app.address))
        .form(&[("title", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let form = c
        .get(format!("{}/signin", app.address))
        .send()
        .await
        .unwrap();
    let (csrf_cookie, _) = set_cookie(form.headers(), "tl_csrf").unwrap();
    let csrf = csrf_cookie.split_once('=').unwrap().1.to_string();
    let sign_in = |token: &'static str| {
        c.post(format!("{}/signin", app.address))
            .header(COOKIE, csrf_cookie.clone())
            .form(&[
                ("token", token),
                ("csrf", &csrf),
                ("next", "//evil.example/x"),
            ])
            .send()
    };
    let refused = sign_in("wrong-token").await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(set_cookie(refused.headers(), "tl_session").is_none());
    let r = sign_in(READ).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()[LOCATION], "/", "never to another host");
    let (session, whole) = set_cookie(r.headers(), "tl_session").expect("a session cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(whole.contains(attr), "{whole} lacks {attr}");
    }
    assert!(!whole.contains(READ), "the cookie never holds the token");
    let page = c
        .get(format!("{}/", app.address))
        .header(COOKIE, session.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Sign out"));
    // the API still wants its bearer token: a page session is not an API credential
    let api = c
        .get(format!("{}/api/v1/modules", app.address))
        .header(COOKIE, session)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn a_verdict_from_the_page_needs_its_csrf_value_and_a_known_ticket() {
    let app = spawn_app(Backend::Sqlite).await;
    let c = client();
    let page = c.get(format!("{}/", app.address)).send().await.unwrap();
    let (cookie, _) = set_cookie(page.headers(), "tl_csrf").unwrap();
    let value = cookie.split_once('=').unwrap().1.to_string();
    let url = format!("{}/tickets/jira/PROJ-2/duplicates/feedback", app.address);
    let fields = |csrf: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("candidate", "PROJ-1".to_string()),
            ("duplicate", "false".to_string()),
        ]
    };
    let forged = c.post(&url).form(&fields(&value)).send().await.unwrap();
    assert_eq!(forged.status(), 403, "no CSRF cookie");
    let unknown = c
        .post(&url)
        .header(COOKIE, cookie)
        .form(&fields(&value))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404, "no such ticket");
    app.stop().await;
}
