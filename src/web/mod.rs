//! The web page for people: server-rendered HTML on the API's listener. Every page reads
//! through the functions the API answers from (`moduleview`, `ticketview`, the one analysis
//! pipeline); nothing here queries a store or index of its own.
//!
//! Templates are `maud` macros: checked by the compiler, escaped by default, compiled into
//! the binary with the stylesheet, so a page needs nothing from any other host (the
//! Content-Security-Policy below says so to the browser too).

mod analysis;
mod analyze;
mod deps;
mod home;
mod layout;
mod module;
mod plan;
mod session;
mod signin;
mod svg;
mod ticket;
mod viewer;

use crate::app::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use maud::Markup;
pub use viewer::{Csrf, PageError, Viewer};

/// What a page may send: its own stylesheet and forms, nothing from elsewhere, no script.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Registers the pages (when `[web] enabled`).
pub fn configure(cfg: &mut web::ServiceConfig, enabled: bool) {
    if !enabled {
        return;
    }
    cfg.service(web::resource("/").route(web::get().to(home::page)))
        .service(web::resource("/modules/{id}").route(web::get().to(module::page)))
        .service(web::resource("/plan").route(web::get().to(plan::page)))
        .service(web::resource("/tickets/{tracker}/{key}").route(web::get().to(ticket::page)))
        .service(
            web::resource("/tickets/{tracker}/{key}/duplicates/feedback")
                .route(web::post().to(ticket::verdict)),
        )
        .service(
            web::resource("/analyze")
                .route(web::get().to(analyze::page))
                .route(web::post().to(analyze::submit)),
        )
        .service(
            web::resource("/signin")
                .route(web::get().to(signin::form))
                .route(web::post().to(signin::submit)),
        )
        .service(web::resource("/signout").route(web::post().to(signin::signout)))
        .service(web::resource("/assets/style.css").route(web::get().to(style)));
}

/// An HTML answer with the page headers: no caching (the data is private), the CSP, the
/// server time spent (`Server-Timing`), and the CSRF cookie when it is new.
pub fn html(
    status: StatusCode,
    csrf: &Csrf,
    secure: bool,
    started: std::time::Instant,
    body: Markup,
) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .insert_header((
            "Server-Timing",
            format!("app;dur={:.1}", started.elapsed().as_secs_f64() * 1000.0),
        ));
    if csrf.fresh {
        res.cookie(session::csrf_cookie(csrf.value.clone(), secure));
    }
    res.body(body.into_string())
}

async fn style() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(layout::STYLE)
}

fn state_of(req: &actix_web::HttpRequest) -> &web::Data<AppState> {
    req.app_data::<web::Data<AppState>>()
        .expect("app state is registered")
}
