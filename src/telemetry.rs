//! Logging setup: pretty logs in a terminal, JSON logs otherwise (or as configured).

use std::io::IsTerminal;
use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber once; later calls are no-ops (tests start many apps).
pub fn init(format: &str, level: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match format {
        "json" => true,
        "pretty" => false,
        _ => !std::io::stderr().is_terminal(),
    };
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.try_init()
    };
}

/// The request logger of the HTTP server: one span per request, whose target is the path
/// alone. Query strings are never logged: a caller may put a token there (`?token=…`), and
/// logs travel further than secrets should.
pub fn request_logger() -> tracing_actix_web::TracingLogger<RedactedRootSpan> {
    tracing_actix_web::TracingLogger::new()
}

/// The `method` label of a request: the standard methods by name, anything else `other`,
/// so invented methods cannot add metric series nor fill log lines (labels come from fixed
/// sets).
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    match method.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "PATCH" => "PATCH",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "other",
    }
}

/// Root spans like tracing-actix-web's default, with the query string replaced by
/// `?[redacted]` and the method named from a fixed set.
pub struct RedactedRootSpan;

impl tracing_actix_web::RootSpanBuilder for RedactedRootSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        let target = redacted_target(request.uri());
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_string());
        tracing::info_span!(
            "HTTP request",
            http.method = method_label(request.method()),
            http.route = %route,
            http.target = %target,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome)
    }
}

/// The path of a request URI, with `?[redacted]` in place of any query.
fn redacted_target(uri: &actix_web::http::Uri) -> String {
    match uri.query() {
        Some(_) => format!("{}?[redacted]", uri.path()),
        None => uri.path().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn a_token_in_the_query_string_never_reaches_the_log() {
        use actix_web::{test, web, App, HttpResponse};
        let captured = Captured::default();
        for json in [false, true] {
            let sink = captured.clone();
            let builder = fmt()
                .with_writer(move || sink.clone())
                .with_max_level(tracing::Level::INFO);
            let _guard = if json {
                tracing::subscriber::set_default(builder.json().flatten_event(true).finish())
            } else {
                tracing::subscriber::set_default(builder.finish())
            };
            let app = test::init_service(App::new().wrap(request_logger()).route(
                "/api/v1/jobs",
                web::get().to(|| async {
                    tracing::warn!("inside the request");
                    HttpResponse::Ok().finish()
                }),
            ))
            .await;
            let req = test::TestRequest::get()
                .uri("/api/v1/jobs?token=hunter2-secret&state=dead")
                .to_request();
            assert!(test::call_service(&app, req).await.status().is_success());
        }
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("inside the request"), "{log}");
        assert!(log.contains("/api/v1/jobs?[redacted]"), "{log}");
        assert!(!log.contains("hunter2"), "{log}");
    }
}
