//! `/api/trace`: trace requests (International Tracing Instrument). Their contents are
//! never public; a signed-in viewer sees a request only if they may see every item it
//! is about.

use armtrace_core::link::{self, LinkEntry};
use armtrace_core::trace::{Addressee, AddresseeKind, TraceRequest, TraceStatus, TraceSubject};
use armtrace_core::{CountryCode, PartialDate};
use armtrace_store::items::ItemFilter;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiQuery;
use super::items::visible_item;
use super::schema;
use crate::auth::{Access, Viewer};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Today, for dates recorded on trace requests.
pub fn today() -> PartialDate {
    let now = jiff::Zoned::now();
    PartialDate::ymd(now.year(), now.month() as u8, now.day() as u8).expect("today is a date")
}

/// Whether the viewer may see every item a request is about.
pub async fn may_see(state: &AppState, viewer: &Viewer, request: &TraceRequest) -> ApiResult<bool> {
    if viewer.clearance.sees_everything() {
        return Ok(true);
    }
    for r in request.subject.refs() {
        match state.store.item(r).await {
            Ok(s) if viewer.clearance.allows(s.item.confidentiality, s.id) => {}
            Ok(_) => return Ok(false),
            // An item removed since: judge by the rest.
            Err(armtrace_store::StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(true)
}

/// The trace requests the viewer may see, oldest first; with `about`, only those whose
/// subject includes that item (filtered before visibility is checked item by item).
pub async fn visible_requests(
    state: &AppState,
    viewer: &Viewer,
    about: Option<&str>,
) -> ApiResult<Vec<TraceRequest>> {
    let mut out = Vec::new();
    for r in state.store.trace_requests().await? {
        if about.is_some_and(|a| !r.subject.refs().contains(&a)) {
            continue;
        }
        if may_see(state, viewer, &r).await? {
            out.push(r);
        }
    }
    Ok(out)
}

/// A request the viewer may see, or 404.
pub async fn visible_request(
    state: &AppState,
    viewer: &Viewer,
    reference: &str,
) -> ApiResult<TraceRequest> {
    let not_found = || {
        ApiError::not_found(format!(
            "trace request {reference:?} is not in the register"
        ))
    };
    let request = match state.store.trace_request(reference).await {
        Ok(r) => r,
        Err(armtrace_store::StoreError::NotFound { .. }) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    if may_see(state, viewer, &request).await? {
        Ok(request)
    } else {
        Err(not_found())
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TraceListParams {
    /// Only requests with this status: draft, sent, acknowledged, answered, closed or overdue.
    #[param(schema_with = schema::trace_status)]
    pub status: Option<String>,
}

/// A request with its computed state.
#[derive(Debug, Serialize, ToSchema)]
pub struct TraceView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub request: TraceRequest,
    pub overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TraceList {
    pub total: usize,
    pub requests: Vec<TraceView>,
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
    let today = today();
    let status = p.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let wanted = match status {
        None | Some("overdue") => None,
        Some(s) => Some(s.parse::<TraceStatus>().map_err(|_| {
            ApiError::bad_request(format!(
                "parameter status={s:?}: use draft, sent, acknowledged, answered, closed or overdue"
            ))
        })?),
    };
    let mut requests: Vec<TraceView> = visible_requests(&state, &viewer, None)
        .await?
        .into_iter()
        .map(|r| TraceView {
            overdue: r.is_overdue(today),
            request: r,
        })
        .collect();
    if status == Some("overdue") {
        requests.retain(|r| r.overdue);
    } else if let Some(w) = wanted {
        requests.retain(|r| r.request.status == w);
    }
    Ok(Json(TraceList {
        total: requests.len(),
        requests,
    }))
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
    let request = visible_request(&state, &viewer, &reference).await?;
    Ok(Json(TraceView {
        overdue: request.is_overdue(today()),
        request,
    }))
}

/// A new trace request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTrace {
    /// The item the request is about (`subject` = item), or a member of the run or lot.
    #[serde(rename = "ref")]
    pub reference: String,
    /// `item` (default), `run` (the item's serial run) or `lot` (the item's lot).
    pub subject: Option<String>,
    /// The manufacturer or state asked.
    pub to: String,
    /// `manufacturer` (default) or `state`.
    pub to_kind: Option<String>,
    /// The addressee's country (code or name).
    pub to_country: Option<String>,
    pub requesting_party: Option<String>,
    pub reason: Option<String>,
    pub intended_use: Option<String>,
    /// Reply wanted by (YYYY-MM-DD).
    pub due_on: Option<String>,
}

fn bad(field: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("field {field}: {why}"))
}

/// Refuses text with control characters (other than line breaks and tabs): a trace
/// request is a document sent to others, and no register field may hold a NUL.
fn plain_text(fields: &[(&'static str, Option<&str>)]) -> ApiResult<()> {
    for (field, value) in fields {
        if value.is_some_and(|v| {
            v.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        }) {
            return Err(bad(field, "contains control characters"));
        }
    }
    Ok(())
}

/// Drafts a trace request for a viewer (shared by the API and the item page).
pub async fn draft(state: &AppState, viewer: &Viewer, new: &NewTrace) -> ApiResult<TraceRequest> {
    plain_text(&[
        ("ref", Some(&new.reference)),
        ("subject", new.subject.as_deref()),
        ("to", Some(&new.to)),
        ("to_kind", new.to_kind.as_deref()),
        ("to_country", new.to_country.as_deref()),
        ("requesting_party", new.requesting_party.as_deref()),
        ("reason", new.reason.as_deref()),
        ("intended_use", new.intended_use.as_deref()),
        ("due_on", new.due_on.as_deref()),
    ])?;
    let anchor = visible_item(state, viewer, &new.reference).await?;
    let subject = match new.subject.as_deref().unwrap_or("item") {
        "item" => TraceSubject::Item {
            reference: anchor.item.reference.clone(),
        },
        kind @ ("run" | "lot") => {
            let filter = ItemFilter {
                manufacturer: anchor.item.manufacturer.clone(),
                clearance: Some(viewer.clearance.clone()),
                ..ItemFilter::default()
            };
            let rows = state.store.link_rows(&filter).await?;
            let entries: Vec<LinkEntry> = rows.iter().map(|r| r.entry()).collect();
            let r = &anchor.item.reference;
            if kind == "run" {
                let runs = link::link_runs(&entries, link::DEFAULT_GAP);
                let run = runs.iter().find(|x| x.refs.contains(r)).ok_or_else(|| {
                    bad(
                        "subject",
                        format!("{r} is not in a serial run; trace it alone with subject=item"),
                    )
                })?;
                TraceSubject::from(run)
            } else {
                let lots = link::lot_clusters(&entries);
                let lot = lots.iter().find(|x| x.refs.contains(r)).ok_or_else(|| {
                    bad("subject", format!("{r} shares its lot with no other item; trace it alone with subject=item"))
                })?;
                TraceSubject::from(lot)
            }
        }
        other => {
            return Err(bad(
                "subject",
                format!("{other:?} is not one of item, run, lot"),
            ));
        }
    };
    let kind = match new.to_kind.as_deref().unwrap_or("manufacturer") {
        "manufacturer" => AddresseeKind::Manufacturer,
        "state" => AddresseeKind::State,
        other => {
            return Err(bad(
                "to_kind",
                format!("{other:?} is not one of manufacturer, state"),
            ));
        }
    };
    if new.to.trim().is_empty() {
        return Err(bad("to", "name the manufacturer or state to ask"));
    }
    let country = new
        .to_country
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| CountryCode::parse(s).map_err(|e| bad("to_country", e)))
        .transpose()?;
    let due_on = new
        .due_on
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse::<PartialDate>().map_err(|e| bad("due_on", e)))
        .transpose()?;
    let mut items = Vec::new();
    for r in subject.refs() {
        items.push(state.store.item(r).await?.item);
    }
    let today = today();
    let reference = state.store.next_trace_ref(today.year()).await?;
    let addressee = Addressee {
        kind,
        name: new.to.trim().to_owned(),
        country,
    };
    let mut request = TraceRequest::draft(reference, subject, addressee, &items, today);
    request.requesting_party = new.requesting_party.clone().unwrap_or_default();
    request.reason = new.reason.clone().unwrap_or_default();
    request.intended_use = new.intended_use.clone().filter(|s| !s.trim().is_empty());
    request.due_on = due_on;
    state
        .store
        .insert_trace_request(&request, &viewer.actor())
        .await?;
    Ok(request)
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
    let request = draft(&state, &viewer, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(TraceView {
            overdue: false,
            request,
        }),
    ))
}

/// A step in a request's life.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct TraceStep {
    /// When it happened (default today).
    pub on: Option<String>,
    /// The answer's text (for `answer`).
    pub text: Option<String>,
}

/// The steps of `/api/trace/{ref}/{action}` and `/trace/{ref}/{action}`, and the status
/// each leads to.
pub const ACTIONS: [(&str, TraceStatus); 4] = [
    ("send", TraceStatus::Sent),
    ("acknowledge", TraceStatus::Acknowledged),
    ("answer", TraceStatus::Answered),
    ("close", TraceStatus::Closed),
];

/// Moves a request on (shared by the API and the trace page).
pub async fn advance(
    state: &AppState,
    viewer: &Viewer,
    reference: &str,
    action: &str,
    step: &TraceStep,
) -> ApiResult<TraceRequest> {
    plain_text(&[("on", step.on.as_deref()), ("text", step.text.as_deref())])?;
    let mut request = visible_request(state, viewer, reference).await?;
    let on = match step.on.as_deref().filter(|s| !s.trim().is_empty()) {
        None => today(),
        Some(s) => s.parse::<PartialDate>().map_err(|e| bad("on", e))?,
    };
    let to = ACTIONS
        .iter()
        .find(|(name, _)| *name == action)
        .map(|(_, status)| *status)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "{action:?} is not a trace action: use send, acknowledge, answer or close"
            ))
        })?;
    let result = if to == TraceStatus::Answered {
        let text = step
            .text
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                bad(
                    "text",
                    "give the answer's text (what the manufacturer or state said)",
                )
            })?;
        request.record_answer(text, on)
    } else {
        request.advance(to, on)
    };
    result.map_err(|e| ApiError::new(StatusCode::CONFLICT, e.to_string()))?;
    state
        .store
        .update_trace_request(&request, &viewer.actor())
        .await?;
    Ok(request)
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
    let request = advance(&state, &viewer, &reference, &action, &step).await?;
    Ok(Json(TraceView {
        overdue: request.is_overdue(today()),
        request,
    }))
}
