//! Storing trace requests. The request itself (fields, lifecycle, printable form) is
//! `armtrace_core::trace::TraceRequest`; here it is kept as a JSON document with the
//! columns that lists filter on, and every change is recorded as a revision. Creating
//! or changing a request appends an audit entry in the same transaction, committing to
//! the stored document by its SHA-256.

use armtrace_core::audit::sha256_hex;
use armtrace_core::trace::TraceRequest;
use sqlx::Row;

use crate::audit::{AuditEvent, append_in};
use crate::error::{Result, StoreError};
use crate::store::{Store, now};

fn decode(document: &str) -> Result<TraceRequest> {
    serde_json::from_str(document)
        .map_err(|e| StoreError::Corrupt(format!("trace request JSON: {e}")))
}

impl Store {
    /// A free request reference for a year: `TR-2026-` and six random characters
    /// (Crockford's base32: no I, L, O or U to misread). Random rather than counted, so
    /// that the references a viewer sees never reveal, by their gaps, the requests
    /// hidden from them.
    pub async fn next_trace_ref(&self, year: i16) -> Result<String> {
        const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        loop {
            let mut bytes = [0u8; 6];
            getrandom::fill(&mut bytes)
                .map_err(|e| StoreError::Failed(format!("no random source: {e}")))?;
            let code: String = bytes
                .iter()
                .map(|b| ALPHABET[usize::from(b % 32)] as char)
                .collect();
            let candidate = format!("TR-{year}-{code}");
            let taken: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM trace_requests WHERE ref = $1")
                    .bind(&candidate)
                    .fetch_optional(&self.pool)
                    .await?;
            if taken.is_none() {
                return Ok(candidate);
            }
        }
    }

    /// Stores a new trace request, drafted by `actor`.
    pub async fn insert_trace_request(&self, request: &TraceRequest, actor: &str) -> Result<()> {
        let at = now();
        let document = serde_json::to_string(request).expect("requests serialise");
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO trace_requests (ref, status, addressee, created_on, due_on, document, revision, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7)",
        )
        .bind(&request.reference)
        .bind(request.status.as_str())
        .bind(&request.addressee.name)
        .bind(request.created_on.to_string())
        .bind(request.due_on.map(|d| d.to_string()))
        .bind(&document)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let event = AuditEvent::new(actor, "trace_request.create")
            .on("trace_request", &request.reference)
            .with_detail(serde_json::json!({
                "status": request.status.as_str(),
                "revision": 1,
                "items": request.particulars.len(),
                "document_sha256": sha256_hex(document.as_bytes()),
            }));
        append_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a stored trace request, keeping the previous version as a revision.
    pub async fn update_trace_request(&self, request: &TraceRequest, actor: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let row =
            sqlx::query("SELECT id, revision, document, status FROM trace_requests WHERE ref = $1")
                .bind(&request.reference)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    kind: "trace request",
                    reference: request.reference.clone(),
                })?;
        let id: i64 = row.try_get(0)?;
        let revision: i64 = row.try_get(1)?;
        let previous: String = row.try_get(2)?;
        let previous_status: String = row.try_get(3)?;
        let document = serde_json::to_string(request).expect("requests serialise");
        let at = now();
        sqlx::query(
            "INSERT INTO revisions (entity, entity_id, revision, changed_at, actor, import_id, action, previous)
             VALUES ('trace_request', $1, $2, $3, $4, NULL, 'update', $5)",
        )
        .bind(id)
        .bind(revision + 1)
        .bind(&at)
        .bind(actor)
        .bind(previous)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE trace_requests SET status = $1, addressee = $2, due_on = $3, document = $4, revision = $5, updated_at = $6
             WHERE id = $7",
        )
        .bind(request.status.as_str())
        .bind(&request.addressee.name)
        .bind(request.due_on.map(|d| d.to_string()))
        .bind(&document)
        .bind(revision + 1)
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let event = AuditEvent::new(actor, "trace_request.update")
            .on("trace_request", &request.reference)
            .with_detail(serde_json::json!({
                "from_status": previous_status,
                "status": request.status.as_str(),
                "revision": revision + 1,
                "document_sha256": sha256_hex(document.as_bytes()),
            }));
        append_in(&mut tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One trace request by reference.
    pub async fn trace_request(&self, reference: &str) -> Result<TraceRequest> {
        if !crate::store::storable(reference) {
            return Err(StoreError::NotFound {
                kind: "trace request",
                reference: reference.to_owned(),
            });
        }
        let (document,): (String,) =
            sqlx::query_as("SELECT document FROM trace_requests WHERE ref = $1")
                .bind(reference)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    kind: "trace request",
                    reference: reference.to_owned(),
                })?;
        decode(&document)
    }

    /// Every trace request, oldest first.
    pub async fn trace_requests(&self) -> Result<Vec<TraceRequest>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT document FROM trace_requests ORDER BY created_on, id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|(d,)| decode(d)).collect()
    }
}
