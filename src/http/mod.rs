//! actix routes only: extract, call one function, map the result to a status.

mod analyze;
mod body;
pub mod error;
mod health;
mod webhooks;

use crate::codeindex::CodeIndex;
use crate::config::Settings;
use crate::ingest::Ingestor;
use crate::metrics::Metrics;
use crate::store::Store;
use actix_web::dev::Service;
use actix_web::{web, HttpResponse};
use error::ApiError;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Everything a handler may reach.
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub ingestor: Ingestor,
    pub metrics: Metrics,
    pub code_index: Arc<CodeIndex>,
    /// Caps analyses running at once (each holds a blocking thread).
    pub search_slots: Arc<Semaphore>,
}

/// Registers every route and the request-counting middleware.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .route("/webhooks/{tracker}", web::post().to(webhooks::receive))
        .route("/api/v1/analyze", web::post().to(analyze::analyze));
}

/// Builds the actix `App` for the given state.
pub fn app(
    state: web::Data<AppState>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let metrics = state.metrics.clone();
    actix_web::App::new()
        .app_data(state)
        .configure(configure)
        .default_service(web::to(not_found))
        .wrap_fn(move |req, srv| {
            let metrics = metrics.clone();
            let method = req.method().to_string();
            let fut = srv.call(req);
            async move {
                let res = fut.await?;
                let route = res
                    .request()
                    .match_pattern()
                    .unwrap_or_else(|| "unmatched".to_string());
                metrics
                    .http_requests
                    .with_label_values(&[&route, &method, res.status().as_str()])
                    .inc();
                Ok(res)
            }
        })
        .wrap(tracing_actix_web::TracingLogger::default())
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found("no such route"))
}
