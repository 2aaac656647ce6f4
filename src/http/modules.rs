//! `GET /api/v1/modules` (sortable, filterable by repository) and `GET /api/v1/modules/{id}`:
//! fragility, metrics, reasons, owners, coupled modules and hottest files;
//! `GET /api/v1/modules/{id}/dependencies`: what it imports and what imports it.

use crate::app::error::{ApiError, ErrorCode};
use crate::app::AppState;
use crate::moduleview::summary;
use crate::store::ScoreSort;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    repository: Option<String>,
    /// `score` (default), `commits`, `fixes`, `churn`, `authors`, `last_change`, `size`, `name`.
    sort: Option<String>,
    /// `desc` (default) or `asc`.
    order: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// Lists scored modules, most fragile first unless asked otherwise.
#[tracing::instrument(skip_all)]
pub async fn list(
    state: web::Data<AppState>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let sort = match q.sort.as_deref() {
        None => ScoreSort::Score,
        Some(s) => serde_json::from_value(json!(s))
            .map_err(|_| bad_field("sort", format!("unknown sort `{s}`")))?,
    };
    let descending = match q.order.as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(o) => {
            return Err(bad_field(
                "order",
                format!("order must be asc or desc, not `{o}`"),
            ))
        }
    };
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(bad_field("limit", "limit must be 1 to 500".into()));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(bad_field("offset", "offset must not be negative".into()));
    }
    let rows = state
        .store
        .list_scores(
            "module",
            q.repository.as_deref(),
            sort,
            descending,
            limit,
            offset,
        )
        .await
        .map_err(ApiError::internal)?;
    let modules: Vec<Value> = rows.iter().map(summary).collect();
    Ok(HttpResponse::Ok().json(json!({ "modules": modules })))
}

/// One module in full (`moduleview::module_detail`).
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn get(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body =
        crate::moduleview::module_detail(&state.store, state.settings.history.window_days, &id)
            .await
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::not_found(format!("no module with id `{id}`")))?;
    Ok(HttpResponse::Ok().json(body))
}

/// What a module depends on and what uses it, from the code's own imports, beside its
/// change coupling (`moduleview::module_dependencies`).
#[tracing::instrument(skip_all, fields(id = %id))]
pub async fn dependencies(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let body = crate::moduleview::module_dependencies(&state.store, &id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("no module with id `{id}`")))?;
    Ok(HttpResponse::Ok().json(body))
}

fn bad_field(field: &str, message: String) -> ApiError {
    ApiError {
        field: Some(field.into()),
        ..ApiError::new(ErrorCode::BadRequest, message)
    }
}
