//! What the register holds is shown as text, never as markup: an item, a trace request
//! and a transfer whose fields are HTML and script payloads, and requests whose paths and
//! queries are, rendered by every page that shows them.

use armtrace_core::{ITEM_FIELDS, TRANSFER_FIELD_COUNT, TRANSFER_FIELDS};
use serde_json::json;

use crate::register::csv_line;
use crate::support::{Site, Who, encode};

/// Payloads that would run if a page put them into its markup unescaped.
const PAYLOADS: [&str; 3] = [
    "<script>alert('xjx')</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(2)>",
];

/// The unescaped forms that must never appear in a page.
const RAW: [&str; 3] = ["<script>alert", "<img src=x onerror", "<svg onload"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_escape_what_the_register_and_the_request_hold() {
    let site = Site::new().await;
    let mut row = vec![String::new(); armtrace_core::ITEM_FIELD_COUNT];
    let set = |row: &mut Vec<String>, field: &str, value: &str| {
        let i = ITEM_FIELDS
            .iter()
            .position(|f| *f == field)
            .expect("a field");
        row[i] = value.to_owned();
    };
    set(&mut row, "ref", "TX-1");
    set(&mut row, "category", "weapon");
    set(&mut row, "model", PAYLOADS[0]);
    set(&mut row, "manufacturer", PAYLOADS[1]);
    set(&mut row, "serial_number", "XSS100");
    set(&mut row, "markings", PAYLOADS[2]);
    set(&mut row, "recovered_place", PAYLOADS[1]);
    set(&mut row, "recovered_from", PAYLOADS[0]);
    set(&mut row, "latitude", "34.5");
    set(&mut row, "longitude", "40.5");
    set(&mut row, "confidentiality", "public");
    set(
        &mut row,
        "notes",
        &format!("SYNTHETIC TEST DATA {}", PAYLOADS[0]),
    );
    let csv = format!("{}\n{}", ITEM_FIELDS.join(","), csv_line(&row));
    site.upload(Who::Admin, "/api/imports?wait=true", "items", &csv, false)
        .await
        .expect(200);

    let mut transfer = vec![String::new(); TRANSFER_FIELD_COUNT];
    transfer[0] = "TT-XSS".into();
    transfer[1] = PAYLOADS[0].into();
    transfer[3] = PAYLOADS[1].into();
    transfer[15] = "2018-01-01".into();
    let csv = format!("{}\n{}", TRANSFER_FIELDS.join(","), csv_line(&transfer));
    site.upload(
        Who::Admin,
        "/api/imports?wait=true",
        "transfers",
        &csv,
        false,
    )
    .await
    .expect(200);
    let trace = site
        .post_json(
            Who::Admin,
            "/api/trace",
            &json!({"ref": "TX-1", "to": PAYLOADS[2], "reason": PAYLOADS[0], "requesting_party": PAYLOADS[1]}),
        )
        .await
        .expect(201)
        .json();
    let trace = trace["ref"].as_str().expect("a trace ref").to_owned();

    let mut uris = vec![
        "/".to_owned(),
        "/?q=XSS100".to_owned(),
        "/items".to_owned(),
        "/items/TX-1".to_owned(),
        format!("/items?model={}", encode(PAYLOADS[0])),
        "/transfers".to_owned(),
        "/trace".to_owned(),
        format!("/trace/{trace}"),
        format!("/trace/{trace}/print"),
        "/import".to_owned(),
    ];
    for payload in PAYLOADS {
        uris.push(format!("/items/{}", encode(payload)));
        uris.push(format!("/?q={}", encode(payload)));
        uris.push(format!("/login?next={}", encode(payload)));
        uris.push(format!("/no-such-page/{}", encode(payload)));
    }
    let mut failures = Vec::new();
    let mut pages = 0;
    for uri in &uris {
        for who in [Who::Anonymous, Who::Admin] {
            let reply = site.get(who, uri).await;
            if !reply.is_html() {
                continue;
            }
            pages += 1;
            let text = reply.text();
            for raw in RAW {
                if let Some(at) = text.find(raw) {
                    let start = at.saturating_sub(80);
                    failures.push(format!(
                        "GET {uri} as {}: unescaped {raw:?} in …{}…",
                        who.label(),
                        &text[start..(at + 80).min(text.len())]
                    ));
                }
            }
        }
    }
    assert!(pages > 10, "the pages render as HTML ({pages})");
    // The payloads are shown, as text.
    let item = site.get(Who::Admin, "/items/TX-1").await.expect(200).text();
    assert!(
        item.contains("&lt;script&gt;alert"),
        "the model is shown escaped"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
