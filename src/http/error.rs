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
    /// Any other status without a code of its own.
    Error,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 15] = [
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
        ErrorCode::Error,
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
            ErrorCode::Error => "error",
        }
    }
}

/// Handlers may name a code by its written form (`"conflict"`); a name off the list is a
/// bug, caught by a debug assertion and answered as `internal`.
impl From<&'static str> for ErrorCode {
    fn from(name: &'static str) -> Self {
        let code = ErrorCode::ALL.into_iter().find(|c| c.as_str() == name);
        debug_assert!(code.is_some(), "error code {name} is not in ErrorCode");
        code.unwrap_or(ErrorCode::Internal)
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
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<ErrorCode>, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            field: None,
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, what)
    }

    /// A 400 naming the offending field.
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        ApiError {
            field: Some(field.to_string()),
            ..ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
        }
    }

    pub fn payload_too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            format!("body is larger than the {limit} byte limit"),
        )
    }

    /// A 500 whose cause is logged, never returned.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error; see the service log",
        )
    }
}

/// The error code used for a plain status.
pub fn code_for(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        400 => ErrorCode::BadRequest,
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        408 => ErrorCode::RequestTimeout,
        409 => ErrorCode::Conflict,
        413 => ErrorCode::PayloadTooLarge,
        429 => ErrorCode::TooManyRequests,
        503 => ErrorCode::Unavailable,
        s if s >= 500 => ErrorCode::Internal,
        _ => ErrorCode::Error,
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
        let mut error = json!({ "code": self.code.as_str(), "message": self.message });
        if let Some(field) = &self.field {
            error["field"] = json!(field);
        }
        HttpResponse::build(self.status).json(json!({ "error": error }))
    }
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Unauthorized(v) => ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                v.to_string(),
            ),
            IngestError::BadRequest(p) => ApiError {
                field: Some(p.field.clone()),
                ..ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadRequest,
                    p.to_string(),
                )
            },
            IngestError::Busy => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Busy,
                "too many webhooks are waiting to be stored; retry later",
            ),
            // nothing was acknowledged: the tracker retries, and the store recovers by itself
            IngestError::Store(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "webhook not stored");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
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
            AnalyzeError::EmptyText => ApiError::bad_request("title", e.to_string()),
            AnalyzeError::NotReady => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::NotReady,
                e.to_string(),
            ),
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
    fn the_openapi_error_schema_lists_exactly_our_codes() {
        let spec = super::super::spec_json();
        let listed: Vec<&str> = spec["components"]["schemas"]["Error"]["properties"]["error"]
            ["properties"]["code"]["enum"]
            .as_array()
            .expect("Error.code has an enum")
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let ours: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, ours);
    }

    #[test]
    fn every_status_maps_to_a_listed_code() {
        for status in [400, 401, 403, 404, 405, 408, 409, 413, 418, 500, 503] {
            let code = code_for(StatusCode::from_u16(status).unwrap());
            assert!(ErrorCode::ALL.contains(&code));
        }
        assert_eq!(ErrorCode::from("conflict"), ErrorCode::Conflict);
    }
}
