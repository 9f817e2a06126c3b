//! The pages of signed-in work: transfers, the trace-request board and its steps, and
//! imports with their progress. Forms post with the session's CSRF token.

use std::collections::BTreeMap;

use armtrace_app::{NewTrace, TraceStep, next_actions};
use armtrace_core::trace::TraceStatus;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use minijinja::context;
use serde::Deserialize;

use super::browse::query;
use super::{Page, PageResult};
use crate::api::{imports, number_param};
use crate::auth::{Access, Viewer};
use crate::state::AppState;

pub async fn transfers(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> PageResult {
    #[derive(Deserialize)]
    struct Params {
        q: Option<String>,
        page: Option<String>,
    }
    let (map, params) = query::<Params>(&raw)
        .map_err(|e| Page::new(&state, &viewer, "/transfers", BTreeMap::new()).fail(e))?;
    let page = Page::new(&state, &viewer, "/transfers", map);
    page.require(Access::SignedIn, "read transfers")?;
    const PER_PAGE: u64 = 100;
    let number = number_param("page", &params.page, 1, u32::MAX as u64)
        .map_err(|e| page.fail(e))?
        .max(1);
    let found = viewer
        .view(&state)
        .transfers(params.q.as_deref(), None, (number - 1) * PER_PAGE, PER_PAGE)
        .await
        .map_err(|e| page.fail(e.into()))?;
    page.render(
        "transfers.html",
        context! { transfers => found.transfers, total => found.total, page => number, pages => (found.total as u64).div_ceil(PER_PAGE).max(1) },
    )
}

pub async fn trace_board(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let page = Page::new(&state, &viewer, "/trace", BTreeMap::new());
    page.require(Access::SignedIn, "read trace requests")?;
    let requests = viewer
        .view(&state)
        .trace_requests(None, None)
        .await
        .map_err(|e| page.fail(e.into()))?
        .requests;
    let columns: Vec<_> = TraceStatus::ALL
        .iter()
        .map(|s| {
            let list: Vec<_> = requests
                .iter()
                .filter(|r| r.request.status == *s)
                .map(|r| context! { request => &r.request, overdue => r.overdue })
                .collect();
            context! { status => s.as_str(), requests => list }
        })
        .collect();
    let overdue = requests.iter().filter(|r| r.overdue).count();
    page.render(
        "trace_board.html",
        context! { columns => columns, total => requests.len(), overdue => overdue },
    )
}

#[derive(Debug, Deserialize)]
pub struct TraceForm {
    csrf: Option<String>,
    #[serde(rename = "ref")]
    reference: String,
    subject: Option<String>,
    to: String,
    to_kind: Option<String>,
    to_country: Option<String>,
    requesting_party: Option<String>,
    reason: Option<String>,
    intended_use: Option<String>,
    due_on: Option<String>,
}

pub async fn trace_create(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Form<TraceForm>, FormRejection>,
) -> PageResult {
    let page = Page::new(&state, &viewer, "/trace", BTreeMap::new());
    page.require(Access::Write, "create trace requests")?;
    let Form(form) = form.map_err(|e| page.fail(form_error(e)))?;
    viewer
        .check_csrf(form.csrf.as_deref())
        .map_err(|e| page.fail(e))?;
    let new = NewTrace {
        reference: form.reference,
        subject: form.subject,
        to: form.to,
        to_kind: form.to_kind,
        to_country: form.to_country,
        requesting_party: form.requesting_party,
        reason: form.reason,
        intended_use: form.intended_use,
        due_on: form.due_on,
        photos: Vec::new(),
    };
    let desk = viewer.desk(&state).map_err(|e| page.fail(e))?;
    let request = desk
        .draft_trace(&new)
        .await
        .map_err(|e| page.fail(e.into()))?;
    Ok(Redirect::to(&format!(
        "/trace/{}",
        crate::api::evidence::url_ref(&request.request.reference)
    ))
    .into_response())
}

pub async fn trace_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> PageResult {
    let page = Page::new(
        &state,
        &viewer,
        &format!("/trace/{reference}"),
        BTreeMap::new(),
    );
    page.require(Access::SignedIn, "read trace requests")?;
    let found = viewer
        .view(&state)
        .trace_request(&reference)
        .await
        .map_err(|e| page.fail(e.into()))?;
    let request = &found.request;
    page.render(
        "trace.html",
        context! {
            request => request, overdue => found.overdue,
            missing => request.missing_for_sending(), next => next_actions(request.status),
        },
    )
}

pub async fn trace_print(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
) -> PageResult {
    let page = Page::new(
        &state,
        &viewer,
        &format!("/trace/{reference}/print"),
        BTreeMap::new(),
    );
    page.require(Access::SignedIn, "read trace requests")?;
    let html = viewer
        .view(&state)
        .printable_trace(&reference)
        .await
        .map_err(|e| page.fail(e.into()))?;
    Ok(Html(html).into_response())
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    csrf: Option<String>,
    on: Option<String>,
    text: Option<String>,
}

pub async fn trace_step(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((reference, action)): Path<(String, String)>,
    form: Result<Form<StepForm>, FormRejection>,
) -> PageResult {
    let page = Page::new(
        &state,
        &viewer,
        &format!("/trace/{reference}"),
        BTreeMap::new(),
    );
    page.require(Access::Write, "change trace requests")?;
    let Form(form) = form.map_err(|e| page.fail(form_error(e)))?;
    viewer
        .check_csrf(form.csrf.as_deref())
        .map_err(|e| page.fail(e))?;
    let step = TraceStep {
        on: form.on,
        text: form.text,
        due_on: None,
    };
    let desk = viewer.desk(&state).map_err(|e| page.fail(e))?;
    desk.advance_trace(&reference, &action, &step)
        .await
        .map_err(|e| page.fail(e.into()))?;
    Ok(Redirect::to(&format!(
        "/trace/{}",
        crate::api::evidence::url_ref(&reference)
    ))
    .into_response())
}

pub async fn import_page(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let page = Page::new(&state, &viewer, "/import", BTreeMap::new());
    page.require(Access::Write, "import files")?;
    page.render(
        "import.html",
        context! {
            imports => viewer.desk(&state).and_then(|d| Ok(d.import_jobs()?)).map_err(|e| page.fail(e))?,
            item_fields => armtrace_core::ITEM_FIELDS.join(","),
            transfer_fields => armtrace_core::TRANSFER_FIELDS.join(","),
            max_mib => crate::MAX_UPLOAD_BYTES / (1024 * 1024),
        },
    )
}

pub async fn import_upload(
    State(state): State<AppState>,
    viewer: Viewer,
    form: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let page = Page::new(&state, &viewer, "/import", BTreeMap::new());
    page.require(Access::Write, "import files")?;
    let form = form.map_err(|e| {
        page.fail(crate::error::ApiError::bad_request(format!(
            "send the file as multipart/form-data: {}",
            e.body_text()
        )))
    })?;
    let upload = imports::read_upload(form).await.map_err(|e| page.fail(e))?;
    viewer
        .check_csrf(upload.csrf.as_deref())
        .map_err(|e| page.fail(e))?;
    let rx = imports::start(&state, &viewer, upload).map_err(|e| page.fail(e))?;
    let id = rx.borrow().id;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

pub async fn import_progress(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let page = Page::new(&state, &viewer, &format!("/imports/{id}"), BTreeMap::new());
    page.require(Access::Write, "see imports")?;
    let status = viewer
        .desk(&state)
        .and_then(|d| Ok(d.import_job(&id)?))
        .map_err(|e| page.fail(e))?
        .borrow()
        .clone();
    page.render_status(
        StatusCode::OK,
        "import_progress.html",
        context! { import => status },
    )
}

/// A form body that cannot be read, as a 400 naming what is wrong.
fn form_error(e: FormRejection) -> crate::error::ApiError {
    crate::error::ApiError::bad_request(format!(
        "the form is incomplete or malformed: {}",
        e.body_text()
    ))
}

pub async fn evidence_upload(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(reference): Path<String>,
    form: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let path = format!("/items/{reference}");
    let page = Page::new(&state, &viewer, &path, BTreeMap::new());
    page.require(Access::Write, "add evidence")?;
    let desk = viewer.desk(&state).map_err(|e| page.fail(e))?;
    desk.view()
        .item(&reference)
        .await
        .map_err(|e| page.fail(e.into()))?;
    let (name, bytes, caption, csrf) = crate::api::evidence::read_evidence_upload(form)
        .await
        .map_err(|e| page.fail(e))?;
    viewer
        .check_csrf(csrf.as_deref())
        .map_err(|e| page.fail(e))?;
    desk.add_evidence(&reference, &name, None, caption.as_deref(), &bytes)
        .await
        .map_err(|e| page.fail(e.into()))?;
    Ok(Redirect::to(&format!(
        "/items/{}#evidence",
        crate::api::evidence::url_ref(&reference)
    ))
    .into_response())
}

pub async fn audit_page(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> PageResult {
    #[derive(Deserialize)]
    struct Params {
        after: Option<String>,
        verify: Option<String>,
    }
    let (map, params) = query::<Params>(&raw)
        .map_err(|e| Page::new(&state, &viewer, "/audit", BTreeMap::new()).fail(e))?;
    let page = Page::new(&state, &viewer, "/audit", map);
    page.require(Access::Admin, "read the audit log")?;
    let after =
        number_param("after", &params.after, 0, i64::MAX as u64).map_err(|e| page.fail(e))? as i64;
    let desk = viewer.desk(&state).map_err(|e| page.fail(e))?;
    let entries = desk
        .audit_entries(after, 100)
        .await
        .map_err(|e| page.fail(e.into()))?;
    let head = desk.audit_head().await.map_err(|e| page.fail(e.into()))?;
    let verification = if params.verify.is_some() {
        Some(desk.audit_verify().await.map_err(|e| page.fail(e.into()))?)
    } else {
        None
    };
    let next = entries
        .last()
        .map(|e| e.seq)
        .filter(|_| entries.len() == 100);
    page.render(
        "audit.html",
        context! { entries => entries, head => head, verification => verification, next => next, after => after },
    )
}
