//! `GET /api/v1/tickets/{tracker}/{key}`: the stored ticket and its duplicate candidates.

use crate::app::error::ApiError;
use crate::app::AppState;
use crate::domain::{TicketKey, Tracker};
use actix_web::{web, HttpResponse};

/// Answers the ticket with its duplicates, 404 for an unknown tracker or ticket.
#[tracing::instrument(skip_all, fields(tracker = %path.0, key = %path.1))]
pub async fn get_ticket(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (tracker, key) = path.into_inner();
    let tracker = Tracker::parse(&tracker).ok_or_else(|| ApiError::not_found("no such tracker"))?;
    let key = TicketKey::parse(&key).map_err(ApiError::not_found)?;
    let view = crate::ticketview::ticket_view(
        &state.store,
        state.ticket_index.clone(),
        &state.settings.duplicates,
        tracker,
        key.as_str(),
    )
    .await
    .map_err(ApiError::internal)?
    .ok_or_else(|| ApiError::not_found("no such ticket"))?;
    Ok(HttpResponse::Ok().json(view))
}
