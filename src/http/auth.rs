//! Bearer-token guard for the management API under `/api/`.

use super::error::ApiError;
use crate::config::Settings;
use crate::trackers::signature::constant_time_eq;
use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;
use actix_web::HttpMessage;

/// What a caller of `/api/` may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Read,
    Operator,
}

/// Decides the caller's role from `Authorization: Bearer <token>`, or refuses with 401.
pub fn authenticate(settings: &Settings, req: &ServiceRequest) -> Result<Role, ApiError> {
    let api = &settings.api;
    if !api.has_tokens() {
        return if settings.server.listen.ip().is_loopback() {
            Ok(Role::Operator)
        } else {
            Err(unauthorized("the management API has no tokens configured"))
        };
    }
    let presented = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| unauthorized("missing bearer token"))?;
    let matches = |tokens: &[crate::config::Secret]| {
        // Compare against every token so timing does not tell which list matched.
        tokens.iter().fold(false, |hit, t| {
            constant_time_eq(t.expose().as_bytes(), presented.as_bytes()) | hit
        })
    };
    let operator = matches(&api.operator_tokens);
    let read = matches(&api.read_tokens);
    match (operator, read) {
        (true, _) => Ok(Role::Operator),
        (false, true) => Ok(Role::Read),
        _ => Err(unauthorized("invalid bearer token")),
    }
}

/// Refuses (403) a caller whose role is below `needed`.
pub fn require(req: &actix_web::HttpRequest, needed: Role) -> Result<(), ApiError> {
    let role = req
        .extensions()
        .get::<Role>()
        .copied()
        .unwrap_or(Role::Read);
    if role >= needed {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this action needs an operator token",
        ))
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}
