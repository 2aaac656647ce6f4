//! Reading a request body under a size limit, answering 413 in our error format.

use crate::app::error::{ApiError, ErrorCode};
use crate::config::ServerSettings;
use actix_web::web::{Bytes, BytesMut, Payload};
use actix_web::HttpRequest;
use futures::StreamExt;

/// Reads the whole body under `[server] max_body_bytes` and `body_timeout_ms`: 413 at once
/// when the declared `Content-Length` is too large, else as soon as the stream passes the
/// limit; 408 when the body has not arrived in time (a trickling client holds nothing long).
pub async fn read_limited(
    req: &HttpRequest,
    payload: Payload,
    server: &ServerSettings,
) -> Result<Bytes, ApiError> {
    let timeout = std::time::Duration::from_millis(server.body_timeout_ms);
    match tokio::time::timeout(timeout, read_under(req, payload, server.max_body_bytes)).await {
        Ok(read) => read,
        Err(_) => Err(ApiError::new(
            ErrorCode::RequestTimeout,
            format!(
                "the body did not arrive within {} ms",
                server.body_timeout_ms
            ),
        )),
    }
}

async fn read_under(
    req: &HttpRequest,
    mut payload: Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::payload_too_large(limit));
    }
    let mut body = BytesMut::with_capacity(declared.unwrap_or(8 * 1024).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ErrorCode::BadRequest,
                format!("could not read the body: {e}"),
            )
        })?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
