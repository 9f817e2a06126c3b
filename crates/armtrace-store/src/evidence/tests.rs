use super::*;
use crate::testing::{TestBackend, TestRegister};

#[test]
fn sha256_arguments_cannot_leave_the_root() {
    let good = "ab".repeat(32);
    assert_eq!(parse_sha256(&good).unwrap(), good);
    assert_eq!(
        parse_sha256(&format!("sha256:{}", good.to_uppercase())).unwrap(),
        good
    );
    for bad in [
        "",
        "../../etc/passwd",
        &format!("{good}/.."),
        &good[..63],
        &format!("{}zz", &good[..62]),
    ] {
        assert!(parse_sha256(bad).is_err(), "{bad:?} accepted");
    }
}

#[test]
fn file_names_lose_their_directories() {
    assert_eq!(clean_file_name("C:\\photos\\a.jpg").unwrap(), "a.jpg");
    assert_eq!(clean_file_name("/tmp/x/b.png").unwrap(), "b.png");
    assert!(clean_file_name("dir/").is_err());
    assert!(clean_file_name("..").is_err());
    assert!(clean_file_name("a\nb").is_err());
}

#[test]
fn media_types_are_checked_or_sniffed() {
    assert_eq!(clean_media_type(" Image/JPEG ").unwrap(), "image/jpeg");
    assert!(clean_media_type("image").is_err());
    assert!(clean_media_type("text/html; charset=utf-8").is_err());
    assert_eq!(sniff_media_type(b"%PDF-1.7 ..."), "application/pdf");
    assert_eq!(sniff_media_type(&[0xFF, 0xD8, 0xFF, 0xE0]), "image/jpeg");
    assert_eq!(sniff_media_type(b"hello"), "application/octet-stream");
}

/// A register on each backend (PostgreSQL when `ARMTRACE_TEST_POSTGRES_URL` is set)
/// holding two items, `T-1` and `T-2`.
async fn registers(test: &str) -> Vec<(TestRegister, Store)> {
    let mut out = Vec::new();
    for backend in TestBackend::ALL {
        if let Some(register) = TestRegister::new(backend, test).await {
            let store = register_with_items(&register).await;
            out.push((register, store));
        }
    }
    out
}

async fn register_with_items(register: &TestRegister) -> Store {
    use crate::import::{Format, ImportOptions};
    use armtrace_core::{ITEM_FIELDS, Item};
    let csv = register.path("items.csv");
    let blanks = ",".repeat(ITEM_FIELDS.len() - 2);
    std::fs::write(
        &csv,
        format!(
            "{}\nT-1,weapon{blanks}\nT-2,ammunition{blanks}\n",
            ITEM_FIELDS.join(",")
        ),
    )
    .unwrap();
    let store = register.open().await.unwrap();
    let report = store
        .import_file::<Item>(&csv, &ImportOptions::new(Format::Csv, "test"), &|_| {})
        .await
        .unwrap();
    assert_eq!(report.inserted, 2, "{report:?}");
    store
}

/// A synthetic PNG of `w` × `h` pixels.
fn png(w: u32, h: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn identical_bytes_are_stored_once_and_attached_once_per_item() {
    for (_dir, store) in
        registers("identical_bytes_are_stored_once_and_attached_once_per_item").await
    {
        let bytes = b"%PDF-1.4 synthetic document".to_vec();
        let a = store
            .add_evidence("T-1", "a.pdf", None, &bytes, "ana")
            .await
            .unwrap();
        assert_eq!(a.media_type, "application/pdf");
        assert_eq!(a.sha256, sha256_hex(&bytes));
        let head = store.audit_head().await.unwrap();
        // Again on the same item: nothing new, not even an audit entry.
        let again = store
            .add_evidence("T-1", "renamed.pdf", None, &bytes, "bo")
            .await
            .unwrap();
        assert_eq!(again, a);
        assert_eq!(store.audit_head().await.unwrap(), head);
        // On another item: a second attachment of the same stored file.
        let b = store
            .add_evidence_with_caption(
                "T-2",
                "/tmp/x/b.pdf",
                Some("application/pdf"),
                Some(" shared "),
                &bytes,
                "bo",
            )
            .await
            .unwrap();
        assert_eq!(
            (
                b.sha256.as_str(),
                b.file_name.as_str(),
                b.caption.as_deref()
            ),
            (a.sha256.as_str(), "b.pdf", Some("shared"))
        );
        let (files,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM evidence_files")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(files, 1);
        assert_eq!(store.audit_head().await.unwrap().seq, head.seq + 1);
        let path = store.evidence_path(&a.sha256).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        assert!(path.starts_with(store.evidence_root()));
        let listed = store.evidence_for_item(b.item_id).await.unwrap();
        assert_eq!(listed, vec![b]);
        let v = store.audit_verify().await.unwrap();
        assert!(v.intact, "{v:?}");
        assert_eq!(v.files_checked, 1);
    }
}

#[tokio::test]
async fn refused_evidence_writes_nothing() {
    for (_dir, store) in registers("refused_evidence_writes_nothing").await {
        let head = store.audit_head().await.unwrap();
        let big = vec![1u8; MAX_EVIDENCE_BYTES + 1];
        let e = store
            .add_evidence("T-1", "big.bin", None, &big, "ana")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("limited to 50 MiB"), "{e}");
        let e = store
            .add_evidence("NOPE", "a.bin", None, b"x", "ana")
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::NotFound { .. }), "{e}");
        let e = store
            .add_evidence("T-1", "a.bin", Some("not a type"), b"x", "ana")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("type/subtype"), "{e}");
        assert!(
            store
                .add_evidence("T-1", "empty.bin", None, b"", "ana")
                .await
                .is_err()
        );
        assert_eq!(store.audit_head().await.unwrap(), head);
        assert!(!store.evidence_root().join("sha256").exists());
        assert_eq!(store.evidence_path("../../r.db"), None);
    }
}

#[tokio::test]
async fn thumbnails_fit_the_size_keep_the_shape_and_are_cached() {
    for (_dir, store) in registers("thumbnails_fit_the_size_keep_the_shape_and_are_cached").await {
        let photo = store
            .add_evidence("T-1", "p.png", None, &png(400, 100), "ana")
            .await
            .unwrap();
        assert_eq!(photo.media_type, "image/png");
        let thumb = store
            .evidence_thumbnail(&photo.sha256, 64)
            .await
            .unwrap()
            .unwrap();
        let decoded = image::load_from_memory(&thumb).unwrap();
        assert_eq!(
            image::guess_format(&thumb).unwrap(),
            image::ImageFormat::Jpeg
        );
        assert_eq!((decoded.width(), decoded.height()), (64, 16));
        let cached = thumbnail_path(store.evidence_root(), &photo.sha256, 64);
        assert_eq!(std::fs::read(&cached).unwrap(), thumb);
        assert_eq!(
            store
                .evidence_thumbnail(&photo.sha256, 64)
                .await
                .unwrap()
                .unwrap(),
            thumb
        );
        // Smaller than asked: not enlarged.
        let small = store
            .evidence_thumbnail(&photo.sha256, 1000)
            .await
            .unwrap()
            .unwrap();
        let decoded = image::load_from_memory(&small).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (400, 100));
        // Thumbnails are not evidence: verify checks the one original only.
        assert_eq!(store.audit_verify().await.unwrap().files_checked, 1);

        let pdf = store
            .add_evidence("T-1", "d.pdf", None, b"%PDF-1.4 x", "ana")
            .await
            .unwrap();
        assert_eq!(
            store.evidence_thumbnail(&pdf.sha256, 64).await.unwrap(),
            None
        );
        let broken = store
            .add_evidence(
                "T-1",
                "broken.png",
                Some("image/png"),
                b"not really a png",
                "ana",
            )
            .await
            .unwrap();
        assert_eq!(
            store.evidence_thumbnail(&broken.sha256, 64).await.unwrap(),
            None
        );
        assert!(store.evidence_thumbnail(&photo.sha256, 0).await.is_err());
        assert!(store.evidence_thumbnail("../etc", 64).await.is_err());
        let unknown = store
            .evidence_thumbnail(&"0".repeat(64), 64)
            .await
            .unwrap_err();
        assert!(matches!(unknown, StoreError::NotFound { .. }), "{unknown}");
    }
}
