//! `/api/trace`: trace requests (International Tracing Instrument). Their contents are
//! never public; a signed-in viewer sees a request only if they may see every item it
//! is about (the application decides).

use armtrace_app::{NewTrace, TraceList, TraceStep, TraceView};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiQuery;
use super::schema;
use crate::auth::{Access, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TraceListParams {
    /// Only requests with this status: draft, sent, acknowledged, answered, closed or overdue.
    #[param(schema_with = schema::trace_status)]
    pub status: Option<String>,
}

#[utoipa::path(
    get, path = "/api/trace", tag = "trace",
    params(TraceListParams),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Trace requests", body = TraceList),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
    )
)]
pub async fn list_trace(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(p): ApiQuery<TraceListParams>,
) -> ApiResult<Json<TraceList>> {
    viewer.require(Access::SignedIn, "read trace requests")?;
    Ok(Json(
        viewer
            .view(&state)
            .trace_requests(None, p.status.as_deref())
            .await?,
    ))
}

#[utoipa::path(
    get, path = "/api/trace/{ref}", tag = "trace",
    params(("ref" = String, Path, description = "The trace request's reference")),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The trace request", body = TraceView),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 404, description = "No such request (or not yours to see)", body = crate::error::ErrorBody),
    )
)]
pub async fn get_trace(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> ApiResult<Json<TraceView>> {
    viewer.require(Access::SignedIn, "read trace requests")?;
    Ok(Json(viewer.view(&state).trace_request(&reference).await?))
}

#[utoipa::path(
    post, path = "/api/trace", tag = "trace",
    request_body = NewTrace,
    security(("bearer" = ["write"]), ("session" = ["write"])),
    responses(
        (status = 201, description = "The drafted request", body = TraceView),
        (status = 400, description = "A missing or malformed field", body = crate::error::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Your role may not write", body = crate::error::ErrorBody),
        (status = 404, description = "No such item", body = crate::error::ErrorBody),
    )
)]
pub async fn create_trace(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Result<Json<NewTrace>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<(StatusCode, Json<TraceView>)> {
    viewer.require(Access::Write, "create trace requests")?;
    let Json(new) =
        body.map_err(|e| ApiError::bad_request(format!("bad request body: {}", e.body_text())))?;
    let request = viewer.desk(&state)?.draft_trace(&new).await?;
    Ok((StatusCode::CREATED, Json(request)))
}

#[utoipa::path(
    post, path = "/api/trace/{ref}/{action}", tag = "trace",
    params(
        ("ref" = String, Path, description = "The trace request's reference"),
        ("action" = String, Path, description = "send, acknowledge, answer or close"),
    ),
    request_body = TraceStep,
    security(("bearer" = ["write"]), ("session" = ["write"])),
    responses(
        (status = 200, description = "The request after the step", body = TraceView),
        (status = 400, description = "A missing or malformed field", body = crate::error::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Your role may not write", body = crate::error::ErrorBody),
        (status = 404, description = "No such request or action", body = crate::error::ErrorBody),
        (status = 409, description = "The step is not allowed from the request's status", body = crate::error::ErrorBody),
    )
)]
pub async fn advance_trace(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((reference, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<TraceView>> {
    viewer.require(Access::Write, "change trace requests")?;
    let step: TraceStep = if body.iter().all(u8::is_ascii_whitespace) {
        TraceStep::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(format!(
                "the body must be JSON like {{\"on\":\"2024-05-01\",\"text\":\"…\"}}: {e}"
            ))
        })?
    };
    let request = viewer
        .desk(&state)?
        .advance_trace(&reference, &action, &step)
        .await?;
    Ok(Json(request))
}
