//! actix routes only: extract, call one function, map the result to a status; and the
//! limits on what one peer may hold or try (`peers`, `throttle`).

pub(crate) mod analyze;
pub(crate) mod auth;
mod body;
pub mod error;
mod health;
mod jobs;
mod learning;
mod modules;
mod openapi;
pub mod peers;
mod repositories;
pub mod throttle;
mod tickets;
mod webhooks;

use crate::codeindex::CodeIndex;
use crate::config::Settings;
use crate::ingest::Ingestor;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::ticketindex::TicketIndex;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpMessage, HttpResponse};
use error::ApiError;
pub use openapi::spec_json;
use std::sync::Arc;
use tokio::sync::Notify;

/// Everything a handler may reach.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub ingestor: Ingestor,
    pub metrics: Metrics,
    pub ticket_index: Arc<TicketIndex>,
    /// Per-project duplicate models learned from links and verdicts.
    pub learner: Arc<crate::learning::Learner>,
    /// Wakes idle workers when a job becomes due (an operator retry).
    pub wake: Arc<Notify>,
    pub code_index: Arc<CodeIndex>,
    /// The one analysis (`enrich::Pipeline`), shared with the worker.
    pub pipeline: Arc<crate::enrich::Pipeline>,
    /// Failed authentications per peer (`/api/` bearer tokens and the sign-in page).
    pub throttle: Arc<throttle::AuthThrottle>,
}

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
    ("GET", "/api/v1/repositories"),
    ("GET", "/api/v1/repositories/{name}/overview"),
    ("GET", "/api/v1/tickets/{tracker}/{key}"),
    (
        "POST",
        "/api/v1/tickets/{tracker}/{key}/duplicates/feedback",
    ),
    ("GET", "/api/v1/duplicates/models"),
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
                .service(
                    resource("/v1/repositories", "GET").route(web::get().to(repositories::list)),
                )
                .service(
                    resource("/v1/repositories/{name}/overview", "GET")
                        .route(web::get().to(repositories::overview)),
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
                .service(resource("/v1/analyze", "POST").route(web::post().to(analyze::analyze)))
                .default_service(web::to(not_found)),
        );
}

/// A resource whose other methods get 405 in our error format.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        let err = ApiError::new(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
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
            if tokens && e.status == actix_web::http::StatusCode::UNAUTHORIZED {
                state.throttle.failed(peer, throttle::Surface::Api);
            }
            // answered without attaching the error: the request logger would write a WARN
            // line per refusal, and guesses come by the thousand (the throttle sums them up)
            let res = actix_web::ResponseError::error_response(&e);
            Ok(req.into_response(res).map_into_right_body())
        }
    }
}

/// Builds the actix `App` for the given state.
pub fn app(
    state: web::Data<AppState>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let metrics = state.metrics.clone();
    let json_limit = state.settings.server.max_body_bytes;
    let web_enabled = state.settings.web.enabled;
    actix_web::App::new()
        .app_data(state)
        .app_data(
            web::JsonConfig::default()
                .limit(json_limit)
                .error_handler(|err, _req| {
                    let status = match &err {
                        actix_web::error::JsonPayloadError::Overflow { .. }
                        | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                        }
                        _ => actix_web::http::StatusCode::BAD_REQUEST,
                    };
                    ApiError::new(status, error::code_for(status), err.to_string()).into()
                }),
        )
        .app_data(web::QueryConfig::default().error_handler(|err, _req| {
            ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                error::ErrorCode::BadRequest,
                err.to_string(),
            )
            .into()
        }))
        .app_data(web::PathConfig::default().error_handler(|err, _req| {
            ApiError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                error::ErrorCode::BadRequest,
                err.to_string(),
            )
            .into()
        }))
        .app_data(
            web::FormConfig::default()
                .limit(json_limit)
                .error_handler(|err, _req| {
                    let status = match &err {
                        actix_web::error::UrlencodedError::Overflow { .. } => {
                            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                        }
                        _ => actix_web::http::StatusCode::BAD_REQUEST,
                    };
                    ApiError::new(status, error::code_for(status), err.to_string()).into()
                }),
        )
        .configure(configure)
        .configure(|cfg| crate::web::configure(cfg, web_enabled))
        .default_service(web::to(not_found))
        .wrap_fn(move |req, srv| {
            let metrics = metrics.clone();
            let method = crate::telemetry::method_label(req.method());
            let fut = srv.call(req);
            async move {
                let res = fut.await?;
                let route = res
                    .request()
                    .match_pattern()
                    .unwrap_or_else(|| "unmatched".to_string());
                metrics
                    .http_requests
                    .with_label_values(&[&route, method, res.status().as_str()])
                    .inc();
                Ok(res)
            }
        })
        .wrap(crate::telemetry::request_logger())
}

/// The app of the separate metrics listener: `/metrics` only.
pub fn metrics_app(
    state: web::Data<AppState>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    actix_web::App::new()
        .app_data(state)
        .service(resource("/metrics", "GET").route(web::get().to(health::metrics)))
        .default_service(web::to(not_found))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("no such route"))
}
