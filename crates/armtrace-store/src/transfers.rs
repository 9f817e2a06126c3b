//! Reading documented transfers back.

use armtrace_core::Transfer;
use sqlx::Row;

use crate::error::{Result, StoreError};
use crate::record::Record;
use crate::store::Store;

impl Store {
    /// Every documented transfer, ordered by delivery date then reference.
    pub async fn transfers(&self) -> Result<Vec<Transfer>> {
        let rows = sqlx::query("SELECT * FROM transfers ORDER BY delivered_on, transfer_ref")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(Transfer::from_row).collect()
    }

    /// One transfer by reference.
    pub async fn transfer(&self, reference: &str) -> Result<Transfer> {
        if !crate::store::storable(reference) {
            return Err(StoreError::NotFound {
                kind: "transfer",
                reference: reference.to_owned(),
            });
        }
        let row = sqlx::query("SELECT * FROM transfers WHERE transfer_ref = $1")
            .bind(reference)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "transfer",
                reference: reference.to_owned(),
            })?;
        Transfer::from_row(&row)
    }

    /// Number of documented transfers.
    pub async fn count_transfers(&self) -> Result<u64> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM transfers")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok(n as u64)
    }
}
