//! Evidence files through the API and the item page: the listing, downloads, thumbnails,
//! uploads (the API's and the page form's), and what a bad upload or a bad hash answers.
//!
//! Who may call which route, and the hidden items' files, are the matrix's and the leak
//! crawl's; here are the answers themselves. Every file is synthetic (a generated PNG or
//! a line of text saying so).

use armtrace_core::audit::sha256_hex;
use armtrace_store::evidence::MAX_EVIDENCE_BYTES;
use axum::http::Method;
use serde_json::Value;

use crate::register::{Level, SYNTHETIC};
use crate::routes::{decode_entities, forms, same_site_links};
use crate::support::{Attached, Call, Cred, Reply, Site, Who, multipart, png};

/// `POST /api/items/{ref}/evidence` with a file and an optional caption.
async fn upload(
    site: &Site,
    who: Who,
    item: &str,
    file_name: &str,
    bytes: &[u8],
    caption: Option<&str>,
) -> Reply {
    let mut fields: Vec<(&str, Option<&str>, &[u8])> = Vec::new();
    if let Some(c) = caption {
        fields.push(("caption", None, c.as_bytes()));
    }
    fields.push(("file", Some(file_name), bytes));
    let (ct, body) = multipart(&fields);
    site.send(
        Call::new(
            Method::POST,
            format!("/api/items/{item}/evidence"),
            site.cred(who),
        )
        .body(&ct, body),
    )
    .await
}

/// The evidence listing of an item, as `who` sees it.
async fn listing(site: &Site, who: Who, item: &str) -> Vec<Value> {
    site.get(who, &format!("/api/items/{item}/evidence"))
        .await
        .expect(200)
        .json()
        .as_array()
        .expect("a list of files")
        .clone()
}

/// The `evidence.add` entries of the audit log.
async fn evidence_entries(site: &Site) -> Vec<Value> {
    let log = site
        .get(Who::Admin, "/api/audit?limit=1000")
        .await
        .expect(200)
        .json();
    log.as_array()
        .expect("a list of entries")
        .iter()
        .filter(|e| e["action"] == "evidence.add")
        .cloned()
        .collect()
}

/// Asserts that a listed file is the fixture's `file`, as `who` sees it.
#[track_caller]
fn assert_listed(listed: &Value, file: &Attached, photo: bool, who: Who) {
    assert_eq!(listed["sha256"], file.sha256, "{listed}");
    assert_eq!(listed["size"], file.bytes.len() as u64, "{listed}");
    assert_eq!(listed["media_type"], file.media_type, "{listed}");
    assert_eq!(listed["file_name"], file.file_name, "{listed}");
    assert_eq!(listed["caption"], file.caption, "{listed}");
    assert_eq!(listed["url"], file.url(), "{listed}");
    assert!(
        listed["added_at"].as_str().is_some_and(|a| !a.is_empty()),
        "{listed}"
    );
    if photo {
        assert_eq!(listed["thumbnail_url"], file.thumbnail_url(), "{listed}");
    } else {
        assert!(listed["thumbnail_url"].is_null(), "no thumbnail: {listed}");
    }
    if who == Who::Anonymous {
        assert!(
            listed["added_by"].is_null(),
            "who added it is not public: {listed}"
        );
    } else {
        assert_eq!(listed["added_by"], "test", "{listed}");
    }
}

/// Decodes a JPEG answer; returns its size.
#[track_caller]
fn jpeg_size(reply: &Reply) -> (u32, u32) {
    assert_eq!(reply.content_type(), "image/jpeg", "{}", reply.describe());
    assert!(
        reply.body.starts_with(&[0xFF, 0xD8, 0xFF]),
        "a JPEG starts with its SOI marker: {:?}",
        &reply.body[..reply.body.len().min(8)]
    );
    let image = image::load_from_memory_with_format(&reply.body, image::ImageFormat::Jpeg)
        .unwrap_or_else(|e| panic!("the thumbnail decodes as a JPEG ({e}): {}", reply.uri));
    (image.width(), image.height())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_items_evidence_is_listed_and_served_as_stored() {
    let site = Site::new().await;
    let photo = &site.evidence[&Level::Public];
    let note = &site.document;
    assert_eq!(photo.sha256, sha256_hex(&photo.bytes), "named by content");
    assert_eq!(photo.media_type, "image/png");
    assert_eq!(note.media_type, "application/octet-stream");

    for who in [Who::Anonymous, Who::Viewer] {
        let files = listing(&site, who, "TP-01").await;
        assert_eq!(files.len(), 2, "the photo, then the note: {files:?}");
        assert_listed(&files[0], photo, true, who);
        assert_listed(&files[1], note, false, who);
    }
    assert_eq!(
        listing(&site, Who::Anonymous, "TP-02").await,
        Vec::<Value>::new(),
        "an item without evidence lists none"
    );

    // A photo is shown inline as what it is; anything else is a download of bytes.
    let reply = site.get(Who::Anonymous, &photo.url()).await.expect(200);
    assert_eq!(reply.content_type(), "image/png");
    assert_eq!(reply.body, photo.bytes, "the file as stored");
    assert_eq!(
        reply.header("content-disposition"),
        Some("inline; filename=\"public-photo.png\"")
    );
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    let reply = site.get(Who::Anonymous, &note.url()).await.expect(200);
    assert_eq!(reply.content_type(), "application/octet-stream");
    assert_eq!(reply.body, note.bytes);
    assert_eq!(
        reply.header("content-disposition"),
        Some("attachment; filename=\"public-field-note.txt\"")
    );

    // The hash in either case, or with its `sha256:` prefix, names the same file.
    for sha in [
        photo.sha256.to_uppercase(),
        format!("sha256:{}", photo.sha256),
    ] {
        let reply = site
            .get(Who::Anonymous, &format!("/api/items/TP-01/evidence/{sha}"))
            .await
            .expect(200);
        assert_eq!(reply.body, photo.bytes, "{}", reply.uri);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thumbnails_are_jpegs_of_photos_and_404_for_other_files() {
    let site = Site::new().await;
    let photo = &site.evidence[&Level::Public];
    // 400×300 fits into 320×320 as 320×240.
    let first = site
        .get(Who::Anonymous, &photo.thumbnail_url())
        .await
        .expect(200);
    assert_eq!(jpeg_size(&first), (320, 240));
    let again = site
        .get(Who::Anonymous, &photo.thumbnail_url())
        .await
        .expect(200);
    assert_eq!(again.body, first.body, "the same thumbnail again");
    // A photo smaller than a thumbnail is not enlarged.
    let small = &site.evidence[&Level::Restricted];
    let reply = site
        .get(Who::Viewer, &small.thumbnail_url())
        .await
        .expect(200);
    assert_eq!(jpeg_size(&reply), (40, 30));

    let reply = site
        .get(Who::Anonymous, &site.document.thumbnail_url())
        .await
        .expect(404);
    let message = reply.error();
    assert!(
        message.contains(&site.document.file_name),
        "the 404 names the file that is not a photo: {message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_hashes_are_400_and_files_not_attached_404() {
    let site = Site::new().await;
    let sha = &site.evidence[&Level::Public].sha256;
    for bad in [
        "not-a-sha256".to_owned(),
        "abc".to_owned(),
        sha[..63].to_owned(),
        format!("{sha}0"),
        "g".repeat(64),
        format!("md5:{sha}"),
    ] {
        for tail in ["", "/thumbnail"] {
            let reply = site
                .get(
                    Who::Anonymous,
                    &format!("/api/items/TP-01/evidence/{bad}{tail}"),
                )
                .await
                .expect(400);
            let message = reply.error();
            assert!(
                message.contains("sha256") && message.contains(&bad),
                "the 400 names the parameter and the value: {message}"
            );
        }
    }
    // Well-formed, but not a file of this item: absent, or attached to another item.
    let elsewhere = &site.evidence[&Level::Restricted].sha256;
    for missing in ["0".repeat(64), elsewhere.clone()] {
        for tail in ["", "/thumbnail"] {
            let reply = site
                .get(
                    Who::Admin,
                    &format!("/api/items/TP-01/evidence/{missing}{tail}"),
                )
                .await
                .expect(404);
            let message = reply.error();
            assert!(
                message.contains("TP-01") && message.contains(missing.as_str()),
                "the 404 names the item and the hash: {message}"
            );
        }
    }
    for uri in [
        "/api/items/NO-SUCH-REF/evidence".to_owned(),
        format!("/api/items/NO-SUCH-REF/evidence/{sha}"),
        format!("/api/items/NO-SUCH-REF/evidence/{sha}/thumbnail"),
    ] {
        let reply = site.get(Who::Admin, &uri).await.expect(404);
        assert!(
            reply.error().contains("NO-SUCH-REF"),
            "{}",
            reply.describe()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_is_stored_once_per_item_and_recorded_in_the_audit_log() {
    let site = Site::new().await;
    let bytes = png(64, 48, 200, &format!("{SYNTHETIC}: serial plate"));
    let sha = sha256_hex(&bytes);
    let before = evidence_entries(&site).await.len();

    let first = upload(
        &site,
        Who::Investigator,
        "TP-02",
        "plate.png",
        &bytes,
        Some("  SYNTHETIC TEST DATA: serial plate  "),
    )
    .await
    .expect(201)
    .json();
    assert_eq!(first["sha256"], sha);
    assert_eq!(first["size"], bytes.len() as u64);
    assert_eq!(first["media_type"], "image/png", "sniffed from the bytes");
    assert_eq!(first["file_name"], "plate.png");
    assert_eq!(
        first["caption"], "SYNTHETIC TEST DATA: serial plate",
        "trimmed"
    );
    assert_eq!(first["added_by"], "web:investigator");
    assert_eq!(first["url"], format!("/api/items/TP-02/evidence/{sha}"));
    assert_eq!(
        first["thumbnail_url"],
        format!("/api/items/TP-02/evidence/{sha}/thumbnail")
    );

    // The same bytes again, under another name: the same answer, still one attachment.
    let again = upload(
        &site,
        Who::Admin,
        "TP-02",
        "plate-again.png",
        &bytes,
        Some("another caption"),
    )
    .await
    .expect(201)
    .json();
    assert_eq!(again, first, "the existing attachment");
    let files = listing(&site, Who::Viewer, "TP-02").await;
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["sha256"], sha);
    assert_eq!(files[0]["added_by"], "web:investigator");

    // The same bytes on another item: a second attachment of the one stored file.
    let other = upload(&site, Who::Investigator, "TP-03", "plate.png", &bytes, None)
        .await
        .expect(201)
        .json();
    assert_eq!(other["sha256"], sha);
    assert!(other["caption"].is_null(), "no caption: {other}");
    assert_eq!(listing(&site, Who::Anonymous, "TP-03").await.len(), 1);

    let reply = site
        .get(Who::Anonymous, &format!("/api/items/TP-02/evidence/{sha}"))
        .await
        .expect(200);
    assert_eq!(reply.body, bytes);
    assert_eq!(reply.content_type(), "image/png");
    let thumb = site
        .get(
            Who::Anonymous,
            &format!("/api/items/TP-03/evidence/{sha}/thumbnail"),
        )
        .await
        .expect(200);
    assert_eq!(jpeg_size(&thumb), (64, 48));

    // One entry per attachment (the repeated upload appended none), without the caption.
    let entries = evidence_entries(&site).await;
    assert_eq!(entries.len(), before + 2, "{entries:#?}");
    let ours: Vec<&Value> = entries
        .iter()
        .filter(|e| e["detail"]["sha256"] == sha)
        .collect();
    assert_eq!(ours.len(), 2, "{entries:#?}");
    for (entry, item) in ours.iter().zip(["TP-02", "TP-03"]) {
        assert_eq!(entry["actor"], "web:investigator", "{entry}");
        assert_eq!(entry["entity"], "item", "{entry}");
        assert_eq!(entry["entity_ref"], item, "{entry}");
        assert_eq!(entry["detail"]["size"], bytes.len() as u64, "{entry}");
        assert_eq!(entry["detail"]["media_type"], "image/png", "{entry}");
        assert_eq!(entry["detail"]["file_name"], "plate.png", "{entry}");
    }
    let log = site
        .get(Who::Admin, "/api/audit?limit=1000")
        .await
        .expect(200)
        .text();
    assert!(
        !log.contains("serial plate") && !log.contains("another caption"),
        "captions stay out of the log"
    );

    // The chain and every stored file still verify: the fixture's five files and this one.
    let v = site
        .get(Who::Admin, "/api/audit/verify")
        .await
        .expect(200)
        .json();
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["files_checked"], site.evidence.len() as u64 + 2, "{v}");
    assert_eq!(v["file_problems"], serde_json::json!([]), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_file_is_listed_under_its_base_name() {
    let site = Site::new().await;
    let bytes = format!("{SYNTHETIC}: a document uploaded with a path\n").into_bytes();
    let reply = upload(
        &site,
        Who::Investigator,
        "TP-04",
        "../../reports/field report.txt",
        &bytes,
        None,
    )
    .await
    .expect(201)
    .json();
    assert_eq!(
        reply["file_name"], "field report.txt",
        "directories are dropped: {reply}"
    );
    assert_eq!(reply["media_type"], "application/octet-stream");
    assert!(reply["thumbnail_url"].is_null(), "{reply}");
    let download = site
        .get(Who::Anonymous, reply["url"].as_str().expect("a url"))
        .await
        .expect(200);
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename=\"field report.txt\"")
    );
    assert_eq!(download.body, bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_are_refused_with_a_reason_and_store_nothing() {
    let site = Site::new().await;
    let before = evidence_entries(&site).await.len();
    let post = |ct: &str, body: Vec<u8>| {
        site.send(
            Call::new(
                Method::POST,
                "/api/items/TP-04/evidence",
                site.cred(Who::Investigator),
            )
            .body(ct, body),
        )
    };
    let text = format!("{SYNTHETIC}\n").into_bytes();

    let (ct, body) = multipart(&[("caption", None, b"a caption, no file")]);
    let message = post(&ct, body).await.expect(400).error();
    assert!(
        message.contains("file"),
        "names the missing field: {message}"
    );

    let (ct, body) = multipart(&[("kind", None, b"items"), ("file", Some("a.txt"), &text)]);
    let message = post(&ct, body).await.expect(400).error();
    assert!(
        message.contains("kind"),
        "names the unknown field: {message}"
    );

    let (ct, body) = multipart(&[("file", Some("empty.txt"), b"")]);
    let message = post(&ct, body).await.expect(400).error();
    assert!(
        message.contains("empty.txt") && message.contains("empty"),
        "says the file is empty: {message}"
    );

    let message = post("application/json", b"{\"file\": \"x\"}".to_vec())
        .await
        .expect(400)
        .error();
    assert!(
        message.contains("multipart/form-data"),
        "says how to send a file: {message}"
    );

    let oversized = vec![b'x'; MAX_EVIDENCE_BYTES + 1];
    let reply = upload(
        &site,
        Who::Investigator,
        "TP-04",
        "huge.bin",
        &oversized,
        None,
    )
    .await
    .expect(413);
    let message = reply.error();
    assert!(
        message.contains(&format!("{} MiB", MAX_EVIDENCE_BYTES >> 20)),
        "says the limit: {message}"
    );

    assert_eq!(
        listing(&site, Who::Admin, "TP-04").await,
        Vec::<Value>::new(),
        "nothing was attached"
    );
    assert_eq!(
        evidence_entries(&site).await.len(),
        before,
        "nothing logged"
    );
    let v = site
        .get(Who::Admin, "/api/audit/verify")
        .await
        .expect(200)
        .json();
    assert_eq!(
        v["files_checked"],
        site.evidence.len() as u64 + 1,
        "no file was stored: {v}"
    );
}

/// A browser session of `who`: the cookie's token and the CSRF token.
async fn session(site: &Site, who: Who) -> (String, String) {
    let user = site.store.user(who.name()).await.expect("the user");
    site.store.create_session(&user).await.expect("a session")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_item_page_shows_the_evidence_and_its_form_uploads_with_the_csrf_token() {
    let site = Site::new().await;
    let photo = &site.evidence[&Level::Public];
    let page = site
        .get(Who::Anonymous, "/items/TP-01")
        .await
        .expect(200)
        .text();
    let links = same_site_links(&page);
    for link in [photo.url(), photo.thumbnail_url(), site.document.url()] {
        assert!(
            links.contains(&link),
            "the item page links {link}: {links:?}"
        );
    }
    let text = decode_entities(&page);
    for shown in [
        photo.caption.as_str(),
        site.document.caption.as_str(),
        &photo.sha256[..12],
    ] {
        assert!(text.contains(shown), "the item page shows {shown}");
    }
    assert!(
        !forms(&page).iter().any(|f| f.action.ends_with("/evidence")),
        "no upload form for the public"
    );

    let (token, csrf) = session(&site, Who::Investigator).await;
    let cookie = |csrf| Cred::Session {
        token: &token,
        csrf,
    };
    let page = site
        .send(Call::new(Method::GET, "/items/TP-05", cookie(None)))
        .await
        .expect(200)
        .text();
    let found = forms(&page);
    let form = found
        .iter()
        .find(|f| f.action == "/items/TP-05/evidence")
        .expect("an investigator gets the upload form");
    assert_eq!(form.method, "post");
    let fields: Vec<(&str, &str)> = form
        .inputs
        .iter()
        .map(|(n, t, _)| (n.as_str(), t.as_str()))
        .collect();
    assert_eq!(
        fields,
        [("csrf", "hidden"), ("file", "file"), ("caption", "text")]
    );
    assert_eq!(
        form.inputs[0].2, csrf,
        "the form carries the session's token"
    );
    assert!(page.contains("multipart/form-data"), "the form sends files");

    let bytes = png(32, 24, 90, &format!("{SYNTHETIC}: uploaded by the form"));
    let post = |csrf: Option<&str>| {
        let mut fields: Vec<(&str, Option<&str>, &[u8])> = vec![
            ("caption", None, b"SYNTHETIC TEST DATA: left side"),
            ("file", Some("left.png"), &bytes),
        ];
        if let Some(c) = csrf {
            fields.insert(0, ("csrf", None, c.as_bytes()));
        }
        let (ct, body) = multipart(&fields);
        site.send(Call::new(Method::POST, "/items/TP-05/evidence", cookie(None)).body(&ct, body))
    };
    // Without the form's token, or with a stale one: refused, nothing stored.
    for sent in [None, Some("0".repeat(64))] {
        let reply = post(sent.as_deref()).await.expect(403);
        assert!(reply.is_html(), "{}", reply.describe());
        assert!(reply.text().contains("CSRF"), "{}", reply.describe());
    }
    assert_eq!(listing(&site, Who::Admin, "TP-05").await.len(), 0);

    let reply = post(Some(&csrf)).await.expect(303);
    assert_eq!(reply.header("location"), Some("/items/TP-05#evidence"));
    let files = listing(&site, Who::Viewer, "TP-05").await;
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["sha256"], sha256_hex(&bytes));
    assert_eq!(files[0]["file_name"], "left.png");
    assert_eq!(files[0]["caption"], "SYNTHETIC TEST DATA: left side");
    assert_eq!(files[0]["added_by"], "web:investigator");
    let page = site
        .get(Who::Anonymous, "/items/TP-05")
        .await
        .expect(200)
        .text();
    let link = format!("/api/items/TP-05/evidence/{}", sha256_hex(&bytes));
    assert!(
        same_site_links(&page).contains(&link),
        "the page links the new file {link}"
    );

    // A form without a file is a page saying so.
    let (ct, body) = multipart(&[("csrf", None, csrf.as_bytes())]);
    let reply = site
        .send(Call::new(Method::POST, "/items/TP-05/evidence", cookie(None)).body(&ct, body))
        .await
        .expect(400);
    assert!(reply.is_html(), "{}", reply.describe());
    assert!(reply.text().contains("no file"), "{}", reply.describe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captions_and_file_names_are_shown_as_text() {
    let site = Site::new().await;
    let payloads = ["<script>alert('xjx')</script>", "<svg onload=alert(2)>"];
    let raw = ["<script>alert", "<svg onload"];
    let bytes = format!("{SYNTHETIC}: a file named like markup\n").into_bytes();
    upload(
        &site,
        Who::Investigator,
        "TP-06",
        &format!("{}.txt", payloads[1]),
        &bytes,
        Some(payloads[0]),
    )
    .await
    .expect(201);
    let photo = png(16, 12, 7, SYNTHETIC);
    upload(
        &site,
        Who::Investigator,
        "TP-06",
        "photo.png",
        &photo,
        Some(payloads[1]),
    )
    .await
    .expect(201);
    for (who, uri) in [
        (Who::Anonymous, "/items/TP-06"),
        (Who::Investigator, "/items/TP-06"),
        (Who::Admin, "/audit"),
    ] {
        let html = site.get(who, uri).await.expect(200).text();
        for r in raw {
            assert!(
                !html.contains(r),
                "{uri} as {} puts {r} into its markup",
                who.label()
            );
        }
    }
}

/// An item whose ref holds characters that must be encoded in a path (`/`, space, `&`):
/// the links of the listing and of the item page, and the page's upload form, reach it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_links_and_the_upload_form_work_for_a_ref_that_needs_encoding() {
    let site = Site::new().await;
    let reference = "TW-01/A B&C";
    let mut row = vec![String::new(); armtrace_core::ITEM_FIELDS.len()];
    for (field, value) in [
        ("ref", reference),
        ("category", "weapon"),
        ("confidentiality", "public"),
        ("notes", SYNTHETIC),
    ] {
        let i = armtrace_core::ITEM_FIELDS
            .iter()
            .position(|f| *f == field)
            .expect("an item field");
        row[i] = value.to_owned();
    }
    let csv = format!(
        "{}\n{}",
        armtrace_core::ITEM_FIELDS.join(","),
        crate::register::csv_line(&row)
    );
    site.upload(Who::Admin, "/api/imports?wait=true", "items", &csv, false)
        .await
        .expect(200);
    let encoded = crate::support::encode(reference);

    let bytes = png(20, 10, 3, SYNTHETIC);
    let added = upload(
        &site,
        Who::Investigator,
        &encoded,
        "plate.png",
        &bytes,
        None,
    )
    .await
    .expect(201)
    .json();
    let url = added["url"].as_str().expect("a url").to_owned();
    let thumbnail = added["thumbnail_url"]
        .as_str()
        .expect("a thumbnail")
        .to_owned();
    assert_eq!(site.get(Who::Anonymous, &url).await.expect(200).body, bytes);
    let reply = site.get(Who::Anonymous, &thumbnail).await.expect(200);
    assert_eq!(jpeg_size(&reply), (20, 10));

    let (token, csrf) = session(&site, Who::Investigator).await;
    let cookie = Cred::Session {
        token: &token,
        csrf: None,
    };
    let page = site
        .send(Call::new(Method::GET, format!("/items/{encoded}"), cookie))
        .await
        .expect(200)
        .text();
    let links = same_site_links(&page);
    assert!(links.contains(&url), "the page links {url}: {links:?}");
    assert!(links.contains(&thumbnail), "the page links {thumbnail}");
    let form = forms(&page)
        .into_iter()
        .find(|f| f.action.ends_with("/evidence"))
        .expect("the upload form");
    let second = png(20, 10, 4, SYNTHETIC);
    let (ct, body) = multipart(&[
        ("csrf", None, csrf.as_bytes()),
        ("file", Some("second.png"), &second),
    ]);
    let reply = site
        .send(Call::new(Method::POST, form.action.clone(), cookie).body(&ct, body))
        .await;
    assert_eq!(
        reply.status.as_u16(),
        303,
        "the form's action {} adds to {reference:?}: {}",
        form.action,
        reply.describe()
    );
    assert_eq!(listing(&site, Who::Anonymous, &encoded).await.len(), 2);
}
