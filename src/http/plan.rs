//! `GET /api/v1/plan?sprint=…|release=…|open=true`: the plan (`planview::plan`) as JSON,
//! with `tickets` and `modules` arrays; no parameter is `open=true`.

use crate::app::error::ApiError;
use crate::app::AppState;
use crate::planview::PlanQuery;
use actix_web::{web, HttpResponse};

/// The plan for one sprint, one release, or every open ticket.
#[tracing::instrument(skip_all)]
pub async fn get(
    state: web::Data<AppState>,
    q: web::Query<PlanQuery>,
) -> Result<HttpResponse, ApiError> {
    let plan = crate::planview::plan(&state.store, &q.filter())
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(plan))
}
