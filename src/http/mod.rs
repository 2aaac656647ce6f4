//! The JSON API's actix routes: extract, call one function, map the result to a status.
//! `startup` mounts them (with the pages of `web`) on the application it builds.

mod analyze;
mod body;
mod health;
mod jobs;
mod learning;
mod modules;
mod openapi;
mod plan;
mod repositories;
mod tickets;
mod webhooks;

use crate::app::error::{self, ApiError};
use crate::app::{auth, throttle, AppState};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpMessage, HttpResponse};
pub use openapi::spec_json;

/// Every route the server answers, as (method, path pattern). `configure` registers exactly
/// these, and a test keeps this list, the registrations and `openapi/ticketlens.yaml` in step.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("POST", "/webhooks/jira"),
    ("POST", "/webhooks/linear"),
    ("POST", "/webhooks/github"),
    ("POST", "/webhooks/gitlab"),
    ("GET", "/api/v1/jobs"),
    ("POST", "/api/v1/jobs/{id}/retry"),
    ("POST", "/api/v1/jobs/retry"),
    ("GET", "/api/v1/modules"),
    ("GET", "/api/v1/modules/{id}"),
    ("GET", "/api/v1/modules/{id}/dependencies"),
    ("GET", "/api/v1/plan"),
    ("GET", "/api/v1/repositories"),
    ("GET", "/api/v1/repositories/{name}/overview"),
    ("GET", "/api/v1/repositories/{name}/accuracy"),
    ("GET", "/api/v1/tickets/{tracker}/{key}"),
    (
        "POST",
        "/api/v1/tickets/{tracker}/{key}/duplicates/feedback",
    ),
    ("GET", "/api/v1/duplicates/models"),
    ("GET", "/api/v1/duplicates/accuracy"),
    ("POST", "/api/v1/analyze"),
];

/// Registers every route; `/api/` sits behind the bearer-token guard. Each path answers 405
/// (with `Allow`) to methods it does not serve.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/healthz", "GET").route(web::get().to(health::healthz)))
        .service(resource("/readyz", "GET").route(web::get().to(health::readyz)))
        .service(resource("/metrics", "GET").route(web::get().to(health::metrics)))
        .service(resource("/openapi.json", "GET").route(web::get().to(openapi::spec)))
        .service(resource("/webhooks/jira", "POST").route(web::post().to(webhooks::jira)))
        .service(resource("/webhooks/linear", "POST").route(web::post().to(webhooks::linear)))
        .service(resource("/webhooks/github", "POST").route(web::post().to(webhooks::github)))
        .service(resource("/webhooks/gitlab", "POST").route(web::post().to(webhooks::gitlab)))
        .service(
            web::scope("/api")
                .wrap(from_fn(api_guard))
                .service(resource("/v1/jobs", "GET").route(web::get().to(jobs::list)))
                .service(resource("/v1/jobs/{id}/retry", "POST").route(web::post().to(jobs::retry)))
                .service(
                    resource("/v1/jobs/retry", "POST").route(web::post().to(jobs::retry_matching)),
                )
                .service(resource("/v1/modules", "GET").route(web::get().to(modules::list)))
                .service(resource("/v1/modules/{id}", "GET").route(web::get().to(modules::get)))
                .service(resource("/v1/plan", "GET").route(web::get().to(plan::get)))
                .service(
                    resource("/v1/modules/{id}/dependencies", "GET")
                        .route(web::get().to(modules::dependencies)),
                )
                .service(
                    resource("/v1/repositories", "GET").route(web::get().to(repositories::list)),
                )
                .service(
                    resource("/v1/repositories/{name}/overview", "GET")
                        .route(web::get().to(repositories::overview)),
                )
                .service(
                    resource("/v1/repositories/{name}/accuracy", "GET")
                        .route(web::get().to(repositories::accuracy)),
                )
                .service(
                    resource("/v1/tickets/{tracker}/{key}", "GET")
                        .route(web::get().to(tickets::get_ticket)),
                )
                .service(
                    resource("/v1/tickets/{tracker}/{key}/duplicates/feedback", "POST")
                        .route(web::post().to(learning::feedback)),
                )
                .service(
                    resource("/v1/duplicates/models", "GET").route(web::get().to(learning::models)),
                )
                .service(
                    resource("/v1/duplicates/accuracy", "GET")
                        .route(web::get().to(learning::accuracy)),
                )
                .service(resource("/v1/analyze", "POST").route(web::post().to(analyze::analyze)))
                .default_service(web::to(not_found)),
        );
}

/// A resource whose other methods get 405 in our error format.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        let err = ApiError::new(
            error::ErrorCode::MethodNotAllowed,
            format!("this path only answers {allow}"),
        );
        let mut res = actix_web::ResponseError::error_response(&err);
        res.headers_mut().insert(
            actix_web::http::header::ALLOW,
            actix_web::http::header::HeaderValue::from_static(allow),
        );
        res
    }))
}

/// Registers the separate metrics listener's one route, `/metrics`.
pub fn configure_metrics(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/metrics", "GET").route(web::get().to(health::metrics)));
}

async fn api_guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .expect("app state is registered");
    let peer = req.peer_addr().map(|p| p.ip());
    let tokens = state.settings.api.has_tokens();
    if let (true, Err(wait)) = (tokens, state.throttle.check(peer)) {
        let res = throttle::too_many_failures(wait);
        return Ok(req.into_response(res).map_into_right_body());
    }
    match auth::authenticate(&state.settings, &req) {
        Ok(role) => {
            req.extensions_mut().insert(role);
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(e) => {
            // a wrong token is a guess; a call that presents none guesses nothing (a client
            // not yet configured, a probe) and is refused without counting against its peer
            let guessed = req
                .headers()
                .contains_key(actix_web::http::header::AUTHORIZATION);
            if tokens && guessed && e.code == error::ErrorCode::Unauthorized {
                state.throttle.failed(peer, throttle::Surface::Api);
            }
            // answered without attaching the error: the request logger would write a WARN
            // line per refusal, and guesses come by the thousand (the throttle sums them up)
            let res = actix_web::ResponseError::error_response(&e);
            Ok(req.into_response(res).map_into_right_body())
        }
    }
}

/// The answer to a path no route serves, in our error format.
pub async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("no such route"))
}
