//! The store side of the audit log: appends ride on the caller's transaction, writers
//! queue instead of forking the chain, and the checks see what was written.

use super::*;
use crate::testing::{TestBackend, TestRegister};
use serde_json::json;

/// An empty register on each backend (PostgreSQL when `ARMTRACE_TEST_POSTGRES_URL` is set).
async fn stores(test: &str) -> Vec<(TestRegister, Store)> {
    let mut out = Vec::new();
    for backend in TestBackend::ALL {
        if let Some(register) = TestRegister::new(backend, test).await {
            let store = register.open().await.unwrap();
            out.push((register, store));
        }
    }
    out
}

#[tokio::test]
async fn an_empty_register_verifies_at_genesis() {
    for (_dir, store) in stores("an_empty_register_verifies_at_genesis").await {
        let v = store.audit_verify().await.unwrap();
        assert!(v.intact, "{v:?}");
        assert_eq!((v.entries, v.head), (0, Some(ChainHead::genesis())));
    }
}

#[tokio::test]
async fn an_append_that_rolls_back_leaves_no_entry() {
    for (_dir, store) in stores("an_append_that_rolls_back_leaves_no_entry").await {
        store
            .audit_append(AuditEvent::new("ana", "session.login"))
            .await
            .unwrap();
        let mut tx = store.begin_write().await.unwrap();
        let entry = append_in(
            &mut tx,
            &AuditEvent::new("ana", "user.create").on("user", "bo"),
        )
        .await
        .unwrap();
        assert_eq!(entry.seq, 2);
        tx.rollback().await.unwrap();
        assert_eq!(store.audit_head().await.unwrap().seq, 1);
        let next = store
            .audit_append(AuditEvent::new("ana", "user.create").on("user", "bo"))
            .await
            .unwrap();
        assert_eq!(next.seq, 2);
        assert!(store.audit_verify().await.unwrap().intact);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_do_not_fork_the_chain() {
    for (_dir, store) in stores("concurrent_writers_do_not_fork_the_chain").await {
        let mut tasks = Vec::new();
        for writer in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..25 {
                    store
                        .audit_append(
                            AuditEvent::new(format!("writer-{writer}"), "test.append")
                                .with_detail(json!({ "i": i })),
                        )
                        .await
                        .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let v = store.audit_verify().await.unwrap();
        assert!(v.intact, "{v:?}");
        assert_eq!(v.entries, 100);
        let page = store.audit_entries(90, 50).await.unwrap();
        assert_eq!(
            page.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (91..=100).collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn details_are_stored_canonically_and_read_back_equal() {
    for (_dir, store) in stores("details_are_stored_canonically_and_read_back_equal").await {
        let detail = json!({"z": 0.1, "a": ["é", null, 1e300], "m": {"y": true, "b": -7}});
        let entry = store
            .audit_append(AuditEvent::new("ana", "test.detail").with_detail(detail.clone()))
            .await
            .unwrap();
        let (text,): (String,) = sqlx::query_as("SELECT detail FROM audit_log WHERE seq = 1")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(
            text,
            r#"{"a":["\u00e9",null,1e+300],"m":{"b":-7,"y":true},"z":0.1}"#
        );
        let read = store.audit_entries(0, 10).await.unwrap();
        assert_eq!(read, vec![entry]);
        assert_eq!(read[0].detail, detail);
    }
}

#[tokio::test]
async fn export_refuses_a_broken_chain_and_signs_an_intact_one() {
    for (dir, store) in stores("export_refuses_a_broken_chain_and_signs_an_intact_one").await {
        for i in 0..3 {
            store
                .audit_append(AuditEvent::new("ana", "test.append").with_detail(json!({ "i": i })))
                .await
                .unwrap();
        }
        let key = AuditKey::load_or_create(&store.audit_key_path()).unwrap();
        assert!(key.created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = AuditKey::load_or_create(&store.audit_key_path()).unwrap();
        assert!(!again.created);
        assert_eq!(again.public_key_hex(), key.public_key_hex());

        let path = dir.path("export.jsonl");
        let file = std::fs::File::create(&path).unwrap();
        let head = store
            .audit_export(Box::new(file), Some(*key.secret()))
            .await
            .unwrap();
        assert_eq!(head.entries, 3);
        let text = std::fs::read_to_string(&path).unwrap();
        let verified =
            armtrace_core::audit::export::verify_export(text.lines(), Some(&key.public_key_hex()))
                .unwrap();
        assert_eq!(verified.head.hash, head.hash);

        let drop_trigger = match store.dialect() {
            crate::store::Dialect::Sqlite => "DROP TRIGGER audit_log_append_only_update",
            crate::store::Dialect::Postgres => {
                "DROP TRIGGER audit_log_append_only_update ON audit_log"
            }
        };
        sqlx::query(drop_trigger)
            .execute(&store.pool)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
            .execute(&store.pool)
            .await
            .unwrap();
        let e = store
            .audit_export(Box::new(std::io::sink()), Some(*key.secret()))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("entry 2 was altered"), "{e}");
    }
}

#[tokio::test]
async fn the_log_refuses_updates_and_deletes_through_sql() {
    for (_dir, store) in stores("the_log_refuses_updates_and_deletes_through_sql").await {
        store
            .audit_append(AuditEvent::new("ana", "session.login"))
            .await
            .unwrap();
        let e = sqlx::query("DELETE FROM audit_log")
            .execute(&store.pool)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
    }
}
