//! `/api/imports`: uploads of items and transfers, their reports, their progress (JSON
//! and server-sent events), and every way an upload can be wrong.

use armtrace_core::{ITEM_FIELDS, TRANSFER_FIELD_COUNT, TRANSFER_FIELDS};
use axum::body::{Body, Bytes};
use axum::http::Method;
use serde_json::Value;

use crate::register::csv_line;
use crate::support::{Call, Site, Who, multipart, one_item_csv};

/// Multipart fields: name, file name, content.
type Fields<'a> = &'a [(&'a str, Option<&'a str>, &'a [u8])];

fn bad_row_csv() -> String {
    let mut bad = vec![""; armtrace_core::ITEM_FIELD_COUNT];
    bad[0] = "TW-BAD";
    bad[1] = "spaceship";
    format!(
        "{}\n{}{}",
        ITEM_FIELDS.join(","),
        csv_line(&bad),
        one_item_csv("TW-GOOD").lines().nth(1).unwrap()
    )
}

async fn upload_form(
    site: &Site,
    uri: &str,
    fields: &[(&str, Option<&str>, &[u8])],
) -> crate::support::Reply {
    let (ct, body) = multipart(fields);
    site.send(Call::new(Method::POST, uri, site.cred(Who::Investigator)).body(&ct, body))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_upload_is_written_and_searchable_at_once() {
    let site = Site::new().await;
    assert_eq!(
        site.get(Who::Anonymous, "/api/search?q=WEBTW01")
            .await
            .expect(200)
            .json()["total"],
        0
    );
    let status = site
        .upload(
            Who::Investigator,
            "/api/imports?wait=true",
            "items",
            &one_item_csv("TW-01"),
            false,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(status["kind"], "items");
    assert_eq!(status["file_name"], "upload.csv");
    assert_eq!(status["state"], "done");
    assert_eq!(status["dry_run"], false);
    assert_eq!(status["error"], Value::Null);
    assert_eq!(status["started_by"], "web:investigator");
    assert_eq!(status["report"]["inserted"], 1, "{status}");
    assert_eq!(status["report"]["rejected"], 0);
    assert!(
        status["id"].as_u64().is_some() && status["started_at"].is_string(),
        "{status}"
    );

    // The index was reloaded: the new serial is found, and the item is there.
    let found = site
        .get(Who::Anonymous, "/api/search?q=WEBTW01")
        .await
        .expect(200)
        .json();
    assert_eq!(found["matches"][0]["ref"], "TW-01", "{found}");
    site.get(Who::Anonymous, "/api/items/TW-01")
        .await
        .expect(200);

    // The same file again changes nothing.
    let again = site
        .upload(
            Who::Investigator,
            "/api/imports?wait=true",
            "items",
            &one_item_csv("TW-01"),
            false,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(again["report"]["unchanged"], 1, "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_reports_and_writes_nothing() {
    let site = Site::new().await;
    let before = site
        .get(Who::Admin, "/api/items?limit=0")
        .await
        .expect(200)
        .json()["total"]
        .clone();
    let status = site
        .upload(
            Who::Admin,
            "/api/imports?wait=true",
            "items",
            &one_item_csv("TW-02"),
            true,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(status["dry_run"], true);
    assert_eq!(status["state"], "done");
    assert_eq!(
        status["report"]["inserted"], 1,
        "what would be written: {status}"
    );
    site.get(Who::Admin, "/api/items/TW-02").await.expect(404);
    assert_eq!(
        site.get(Who::Admin, "/api/items?limit=0")
            .await
            .expect(200)
            .json()["total"],
        before
    );
    assert_eq!(
        site.get(Who::Admin, "/api/search?q=WEBTW02")
            .await
            .expect(200)
            .json()["total"],
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_file_is_422_with_the_row_errors_and_writes_nothing() {
    let site = Site::new().await;
    let reply = site
        .upload(
            Who::Investigator,
            "/api/imports?wait=true",
            "items",
            &bad_row_csv(),
            false,
        )
        .await
        .expect(422);
    let status = reply.json();
    assert_eq!(status["state"], "failed");
    assert!(
        status["error"]
            .as_str()
            .is_some_and(|e| e.contains("invalid") && e.contains("skip_invalid")),
        "{status}"
    );
    let error = &status["report"]["errors"][0];
    assert_eq!(error["row"], 1, "{status}");
    let text = error.to_string();
    assert!(
        text.contains("category") && text.contains("spaceship"),
        "the error names the column and the value: {error}"
    );
    assert_eq!(status["report"]["rejected"], 1);
    site.get(Who::Admin, "/api/items/TW-GOOD").await.expect(404);

    // The failed import keeps its report; reading its status succeeds (200).
    let id = status["id"].as_u64().unwrap();
    let again = site
        .get(Who::Investigator, &format!("/api/imports/{id}"))
        .await
        .expect(200)
        .json();
    assert_eq!(again["state"], "failed");

    // With skip_invalid the good row is written and the bad one reported.
    let csv = bad_row_csv();
    let reply = upload_form(
        &site,
        "/api/imports?wait=true",
        &[
            ("kind", None, b"items"),
            ("skip_invalid", None, b"true"),
            ("file", Some("rows.csv"), csv.as_bytes()),
        ],
    )
    .await
    .expect(200)
    .json();
    assert_eq!(reply["report"]["inserted"], 1, "{reply}");
    assert_eq!(reply["report"]["rejected"], 1);
    site.get(Who::Admin, "/api/items/TW-GOOD").await.expect(200);

    // An unknown column fails the whole file, naming the column.
    let n = armtrace_core::ITEM_FIELD_COUNT;
    let mut row = vec![""; n + 1];
    row[0] = "TW-3";
    row[1] = "weapon";
    row[19] = "public";
    row[n] = "red";
    let csv = format!("{},colour\n{}", ITEM_FIELDS.join(","), csv_line(&row));
    let status = site
        .upload(
            Who::Investigator,
            "/api/imports?wait=true",
            "items",
            &csv,
            false,
        )
        .await
        .expect(422)
        .json();
    assert!(
        status.to_string().contains("colour"),
        "the error names the unknown column: {status}"
    );
    upload_form(
        &site,
        "/api/imports?wait=true",
        &[
            ("kind", None, b"items"),
            ("ignore_unknown", None, b"yes"),
            ("file", Some("colour.csv"), csv.as_bytes()),
        ],
    )
    .await
    .expect(200);
    site.get(Who::Admin, "/api/items/TW-3").await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_upload_too() {
    let site = Site::new().await;
    let mut row = vec![""; TRANSFER_FIELD_COUNT];
    row[0] = "TT-WEB-1";
    row[1] = "Test supplier";
    row[6] = "RPG-7";
    row[15] = "2018-01-01";
    let csv = format!("{}\n{}", TRANSFER_FIELDS.join(","), csv_line(&row));
    let status = site
        .upload(
            Who::Admin,
            "/api/imports?wait=true",
            "transfers",
            &csv,
            false,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(status["kind"], "transfers");
    assert_eq!(status["report"]["inserted"], 1, "{status}");
    site.get(Who::Viewer, "/api/transfers/TT-WEB-1")
        .await
        .expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_uploads_are_400_naming_what_is_wrong() {
    let site = Site::new().await;
    let csv = one_item_csv("TW-4");
    let cases: [(Fields, &str); 5] = [
        (&[("kind", None, b"items")], "file"),
        (
            &[
                ("kind", None, b"weapons"),
                ("file", Some("a.csv"), csv.as_bytes()),
            ],
            "kind",
        ),
        (&[("file", Some("a.csv"), csv.as_bytes())], "kind"),
        (
            &[
                ("kind", None, b"items"),
                ("colour", None, b"red"),
                ("file", Some("a.csv"), csv.as_bytes()),
            ],
            "colour",
        ),
        (
            &[
                ("kind", None, b"items"),
                ("dry_run", None, b"perhaps"),
                ("file", Some("a.csv"), csv.as_bytes()),
            ],
            "perhaps",
        ),
    ];
    for (fields, named) in cases {
        let reply = upload_form(&site, "/api/imports?wait=true", fields)
            .await
            .expect(400);
        let message = reply.error();
        assert!(
            message.contains(named),
            "the error names {named}: {message}"
        );
    }
    // A file of no known format is a failed import (422 with the import's status), like
    // an unreadable one: the form was right, the file cannot be imported.
    let reply = upload_form(
        &site,
        "/api/imports?wait=true",
        &[
            ("kind", None, b"items"),
            ("file", Some("notes.pdf"), csv.as_bytes()),
        ],
    )
    .await
    .expect(422);
    let status = reply.json();
    assert_eq!(status["state"], "failed", "{status}");
    assert!(
        status["error"].as_str().unwrap_or("").contains("notes.pdf"),
        "the error names the file: {status}"
    );
    let reply = site
        .send(
            Call::new(Method::POST, "/api/imports", site.cred(Who::Investigator))
                .json(&serde_json::json!({"kind": "items"})),
        )
        .await
        .expect(400);
    assert!(reply.error().contains("multipart"), "{}", reply.describe());
    let reply = site
        .upload(
            Who::Investigator,
            "/api/imports?wait=soon",
            "items",
            &csv,
            true,
        )
        .await
        .expect(400);
    assert!(reply.error().contains("soon"), "{}", reply.describe());
}

/// A body just over the limit, streamed in shared 1 MiB chunks (nothing this size is
/// ever held twice).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_limit_is_413() {
    let site = Site::new().await;
    let boundary = "armtrace-big-upload";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nitems\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let total = armtrace_web::MAX_UPLOAD_BYTES + 1024;
    let filler_len = total - head.len() - tail.len();
    const CHUNK: usize = 1024 * 1024;
    let chunk = Bytes::from(vec![b'x'; CHUNK]);
    let mut parts: Vec<Bytes> = vec![Bytes::from(head)];
    let mut left = filler_len;
    while left > 0 {
        let n = left.min(CHUNK);
        parts.push(chunk.slice(..n));
        left -= n;
    }
    parts.push(Bytes::from(tail));
    let stream = futures_util::stream::iter(parts.into_iter().map(Ok::<_, std::io::Error>));
    let reply = site
        .send(
            Call::new(
                Method::POST,
                "/api/imports?wait=true",
                site.cred(Who::Investigator),
            )
            .body(
                &format!("multipart/form-data; boundary={boundary}"),
                Body::from_stream(stream),
            ),
        )
        .await
        .expect(413);
    let message = reply.error();
    assert!(
        message.contains("MiB") && message.contains("armtrace import"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_are_listed_followed_and_streamed() {
    let site = Site::new().await;
    // Without wait the answer comes at once (202) or, for a quick file, finished (200).
    let started = site
        .upload(
            Who::Investigator,
            "/api/imports",
            "items",
            &one_item_csv("TW-5"),
            false,
        )
        .await;
    assert!(
        matches!(started.status.as_u16(), 200 | 202),
        "{}",
        started.describe()
    );
    let id = started.json()["id"].as_u64().expect("an id");
    let mut status = Value::Null;
    for _ in 0..600 {
        let reply = site
            .get(Who::Investigator, &format!("/api/imports/{id}"))
            .await;
        status = reply.json();
        if reply.status.as_u16() != 202 {
            reply.expect(200);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status["state"], "done", "{status}");
    assert_eq!(status["report"]["inserted"], 1);

    let list = site
        .get(Who::Investigator, "/api/imports")
        .await
        .expect(200)
        .json();
    let ids: Vec<u64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids.first(), Some(&id), "newest first: {list}");
    // Others' imports (their reports name rows and values) are for admins only.
    assert!(!ids.contains(&site.import_id.parse().unwrap()), "{list}");
    let all = site
        .get(Who::Admin, "/api/imports")
        .await
        .expect(200)
        .json();
    let all: Vec<u64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect();
    assert!(all.contains(&id) && all.contains(&site.import_id.parse().unwrap()));

    let events = site
        .get(Who::Investigator, &format!("/api/imports/{id}/events"))
        .await
        .expect(200);
    assert!(
        events.content_type().starts_with("text/event-stream"),
        "{}",
        events.describe()
    );
    let data: Vec<Value> = events
        .text()
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| serde_json::from_str(d.trim()).expect("each event is JSON"))
        .collect();
    assert_eq!(
        data.last().map(|s| s["state"].clone()),
        Some("done".into()),
        "{}",
        events.describe()
    );

    for missing in ["999999", "abc"] {
        let reply = site
            .get(Who::Investigator, &format!("/api/imports/{missing}"))
            .await
            .expect(404);
        assert!(reply.error().contains(missing));
        site.get(Who::Investigator, &format!("/api/imports/{missing}/events"))
            .await
            .expect(404)
            .error();
    }
}

/// An importer who may not see an item must not be able to change it by importing a row
/// with its ref (here: make a confidential item public and wipe its fields).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_cannot_change_an_item_the_importer_may_not_see() {
    let site = Site::new().await;
    let hidden = site
        .register
        .level_ref(crate::register::Level::Confidential)
        .to_owned();
    let uri = format!("/api/items/{hidden}");
    let before = site.get(Who::Admin, &uri).await.expect(200).json()["item"].clone();
    site.get(Who::Investigator, &uri).await.expect(404);

    let reply = site
        .upload(
            Who::Investigator,
            "/api/imports?wait=true",
            "items",
            &one_item_csv(&hidden),
            false,
        )
        .await;
    let after = site.get(Who::Admin, &uri).await.expect(200).json()["item"].clone();
    assert_eq!(
        after,
        before,
        "the investigator's upload changed a confidential item it may not see: {}",
        reply.describe()
    );
    site.get(Who::Anonymous, &uri).await.expect(404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_in_other_formats_and_unreadable_files() {
    let site = Site::new().await;
    let post = |name: &'static str, content: Vec<u8>| {
        let site = &site;
        async move {
            upload_form(
                site,
                "/api/imports?wait=true",
                &[("kind", None, b"items"), ("file", Some(name), &content)],
            )
            .await
        }
    };
    // JSON Lines, told apart by the file name; a client's directories are dropped.
    let line = serde_json::json!({"ref": "TW-JSONL", "category": "weapon", "serial_number": "WEBJSONL1", "confidentiality": "public"});
    let status = post(
        "../../some/dir/rows.jsonl",
        format!("{line}\n").into_bytes(),
    )
    .await
    .expect(200)
    .json();
    assert_eq!(status["file_name"], "rows.jsonl", "{status}");
    assert_eq!(status["report"]["inserted"], 1, "{status}");
    site.get(Who::Anonymous, "/api/items/TW-JSONL")
        .await
        .expect(200);
    let status = post("C:\\Users\\me\\rows2.jsonl", Vec::new()).await;
    assert_eq!(
        status.json()["file_name"],
        "rows2.jsonl",
        "{}",
        status.describe()
    );

    // An empty CSV and a spreadsheet that is not one fail as a whole, saying why.
    for (name, content) in [
        ("empty.csv", Vec::new()),
        ("sheet.xlsx", b"not a spreadsheet".to_vec()),
    ] {
        let status = post(name, content).await.expect(422).json();
        assert_eq!(status["state"], "failed", "{status}");
        assert!(
            status["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{name}: the failure says why: {status}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sipri_export_uploads_as_transfers_when_the_form_says_so() {
    let site = Site::new().await;
    // The synthetic excerpt the command-line tests use, shaped like SIPRI's new export.
    let export = include_bytes!("../../../armtrace/tests/data/sipri/new-export.csv");
    let reply = upload_form(
        &site,
        "/api/imports?wait=true",
        &[
            ("kind", None, b"transfers"),
            ("format", None, b"sipri"),
            ("file", Some("trade-register.csv"), export),
        ],
    )
    .await
    .expect(200);
    let status = reply.json();
    assert_eq!(status["report"]["rejected"], 0, "{status}");
    assert!(
        status["report"]["inserted"].as_u64().unwrap() > 5,
        "{status}"
    );
    let transfer = site
        .get(Who::Viewer, "/api/transfers/SIPRI-900001-2009")
        .await
        .expect(200)
        .json();
    assert_eq!(transfer["source"], "sipri", "{transfer}");
    assert_eq!(transfer["model"], "9M113 Konkurs", "{transfer}");

    let reply = upload_form(
        &site,
        "/api/imports?wait=true",
        &[
            ("kind", None, b"transfers"),
            ("format", None, b"pdf"),
            ("file", Some("trade-register.csv"), export),
        ],
    )
    .await
    .expect(400);
    assert!(
        reply.error().contains("is not a format"),
        "{}",
        reply.describe()
    );
    // Items cannot be read from SIPRI's register: a failed import, like an unreadable file.
    let failed = upload_form(
        &site,
        "/api/imports?wait=true",
        &[
            ("kind", None, b"items"),
            ("format", None, b"sipri"),
            ("file", Some("trade-register.csv"), export),
        ],
    )
    .await
    .expect(422)
    .json();
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("holds transfers"),
        "{failed}"
    );
}

/// A thousand rows with `refs[i]` as the ref of row `i` (weapons, public).
fn thousand_rows(refs: &[String]) -> String {
    let mut csv = ITEM_FIELDS.join(",");
    csv.push('\n');
    for r in refs {
        let mut row = vec![String::new(); armtrace_core::ITEM_FIELD_COUNT];
        row[0] = r.clone();
        row[1] = "weapon".into();
        row[19] = "public".into();
        csv.push_str(&csv_line(&row));
    }
    csv
}

/// The existence oracle of a dry run is closed: an investigator's dry run answers for
/// the refs of records hidden from them exactly as for refs that are absent, so a
/// dry run cannot list confidential refs. A real import that runs into them is refused
/// for those rows, writes nothing, and leaves an audit entry saying it was tried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_answers_alike_for_hidden_and_absent_refs() {
    use crate::register::Level;
    let site = Site::new().await;
    let hidden = [
        site.register.level_ref(Level::Confidential).to_owned(),
        site.register.level_ref(Level::Granted).to_owned(),
    ];
    let absent = ["ORACLE-ABSENT-1".to_owned(), "ORACLE-ABSENT-2".to_owned()];
    let file = |pair: &[String; 2]| {
        let refs: Vec<String> = (0..1000)
            .map(|i| match i {
                17 => pair[0].clone(),
                731 => pair[1].clone(),
                _ => format!("ORACLE-{i:04}"),
            })
            .collect();
        thousand_rows(&refs)
    };
    let dry = |csv: String| {
        let site = &site;
        async move {
            let reply = site
                .upload(
                    Who::Investigator,
                    "/api/imports?wait=true",
                    "items",
                    &csv,
                    true,
                )
                .await
                .expect(200)
                .json();
            let mut report = reply["report"].clone();
            assert_eq!(reply["state"], "done", "{reply}");
            report.as_object_mut().unwrap().remove("import_id");
            report
        }
    };
    let with_hidden = dry(file(&hidden)).await;
    let with_absent = dry(file(&absent)).await;
    assert_eq!(
        with_hidden, with_absent,
        "a dry run tells hidden refs apart"
    );
    assert_eq!(with_hidden["inserted"], 1000, "{with_hidden}");
    assert_eq!(with_hidden["errors"], serde_json::json!([]));

    // A real import: refused for those rows, nothing written, the attempt audited.
    let before = site
        .get(Who::Admin, "/api/audit?limit=1000")
        .await
        .expect(200)
        .json();
    let reply = site
        .upload(
            Who::Investigator,
            "/api/imports?wait=true",
            "items",
            &file(&hidden),
            false,
        )
        .await
        .expect(422)
        .json();
    let errors = reply["report"]["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{reply}");
    assert!(
        errors.iter().all(|e| e["message"]
            .as_str()
            .unwrap()
            .contains("not available to you")),
        "{reply}"
    );
    site.get(Who::Admin, "/api/items/ORACLE-0000")
        .await
        .expect(404);
    let after = site
        .get(Who::Admin, "/api/audit?limit=1000")
        .await
        .expect(200)
        .json();
    let new: Vec<&Value> = after
        .as_array()
        .unwrap()
        .iter()
        .skip(before.as_array().unwrap().len())
        .collect();
    assert!(
        new.iter().any(|e| e["action"] == "import.items.refused"
            && e["actor"] == "web:investigator"
            && e["detail"]["unavailable_keys"] == 2),
        "the refused attempt is in the audit log: {new:?}"
    );
}
