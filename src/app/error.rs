//! The one mapping from error kind to HTTP status, and the one JSON error body:
//! `{"error": {"code": "...", "message": "...", "field": "..."}}`.

use crate::enrich::AnalyzeError;
use crate::ingest::IngestError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use std::fmt;

/// Every code an API error may carry: the one list, which `openapi/ticketlens.yaml` gives
/// as the `Error.code` enum (a test keeps the two equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    RequestTimeout,
    Conflict,
    PayloadTooLarge,
    /// Too many failed authentications from this peer: wait (`Retry-After`).
    TooManyRequests,
    Busy,
    StoreUnavailable,
    NotReady,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::RequestTimeout,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::TooManyRequests,
        ErrorCode::Busy,
        ErrorCode::StoreUnavailable,
        ErrorCode::NotReady,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    /// The code as the JSON body writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::TooManyRequests => "too_many_requests",
            ErrorCode::Busy => "busy",
            ErrorCode::StoreUnavailable => "store_unavailable",
            ErrorCode::NotReady => "not_ready",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status every error with this code answers: each code owns one.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Busy
            | ErrorCode::StoreUnavailable
            | ErrorCode::NotReady
            | ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as the API answers it. 5xx messages stay generic; the cause goes to the log.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The status this error answers: its code's.
    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::NotFound, what)
    }

    /// A 400 naming the offending field.
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            field: Some(field.to_string()),
            ..ApiError::new(ErrorCode::BadRequest, message)
        }
    }

    pub fn payload_too_large(limit: usize) -> Self {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("body is larger than the {limit} byte limit"),
        )
    }

    /// A 500 whose cause is logged, never returned.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        ApiError::new(ErrorCode::Internal, "internal error; see the service log")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut error = json!({ "code": self.code.as_str(), "message": self.message });
        if let Some(field) = &self.field {
            error["field"] = json!(field);
        }
        HttpResponse::build(self.status()).json(json!({ "error": error }))
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Unauthorized(v) => ApiError::new(ErrorCode::Unauthorized, v.to_string()),
            IngestError::BadRequest(p) => ApiError {
                field: Some(p.field.clone()),
                ..ApiError::new(ErrorCode::BadRequest, p.to_string())
            },
            IngestError::Busy => ApiError::new(
                ErrorCode::Busy,
                "too many webhooks are waiting to be stored; retry later",
            ),
            // nothing was acknowledged: the tracker retries, and the store recovers by itself
            IngestError::Store(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "webhook not stored");
                ApiError::new(
                    ErrorCode::StoreUnavailable,
                    "the webhook could not be stored; retry later",
                )
            }
        }
    }
}

impl From<AnalyzeError> for ApiError {
    fn from(e: AnalyzeError) -> Self {
        match e {
            AnalyzeError::EmptyText | AnalyzeError::TitleTooLong => {
                ApiError::bad_request("title", e.to_string())
            }
            AnalyzeError::NotReady => ApiError::new(ErrorCode::NotReady, e.to_string()),
            // A well-formed name that is not configured: a missing resource, not a bad request.
            AnalyzeError::UnknownRepository(_) => ApiError {
                field: Some("repository".into()),
                ..ApiError::not_found(e.to_string())
            },
            AnalyzeError::Internal(cause) => ApiError::internal(format!("{cause:#}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_owns_an_error_status() {
        for code in ErrorCode::ALL {
            let status = code.status();
            assert!(
                status.is_client_error() || status.is_server_error(),
                "{code}"
            );
        }
        assert_eq!(
            ErrorCode::NotReady.status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            ApiError::payload_too_large(10).status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }
}
