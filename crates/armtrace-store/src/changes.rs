//! How a process learns that the register changed under it: several `armtrace serve`
//! processes (or a server and command-line imports) may share one register, and each
//! keeps an in-memory search index and statistics columns built from it.
//!
//! Every write that changes items or transfers (an import) bumps `register_version` in
//! its own transaction. A process remembers the version its in-memory state was built
//! from ([`Store::register_version`], read *before* building) and reloads when
//! [`Store::watch_versions`] reports a newer one. On PostgreSQL the bump also sends
//! `NOTIFY armtrace_register`, which arrives on commit, so other servers hear of a write
//! at once; polling (every few seconds) is the fallback, and the only way on SQLite.

use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::watch;

use crate::error::Result;
use crate::store::{Backend, Store};

/// The channel writes are announced on (PostgreSQL).
pub const CHANNEL: &str = "armtrace_register";

/// Bumps the version inside a PostgreSQL write transaction and announces it on commit.
pub(crate) async fn bump_pg(conn: &mut sqlx::PgConnection) -> Result<i64> {
    let (version,): (i64,) = sqlx::query_as(
        "UPDATE register_version SET version = version + 1 WHERE id = 1 RETURNING version",
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(version.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(version)
}

impl Store {
    /// The register's version: it grows with every import that changed something.
    pub async fn register_version(&self) -> Result<i64> {
        let (version,): (i64,) =
            sqlx::query_as("SELECT version FROM register_version WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(version)
    }

    /// The register's version as it changes, seen by a background task: at once on
    /// PostgreSQL (LISTEN), and by polling every `poll` (both backends, so a lost
    /// notification is still noticed). The task ends when every receiver is dropped.
    pub async fn watch_versions(&self, poll: Duration) -> Result<watch::Receiver<i64>> {
        let (tx, rx) = watch::channel(self.register_version().await?);
        let mut listener = match &self.backend {
            Backend::Postgres { pool } => {
                let mut listener = PgListener::connect_with(pool).await?;
                listener.listen(CHANNEL).await?;
                Some(listener)
            }
            Backend::Sqlite { .. } => None,
        };
        let store = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(poll);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let heard = match listener.as_mut() {
                    Some(l) => tokio::select! {
                        n = l.recv() => n.is_ok(),
                        _ = ticker.tick() => true,
                        _ = tx.closed() => return,
                    },
                    None => tokio::select! {
                        _ = ticker.tick() => true,
                        _ = tx.closed() => return,
                    },
                };
                if !heard {
                    // The listener reconnects by itself on its next recv; poll meanwhile.
                    tokio::time::sleep(poll).await;
                }
                if let Ok(version) = store.register_version().await {
                    tx.send_if_modified(|v| {
                        let newer = version != *v;
                        *v = version;
                        newer
                    });
                }
            }
        });
        Ok(rx)
    }
}
