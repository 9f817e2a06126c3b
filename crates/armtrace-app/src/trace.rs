//! Trace requests as a viewer may see them (signed-in users, and only requests about
//! items they may all see) and as an actor drafts and moves them on: the subject (an
//! item, its serial run or its lot), the addressee, the particulars, and the lifecycle
//! `draft → sent → acknowledged → answered → closed`.

use armtrace_core::Transfer;
use armtrace_core::trace::{Addressee, AddresseeKind, TraceRequest, TraceStatus, TraceSubject};
use armtrace_store::import::{ImportInput, ImportOptions, ImportReport};
use serde::{Deserialize, Serialize};

use crate::actor::{Desk, View};
use crate::clock::today;
use crate::error::{AppError, AppResult};
use crate::params::{country, date, given};

/// A request with its computed state.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct TraceView {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub request: TraceRequest,
    pub overdue: bool,
}

impl From<TraceRequest> for TraceView {
    fn from(request: TraceRequest) -> TraceView {
        TraceView {
            overdue: request.is_overdue(today()),
            request,
        }
    }
}

/// The requests of a list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct TraceList {
    pub total: usize,
    pub requests: Vec<TraceView>,
}

/// A new trace request as the front ends receive it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Default, Clone, Deserialize)]
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
    /// Hashes of evidence files (photos of the markings) to cite.
    #[serde(default)]
    pub photos: Vec<String>,
}

/// A step in a request's life as the front ends receive it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Default, Clone, Deserialize)]
pub struct TraceStep {
    /// When it happened (default today).
    pub on: Option<String>,
    /// The answer's text (for `answer`).
    pub text: Option<String>,
    /// A new due date (for `send`).
    pub due_on: Option<String>,
}

/// The steps a request can be moved on by, and the status each leads to.
pub const ACTIONS: [(&str, TraceStatus); 4] = [
    ("send", TraceStatus::Sent),
    ("acknowledge", TraceStatus::Acknowledged),
    ("answer", TraceStatus::Answered),
    ("close", TraceStatus::Closed),
];

/// The actions allowed from a status, by name.
pub fn next_actions(status: TraceStatus) -> Vec<&'static str> {
    ACTIONS
        .iter()
        .filter(|(_, s)| status.next().contains(s))
        .map(|(name, _)| *name)
        .collect()
}

fn bad(field: &str, why: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("field {field}: {why}"))
}

/// Refuses text with control characters (other than line breaks and tabs): a trace
/// request is a document sent to others, and no register field may hold a NUL.
fn plain_text(fields: &[(&'static str, Option<&str>)]) -> AppResult<()> {
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

impl View<'_> {
    /// Whether the viewer may see every item a request is about.
    async fn may_see(&self, request: &TraceRequest) -> AppResult<bool> {
        if self.clearance.sees_everything() {
            return Ok(true);
        }
        for r in request.subject.refs() {
            match self.item(r).await {
                Ok(_) => {}
                Err(AppError::NotFound { .. }) => {
                    // Absent or hidden: judge by whether it exists at all.
                    if self.register.store().item(r).await.is_ok() {
                        return Ok(false);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// The requests the viewer may see, oldest first; with `about`, only those whose
    /// subject includes that item; with `status`, only those with it (`overdue` is a
    /// status here too).
    pub async fn trace_requests(
        &self,
        about: Option<&str>,
        status: Option<&str>,
    ) -> AppResult<TraceList> {
        self.signed_in("read trace requests")?;
        let status = status.map(str::trim).filter(|s| !s.is_empty());
        let wanted = match status {
            None | Some("overdue") => None,
            Some(s) => Some(s.parse::<TraceStatus>().map_err(|_| {
                AppError::bad_parameter(
                    "status",
                    s,
                    "use draft, sent, acknowledged, answered, closed or overdue",
                )
            })?),
        };
        let mut requests = Vec::new();
        for r in self.register.store().trace_requests().await? {
            if about.is_some_and(|a| !r.subject.refs().contains(&a)) {
                continue;
            }
            if wanted.is_some_and(|w| r.status != w) {
                continue;
            }
            if self.may_see(&r).await? {
                requests.push(TraceView::from(r));
            }
        }
        if status == Some("overdue") {
            requests.retain(|r| r.overdue);
        }
        Ok(TraceList {
            total: requests.len(),
            requests,
        })
    }

    /// The printable request (HTML) of a request the viewer may see.
    pub async fn printable_trace(&self, reference: &str) -> AppResult<String> {
        let request = self.trace_request(reference).await?.request;
        Ok(crate::render::trace_print::render_html(&request))
    }

    /// One request the viewer may see.
    pub async fn trace_request(&self, reference: &str) -> AppResult<TraceView> {
        self.signed_in("read trace requests")?;
        let not_found = || AppError::not_found("trace request", reference);
        let request = match self.register.store().trace_request(reference).await {
            Ok(r) => r,
            Err(armtrace_store::StoreError::NotFound { .. }) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        if self.may_see(&request).await? {
            Ok(TraceView::from(request))
        } else {
            Err(not_found())
        }
    }
}

impl Desk<'_> {
    /// Drafts a trace request.
    pub async fn draft_trace(&self, new: &NewTrace) -> AppResult<TraceView> {
        self.writer("create trace requests")?;
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
        let view = self.view();
        let anchor = view.item(new.reference.trim()).await?;
        let r = anchor.item.reference.clone();
        let subject = match given(&new.subject).unwrap_or("item") {
            "item" => TraceSubject::Item { reference: r },
            "run" => {
                let run = view.run_of(&r).await?.ok_or_else(|| {
                    bad(
                        "subject",
                        format!("{r} is not in a serial run; trace it alone with subject=item"),
                    )
                })?;
                TraceSubject::from(&run)
            }
            "lot" => {
                let lot = view.lot_of(&r).await?.ok_or_else(|| {
                    bad(
                        "subject",
                        format!(
                            "{r} shares its lot with no other item; trace it alone with subject=item"
                        ),
                    )
                })?;
                TraceSubject::from(&lot)
            }
            other => {
                return Err(bad(
                    "subject",
                    format!("{other:?} is not one of item, run, lot"),
                ));
            }
        };
        let kind = match given(&new.to_kind).unwrap_or("manufacturer") {
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
        let to_country = country("to_country", &new.to_country)?;
        let due_on = date("due_on", &new.due_on)?;
        let mut items = Vec::new();
        for r in subject.refs() {
            items.push(view.item(r).await?.item);
        }
        let today = today();
        let store = self.register.store();
        let reference = store.next_trace_ref(today.year()).await?;
        let addressee = Addressee {
            kind,
            name: new.to.trim().to_owned(),
            country: to_country,
        };
        let mut request = TraceRequest::draft(reference, subject, addressee, &items, today);
        request.requesting_party = new.requesting_party.clone().unwrap_or_default();
        request.reason = new.reason.clone().unwrap_or_default();
        request.intended_use = given(&new.intended_use).map(str::to_owned);
        request.due_on = due_on;
        request.photos = new.photos.clone();
        store
            .insert_trace_request(&request, &self.actor.name)
            .await?;
        Ok(TraceView::from(request))
    }

    /// Moves a request on by `action` (`send`, `acknowledge`, `answer`, `close`).
    pub async fn advance_trace(
        &self,
        reference: &str,
        action: &str,
        step: &TraceStep,
    ) -> AppResult<TraceView> {
        self.writer("change trace requests")?;
        plain_text(&[("on", step.on.as_deref()), ("text", step.text.as_deref())])?;
        let to = ACTIONS
            .iter()
            .find(|(name, _)| *name == action)
            .map(|(_, status)| *status)
            .ok_or_else(|| AppError::not_found("trace action", action))?;
        let mut request = self.view().trace_request(reference).await?.request;
        let on = date("on", &step.on)?.unwrap_or_else(today);
        if let Some(due) = date("due_on", &step.due_on)? {
            request.due_on = Some(due);
        }
        let result = if to == TraceStatus::Answered {
            let text = given(&step.text).ok_or_else(|| {
                bad(
                    "text",
                    "give the answer's text (what the manufacturer or state said)",
                )
            })?;
            request.record_answer(text, on)
        } else {
            request.advance(to, on)
        };
        result.map_err(|e| AppError::Conflict(e.to_string()))?;
        self.register
            .store()
            .update_trace_request(&request, &self.actor.name)
            .await?;
        Ok(TraceView::from(request))
    }

    /// Records an answer together with the transfers it documents (a transfers file):
    /// the transfers are imported first; a file with invalid rows records nothing.
    pub async fn answer_with_transfers(
        &self,
        reference: &str,
        text: &str,
        transfers: ImportInput,
    ) -> AppResult<(TraceView, ImportReport)> {
        self.writer("change trace requests")?;
        let request = self.view().trace_request(reference).await?.request;
        // Check the move first, so a refused answer imports nothing.
        let mut probe = request.clone();
        probe
            .record_answer(text, today())
            .map_err(|e| AppError::Conflict(e.to_string()))?;
        let file = transfers.name().to_owned();
        let mut options = ImportOptions::new(
            armtrace_store::import::Format::from_path(std::path::Path::new(&file))
                .unwrap_or(armtrace_store::import::Format::Csv),
            self.actor.name.clone(),
        );
        options.clearance = self.actor.clearance.clone();
        let report = self
            .register
            .store()
            .import::<Transfer>(transfers, &options, &|_| {})
            .await?;
        if report.rejected > 0 {
            return Err(AppError::BadRequest(format!(
                "the answer's transfers file has {} invalid row{}; nothing was recorded: {}",
                report.rejected,
                if report.rejected == 1 { "" } else { "s" },
                report
                    .errors
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            )));
        }
        let answer = format!(
            "{text}\n\n[armtrace] Transfers recorded from this answer ({file}): {} new, {} updated.",
            report.inserted, report.updated
        );
        let step = TraceStep {
            on: None,
            text: Some(answer),
            due_on: None,
        };
        let view = self.advance_trace(reference, "answer", &step).await?;
        self.register.after_write().await;
        Ok((view, report))
    }
}
