//! The audit log for admins: `/api/audit` (entries, paged), `/api/audit/verify` and the
//! `/audit` page, over the log the test site wrote while it was built (users, tokens,
//! grants, evidence files, trace requests, an import). Who may read it is the matrix's.

use armtrace_core::audit::GENESIS_HASH;
use serde_json::Value;

use crate::api::bad_parameter;
use crate::register::Level;
use crate::support::{Site, Who};

/// Every entry of the log, as the API pages through it.
async fn whole_log(site: &Site) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = site
            .get(Who::Admin, &format!("/api/audit?after={after}&limit=7"))
            .await
            .expect(200)
            .json();
        let page = page.as_array().expect("a list of entries").clone();
        let Some(last) = page.last() else { break };
        after = last["seq"].as_i64().expect("a seq");
        all.extend(page);
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_is_a_chain_of_entries_paged_by_seq() {
    let site = Site::new().await;
    let first = site.get(Who::Admin, "/api/audit").await.expect(200).json();
    let first = first.as_array().expect("a list of entries");
    assert!(!first.is_empty());
    assert!(first.len() <= 100, "at most 100 by default");
    let entry = first[0].as_object().expect("an entry");
    let mut keys: Vec<&str> = entry.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "action",
            "actor",
            "at",
            "detail",
            "entity",
            "entity_ref",
            "hash",
            "prev_hash",
            "seq"
        ]
    );

    let log = whole_log(&site).await;
    assert_eq!(
        &log[..first.len()],
        &first[..],
        "pages continue the first one"
    );
    let mut prev = GENESIS_HASH.to_owned();
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1, "no gaps: {e}");
        assert_eq!(e["prev_hash"], prev, "chained to the entry before: {e}");
        prev = e["hash"].as_str().expect("a hash").to_owned();
    }
    let actions: Vec<&str> = log.iter().filter_map(|e| e["action"].as_str()).collect();
    for done in ["user.add", "token.create", "evidence.add"] {
        assert!(actions.contains(&done), "{done} is logged: {actions:?}");
    }
    let photos = log.iter().filter(|e| e["action"] == "evidence.add").count();
    assert_eq!(
        photos,
        site.evidence.len() + 1,
        "one entry per file the site attached"
    );

    let page = site
        .get(Who::Admin, "/api/audit?after=2&limit=3")
        .await
        .expect(200)
        .json();
    let seqs: Vec<i64> = page
        .as_array()
        .expect("a list")
        .iter()
        .map(|e| e["seq"].as_i64().expect("a seq"))
        .collect();
    assert_eq!(seqs, [3, 4, 5]);
    let beyond = format!("/api/audit?after={}", log.len());
    let page = site.get(Who::Admin, &beyond).await.expect(200).json();
    assert_eq!(page, serde_json::json!([]), "nothing after the head");
    let page = site
        .get(Who::Admin, "/api/audit?limit=0")
        .await
        .expect(200)
        .json();
    assert_eq!(page, serde_json::json!([]));

    for (query, parameter, value) in [
        ("after=x", "after", "x"),
        ("after=-1", "after", "-1"),
        ("limit=1001", "limit", "1001"),
        ("limit=many", "limit", "many"),
    ] {
        bad_parameter(
            site.get(Who::Admin, &format!("/api/audit?{query}")).await,
            parameter,
            Some(value),
        );
    }

    // A change made through the API is the next entry.
    site.post_json(
        Who::Investigator,
        "/api/trace",
        &serde_json::json!({"ref": "TP-02", "to": "Test Arms Plant"}),
    )
    .await
    .expect(201);
    let after = format!("/api/audit?after={}", log.len());
    let page = site.get(Who::Admin, &after).await.expect(200).json();
    let new = page.as_array().expect("a list");
    assert_eq!(new.len(), 1, "{page}");
    assert_eq!(new[0]["actor"], "web:investigator", "{page}");
    assert_eq!(new[0]["prev_hash"], prev, "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_reports_an_intact_chain_and_its_head() {
    let site = Site::new().await;
    let log = whole_log(&site).await;
    let last = log.last().expect("entries");
    let v = site
        .get(Who::Admin, "/api/audit/verify")
        .await
        .expect(200)
        .json();
    assert_eq!(v["intact"], true, "{v}");
    assert_eq!(v["entries"], log.len() as u64, "{v}");
    assert_eq!(v["head"]["seq"], last["seq"], "{v}");
    assert_eq!(v["head"]["hash"], last["hash"], "{v}");
    assert!(v["break"].is_null(), "{v}");
    assert_eq!(v["files_checked"], site.evidence.len() as u64 + 1, "{v}");
    assert_eq!(v["file_problems"], serde_json::json!([]), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_page_lists_entries_and_verifies_on_request() {
    let site = Site::new().await;
    let head = site
        .get(Who::Admin, "/api/audit/verify")
        .await
        .expect(200)
        .json()["head"]["hash"]
        .as_str()
        .expect("a head")
        .to_owned();
    let page = site.get(Who::Admin, "/audit").await.expect(200);
    assert!(page.is_html());
    let html = page.text();
    for shown in ["Audit log", "evidence.add", "user.add", head.as_str()] {
        assert!(html.contains(shown), "the page shows {shown}");
    }
    assert!(
        html.contains("href=\"/items/TP-01\""),
        "an item's entries link to it"
    );
    assert!(!html.contains("Intact"), "verification only on request");

    let html = site
        .get(Who::Admin, "/audit?verify=1")
        .await
        .expect(200)
        .text();
    assert!(html.contains("Intact:"), "the verification is shown");
    let files = site.evidence.len() + 1;
    assert!(
        html.contains(&format!("{files} evidence files re-hashed")),
        "and says how many files it re-hashed"
    );

    let reply = site.get(Who::Admin, "/audit?after=x").await.expect(400);
    assert!(reply.is_html());
    assert!(reply.text().contains("after"), "{}", reply.describe());
    // Paging: after the head there is nothing.
    let v = site
        .get(Who::Admin, "/api/audit/verify")
        .await
        .expect(200)
        .json();
    let html = site
        .get(Who::Admin, &format!("/audit?after={}", v["entries"]))
        .await
        .expect(200)
        .text();
    assert!(html.contains("No entries after"), "an empty page says so");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_names_an_evidence_file_altered_or_removed_on_disk() {
    let site = Site::new().await;
    let altered = &site.evidence[&Level::Public];
    let removed = &site.evidence[&Level::Restricted];
    let path = |sha: &str| {
        site.store
            .evidence_path(sha)
            .unwrap_or_else(|| panic!("{sha} is stored"))
    };
    let altered_path = path(&altered.sha256);
    let mut permissions = std::fs::metadata(&altered_path)
        .expect("the stored file")
        .permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&altered_path, permissions).expect("made writable");
    std::fs::write(&altered_path, b"SYNTHETIC TEST DATA: not the photo").expect("overwritten");
    std::fs::remove_file(path(&removed.sha256)).expect("removed");

    let v = site
        .get(Who::Admin, "/api/audit/verify")
        .await
        .expect(200)
        .json();
    assert_eq!(v["intact"], false, "{v}");
    assert!(v["break"].is_null(), "the chain itself is intact: {v}");
    let problems = v["file_problems"].as_array().expect("a list");
    let kind_of = |sha: &str| {
        problems
            .iter()
            .find(|p| p["sha256"] == sha)
            .map(|p| p["kind"].clone())
    };
    assert_eq!(kind_of(&altered.sha256), Some("altered".into()), "{v}");
    assert_eq!(kind_of(&removed.sha256), Some("missing".into()), "{v}");
    assert_eq!(problems.len(), 2, "{v}");

    let html = site
        .get(Who::Admin, "/audit?verify=1")
        .await
        .expect(200)
        .text();
    assert!(
        html.contains("The record was changed outside armtrace."),
        "the page says the record was changed"
    );
    for file in [altered, removed] {
        assert!(
            html.contains(&file.sha256[..16]),
            "the page names {}",
            file.sha256
        );
    }
}

/// A file gone from disk is the server's fault, not the request's: a 500, for the
/// download and the thumbnail alike, whose body carries an error id and no internal text
/// (no path, no OS message); the server log has the detail under that id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_missing_on_disk_is_a_server_error_without_internal_text() {
    let site = Site::new().await;
    let removed = &site.evidence[&Level::Public];
    let path = site
        .store
        .evidence_path(&removed.sha256)
        .expect("the file is stored");
    std::fs::remove_file(&path).expect("removed");
    let root = site.store.evidence_root().display().to_string();
    let mut failures = Vec::new();
    for uri in [removed.url(), removed.thumbnail_url()] {
        let reply = site.get(Who::Admin, &uri).await;
        let message = reply.error();
        let has_id = message.contains("(error ") && message.contains("server log");
        if reply.status.as_u16() != 500 || !has_id || message.contains(&root) {
            failures.push(format!(
                "expected a 500 with an error id and no path, got {}",
                reply.describe()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A failure of the register itself (here its items table taken away under the running
/// server) answers 500 with a generic message and an error id: the database's text (table
/// names, SQL, driver messages) never reaches the client, on either backend.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_register_answers_500_without_internal_text() {
    let site = Site::new().await;
    site.store
        .break_items_table_for_tests()
        .await
        .expect("the table is renamed");
    for (who, uri) in [
        (Who::Admin, "/api/items".to_owned()),
        (Who::Anonymous, "/api/items/TP-01".to_owned()),
        (Who::Investigator, "/api/items/TP-01/custody".to_owned()),
        (Who::Admin, "/api/search?q=KX4000103".to_owned()),
    ] {
        let reply = site.get(who, &uri).await;
        assert_eq!(reply.status.as_u16(), 500, "{}", reply.describe());
        let message = reply.error();
        assert!(
            message.contains("(error ") && message.contains("server log"),
            "a generic message with an id: {message}"
        );
        for internal in ["items", "SQL", "sql", "relation", "table", "database"] {
            assert!(
                !message.contains(internal),
                "{internal:?} leaked into {uri}: {message}"
            );
        }
    }
    // A page answers the same way: an error page with the id, not the database's words.
    let page = site.get(Who::Admin, "/items").await;
    assert_eq!(page.status.as_u16(), 500, "{}", page.describe());
    assert!(
        !page.text().contains("items_taken_away"),
        "{}",
        page.describe()
    );
}
