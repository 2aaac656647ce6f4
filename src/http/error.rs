//! The one mapping from error kind to HTTP status, and the one JSON error body:
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`.

use crate::enrich::AnalyzeError;
use crate::ingest::IngestError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use std::fmt;

/// An error as the API answers it. 5xx messages stay generic; the cause goes to the log.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    /// A 400 naming the offending field.
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            field: Some(field.to_string()),
            ..ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
        }
    }

    pub fn payload_too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("body is larger than the {limit} byte limit"),
        )
    }

    /// A 500 whose cause is logged, never returned.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the service log",
        )
    }
}

/// The error code used for a plain status.
pub fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        503 => "unavailable",
        s if s >= 500 => "internal",
        _ => "error",
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(field) = &self.field {
            error["field"] = json!(field);
        }
        HttpResponse::build(self.status).json(json!({ "error": error }))
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Unauthorized(v) => {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", v.to_string())
            }
            IngestError::BadRequest(p) => ApiError {
                field: Some(p.field.clone()),
                ..ApiError::new(StatusCode::BAD_REQUEST, "bad_request", p.to_string())
            },
            IngestError::Busy => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "too many webhooks are waiting to be stored; retry later",
            ),
            // nothing was acknowledged: the tracker retries, and the store recovers by itself
            IngestError::Store(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "webhook not stored");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "the webhook could not be stored; retry later",
                )
            }
        }
    }
}

impl From<AnalyzeError> for ApiError {
    fn from(e: AnalyzeError) -> Self {
        match e {
            AnalyzeError::EmptyText => ApiError::bad_request("title", e.to_string()),
            AnalyzeError::NotReady => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", e.to_string())
            }
            // A well-formed name that is not configured: a missing resource, not a bad request.
            AnalyzeError::UnknownRepository(_) => ApiError {
                field: Some("repository".into()),
                ..ApiError::not_found(e.to_string())
            },
            AnalyzeError::Internal(cause) => ApiError::internal(format!("{cause:#}")),
        }
    }
}
