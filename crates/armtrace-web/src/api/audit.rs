//! `/api/audit`: the tamper-evident log, for admins: its entries and a verification of
//! the chain and the evidence files.

use armtrace_core::audit::AuditEntry;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::schema;
use super::{ApiQuery, number_param};
use crate::auth::{Access, Viewer};
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Entries after this sequence number (default 0: from the start).
    #[param(schema_with = schema::offset)]
    pub after: Option<String>,
    /// At most this many entries (default 100, at most 1000).
    #[param(schema_with = schema::audit_limit)]
    pub limit: Option<String>,
}

#[utoipa::path(
    get, path = "/api/audit", tag = "system",
    params(AuditParams),
    security(("bearer" = ["admin"]), ("session" = ["admin"])),
    responses(
        (status = 200, description = "Audit entries in sequence order: seq, at, actor, action, entity, entity_ref, detail, prev_hash, hash", body = serde_json::Value),
        (status = 400, description = "A malformed parameter", body = crate::error::ErrorBody),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Admins only", body = crate::error::ErrorBody),
    )
)]
pub async fn audit_log(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    viewer.require(Access::Admin, "read the audit log")?;
    let after = number_param("after", &p.after, 0, i64::MAX as u64)? as i64;
    let limit = number_param("limit", &p.limit, 100, 1000)? as u32;
    Ok(Json(
        viewer.desk(&state)?.audit_entries(after, limit).await?,
    ))
}

#[utoipa::path(
    get, path = "/api/audit/verify", tag = "system",
    security(("bearer" = ["admin"]), ("session" = ["admin"])),
    responses(
        (status = 200, description = "The verification: intact or the first entry or file that was altered, removed or reordered (as `armtrace audit verify --json`)", body = serde_json::Value),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
        (status = 403, description = "Admins only", body = crate::error::ErrorBody),
    )
)]
pub async fn audit_verify(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Json<serde_json::Value>> {
    viewer.require(Access::Admin, "verify the audit log")?;
    let v = viewer.desk(&state)?.audit_verify().await?;
    Ok(Json(
        serde_json::to_value(v).map_err(crate::error::ApiError::internal)?,
    ))
}
