//! The actix applications `serve` runs: the main one (the JSON API of `http`, the pages of
//! `web`, request metrics and the request log) and the metrics listener's. Wiring only; the
//! routes live in their rooms.

use crate::app::error::{ApiError, ErrorCode};
use crate::app::AppState;
use crate::{http, web};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::web::Data;

/// Builds the actix `App` for the given state.
pub(crate) fn app(
    state: Data<AppState>,
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
            actix_web::web::JsonConfig::default()
                .limit(json_limit)
                .error_handler(|err, _req| {
                    let code = match &err {
                        actix_web::error::JsonPayloadError::Overflow { .. }
                        | actix_web::error::JsonPayloadError::OverflowKnownLength { .. } => {
                            ErrorCode::PayloadTooLarge
                        }
                        _ => ErrorCode::BadRequest,
                    };
                    ApiError::new(code, err.to_string()).into()
                }),
        )
        .app_data(
            actix_web::web::QueryConfig::default().error_handler(|err, _req| {
                ApiError::new(ErrorCode::BadRequest, err.to_string()).into()
            }),
        )
        .app_data(
            actix_web::web::PathConfig::default().error_handler(|err, _req| {
                ApiError::new(ErrorCode::BadRequest, err.to_string()).into()
            }),
        )
        .app_data(
            actix_web::web::FormConfig::default()
                .limit(json_limit)
                .error_handler(|err, _req| {
                    let code = match &err {
                        actix_web::error::UrlencodedError::Overflow { .. } => {
                            ErrorCode::PayloadTooLarge
                        }
                        _ => ErrorCode::BadRequest,
                    };
                    ApiError::new(code, err.to_string()).into()
                }),
        )
        .configure(http::configure)
        .configure(|cfg| web::configure(cfg, web_enabled))
        .default_service(actix_web::web::to(http::not_found))
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
pub(crate) fn metrics_app(
    state: Data<AppState>,
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
        .configure(http::configure_metrics)
        .default_service(actix_web::web::to(http::not_found))
}
